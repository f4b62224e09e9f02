"""Ledger commands: ingest, extract, run, positions, articles, show, search, export, stats, issues, demo.

Thin: each command parses options, calls ``parley.ingest`` / ``parley.store`` /
``parley.extract`` and prints what they return. ``--actor`` goes through the one
actor resolver of :mod:`parley.analyze` (as in the analysis commands).
"""
from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..errors import InputError, ParleyError
from ..model import Article, Position
from ._util import (
    check_output_path,
    clip,
    db_option,
    flag_for,
    force_option,
    handle_errors,
    parse_date,
    render_table,
    safe,
)

log = logging.getLogger(__name__)

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "demo"


# ----------------------------------------------------------------------------- helpers

def _open(db: str | None, create: bool = False):  # -> SqlStore (imported lazily: keeps `parley --help` fast)
    """The store; only commands that add articles (``create=True``) may create a new database."""
    from ..store import open_store

    return open_store(db, must_exist=not create)


def _print_error(err: ParleyError) -> None:
    from tqdm import tqdm

    err = err.with_flags(flag_for)
    tqdm.write(f"error: [{err.code}] {safe(err.message)}", file=sys.stderr)


def _print_notice(notice: Any) -> None:
    """One ``note: [CODE] ...`` line for something ingestion left out or changed (a Notice)."""
    from tqdm import tqdm

    tqdm.write(f"note: [{notice.code}] {safe(notice.message)}", file=sys.stderr)


def _ingest(store: Any, sources: Iterable[str], quiet: bool, keep_ids: bool = False) -> Any:
    from .. import pipeline

    report = pipeline.ingest(store, sources, progress=not quiet, on_error=_print_error,
                             on_notice=_print_notice, keep_ids=keep_ids)
    _say_ingested(store, report)
    return report


def _say_ingested(store: Any, report: Any) -> None:
    click.echo(f"ingest: {report.inserted} new, {report.duplicates} duplicates, "
               f"{report.near_duplicates} near-duplicates, {report.failed} errors -> {store.url}",
               err=True)
    for line in report.details():
        click.echo(f"  {safe(line)}", err=True)


def _extract(store: Any, extractor_name: str | None, taxonomy: str | None, quiet: bool,
             limit: int | None = None, force: bool = False, workers: int | None = None,
             scheduler: str | None = None, partition_size: int | None = None, model: str | None = None) -> Any:
    from .. import pipeline

    report = pipeline.extract(store, extractor_name, taxonomy=taxonomy, model=model, workers=workers, scheduler=scheduler,
                              partition_size=partition_size, force=force, limit=limit, progress=not quiet,
                              on_error=_print_error)
    click.echo(f"extract: {safe(report.summary())}", err=True)
    return report


_workers = click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Extract on a Dask cluster of N worker processes on this machine (each loads the "
                             "extractor once; docs/scale.md).")
_scheduler = click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                          help="Extract on the existing Dask cluster of this scheduler (`dask scheduler`, "
                               "`dask worker`); every worker must reach the database (PostgreSQL).")
_partition = click.option("--partition-size", type=click.IntRange(min=1), default=None, metavar="N",
                          help="With --workers/--scheduler: articles per partition (one task, one batched "
                               "write) [default: 50].")


def _check_cluster_options(workers: int | None, scheduler: str | None, partition_size: int | None) -> None:
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers and --scheduler exclude each other (--workers N starts a cluster on "
                               "this machine, --scheduler joins an existing one)")
    if partition_size is not None and workers is None and scheduler is None:
        raise click.UsageError("--partition-size applies with --workers or --scheduler")


def _notes(p: Position) -> str:
    bits = []
    if p.conditions:
        bits.append(p.condition_phrase())
    if p.red_line:
        bits.append("RED LINE")
    if p.previous_stance:
        bits.append(f"was {p.previous_stance}")
    return " | ".join(bits)


