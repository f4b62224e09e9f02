"""Issue 9, extraction: long texts in bounded chunks with exact offsets, a per-article time budget,
one failing article never stopping the batch.

The wrapper is extractor-agnostic, so most tests use small stand-in extractors whose behaviour the
test controls; the real rules extractor runs on generated long articles (from the invented demo
corpus) where only properties are asserted (offsets exact, nothing lost), not what it finds.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from parley.errors import ExtractError
from parley.extract.bounded import BoundedExtractor, bounded, merge_positions, split_chunks
from parley.model import Article, Evidence, Position
from parley.store import open_store

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo"


class SentenceExtractor:
    """Stand-in: one position per sentence that names "Toren", actor Toren, stance from a keyword."""

    name = "standin"
    version = "1"

    def __init__(self) -> None:
        self.calls: list[int] = []          # length of every text it was given

    def extract(self, article: Article) -> list[Position]:
        self.calls.append(len(article.text))
        out = []
        for m in re.finditer(r"[^.\n]*Toren[^.\n]*\.", article.text):
            stance = "oppose" if "rejects" in m.group() else "support"
            cond = ("if the ports reopen",) if "ports" in m.group() else ()
            out.append(Position(actor="Toren", issue="talks", stance="conditional" if cond else stance,
                                conditions=cond, evidence=Evidence(m.start(), m.end(), m.group(), article.id),
                                confidence=0.5 + 0.01 * (m.start() % 7), article_id=article.id))
        return out

    def extract_many(self, articles):
        for a in articles:
            yield a, self.extract(a)


def long_text(paragraphs: int) -> str:
    parts = []
    for i in range(paragraphs):
        if i % 3 == 0:
            parts.append(f"Paragraph {i}. Toren backs the talks in round {i}. Other news follows here.")
        elif i % 3 == 1:
            parts.append(f"Paragraph {i}. Toren rejects the plan number {i}. Nothing else.")
        else:
            parts.append(f"Paragraph {i}. Toren would join if the ports reopen, said aide {i}. Filler text.")
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------- chunks

@hsettings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\t\"é")), max_size=3000), st.integers(min_value=1, max_value=400))
def test_chunks_cover_the_text_in_order_and_respect_the_limit(text, limit):
    spans = split_chunks(text, limit)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(0 < e - s <= limit for s, e in spans) or text == ""
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


def test_chunks_are_cut_at_paragraphs_then_sentences():
    text = long_text(200)
    spans = split_chunks(text, 1000)
    assert len(spans) > 10
    for _s, e in spans[:-1]:
        assert text[e - 2:e] == "\n\n"                  # every cut follows a paragraph break
    one_para = "".join(f"Sentence number {i} is here. " for i in range(200))
    spans = split_chunks(one_para, 500)
    assert all(one_para[e - 2:e] == ". " for s, e in spans[:-1])
    assert split_chunks("x" * 1000, 300) == [(0, 300), (300, 600), (600, 900), (900, 1000)]   # no boundary


# ----------------------------------------------------------------------------- offsets and merging

def test_long_article_offsets_are_mapped_back_exactly_and_positions_merged():
    inner = SentenceExtractor()
    ex = BoundedExtractor(inner, chunk_chars=1500, time_budget=0)
    art = Article.create(long_text(150), title="Toren and the talks")
    found = ex.extract(art)
    assert len(inner.calls) > 5 and max(inner.calls) <= 1500       # the wrapped extractor saw bounded chunks
    for p in found:
        assert art.text[p.evidence.start:p.evidence.end] == p.evidence.text
        assert p.article_id == art.id
    # merged per (actor, issue, stance): the same as the stand-in over the whole text, merged
    whole = merge_positions([SentenceExtractor().extract(art)])
    assert {(p.actor, p.issue, p.stance) for p in found} == {(p.actor, p.issue, p.stance) for p in whole} \
        == {("Toren", "talks", "support"), ("Toren", "talks", "oppose"), ("Toren", "talks", "conditional")}
    assert len(found) == 3
    assert [p.conditions for p in found if p.stance == "conditional"] == [("if the ports reopen",)]
    best = max((p for p in SentenceExtractor().extract(art) if p.stance == "support"), key=lambda p: p.confidence)
    [support] = [p for p in found if p.stance == "support"]
    assert support.confidence == best.confidence


def test_short_articles_pass_through_untouched_and_batched():
    inner = SentenceExtractor()
    ex = BoundedExtractor(inner, chunk_chars=10_000)
    arts = [Article.create(f"Toren backs the talks on day {i}. Toren rejects plan {i}.") for i in range(5)]
    got = list(ex.extract_many(arts))
    assert [a for a, _ in got] == arts
    assert [ps for _, ps in got] == [SentenceExtractor().extract(a) for a in arts]


class BadOffsets(SentenceExtractor):
    def extract(self, article):
        out = super().extract(article)
        if "poison" in article.text:
            out = [p.with_(evidence=Evidence(p.evidence.start + 1, p.evidence.end + 1, p.evidence.text))
                   for p in out]
        return out


def test_evidence_that_does_not_index_the_text_fails_that_article_only():
    ex = BoundedExtractor(BadOffsets(), chunk_chars=10_000)
    arts = [Article.create("Toren backs the talks."), Article.create("poison: Toren backs the talks."),
            Article.create("Toren rejects the plan.")]
    outs = list(ex.outcomes(arts))
    assert [o.error.code if o.error else None for o in outs] == [None, "E308", None]
    assert outs[1].positions == [] and len(outs[2].positions) == 1


class Crashes(SentenceExtractor):
    def extract(self, article):
        if "crash" in article.text:
            raise ZeroDivisionError("division by zero in a component")
        return super().extract(article)


def test_a_crashing_article_is_E307_and_the_rest_of_its_batch_is_extracted():
    seen = []
    ex = BoundedExtractor(Crashes(), chunk_chars=10_000, on_error=lambda a, e: seen.append((a.id, e.code)))
    arts = [Article.create(f"Toren backs the talks, day {i}.") for i in range(4)]
    arts.insert(2, Article.create("crash: Toren backs the talks."))
    got = list(ex.extract_many(arts))
    assert [a.id for a, _ in got] == [a.id for i, a in enumerate(arts) if i != 2]
    assert seen == [(arts[2].id, "E307")]
    with pytest.raises(ExtractError) as info:
        ex.extract(arts[2])
    assert info.value.code == "E307" and "ZeroDivisionError" in info.value.message
    # in a long article the failing chunk fails the article, naming the chunk
    long = Article.create(long_text(60) + "\n\ncrash here. Toren backs it.")
    [out] = list(BoundedExtractor(Crashes(), chunk_chars=1000).outcomes([long]))
    assert out.error is not None and out.error.code == "E307" and "chunk" in out.error.message


def test_setup_errors_stop_the_batch():
    class NoModel(SentenceExtractor):
        def extract_many(self, articles):
            raise ExtractError("E301", model="nope")
            yield  # pragma: no cover

        def extract(self, article):
            raise ExtractError("E301", model="nope")

    with pytest.raises(ExtractError) as info:
        list(BoundedExtractor(NoModel()).outcomes([Article.create("Toren backs the talks.")]))
    assert info.value.code == "E301"


# ----------------------------------------------------------------------------- time budget

class Clock:
    """A clock that advances ``step`` seconds whenever it is read: chunk timing without sleeping."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_an_article_over_its_time_budget_is_E306_and_the_batch_goes_on():
    inner = SentenceExtractor()
    ex = BoundedExtractor(inner, chunk_chars=1000, time_budget=10, clock=Clock(4.0))
    slow = Article.create(long_text(100))                       # ~25 chunks; each chunk "takes" 4 s
    after = Article.create("Toren backs the talks, once more.")
    outs = list(ex.outcomes([slow, after]))
    assert outs[0].error is not None and outs[0].error.code == "E306"
    assert "budget of 10s" in outs[0].error.message and "stopped after 2 of" in outs[0].error.message
    assert outs[0].positions == [] and len(inner.calls) < 5      # abandoned early, not run to the end
    assert outs[1].ok and len(outs[1].positions) == 1
    # without a budget the same article is extracted whole
    assert BoundedExtractor(SentenceExtractor(), chunk_chars=1000, time_budget=0, clock=Clock(4.0)).extract(slow)


