"""``parley train``: fit the learned extractor on a labelled folder (thin: :mod:`parley.extract.training`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import ParleyError
from ._util import fail


@click.command("train")
@click.argument("labels", type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(), help="Model directory to write.")
@click.option("--taxonomy", type=click.Path(), default=None,
              help="Issue taxonomy the labels use [default: the 'taxonomy' setting, built-in].")
@click.option("--encoder", type=click.Choice(["none", "model2vec", "minilm"]), default="none", show_default=True,
              help="Sentence vectors beside the sparse features (docs/quality.md has the ablation).")
@click.option("--encoder-dir", type=click.Path(), default=None,
              help="model2vec weights (a folder with model.safetensors) to copy into the model.")
@click.option("--distill", is_flag=True,
              help="Distil the model2vec weights from the pinned all-MiniLM-L6-v2 package first "
                   "(needs the 'train' extra: torch CPU).")
@click.option("--folds", type=click.IntRange(0, 20), default=5, show_default=True,
              help="k of the k-fold cross-validation (0 or 1: none; the position threshold keeps its default).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for fold assignment and fitting.")
@click.option("--force", is_flag=True, help="Replace an existing model directory.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def train_cmd(labels: str, out: str, taxonomy: str | None, encoder: str, encoder_dir: str | None, distill: bool,
              folds: int, seed: int, force: bool, fmt: str) -> None:
    """Train the learned extractor on LABELS (a folder of labelled *.json, shared/docs/labelling.md).

    Reads every article, proposes candidates (holder x sentence) from spaCy's
    structure, fits the decision heads (is it a position, issue, stance,
    conditions, red line, shift) with a fixed seed, cross-validates them
    over --folds folds of the articles (scored as `parley eval` scores) and
    writes a model directory that `--model DIR` / PARLEY_MODEL select.

    \b
    Example:
      parley train ../shared/data/train/ -o models/mine
      parley eval ../shared/data/dev/ --extractor learned --model models/mine
    """
    from ..extract.encoders import distill_model2vec
    from ..extract.training import TrainConfig, train

    target = Path(out)
    if target.exists() and any(target.iterdir()) and not force:
        click.echo(f"error: {out} exists and is not empty; pass --force to replace the model there.", err=True)
        sys.exit(2)
    try:
        enc_dir: Path | None = Path(encoder_dir) if encoder_dir else None
        if encoder == "model2vec" and distill:
            enc_dir = target / "encoder"
            target.mkdir(parents=True, exist_ok=True)
            distill_model2vec(enc_dir)
        rep = train(labels, target, taxonomy=taxonomy, cfg=TrainConfig(encoder=encoder, folds=folds, seed=seed),
                    encoder_dir=enc_dir, show_progress=sys.stderr.isatty() and fmt == "text")
    except ParleyError as exc:
        fail(exc)
        return
    summary = {"model": str(rep.model_dir), "articles": rep.articles, "positions": rep.positions,
               "candidates": rep.candidates, "candidate_recall": round(rep.candidate_recall, 4),
               "cross_validation": rep.cv, "prefilter": rep.prefilter}
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
        return
    click.echo(f"trained on {rep.articles} articles, {rep.positions} positions, {rep.candidates} candidates "
               f"(candidate recall {rep.candidate_recall:.3f})")
    best = rep.cv.get("best") if rep.cv else None
    if best:
        click.echo(f"{folds}-fold cross-validation: " + ", ".join(f"{k} {v}" for k, v in best.items()))
    if rep.prefilter:
        click.echo(f"prefilter: keeps {rep.prefilter['kept']:.0%} of sentences at recall {rep.prefilter['recall']:.3f}")
    click.echo(f"model written to {rep.model_dir}; use it with --extractor learned --model {rep.model_dir}")


COMMANDS = [train_cmd]