def positions_table(positions: list[Position]) -> str:
    """The positions as an aligned text table (one row each)."""
    rows = [(p.id, p.published.isoformat() if p.published else "undated", p.actor, p.issue, p.stance,
             _notes(p), (p.article_id or "")[:10]) for p in positions]
    return render_table(("id", "date", "actor", "issue", "stance", "conditions / notes", "article"), rows,
                        widths=(12, 10, 28, 20, 11, 60, 10))


def _echo_positions(positions: list[Position], fmt: str) -> None:
    from ..store.export import position_json, write_csv

    if fmt == "json":
        click.echo(json.dumps([position_json(p) for p in positions], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = sys.stdout
        write_csv(positions, out)
        out.flush()
    elif positions:
        click.echo(positions_table(positions))
    else:
        click.echo("no positions", err=True)


def highlight(text: str, positions: list[Position], color: bool) -> str:
    """``text`` with each evidence span marked: bold colour on a terminal, ``[[...]]`` otherwise,
    followed by the numbers of the positions it supports (1-based, as listed below it).

    The article's own text is made terminal-safe piece by piece (:func:`safe`), after the
    offsets have been applied, so that only our highlighting reaches the terminal as escapes."""
    spans = sorted(((p.evidence.start, p.evidence.end, i + 1) for i, p in enumerate(positions)
                    if 0 <= p.evidence.start < p.evidence.end <= len(text)))
    merged: list[list[Any]] = []            # [start, end, [numbers]] of overlapping spans
    for s, e, n in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].append(n)
        else:
            merged.append([s, e, [n]])
    out, pos = [], 0
    for s, e, nums in merged:
        out.append(safe(text[pos:s]))
        tag = "[" + ",".join(map(str, nums)) + "]"
        if color:
            out.append(click.style(safe(text[s:e]), bold=True, fg="yellow") + click.style(tag, fg="cyan"))
        else:
            out.append(f"[[{safe(text[s:e])}]]{tag}")
        pos = e
    out.append(safe(text[pos:]))
    return "".join(out)


# ----------------------------------------------------------------------------- commands

_quiet = click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
_extractor = click.option("--extractor", "extractor_name", default=None, metavar="NAME",
                          help="Extractor to use: rules, learned (with --model), llm "
                               "[default: the 'extractor' setting, rules].")
_taxonomy = click.option("--taxonomy", type=click.Path(dir_okay=False), default=None,
                         help="Issue taxonomy file (YAML/JSON) replacing the default one; its positions are "
                              "stored under the file's name, beside those of other taxonomies.")
_model = click.option("--model", type=click.Path(file_okay=False), default=None, metavar="DIR",
                      help="Model directory for --extractor learned (written by `parley train`) "
                           "[default: the 'model' setting, PARLEY_MODEL].")


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True, metavar="PATH|URL|-...")
@db_option
@_quiet
@handle_errors
def ingest_cmd(sources: tuple[str, ...], db: str | None, quiet: bool) -> None:
    """Add articles to the database: text, HTML, JSON/JSONL, RSS/Atom files, folders, URLs or - (stdin).

    Ingesting the same article twice changes nothing; near-duplicates are kept
    but marked. Each bad item is reported as `error: [CODE] ...` and the others
    are still stored; the exit status is 1 when any item failed. What is read
    but not taken as given gets a `note: [CODE] ...` line and is named in the
    summary: files in a folder that are not articles (CSV, PDF, Markdown...),
    dropped field values (a `published` that is not a date), HTML stored as its
    visible text for want of main text (flagged), non-English articles (stored,
    not extracted). Devices and FIFOs are refused; stdin and files are read up
    to PARLEY_MAX_BYTES; a fetch gets PARLEY_FETCH_TIMEOUT seconds in all.

    \b
    Example:
      parley ingest articles/ https://example.org/feed.xml
    """
    with _open(db, create=True) as store:
        report = _ingest(store, sources, quiet)
    if report.errors:
        raise click.exceptions.Exit(1)


