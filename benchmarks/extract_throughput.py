"""Extraction throughput and memory, against spaCy's own pipeline as the yardstick.

In one run, over the first ``--limit`` articles of ../shared/data/corpus/articles.jsonl:

  (a) spaCy alone: ``nlp.pipe`` of the configured model with all its components
      (tagger, parser, NER, ...) over the texts;
  (b) Parley: ``get_extractor().extract_many`` over the same texts;

and reports articles/s and words/s (one process each) and the ratio (b)/(a).
Then, in a fresh child process, the extractor alone streams ``3 * --mem-n``
articles and its peak RSS is read after ``--mem-n`` and after ``3 * --mem-n``
articles: flat peaks show extraction streams (memory does not grow with the
number of articles).

    python benchmarks/extract_throughput.py --limit 300 --mem-n 100

Skips with a message (exit 0) when ../shared is absent. Figures are from one
run on whatever machine runs it; compare ratios, not absolute speeds.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "articles.jsonl"


def read_articles(path: Path, limit: int) -> Iterator[dict]:
    """The first ``limit`` records with a non-empty text, read lazily."""
    with path.open(encoding="utf-8") as fh:
        n = 0
        for line in fh:
            if n >= limit:
                return
            rec = json.loads(line)
            if (rec.get("text") or "").strip():
                n += 1
                yield rec


def to_article(rec: dict):
    from parley.model import Article

    return Article.create(rec["text"], title=rec.get("title"), external_id=rec.get("id"))


def rss_mib() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc/self/status (Linux).

    VmHWM is per address space, so unlike ``ru_maxrss`` it does not carry over the
    parent's peak into an exec'd child.
    """
    vals = {}
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    vals[line.split(":")[0]] = int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = vals.get("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return vals.get("VmRSS", float("nan")), peak


def memory_child(corpus: Path, n: int) -> None:
    """Stream 3n articles through the extractor; print RSS checkpoints as JSON."""
    from parley.extract import get_extractor

    ex = get_extractor()
    for _ in ex.extract_many([to_article({"text": "Warm-up said the talks would go on."})]):
        pass
    base = rss_mib()
    marks = {n: None, 3 * n: None}
    done = positions = 0
    for _, ps in ex.extract_many(to_article(r) for r in read_articles(corpus, 3 * n)):
        done += 1
        positions += len(ps)
        if done in marks:
            marks[done] = rss_mib()
    print(json.dumps({"base": base, "marks": {str(k): v for k, v in marks.items()}, "articles": done,
                      "positions": positions}))


def run_memory(corpus: Path, n: int) -> dict:
    cmd = [sys.executable, __file__, "--corpus", str(corpus), "--mem-child", str(n)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=300, help="articles for the throughput runs (default 300)")
    ap.add_argument("--mem-n", type=int, default=100, help="memory checkpoints after N and 3N articles (default 100; 0 skips)")
    ap.add_argument("--batch-size", type=int, default=64, help="nlp.pipe batch size for (a) (default 64)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--mem-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.mem_child:
        memory_child(args.corpus, args.mem_child)
        return 0

    print("$ " + " ".join(shlex.quote(a) for a in [os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else "python", *sys.argv]))
    if not args.corpus.exists():
        print(f"skipped: {args.corpus} is absent (../shared is not beside the repo)")
        return 0

    import spacy

    from parley.config import settings
    from parley.extract import get_extractor

    model = settings().spacy_model
    ex = get_extractor()
    records = list(read_articles(args.corpus, args.limit))
    texts = [r["text"] for r in records]
    words = sum(len(t.split()) for t in texts)
    print(f"machine: {os.cpu_count()} CPUs visible, {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}; spaCy {spacy.__version__}, model {model}; "
          f"extractor {ex.name} {ex.version}")
    print(f"corpus: {len(texts)} articles, {words} words (whitespace-separated), from {args.corpus.name}")

    nlp = spacy.load(model)
    list(nlp.pipe(texts[:2]))  # warm-up, not timed
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=args.batch_size):
        pass
    ta = time.perf_counter() - t0
    del nlp

    articles = [to_article(r) for r in records]
    list(ex.extract_many(articles[:2]))  # warm-up, not timed
    t0 = time.perf_counter()
    positions = 0
    for _, ps in ex.extract_many(articles):
        positions += len(ps)
    tb = time.perf_counter() - t0

    n = len(texts)
    print()
    print(f"{'run':<40} {'seconds':>8} {'articles/s':>10} {'words/s':>9}")
    print(f"{'(a) spaCy nlp.pipe, all components':<40} {ta:>8.1f} {n / ta:>10.2f} {words / ta:>9.0f}")
    print(f"{'(b) Parley extract_many':<40} {tb:>8.1f} {n / tb:>10.2f} {words / tb:>9.0f}")
    print(f"ratio (b)/(a) throughput: {ta / tb:.2f}   ({positions} positions, {positions / n:.2f} per article)")

    if args.mem_n:
        m = run_memory(args.corpus, args.mem_n)
        print()
        print(f"memory, extractor alone in a fresh process, streaming {m['articles']} articles:")
        print(f"  after model load + warm-up: RSS {m['base'][0]:.0f} MiB (peak {m['base'][1]:.0f} MiB)")
        for k, v in m["marks"].items():
            if v:
                print(f"  after {int(k):>5} articles:        RSS {v[0]:.0f} MiB (peak {v[1]:.0f} MiB)")
        (_c1, p1), (_c3, p3) = (m["marks"][str(args.mem_n)] or (0, 0)), (m["marks"][str(3 * args.mem_n)] or (0, 0))
        if p1 and p3:
            print(f"  peak growth from {args.mem_n} to {3 * args.mem_n} articles: {p3 - p1:+.1f} MiB "
                  f"({(p3 / p1 - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
