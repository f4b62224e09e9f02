"""How the llm extractor's verification treats quotes, measured on labelled sets.

Replays each labelled article's positions as if a model had answered with them, through the same
code that reads a real answer (``parley.extract.llm.answer.AnswerReader``: evidence anchored to
sentence offsets, issue labels checked), in four variants of the quote:

* ``verbatim``: the labelled sentence as it is (a model that copies exactly);
* ``retyped``: curly quotes made straight, dashes made hyphens, double spaces and line breaks
  inside the sentence collapsed (a model that re-types punctuation);
* ``clause``: the labelled sentence without its first two words and its last word (a model that
  quotes a clause); kept when it still covers enough of its sentence;
* ``foreign``: a labelled sentence of *another* article (an invented quote): every one kept is a
  false acceptance.

No model and no network: this measures Parley's side only. Prints the command line, then per
variant: positions offered, kept, and for kept ones the share whose anchored evidence overlaps
the labelled sentence's position in the text.

    .venv/bin/python benchmarks/llm_verification.py                      # ../shared/data/dev and train
    .venv/bin/python benchmarks/llm_verification.py examples/gold        # any labelled folder
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parley.evaluate import load_gold  # noqa: E402
from parley.extract.llm.answer import AnswerReader, Drops  # noqa: E402
from parley.extract.llm.prompt import load_labels  # noqa: E402

_RETYPE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-"})


def retyped(s: str) -> str:
    return re.sub(r"\s+", " ", s.translate(_RETYPE))


def clause(s: str) -> str:
    words = s.split()
    return " ".join(words[2:-1]) if len(words) > 5 else s


def run(folder: Path) -> None:
    gold = load_gold(folder)
    labels = load_labels(None).names
    n = sum(len(g.positions) for g in gold)
    print(f"\n{folder}: {len(gold)} articles, {n} labelled positions")
    print(f"{'variant':<10} {'offered':>8} {'kept':>8} {'kept %':>7} {'overlap %':>10} {'seconds':>8}")
    for variant in ("verbatim", "retyped", "clause", "foreign"):
        offered = kept = overlap = 0
        t0 = time.perf_counter()
        for k, g in enumerate(gold):
            other = gold[(k + 1) % len(gold)]
            article = g.article()
            reader = AnswerReader(article, labels, name="llm", version="bench")
            items = []
            spans = []
            for j, p in enumerate(g.positions):
                quote = p.evidence.text
                if variant == "retyped":
                    quote = retyped(quote)
                elif variant == "clause":
                    quote = clause(quote)
                elif variant == "foreign":
                    if not other.positions:
                        continue
                    quote = other.positions[j % len(other.positions)].evidence.text
                    if quote in article.text:
                        continue            # the same sentence in both articles: not a foreign quote
                conditions = (list(p.conditions) or ["x"]) if p.stance == "conditional" else []
                items.append({"actor": p.actor, "aliases": list(p.aliases), "issue": p.issue,
                              "stance": p.stance, "conditions": conditions, "evidence": quote})
                spans.append((p.evidence.start, p.evidence.end) if p.evidence.start >= 0 else None)
            offered += len(items)
            found = reader.positions(items, Drops())
            kept += len(found)
            for pos in found:
                if any(sp and pos.evidence.start < sp[1] and pos.evidence.end > sp[0] for sp in spans):
                    overlap += 1
        secs = time.perf_counter() - t0
        print(f"{variant:<10} {offered:>8} {kept:>8} {100 * kept / max(offered, 1):>6.1f}% "
              f"{100 * overlap / max(kept, 1):>9.1f}% {secs:>8.2f}")


def main(argv: list[str]) -> int:
    print("$ " + " ".join([".venv/bin/python", "benchmarks/llm_verification.py", *argv]))
    folders = [Path(a) for a in argv] or [ROOT.parent / "shared" / "data" / "dev",
                                          ROOT.parent / "shared" / "data" / "train"]
    missing = [f for f in folders if not f.exists()]
    if missing:
        print(f"skipped: {', '.join(map(str, missing))} absent (labelled sets live in ../shared)")
        folders = [f for f in folders if f.exists()]
    for f in folders:
        run(f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