@click.command("extract")
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
@click.option("--jsonl", "jsonl", is_flag=True,
              help="Extract from the files PATH... without a database and print JSON Lines.")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default=None,
              help="With --jsonl: write to this file instead of stdout (written whole or not at all).")
@click.option("--force", is_flag=True,
              help="Re-extract articles already extracted by this extractor version and taxonomy (their "
                   "positions are replaced, never doubled); with --jsonl -o: replace an existing output file.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Extract at most this many articles.")
@_extractor
@_taxonomy
@_model
@_workers
@_scheduler
@_partition
@db_option
@_quiet
@handle_errors
def extract_cmd(paths: tuple[str, ...], jsonl: bool, output: str | None, force: bool, limit: int | None,
                extractor_name: str | None, taxonomy: str | None, model: str | None, workers: int | None,
                scheduler: str | None, partition_size: int | None, db: str | None, quiet: bool) -> None:
    """Extract positions from every article not yet extracted (by this extractor version and taxonomy).

    The run is recorded in the `runs` table (with its taxonomy) and can be
    interrupted: articles already done are kept and the next run does the rest
    (a run killed outright is marked `interrupted`, with its true counts, by the
    next one). Re-extracting keeps the ids of unchanged positions; another
    --taxonomy adds its positions beside the default ones (reading commands take
    --taxonomy). Long articles are extracted in chunks; an article over its time
    budget (PARLEY_EXTRACT_TIME_BUDGET) or failing is reported, stays pending, and
    the others go on; the exit status is then 1. With --jsonl, reads the files
    PATH... instead (a JSON file with `id` and `text` keeps its id) and writes
    one `{"id", "title", "positions": [...]}` object per article; -o never
    replaces an input or the database, nor an existing file without --force.

    --force re-extracts every article, extracted already or not, with any
    extractor: each article's positions from that extractor under that
    taxonomy are replaced in one transaction (positions of other taxonomies
    stay; an unchanged position keeps its id). `--extractor llm` asks a model on an OpenAI-compatible
    server (settings llm_url, llm_model; docs/extraction.md); its answers are
    cached, so running again costs no request, and its requests, tokens and
    dropped positions are stored with the run (`parley stats`).

    --workers N extracts on a Dask cluster of N processes on this machine,
    --scheduler tcp://HOST:8786 on an existing cluster (docs/scale.md): the
    pending articles are partitioned by id, each worker loads the extractor
    once, and each partition's positions are saved in one batched write by the
    worker; a worker killed mid-run has its partition redone elsewhere, never
    doubled. The positions are those one process stores.

    \b
    Examples:
      parley extract --jsonl ../shared/data/dev/*.json -o predictions.jsonl
      parley extract --extractor llm --limit 20
      parley extract --workers 2
      parley extract --scheduler tcp://10.0.0.5:8786 --db postgresql+psycopg://parley@db/ledger
    """
    _check_cluster_options(workers, scheduler, partition_size)
    if jsonl and (workers is not None or scheduler is not None):
        raise click.UsageError("--jsonl extracts in this process; --workers/--scheduler extract a database")
    if paths and not jsonl:
        raise click.UsageError("PATH arguments need --jsonl (or use `parley run PATH...` to store them)")
    if jsonl:
        if not paths:
            raise click.UsageError("--jsonl needs at least one PATH")
        check_output_path(output, force=force, db=db, inputs=paths)
        failed = _extract_files(paths, output, extractor_name, taxonomy, model)
        if failed:
            raise click.exceptions.Exit(1)
        return
    if output:
        raise click.UsageError("-o/--output only applies with --jsonl (use `parley export` for the database)")
    with _open(db) as store:
        report = _extract(store, extractor_name, taxonomy, quiet, limit, force=force, workers=workers,
                          scheduler=scheduler, partition_size=partition_size, model=model)
    if report.failures:
        raise click.exceptions.Exit(1)


