#!/usr/bin/env python3
"""Check the invented labour-dispute training set (tests/data/labour/lab-NN.json).

Usage: python tests/data/labour/validate.py [DATA_DIR] [--taxonomy FILE] [--stats]

Errors (exit status 1 when any file has one):
  * exact key sets, top level and per position; id equals the file stem; url null,
    source "Invented Wire", origin "invented", published YYYY-MM-DD or null;
  * issue is a label of the taxonomy (default examples/labour_taxonomy.yml: its
    `labels` plus `default`), stance and previous_stance in the stance set,
    previous_stance differs from stance, red_line a bool;
  * evidence is a verbatim substring of text and holds no "\\n" (no paragraph break);
  * every alias is verbatim in text, is not the actor name and not a pronoun, and an
    actor has the same alias list on all of its positions in an article;
  * the actor name occurs in text or title;
  * stance "conditional" <=> non-empty conditions;
  * no duplicate (actor, issue, stance) in an article.
Warnings (reported, do not fail):
  * a condition that is not a verbatim substring of text, or not inside the evidence;
  * a text outside 120-300 words or 5-12 sentences (rough sentence split).
--stats prints the totals quoted in README.md (per stance, per issue, red lines, shifts).
Only the standard library and PyYAML are used.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DEFAULT_TAXONOMY = REPO / "examples" / "labour_taxonomy.yml"
STANCES = {"support", "oppose", "conditional", "mixed"}
TOP_KEYS = {"id", "title", "url", "source", "published", "origin", "text", "positions"}
POS_KEYS = {"actor", "aliases", "issue", "proposition", "stance", "conditions", "red_line",
            "previous_stance", "evidence"}
PRONOUNS = {"he", "she", "it", "they", "him", "her", "them", "his", "hers", "its", "their",
            "theirs", "we", "us", "our", "ours", "i", "me", "my", "you", "your"}
# Rough sentence end: . ! ? (optionally followed by a closing quote) then a space and a capital
# letter or an opening quote. Good enough for the word/sentence-count warning only.
_SENT_END = re.compile(r"(?<=[.!?])[\"\u201d]?\s+(?=[\"\u201cA-Z])")


def load_labels(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("labels"), dict):
        raise SystemExit(f"{path}: not a taxonomy file (no `labels` mapping)")
    labels = set(data["labels"])
    if data.get("default"):
        labels.add(str(data["default"]))
    return labels


def count_sentences(text: str) -> int:
    return sum(len([s for s in _SENT_END.split(p) if s.strip()]) for p in text.split("\n"))


def check(path: Path, labels: set[str]) -> tuple[list[str], list[str], dict[str, Any]]:
    errors: list[str] = []
    warnings: list[str] = []
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"cannot read JSON: {exc}"], [], {}
    if not isinstance(d, dict):
        return ["top level is not an object"], [], {}
    if set(d) != TOP_KEYS:
        errors.append(f"top-level keys differ: {sorted(set(d) ^ TOP_KEYS)}")
    if d.get("id") != path.stem:
        errors.append(f"id {d.get('id')!r} is not the file stem {path.stem!r}")
    if d.get("url") is not None:
        errors.append("url is not null")
    if d.get("source") != "Invented Wire":
        errors.append(f"source {d.get('source')!r}")
    if d.get("origin") != "invented":
        errors.append(f"origin {d.get('origin')!r}")
    pub = d.get("published")
    if pub is not None and not (isinstance(pub, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", pub)):
        errors.append(f"published {pub!r} is neither YYYY-MM-DD nor null")
    text = d.get("text")
    title = d.get("title")
    if not isinstance(text, str) or not text:
        errors.append("text missing or not a string")
        text = ""
    if not isinstance(title, str) or not title:
        errors.append("title missing or not a string")
        title = ""
    n_words, n_sents = len(text.split()), count_sentences(text)
    if not 120 <= n_words <= 300:
        warnings.append(f"{n_words} words (expected 120-300)")
    if not 5 <= n_sents <= 12:
        warnings.append(f"about {n_sents} sentences (expected 5-12)")
    positions = d.get("positions")
    if not isinstance(positions, list):
        errors.append("positions is not a list")
        positions = []
    seen: set[tuple[Any, Any, Any]] = set()
    alias_lists: dict[str, list[str]] = {}
    for i, p in enumerate(positions):
        if not isinstance(p, dict):
            errors.append(f"#{i}: position is not an object")
            continue
        tag = f"#{i} {p.get('actor')}/{p.get('issue')}/{p.get('stance')}"
        if set(p) != POS_KEYS:
            errors.append(f"{tag}: keys differ: {sorted(set(p) ^ POS_KEYS)}")
        actor = p.get("actor")
        if not isinstance(actor, str) or not actor.strip():
            errors.append(f"{tag}: actor missing")
            actor = ""
        elif actor not in text and actor not in title:
            errors.append(f"{tag}: actor not in text or title")
        if actor.lower() in PRONOUNS:
            errors.append(f"{tag}: actor is a pronoun")
        if p.get("issue") not in labels:
            errors.append(f"{tag}: issue {p.get('issue')!r} not in the taxonomy {sorted(labels)}")
        if p.get("stance") not in STANCES:
            errors.append(f"{tag}: stance {p.get('stance')!r}")
        prev = p.get("previous_stance")
        if prev not in STANCES | {None}:
            errors.append(f"{tag}: previous_stance {prev!r}")
        elif prev is not None and prev == p.get("stance"):
            errors.append(f"{tag}: previous_stance equals stance")
        if not isinstance(p.get("red_line"), bool):
            errors.append(f"{tag}: red_line is not a bool")
        if not isinstance(p.get("proposition"), str) or not p.get("proposition", "").strip():
            errors.append(f"{tag}: proposition missing")
        aliases = p.get("aliases")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            errors.append(f"{tag}: aliases is not a list of strings")
            aliases = []
        for a in aliases:
            if a not in text:
                errors.append(f"{tag}: alias not in text: {a!r}")
            if a == actor:
                errors.append(f"{tag}: alias repeats the actor name: {a!r}")
            if a.lower() in PRONOUNS:
                errors.append(f"{tag}: alias is a pronoun: {a!r}")
        if len(set(aliases)) != len(aliases):
            errors.append(f"{tag}: duplicate aliases")
        if actor in alias_lists and alias_lists[actor] != aliases:
            errors.append(f"{tag}: aliases differ from this actor's other positions")
        alias_lists.setdefault(actor, aliases)
        conds = p.get("conditions")
        if not isinstance(conds, list) or not all(isinstance(c, str) and c.strip() for c in conds):
            errors.append(f"{tag}: conditions is not a list of non-empty strings")
            conds = []
        if (p.get("stance") == "conditional") != bool(conds):
            errors.append(f"{tag}: stance conditional <=> non-empty conditions violated")
        ev = p.get("evidence")
        if not isinstance(ev, str) or not ev.strip():
            errors.append(f"{tag}: evidence missing")
            ev = ""
        elif "\n" in ev:
            errors.append(f"{tag}: evidence crosses a paragraph break")
        elif ev not in text:
            errors.append(f"{tag}: evidence not verbatim in text: {ev[:60]!r}")
        for c in conds:
            if c not in text:
                warnings.append(f"{tag}: condition not verbatim in text: {c!r}")
            elif c not in ev:
                warnings.append(f"{tag}: condition not inside the evidence sentence: {c!r}")
        key = (actor, p.get("issue"), p.get("stance"))
        if key in seen:
            errors.append(f"{tag}: duplicate (actor, issue, stance)")
        seen.add(key)
    return errors, warnings, d


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("data_dir", nargs="?", type=Path, default=HERE)
    ap.add_argument("--taxonomy", type=Path, default=DEFAULT_TAXONOMY)
    ap.add_argument("--stats", action="store_true", help="print the totals quoted in README.md")
    args = ap.parse_args(argv)
    labels = load_labels(args.taxonomy)
    files = sorted(args.data_dir.glob("lab-*.json"))
    failing = 0
    stats: dict[str, Counter[str]] = {"stance": Counter(), "issue": Counter()}
    n_pos = red = shifts = empty = words = 0
    for f in files:
        errors, warnings, d = check(f, labels)
        for e in errors:
            print(f"ERROR {f.name}: {e}")
        for w in warnings:
            print(f"warning {f.name}: {w}")
        failing += bool(errors)
        pos = d.get("positions") if isinstance(d.get("positions"), list) else []
        n_pos += len(pos)
        empty += not pos
        words += len(str(d.get("text", "")).split())
        for p in pos:
            if isinstance(p, dict):
                stats["stance"][str(p.get("stance"))] += 1
                stats["issue"][str(p.get("issue"))] += 1
                red += p.get("red_line") is True
                shifts += p.get("previous_stance") is not None
    if args.stats:
        print(f"articles {len(files)} ({empty} without positions), words {words}, positions {n_pos}")
        print("stance: " + ", ".join(f"{k} {v}" for k, v in stats["stance"].most_common()))
        print("issue: " + ", ".join(f"{k} {v}" for k, v in stats["issue"].most_common()))
        print(f"red_line true: {red}; previous_stance set: {shifts}")
    print(f"{len(files)} files, {n_pos} positions, {failing} failing")
    return 1 if failing or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
