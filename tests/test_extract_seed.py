"""Seed acceptance: the extractor on ../shared/seed (read at test time, never copied)."""
from __future__ import annotations

import json

from parley.evaluate import actor_matches
from parley.model import Article


def test_seed_acceptance(shared_dir, extractor):
    text = (shared_dir / "seed" / "article.txt").read_text(encoding="utf-8")
    gold = json.loads((shared_dir / "seed" / "gold.json").read_text(encoding="utf-8"))
    produced = extractor.extract(Article.create(gold["text"]))
    assert gold["text"].strip() == text.strip()
    free = list(produced)
    matched = []
    for g in gold["positions"]:
        hit = next((p for p in free if actor_matches(p.actor, g["actor"], g["aliases"])
                    and p.issue == g["issue"] and p.stance == g["stance"]), None)
        if hit is not None:
            free.remove(hit)
            matched.append((g, hit))
    assert len(matched) >= 7, [(p.actor, p.issue, p.stance) for p in produced]
    assert len(free) <= 3  # spurious
    talks = next(p for g, p in matched if g["issue"] == "talks" and g["stance"] == "conditional")
    assert len(talks.conditions) >= 2
    assert talks.previous_stance == "oppose"
    red = [g for g in gold["positions"] if g["red_line"]]
    red_hit = [p for g, p in matched if g["red_line"] and p.red_line]
    assert len(red_hit) == len(red) == 2
    for p in produced:
        assert gold["text"][p.evidence.start:p.evidence.end] == p.evidence.text