def _extract_files(paths: Iterable[str], output: str | None, extractor_name: str | None,
                   taxonomy: str | None, model: str | None = None) -> int:
    """--jsonl mode: read files through the ingest readers, extract, write JSON Lines; returns #errors.

    Errors and notices are printed as ``parley ingest`` prints them; an article that fails
    extraction is an error line and is left out of the output."""
    from ..extract import get_extractor
    from ..extract.bounded import bounded
    from ..ingest.sources import iter_articles
    from ..outfile import STDOUT, atomic_write

    extractor = bounded(get_extractor(extractor_name, taxonomy=taxonomy, model=model))
    errors = notices = 0

    def note(n: Any) -> None:
        nonlocal notices
        notices += 1
        _print_notice(n)

    def articles() -> Iterable[Article]:
        nonlocal errors
        for item in iter_articles(list(paths), notice=note):
            if isinstance(item, InputError):
                errors += 1
                _print_error(item)
            else:
                yield item

    n = 0

    def write(out: Any) -> None:
        nonlocal n, errors
        for res in extractor.outcomes(articles()):
            if res.error is not None:
                errors += 1
                _print_error(res.error)
                continue
            article = res.article
            record = {"id": article.external_id or article.id, "title": article.title,
                      "positions": [p.to_dict() for p in res.positions]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1

    if output and output != STDOUT:
        with atomic_write(output, "w") as fh:
            write(fh)
    else:
        try:
            write(sys.stdout)
        finally:
            sys.stdout.flush()
    click.echo(f"extract: {n} articles, {errors} errors" + (f", {notices} notes" if notices else ""), err=True)
    return errors


@click.command("run")
@click.argument("sources", nargs=-1, required=True, metavar="PATH|URL|-...")
@_extractor
@_taxonomy
@_model
@_workers
@_scheduler
@_partition
@db_option
@_quiet
@handle_errors
def run_cmd(sources: tuple[str, ...], extractor_name: str | None, taxonomy: str | None, model: str | None,
            workers: int | None, scheduler: str | None, partition_size: int | None, db: str | None,
            quiet: bool) -> None:
    """Ingest SOURCES, then extract positions from every article still pending.

    Running it twice on the same input stores nothing new. The exit status is
    1 when some input item or article failed (the good ones are still stored
    and extracted). --workers N / --scheduler URL extract on a Dask cluster (as
    `parley extract` does); ingestion runs in this process.

    \b
    Examples:
      parley run ../shared/seed/article.txt && parley positions
      parley run --workers 2 articles.jsonl
    """
    from .. import pipeline

    _check_cluster_options(workers, scheduler, partition_size)
    with _open(db, create=True) as store:
        done = pipeline.run(store, sources, extractor=extractor_name, taxonomy=taxonomy, model=model, workers=workers,
                            scheduler=scheduler, partition_size=partition_size, progress=not quiet,
                            on_error=_print_error, on_notice=_print_notice, keep_ids=False,
                            on_ingested=lambda report: _say_ingested(store, report))
        click.echo(f"extract: {safe(done.extract.summary())}", err=True)
    if done.failed:
        raise click.exceptions.Exit(1)


_filters = [
    click.option("--actor", default=None, help="Actor name or alias (or a side: its members too), resolved "
                                                 "like every analysis command; see --match."),
    click.option("--match", type=click.Choice(["exact", "substring"]), default="exact", show_default=True,
                 help="exact: the actor's name or alias (a close spelling is used and said); substring: every "
                      "actor whose name or alias contains --actor."),
    click.option("--issue", default=None, help="Issue label, e.g. talks, ceasefire."),
    click.option("--stance", type=click.Choice(["support", "oppose", "conditional", "mixed"]), default=None,
                 help="Stance."),
    click.option("--since", default=None, metavar="YYYY-MM-DD", help="Articles dated on or after this day."),
    click.option("--until", default=None, metavar="YYYY-MM-DD", help="Articles dated on or before this day."),
    click.option("--include-undated", is_flag=True, help="With --since/--until: undated articles too."),
    click.option("--article", "article", default=None, metavar="ID", help="Article id or unique prefix."),
    click.option("--taxonomy", default=None, metavar="NAME|FILE",
                 help="Positions of this taxonomy [default: the configured one, or the only one stored]."),
]


def _with_filters(f: Any) -> Any:
    for opt in reversed(_filters):
        f = opt(f)
    return f


def _dates(since: str | None, until: str | None) -> tuple[Any, Any]:
    from ..analyze.ledger import check_range

    d0, d1 = parse_date(since), parse_date(until)
    check_range(d0, d1)
    return d0, d1


def _query(store: Any, actor: str | None, match: str, issue: str | None, stance: str | None,
           since: str | None, until: str | None, include_undated: bool, article: str | None,
           taxonomy: str | None, limit: int | None = None) -> list[Position]:
    """Stored positions by the filters; ``actor`` resolved to records (E501 unknown, E506 ambiguous)."""
    d0, d1 = _dates(since, until)
    article_id = store.find_article(article).id if article else None
    tax = store.choose_taxonomy(taxonomy)
    found = store.positions(issue=issue, stance=stance, since=d0, until=d1, include_undated=include_undated,
                            article_id=article_id, taxonomy=tax, limit=None if actor else limit)
    if not actor:
        return found
    from ..analyze import kept
    from ..analyze.ledger import Ledger

    if tax is None:
        found = []
        return found
    res, ids = kept.resolution(store, tax)
    ledger = Ledger([], {}, res)
    m = ledger.lookup(actor, match)  # type: ignore[arg-type]
    note = m.notice()
    if note:
        click.echo(safe(note), err=True)
    members = [ids[n] for n in ledger.members_of(m) if n in ids]
    uids = {pt.position.id for pt in store.ledger.points(tax, members)}
    found = [p for p in found if p.id in uids]
    return found[:limit] if limit is not None else found


@click.command("positions")
@_with_filters
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="Output format.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N positions.")
@db_option
@handle_errors
def positions_cmd(actor: str | None, match: str, issue: str | None, stance: str | None, since: str | None,
                  until: str | None, include_undated: bool, article: str | None, taxonomy: str | None, fmt: str,
                  limit: int | None, db: str | None) -> None:
    """List stored positions, oldest article first, filtered by actor, issue, stance, dates or article.

    JSON output is a list of positions.md objects with `id` (derived from the
    position's content: it survives re-extraction), `article_id` and `published`;
    evidence offsets index the stored article text exactly. An unknown --actor is
    an error (E501), as in every command.

    \b
    Example:
      parley positions --actor zelensky --issue talks --since 2024-01-01 --format json
    """
    with _open(db) as store:
        found = _query(store, actor, match, issue, stance, since, until, include_undated, article, taxonomy,
                       limit)
    _echo_positions(found, fmt)


