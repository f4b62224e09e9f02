"""``parley eval``: score extraction against labelled articles (shared/docs/evaluation.md)."""
from __future__ import annotations

import json
import sys

import click

from ..errors import ParleyError


def _fail(exc: ParleyError) -> None:
    from ._util import flag_for, safe

    exc = exc.with_flags(flag_for)
    click.echo(f"error: [{exc.code}] {safe(exc.message)}", err=True)
    sys.exit(2)


@click.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path())
@click.option("--jsonl", "pred", type=click.Path(),
              help="Score these predictions (JSON Lines: id, title, positions) instead of running the extractor.")
@click.option("--errors", "show_errors", is_flag=True, help="Also list missed and spurious positions with their sentences.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--extractor", "extractor_name", default=None,
              help="Extractor to run: rules, learned (a model trained by `parley train`), or llm (a model on "
                   "an OpenAI-compatible server) [default: the 'extractor' setting, rules].")
@click.option("--model", "model", type=click.Path(), default=None, metavar="DIR",
              help="Model directory for the learned extractor [default: the 'model' setting, PARLEY_MODEL].")
@click.option("--no-titles", is_flag=True, help="Leave article titles out of the table (for docs kept in the repo).")
@click.option("--taxonomy", type=click.Path(), default=None, help="Issue taxonomy file for the extractor.")
def eval_cmd(gold: tuple[str, ...], pred: str | None, show_errors: bool, fmt: str,
             extractor_name: str | None, no_titles: bool, taxonomy: str | None, model: str | None) -> None:
    """Score positions against labelled articles: GOLD is a folder of *.json or one JSON file.

    Without --jsonl the extractor is run over the labelled texts. Prints every
    figure (triple/pair/conditions/red-line precision, recall, F1, shifts
    recall, evidence agreement), micro-averaged, and a per-article table.

    \b
    Example:
      parley eval ../shared/data/dev/ ../shared/seed/gold.json --errors
    """
    from ..evaluate import load_gold, load_predictions, predict, score

    try:
        articles = [a for g in gold for a in load_gold(g)]
        if pred:
            predicted = load_predictions(pred)
        else:
            from ..extract import get_extractor

            extractor = get_extractor(extractor_name, taxonomy=taxonomy, model=model)
            predicted = predict(articles, extractor, progress=sys.stderr.isatty())
        report = score(articles, predicted)
    except ParleyError as exc:
        _fail(exc)
        return
    if fmt == "json":
        d = report.to_dict()
        if not show_errors:
            d.pop("errors")
        click.echo(json.dumps(d, indent=2, ensure_ascii=False))
    else:
        click.echo(report.format_table(errors=show_errors, titles=not no_titles))


COMMANDS = [eval_cmd]