def test_budget_overrun_through_the_store_runner_keeps_the_article_pending(db_path):
    from parley.store.runner import extract_into

    slow = Article.create(long_text(100))
    quick = Article.create("Toren backs the talks, briefly.")
    with open_store(str(db_path)) as store:
        store.add_article(slow)
        store.add_article(quick)
        ex = BoundedExtractor(SentenceExtractor(), chunk_chars=1000, time_budget=10, clock=Clock(4.0))
        errors = []
        report = extract_into(store, ex, on_error=errors.append)
        assert [e.code for e in errors] == ["E306"] and report.articles == 1
        assert store.count_pending("standin", "1") == 1
        assert [a.id for a in store.pending_articles("standin", "1")] == [slow.id]
        run = store.runs()[0]
        assert (run["status"], run["articles"], run["failed"]) == ("finished", 1, 1)


def test_bounded_never_wraps_twice():
    inner = SentenceExtractor()
    once = bounded(inner, chunk_chars=500)
    assert bounded(once) is once and bounded(once, time_budget=3).inner is inner
    assert (once.name, once.version) == (inner.name, inner.version)


# ----------------------------------------------------------------------------- the real extractor

def demo_paragraphs() -> list[str]:
    from parley.ingest.sources import iter_articles

    return [p for a in iter_articles([str(DEMO)]) if isinstance(a, Article) for p in a.text.split("\n") if p.strip()]