def _article_json(a: Article, dateline: Any, text: bool = False) -> dict[str, Any]:
    """An article as JSON: its stored fields, its date and where that date comes from."""
    d = a.to_dict()
    if not text:
        d.pop("text")
        d["chars"] = len(a.text)
    when = a.published or dateline
    d["date"] = when.isoformat() if when else None
    d["date_source"] = "published" if a.published else ("dateline" if dateline else None)
    return d


@click.command("articles")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Show at most N articles.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Dated on or after this day.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Dated on or before this day.")
@click.option("--include-undated", is_flag=True, help="With --since/--until: undated articles too.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format (JSON: every stored field but the text, plus the date and its source).")
@db_option
@handle_errors
def articles_cmd(limit: int, since: str | None, until: str | None, include_undated: bool, fmt: str,
                 db: str | None) -> None:
    """List stored articles (oldest first, undated last): id, date, language, source and title.

    A date read from the article's own dateline (its source gave none) is marked
    `(dateline)`; an article with no date says `undated`.

    \b
    Example:
      parley articles --limit 20 --format json
    """
    d0, d1 = _dates(since, until)
    with _open(db) as store:
        total = store.count_articles()
        arts = list(store.articles(since=d0, until=d1, include_undated=include_undated, limit=limit))
        lines = store.datelines(a.id for a in arts if not a.published)
    if fmt == "json":
        click.echo(json.dumps([_article_json(a, lines.get(a.id)) for a in arts], ensure_ascii=False, indent=2))
        return
    rows = [(a.id, a.published.isoformat() if a.published else
             (lines[a.id].isoformat() + " (dateline)" if a.id in lines else "undated"),
             a.language or "", a.source or "",
             (a.title or clip(a.text, 60)) + (f"  (near-duplicate of {a.duplicate_of[:10]})"
                                              if a.duplicate_of else ""))
            for a in arts]
    if not rows:
        click.echo("no articles", err=True)
        return
    click.echo(render_table(("id", "date", "lang", "source", "title"), rows, widths=(16, 21, 4, 20, 90)))
    if total > len(rows):
        click.echo(f"({len(rows)} of {total} articles; use --limit)", err=True)


