"""Issue 9, fuzzing: the ingest parsers and the extractor on arbitrary input never raise, and every
evidence offset indexes the article text exactly.

Hypothesis drives structured and unstructured inputs (modest example counts: the whole suite must
stay fast); ``tests/fuzz_ingest.py`` is a coverage-guided atheris harness over the same parsers,
run here for a bounded number of iterations when atheris is installed (skipped otherwise).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from parley.errors import InputError
from parley.extract.bounded import BoundedExtractor
from parley.ingest import read_bytes
from parley.ingest.sources import check_article
from parley.model import Article

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "html", "json", "jsonl", "feed", None)


def _offline() -> httpx.Client:
    """Feeds fetch their entries' links: here every fetch is answered 404 (no network in tests)."""
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(404)))


def _check_items(items: list) -> None:
    for item in items:
        assert isinstance(item, (Article, InputError)), type(item)
        if isinstance(item, Article):
            assert item.text.strip()
            assert check_article(item, "x") is item          # storable: no NUL, no lone surrogate
            item.text.encode("utf-8")
        else:
            assert item.code.startswith("E1") and item.message


MARKUP = st.sampled_from(["<html>", "<body>", "<p>", "</p>", "<div>", "<rss version='2.0'>", "<channel>",
                          "<item>", "<link>http://127.0.0.1:9/x</link>", "<title>", "</title>", "<![CDATA[",
                          "]]>", "<script>", "&amp;", "&#0;", "&#xD800;", "{", "}", "[", "]", '"text": ',
                          '"published": ', "\n", "\x00", "\ufeff", "\u202e", "\x1b[31m", "\\ud800"])
WORDS = st.sampled_from(["The", "council", "said", "it", "would", "support", "talks", "if", "the", "union",
                         "agreed", ".", ",", "Vardenia", "rejects", "never", "\u00e9t\u00e9", "\u4e2d\u6587"])
DOCS = st.lists(st.one_of(MARKUP, WORDS, st.text(max_size=8)), max_size=60).map(" ".join)


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=2000), DOCS.map(lambda s: s.encode("utf-8", "surrogatepass"))),
       fmt=st.sampled_from(FORMATS))
@example(data=b'{"text": "\\ud800 lone surrogate, and more words for the record"}', fmt="json")
@example(data=b'[' * 50_000, fmt="json")
@example(data=b'<html><body><table><td>' + b'word ' * 200, fmt="html")
@example(data=b"\xff\xfe" + "text".encode("utf-16-le"), fmt=None)
@example(data=b"\t\t\t   <p>\x01", fmt="html")      # lxml refused the control character: bare ValueError
@example(data=b"\t\t\t   <p>\x01", fmt=None)
@example(data=b"<>&#xD800;", fmt="feed")              # feedparser: UnicodeEncodeError on a surrogate
def test_ingest_parsers_never_raise(data, fmt):
    with _offline() as client:
        items = list(read_bytes(data, item="fuzz", fmt=fmt, client=client))
    _check_items(items)


@hsettings(max_examples=80, deadline=None)
@given(records=st.lists(st.dictionaries(
    st.sampled_from(["text", "title", "published", "url", "source", "id", "language", "content", "extra"]),
    st.one_of(st.text(max_size=80), st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2),
              st.floats(allow_nan=True)), max_size=6), max_size=6))
def test_json_records_never_raise(records):
    for blob in (json.dumps(records), "\n".join(json.dumps(r) for r in records)):
        for fmt in ("json", "jsonl"):
            _check_items(list(read_bytes(blob.encode("utf-8"), item="fuzz.json", fmt=fmt)))


SENTENCE = st.lists(WORDS, min_size=1, max_size=25).map(" ".join)
ARTICLE = st.lists(st.one_of(SENTENCE, st.text(max_size=40), st.sampled_from(["\n", "\n\n", "\"", "“", "”"])),
                   min_size=1, max_size=40).map(" ".join).filter(lambda t: t.strip())


#: a plain statement among the examples: the property is checked on positions that exist (an
#: extractor that finds nothing would pass the offset checks vacuously)
PLAIN = "Harbour talks\n\nThe Vardenian government rejected the truce offer on Monday. " * 3


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ARTICLE, title=st.one_of(st.none(), st.text(max_size=30)))
@example(text=PLAIN, title=None)
def test_extractor_on_arbitrary_text_never_raises_and_offsets_are_exact(extractor, text, title):
    """The real rules extractor behind the bounded wrapper, with small chunks so that chunking and
    offset mapping are exercised on every long example."""
    bounded = BoundedExtractor(extractor, chunk_chars=300, time_budget=0)
    art = Article.create(text, title=title)
    [out] = list(bounded.outcomes([art]))
    assert out.error is None or out.error.code == "E307", out.error      # never E308: offsets always map
    for p in out.positions:
        assert art.text[p.evidence.start:p.evidence.end] == p.evidence.text
    whole = extractor.extract(art)
    for p in whole:                                                      # the extractor alone, whole text
        assert art.text[p.evidence.start:p.evidence.end] == p.evidence.text
    if text == PLAIN:
        assert out.positions and whole, "the plain statement gave no position"
        assert {p.evidence.text for p in out.positions} <= {p.evidence.text for p in whole} | {
            "The Vardenian government rejected the truce offer on Monday."}


def test_atheris_harness_over_the_ingest_parsers(tmp_path):
    pytest.importorskip("atheris")
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzz_ingest.py"), "-runs=3000", "-max_len=2048",
                           "-seed=9", f"-artifact_prefix={tmp_path}/"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Done 3000 runs" in proc.stderr
