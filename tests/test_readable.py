"""What users read is whole: propositions never end on a cut phrase, are one stretch of the cited
text and are never just a date; each condition once. Checked on the demo corpus (always) and on
the development set (when ../shared is there) with the default extractor."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from parley.evaluate import load_gold, predict
from parley.extract import get_extractor

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "dev"
#: words a phrase cut in the middle ends on ("... a sharp change of", "... provided that a")
DANGLING = {"of", "the", "a", "an", "to", "as", "and", "or", "if", "but", "that", "with", "for", "on", "by",
            "from", "at", "in", "into", "than", "whether", "provided", "unless", "until", "while"}
DATE_ONLY = re.compile(r"^(?:on |in |by |from |until |since )?(?:the )?(?:\d{1,2} )?(?:monday|tuesday|wednesday|thursday"
                       r"|friday|saturday|sunday|january|february|march|april|may|june|july|august|september"
                       r"|october|november|december|today|yesterday|tomorrow|last week|next week)(?: \d{1,2})?"
                       r"(?:,? \d{4})?$", re.I)


def _sets() -> list[Path]:
    return [ROOT / "examples" / "gold"] + ([DEV] if DEV.is_dir() else [])


@pytest.fixture(scope="module")
def produced() -> list[tuple[str, str, object]]:
    ex = get_extractor()
    out = []
    for path in _sets():
        gold = load_gold(str(path))
        preds = predict(gold, ex)
        out += [(path.name, g.text, p) for g in gold for p in preds.get(g.id, [])]
    assert out, "no positions at all"
    return out


def test_propositions_are_whole_phrases_of_the_text(produced) -> None:
    bad = []
    for where, text, p in produced:
        prop = p.proposition.strip()
        if not prop:
            continue
        words = prop.split()
        if prop not in text or words[-1].lower().strip(",;:\"'") in DANGLING or DATE_ONLY.match(prop) \
                or (len(words) > 1 and " ".join(words[-2:]).lower() in ("as long", "so long")):
            bad.append((where, prop))
    assert not bad, bad[:10]


def test_each_condition_is_shown_once(produced) -> None:
    bad = []
    for where, text, p in produced:
        cs = [c.strip().lower() for c in p.conditions]
        if len(set(cs)) < len(cs) or any(a != b and a in b for a in cs for b in cs):
            bad.append((where, p.conditions))
        for c in p.conditions:
            if c not in text:
                bad.append((where, c))
    assert not bad, bad[:10]