@click.command("show")
@click.argument("item_id", metavar="ARTICLE_ID|POSITION_ID")
@click.option("--color/--no-color", default=None, help="Highlight with colours [default: when on a terminal].")
@click.option("--taxonomy", default=None, metavar="NAME|FILE",
              help="Only positions of this taxonomy [default: every taxonomy's].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format (JSON: the article with its text and its positions).")
@db_option
@handle_errors
def show_cmd(item_id: str, color: bool | None, taxonomy: str | None, fmt: str, db: str | None) -> None:
    """Show one article (id or unique id prefix, or the id of one of its positions) with each position's
    evidence highlighted.

    On a terminal evidence is bold and coloured; otherwise it is wrapped in
    [[...]]. The numbers after each span refer to the list of positions below;
    position ids are derived from their content and survive re-extraction.

    \b
    Example:
      parley show 3f2a9c
    """
    from ..errors import StoreError
    from ..store.base import taxonomy_name
    from ..store.export import position_json

    with _open(db) as store:
        try:
            article = store.find_article(item_id)
        except StoreError as exc:
            if exc.code != "E203":
                raise
            try:
                pos = store.find_position(item_id)
            except StoreError:
                raise exc from None
            article = store.get_article(pos.article_id or "")
        found = store.positions(article_id=article.id, taxonomy=taxonomy_name(taxonomy) if taxonomy else None)
        dateline = store.datelines([article.id]).get(article.id)
    if fmt == "json":
        click.echo(json.dumps({**_article_json(article, dateline, text=True),
                               "positions": [position_json(p) for p in found]}, ensure_ascii=False, indent=2))
        return
    if color is None:
        color = sys.stdout.isatty()
    head = [f"id:        {article.id}"]
    date_shown = article.published or (f"{dateline} (from the dateline)" if dateline else "undated")
    for label, value in (("title", article.title), ("date", date_shown), ("source", article.source),
                         ("url", article.url), ("origin", article.origin),
                         ("duplicate", article.duplicate_of and f"near-duplicate of {article.duplicate_of}"),
                         ("flags", ", ".join(article.flags))):
        if value:
            head.append(f"{label + ':':<10} {clip(value, 500)}")
    click.echo("\n".join(head) + "\n")
    click.echo(highlight(article.text, found, color), color=color)
    click.echo(f"\n{len(found)} positions")
    for i, p in enumerate(found, 1):
        line = f"{i:>3}. {p.actor} | {p.issue} | {p.stance}"
        notes = _notes(p)
        if notes:
            line += f" | {notes}"
        click.echo(clip(line, 10_000)
                   + f"  [{p.evidence.start}:{p.evidence.end}] (id {p.id}, {p.extractor} {p.extractor_version})")


