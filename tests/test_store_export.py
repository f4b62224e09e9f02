"""Export formats round-trip any position text exactly (property-based)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.model import Article, Evidence, Position
from parley.store import open_store
from parley.store.export import FORMATS, read_positions, write_positions

# any printable text, plus the characters that break naive CSV/JSON writers
chars = st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\r\t\",;'\\")
words = st.text(chars, max_size=30)


@st.composite
def article_and_positions(draw):
    text = draw(st.text(chars, min_size=1, max_size=300).filter(lambda x: x.strip()))
    published = draw(st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
    positions = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        stance = draw(st.sampled_from(["support", "oppose", "conditional", "mixed"]))
        positions.append(Position(
            actor=draw(words.filter(bool)), issue=draw(st.sampled_from(["talks", "other", "wages"])),
            stance=stance, evidence=Evidence(start, end, text[start:end], cue=draw(st.none() | words)),
            proposition=draw(words), aliases=tuple(draw(st.lists(words, max_size=3))),
            conditions=tuple(draw(st.lists(words, max_size=3))), red_line=draw(st.booleans()),
            previous_stance=draw(st.none() | st.sampled_from(["support", "oppose"])),
            confidence=draw(st.floats(0, 1)), speaker=draw(st.none() | words),
        ))
    return text, published, positions


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=article_and_positions())
def test_every_format_round_trips(tmp_path: Path, case) -> None:
    text, published, positions = case
    with open_store(":memory:") as s:
        art = Article.create(text, published=published)
        s.add_article(art)
        s.save_positions(art.id, "rules", "1.0", positions)
        stored = s.positions()
        assert [p.evidence.text for p in stored] == [p.evidence.text for p in positions]
        for fmt in FORMATS:
            out = tmp_path / f"export.{fmt}"
            assert write_positions(stored, fmt, out) == len(stored)
            assert read_positions(out) == stored, fmt
