"""``parley label``: label articles with a teacher extractor, in the training-set format."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ParleyError
from ._util import handle_errors, safe


@click.command("label")
@click.argument("sources", nargs=-1, required=True, metavar="PATH|URL|-...")
@click.option("--teacher", required=True, metavar="NAME",
              help="Extractor that labels: llm (a model on an OpenAI-compatible server; settings llm_url, "
                   "llm_model) or rules.")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the labelled files, one <id>.json per article (created when missing).")
@click.option("--taxonomy", type=click.Path(dir_okay=False), default=None,
              help="Issue taxonomy file (YAML/JSON) replacing the default one.")
@click.option("--force", is_flag=True, help="Replace labelled files that exist already (never an input).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@handle_errors
def label_cmd(sources: tuple[str, ...], teacher: str, out_dir: str, taxonomy: str | None, force: bool,
              quiet: bool) -> None:
    """Label articles with a teacher and write them as a training set (shared/data/train/ format).

    SOURCES are read as `parley ingest` reads them (files, folders, URLs, -);
    a JSON article with an `id` keeps it. Each article gets DIR/<id>.json:
    the article's fields and `text`, and `positions` with the positions.md
    fields and `evidence` as the verbatim sentence, plus `labelled_by`
    (teacher and version). The files are meant for review, then for
    `parley train` and `parley eval`. With the llm teacher, quotes that are
    not in the article and issues outside the taxonomy never reach a file
    (they are dropped and counted). A file that exists already is kept, and
    its article not sent, unless --force; an input is never overwritten.
    Articles that fail are reported, get no file, and the exit status is 1.

    \b
    Example:
      parley label --teacher llm articles/ -o labels/
    """
    from ..extract import get_extractor
    from ..ingest.sources import iter_articles
    from ..store.runner import usage_line
    from ..teach import label_articles
    from .ledger import _print_error, _print_notice

    extractor = get_extractor(teacher, taxonomy=taxonomy)
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(desc="label", unit="article", file=sys.stderr, dynamic_ncols=True)

    def written(path: Path, n: int) -> None:
        if bar is not None:
            bar.update(1)

    def error(err: ParleyError) -> None:
        if bar is not None:
            with bar.external_write_mode(file=sys.stderr):
                _print_error(err)
        else:
            _print_error(err)

    usage = getattr(extractor, "usage", None)
    before = usage.as_dict() if usage is not None else None
    try:
        report = label_articles(iter_articles(list(sources), notice=_print_notice), extractor, out_dir,
                                force=force, inputs=sources, on_error=error, on_written=written)
    finally:
        if bar is not None:
            bar.close()
    line = (f"label: {len(report.written)} files with {report.positions} positions -> {safe(out_dir)}, "
            f"{len(report.errors)} errors")
    if usage is not None and before is not None:
        now = usage.as_dict()
        line += "; " + usage_line({k: now[k] - before.get(k, 0) for k in now})
    click.echo(line, err=True)
    if report.errors:
        raise click.exceptions.Exit(1)


COMMANDS = [label_cmd]
