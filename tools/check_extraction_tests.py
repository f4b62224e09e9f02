"""Which extraction tests cannot fail? Run the suite against an extractor that finds nothing and
against one that finds noise, and list the tests that called an extractor and passed under both.

Usage: python tools/check_extraction_tests.py [--noise-all] [PYTEST ARGS...]   (default: tests/)

1. ``PARLEY_SABOTAGE=empty``: the rules and learned extractors return no positions, for every
   article (in the pytest process and in Python subprocesses; see tools/sabotage/).
2. ``PARLEY_SABOTAGE=noise``: they return one to three well-formed positions per article with
   random actor, issue, stance, conditions, red line and evidence sentence. Only the tests that
   passed in step 1 are run again (all of them with ``--noise-all``).

A test counts as an extraction test when its body called an extractor (directly, through the
CLI or the store runner, in a subprocess too); tests that read a ledger a fixture extracted are
analysis tests and are not counted. Exit status 1 when an extraction test passed under both (each is
listed), 0 otherwise.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SABOTAGE = Path(__file__).resolve().parent / "sabotage"


def run(mode: str, args: list[str], work: Path) -> dict[str, dict]:
    log, report = work / f"{mode}.log", work / f"{mode}.json"
    env = {**os.environ, "PARLEY_SABOTAGE": mode, "PARLEY_SABOTAGE_LOG": str(log),
           "PARLEY_SABOTAGE_REPORT": str(report),
           "PYTHONPATH": os.pathsep.join([str(SABOTAGE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "sabotage_plugin", "-p", "no:cacheprovider",
           "--no-header", "-o", "addopts=", *args]
    print(f"== {mode}: {' '.join(cmd[3:])[:200]}", flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail = proc.stdout.strip().splitlines()[-1:] or [""]
    print(f"   pytest: {tail[0]}", flush=True)
    if not report.exists():
        print(proc.stdout[-4000:])
        raise SystemExit(f"pytest under {mode} wrote no report (exit {proc.returncode})")
    results: dict[str, dict] = json.loads(report.read_text(encoding="utf-8"))
    return results


def extraction_tests(results: dict[str, dict]) -> set[str]:
    return {nid for nid, r in results.items() if r.get("calls")}


def main(argv: list[str]) -> int:
    noise_all = "--noise-all" in argv
    args = [a for a in argv if a != "--noise-all"] or ["tests/"]
    with tempfile.TemporaryDirectory(prefix="parley-sabotage-") as tmp:
        work = Path(tmp)
        empty = run("empty", args, work)
        passed_empty = {n for n in extraction_tests(empty) if empty[n]["outcome"] == "passed"}
        print(f"   {len(extraction_tests(empty))} extraction tests, {len(passed_empty)} pass with no positions")
        if noise_all:
            noise = run("noise", args, work)
        elif passed_empty:
            noise = run("noise", sorted(passed_empty), work)
            missing = sorted(passed_empty - noise.keys())
            if missing:
                raise SystemExit(f"the noise run did not run {len(missing)} tests (first: {missing[0]})")
        else:
            noise = {}
        passed_noise = {n for n in extraction_tests(noise) if noise[n]["outcome"] == "passed"}
        if noise_all:
            print(f"   {len(extraction_tests(noise))} extraction tests, {len(passed_noise)} pass with noise")
        both = sorted(passed_empty & {n for n, r in noise.items() if r["outcome"] == "passed"})
    if both:
        print(f"\n{len(both)} extraction tests pass with no positions AND with noise (they cannot fail):")
        for nid in both:
            print(f"  {nid}")
        return 1
    print("\nevery extraction test fails under the empty or the noise extractor")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
