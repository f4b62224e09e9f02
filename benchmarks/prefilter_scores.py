"""Does the cue prefilter cost quality? Scores the labelled sets with and without it.

The extractor parses only the sentences its regex cue pass selects; this runs
the same extractor once parsing every sentence and once with the prefilter, and
prints every figure of `parley eval` for both, plus the share of sentences
parsed. Reads ../shared (skips with a message when absent).

    python benchmarks/prefilter_scores.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def main() -> int:
    if not (SHARED / "data" / "dev").is_dir():
        print(f"skipped: {SHARED / 'data' / 'dev'} is absent")
        return 0
    from parley.evaluate import load_gold, predict, score
    from parley.extract.rules import RulesExtractor
    from parley.extract.sentences import split_sentences

    print("# command: python benchmarks/prefilter_scores.py")
    sets = {"dev": load_gold(SHARED / "data" / "dev"), "seed": load_gold(SHARED / "seed" / "gold.json"),
            "demo": load_gold(ROOT / "examples" / "gold")}
    with_pf = RulesExtractor()
    without = RulesExtractor(nlp=with_pf.nlp, use_prefilter=False)
    print(f"# extractor rules {with_pf.version}")
    keys = [("triple", "f1"), ("pair", "f1"), ("conditions", "f1"), ("red_lines", "f1")]
    print(f"{'set':5} {'prefilter':9} {'parsed':>11} {'seconds':>8} " + " ".join(f"{k}.{m:>2}".rjust(14) for k, m in keys)
          + "  shifts_recall")
    for name, gold in sets.items():
        total = sum(len(split_sentences(g.text)) for g in gold)
        chosen = sum(len(with_pf.prefilter.select(g.text, split_sentences(g.text))) for g in gold)
        for label, ex, parsed in (("off", without, total), ("on", with_pf, chosen)):
            t = time.perf_counter()
            fig = score(gold, predict(gold, ex)).figures
            secs = time.perf_counter() - t
            cells = " ".join(f"{fig[k][m]:14.3f}" for k, m in keys)
            print(f"{name:5} {label:9} {parsed:5}/{total:<5} {secs:8.1f} {cells}  {fig['shifts_recall']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