def test_rules_extractor_on_a_generated_long_article_offsets_exact(extractor):
    paras = demo_paragraphs()
    text = "\n\n".join(f"{paras[i % len(paras)]} (Report {i}.)" for i in range(300))     # ~55 KB
    art = Article.create(text, title="Long dispatch")
    ex = BoundedExtractor(extractor, time_budget=0)
    assert len(text) > 4 * ex.chunk_chars
    found = ex.extract(art)
    assert found, "the demo corpus states positions; a long article of it must give some"
    for p in found:
        assert art.text[p.evidence.start:p.evidence.end] == p.evidence.text
    assert len({(p.actor, p.issue, p.stance) for p in found}) == len(found)
    with open_store(":memory:") as store:                      # the store's own offset check agrees
        store.add_article(art)
        assert store.save_positions(art.id, ex.name, ex.version, found) == len(found)


def test_cli_extract_reports_a_budget_overrun_and_exits_1(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from parley.cli import main
    from parley.config import settings

    paras = demo_paragraphs()
    long = tmp_path / "long.txt"
    long.write_text("A long dispatch\n\n" + "\n\n".join(f"{paras[i % len(paras)]} ({i}.)" for i in range(60)),
                    encoding="utf-8")
    short = tmp_path / "short.txt"
    short.write_text("Short note\n\n" + paras[0] + "\n\nThe Vardenian government rejected the truce offer on Monday.",
                     encoding="utf-8")
    db = tmp_path / "l.db"
    monkeypatch.setenv("PARLEY_EXTRACT_CHUNK_CHARS", "2000")
    monkeypatch.setenv("PARLEY_EXTRACT_TIME_BUDGET", "0.000001")    # over budget after the first chunk
    settings.cache_clear()
    try:
        res = CliRunner().invoke(main, ["run", "--db", str(db), "-q", str(long), str(short)])
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert res.exit_code == 1, res.output
    assert "error: [E306]" in res.stderr and "1 articles failed and stay pending" in res.stderr
    with open_store(str(db)) as store:
        run = store.runs()[0]
        assert (run["status"], run["articles"], run["failed"]) == ("finished", 1, 1)
        # the short article was extracted and its position stored; the long one stays pending
        assert [(p.actor, p.stance) for p in store.positions()] == [("Vardenian government", "oppose")]