@click.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="At most N article hits and N evidence hits.")
@click.option("--kind", type=click.Choice(["article", "evidence"]), default=None, help="Search only one kind.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@db_option
@handle_errors
def search_cmd(query: str, limit: int, kind: str | None, fmt: str, db: str | None) -> None:
    """Full-text search over article titles and texts and over evidence sentences.

    All words must match; "quoted words" match as a phrase; word* is a prefix.
    Matches are shown in [[...]].

    \b
    Example:
      parley search '"security guarantees" ceasefire'
    """
    with _open(db) as store:
        hits = store.search(query, limit=limit, kind=kind)
    if fmt == "json":
        click.echo(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("no matches", err=True)
        return
    for h in hits:
        where = f"position {h.position_id}" if h.kind == "evidence" else "article"
        click.echo(f"{h.article_id}  {where:<14} {clip(h.title, 70)}")
        click.echo(f"    {clip(h.snippet, 300)}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default=None,
              help="Output file [default: stdout; required for parquet]; written whole or not at all.")
@force_option
@_with_filters
@db_option
@handle_errors
def export_cmd(fmt: str, output: str | None, force: bool, actor: str | None, match: str, issue: str | None,
               stance: str | None, since: str | None, until: str | None, include_undated: bool,
               article: str | None, taxonomy: str | None, db: str | None) -> None:
    """Export positions (optionally filtered) as JSON Lines, CSV or Parquet.

    CSV and Parquet have one flat row per position (evidence_start,
    evidence_end, evidence_text...); CSV list columns hold JSON arrays. The
    output file is never the database, and an existing one is only replaced
    with --force.

    \b
    Example:
      parley export --format parquet -o positions.parquet --since 2024-01-01
    """
    from ..store.export import write_positions

    if fmt == "parquet" and (not output or output == "-"):
        raise click.UsageError("--format parquet needs -o FILE")
    check_output_path(output, force=force, db=db)
    with _open(db) as store:
        found = _query(store, actor, match, issue, stance, since, until, include_undated, article, taxonomy)
    if output and output != "-":
        n = write_positions(found, fmt, output)
        click.echo(f"export: {n} positions -> {output}", err=True)
    else:
        out = sys.stdout
        write_positions(found, fmt, out)
        out.flush()


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@db_option
@handle_errors
def stats_cmd(fmt: str, db: str | None) -> None:
    """Counts: articles, near-duplicates, positions by stance, issue and taxonomy, actors, runs, schema version.

    `actors` counts what `parley actors` lists (resolved actors and the sides they
    belong to); `actor names` the distinct names as extracted.

    Also what the runs cost (requests sent and answered from the cache, prompt
    and completion tokens: the llm extractor) and the positions an extractor
    dropped (a quote not in the article, an issue outside the taxonomy,
    malformed).

    \b
    Example:
      parley stats --format json
    """
    from ..analyze import kept
    from ..errors import StoreError

    with _open(db) as store:
        st = store.stats()
        try:
            taxes: list[str | None] = [store.choose_taxonomy(None)]
        except StoreError:          # several taxonomies, none configured: count each
            taxes = list(st["positions_by_taxonomy"])
        counts = {t: len(kept.resolution(store, t)[0].records) if t else 0 for t in taxes}
        st = {**st, "actors": next(iter(counts.values())) if len(counts) == 1 else counts}
    if fmt == "json":
        click.echo(json.dumps(st, indent=2))
        return
    for key, value in st.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "-"
        click.echo(f"{key.replace('_', ' '):<20} {value}")


@click.command("demo")
@db_option
@_quiet
@handle_errors
def demo_cmd(db: str | None, quiet: bool) -> None:
    """Ingest and extract the bundled demo corpus (examples/demo/), then print its positions.

    \b
    Example:
      parley demo --db demo.db
    """
    if not EXAMPLES_DIR.is_dir():
        raise InputError("E110", item=str(EXAMPLES_DIR))
    with _open(db, create=True) as store:
        report = _ingest(store, [str(EXAMPLES_DIR)], quiet, keep_ids=True)
        _extract(store, None, None, quiet)
        ids = set(report.article_ids)
        found = [p for p in store.positions() if p.article_id in ids]
    _echo_positions(found, "table")
    click.echo(f"\n{len(found)} positions from {len(ids)} demo articles in {store.url}; "
               f"try: parley positions --db {db or 'parley.db'} --format json", err=True)
    if report.errors:
        raise click.exceptions.Exit(1)


@click.command("issues")
@click.option("--taxonomy", default=None, metavar="NAME|FILE",
              help="This taxonomy [default: the configured one (the 'taxonomy' setting), else the built-in one].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@db_option
@handle_errors
def issues_cmd(taxonomy: str | None, fmt: str, db: str | None) -> None:
    """List the issue taxonomy in use: its labels with some of their words, the default label, and how many
    stored positions each label has (when the database exists).

    \b
    Example:
      parley issues --format json
    """
    from ..config import settings
    from ..extract.rules.lexicon import load_taxonomy
    from ..store import open_store, resolve_url_exists
    from ..store.base import taxonomy_name

    configured = settings().taxonomy or None
    source: str | None
    if taxonomy and Path(taxonomy).is_file():
        source = taxonomy
    elif taxonomy in (None, "") or taxonomy_name(taxonomy) == taxonomy_name(configured):
        source = configured
    elif taxonomy_name(taxonomy) == "default":
        source = None
    else:
        source = "?"                 # a name stored in the database whose file is not at hand
    name = taxonomy_name(taxonomy or configured)
    tax = load_taxonomy(source) if source != "?" else None
    counts: dict[str, int] = {}
    stored: dict[str, int] = {}
    if resolve_url_exists(db):
        with open_store(db, must_exist=True) as store:
            stored = store.taxonomies()
            for p in store.positions(taxonomy=name):
                counts[p.issue] = counts.get(p.issue, 0) + 1
    labels = list(tax.labels) if tax else sorted(counts)
    if tax and tax.default not in labels:
        labels.append(tax.default)          # what a position gets when no label's words match
    rows = []
    for label in labels:
        lemmas, phrases = tax.labels[label] if tax and label in tax.labels else (frozenset(), ())
        words = sorted(lemmas)[:6] + list(phrases[:2])
        rows.append({"label": label, "positions": counts.get(label, 0), "words": words,
                     "default": bool(tax and label == tax.default), "process": bool(tax and label in tax.process)})
    for label in sorted(set(counts) - set(labels)):
        rows.append({"label": label, "positions": counts[label], "words": [], "default": False, "process": False,
                     "not_in_taxonomy": True})
    if fmt == "json":
        click.echo(json.dumps({"taxonomy": name, "source": tax.source if tax else None,
                               "default": tax.default if tax else None, "labels": rows,
                               "stored_taxonomies": stored}, ensure_ascii=False, indent=2))
        return
    click.echo(f"taxonomy: {name} ({tax.source if tax else 'file not at hand; labels from the database'})")
    table = [(r["label"] + (" (default)" if r["default"] else "") + (" (process)" if r["process"] else "")
              + (" (not in this taxonomy)" if r.get("not_in_taxonomy") else ""),
              r["positions"], ", ".join(r["words"])) for r in rows]
    click.echo(render_table(("issue", "positions", "some of its words"), table, widths=(40, 9, 80)))
    others = {k: v for k, v in stored.items() if k != name}
    if others:
        click.echo("other taxonomies stored: " + ", ".join(f"{k} ({v} positions)" for k, v in others.items()),
                   err=True)


COMMANDS = [ingest_cmd, extract_cmd, run_cmd, positions_cmd, articles_cmd, show_cmd, search_cmd,
            export_cmd, stats_cmd, issues_cmd, demo_cmd]
