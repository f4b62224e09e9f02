"""Readers of parley.ingest: every input kind, every bad input, language flags.

Fixture texts under tests/data/ingest/ are written for these tests (fictional
countries, unions and towns); third-party articles are only read from ../shared.
"""
from __future__ import annotations

import dataclasses
import http.server
import io
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from parley.config import settings as current_settings
from parley.errors import FetchError, InputError
from parley.ingest import detect_language, iter_articles, read_bytes, read_path, read_stdin, read_url, sniff_format
from parley.ingest.text import split_title
from parley.model import Article, article_id_for

DATA = Path(__file__).parent / "data" / "ingest"

GERMAN = ("Die Regierung hat am Montag erklärt, dass sie die Gespräche mit der Gewerkschaft nicht "
          "fortsetzen wird, solange der Streik in den Häfen andauert. Der Minister sagte, man sei "
          "jedoch zu einem Treffen bereit, wenn die Arbeit wieder aufgenommen werde.")
FRENCH = ("Le gouvernement a annoncé lundi qu'il ne reprendrait pas les négociations avec les syndicats "
          "tant que la grève se poursuit dans les ports. Le ministre a ajouté qu'une rencontre restait "
          "possible si le travail reprenait avant la fin de la semaine.")
ENGLISH = ("The government said on Monday that it would not resume negotiations with the unions while "
           "the strike in the ports continues. The minister added that a meeting was still possible if "
           "work resumed before the end of the week.")


def articles(items) -> list[Article]:
    return [x for x in items if isinstance(x, Article)]


def errors(items) -> list[InputError]:
    return [x for x in items if isinstance(x, InputError)]


def small(**kw):
    """Settings with some fields replaced (the cached settings object stays untouched)."""
    return dataclasses.replace(current_settings(), **kw)


# --- plain text ------------------------------------------------------------------


def test_text_file_title_and_whole_text_kept():
    path = DATA / "story.txt"
    [art] = list(read_path(path))
    content = path.read_text(encoding="utf-8")
    assert art.title == "Vardenia Signals Openness to Border Talks With Ostrel"
    assert art.text == content                      # title line included: offsets match the file
    assert art.id == article_id_for(content)
    start = art.text.index("Marrow told reporters")
    assert start > len(art.title)
    assert art.language == "en"
    assert art.origin == str(path)
    assert art.published is None and art.external_id is None


@pytest.mark.parametrize("text,title", [
    ("Short headline\nBody line one. Body line two.\n", "Short headline"),
    ("A headline that ends in a full stop.\n\nBody text follows after a blank line.\n",
     "A headline that ends in a full stop."),
    ("The first line is a sentence of the body, ending in a full stop.\nSecond line.\n", None),
    ("Only one line without any body\n", None),
    ("x" * 250 + "\nbody\n", None),
])
def test_split_title(text, title):
    assert split_title(text) == title


def test_text_crlf_and_bom_normalised(tmp_path):
    path = tmp_path / "win.txt"
    path.write_bytes(b"\xef\xbb\xbfHeadline here\r\n\r\nThe union said it would accept the offer.\r\n")
    [art] = list(read_path(path))
    assert art.text == "Headline here\n\nThe union said it would accept the offer.\n"
    assert art.title == "Headline here"


def test_seed_article_offsets_match_positions_doc(shared_dir):
    """positions.md gives the seed's first body sentence start 73: text keeps the title line."""
    [art] = list(read_path(shared_dir / "seed" / "article.txt"))
    assert art.title and art.text.startswith(art.title)
    assert art.text.index("\n") + 1 == 73
    assert art.text[73:83] == (shared_dir / "seed" / "article.txt").read_text(encoding="utf-8")[73:83]


# --- HTML ------------------------------------------------------------------------


def test_html_file_main_text_and_metadata():
    [art] = list(read_path(DATA / "page.html"))
    assert "return to the bargaining table next week" in art.text
    assert "would not accept a pay rise above the rate of inflation" in art.text
    for boilerplate in ("cookies", "Ferry timetable", "All rights reserved", "Sport"):
        assert boilerplate not in art.text
    assert art.title == "Dock workers and port authority agree to resume wage talks"
    assert art.published == date(2024, 3, 5)
    assert art.source == "Harbour Gazette"
    assert art.language == "en"


def test_html_without_article_text_is_E105(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title></head><body><div></div></body></html>", encoding="utf-8")
    [err] = list(read_path(path))
    assert isinstance(err, InputError) and err.code == "E105" and str(path) in err.message


def test_html_broken_markup_is_E105(tmp_path):
    path = tmp_path / "broken.htm"
    path.write_text("<<<>>><html <body <p", encoding="utf-8")
    [err] = list(read_path(path))
    assert err.code == "E105"


# --- JSON / JSONL -----------------------------------------------------------------


def test_json_single_object_and_list(tmp_path):
    one = tmp_path / "one.json"
    one.write_text('{"id": "x1", "title": "T", "published": "2022-02-03T10:00:00Z", "text": "%s"}' % ENGLISH,
                   encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text('[{"text": "%s", "source": "S"}, {"title": "no text"}, {"text": "%s"}]' % (ENGLISH, GERMAN),
                    encoding="utf-8")
    [a] = list(read_path(one))
    assert (a.external_id, a.title, a.published, a.text) == ("x1", "T", date(2022, 2, 3), ENGLISH)
    assert a.origin == str(one)
    items = list(read_path(many))
    assert [type(x).__name__ for x in items] == ["Article", "InputError", "Article"]
    assert items[1].code == "E108" and f"{many}[1]" in items[1].message
    assert items[0].title is None                 # records: no title guessing from text
    assert items[2].language == "de"


def test_jsonl_bad_lines_are_their_own_errors():
    path = DATA / "records.jsonl"
    items = list(read_path(path))
    assert [type(x).__name__ for x in items] == ["Article", "InputError", "InputError", "Article", "InputError"]
    first, bad_json, no_text, fourth, not_obj = items
    assert first.external_id == "r-1" and first.published == date(2023, 6, 14)
    assert first.source == "Valley Courier" and first.url == "https://news.example/valley/quotas"
    assert bad_json.code == "E106" and f"{path}:2" in bad_json.message
    assert no_text.code == "E108" and f"{path}:3" in no_text.message
    assert fourth.external_id == "4" and fourth.published == date(2023, 6, 15)   # free-text date
    assert not_obj.code == "E106" and f"{path}:6" in not_obj.message


def test_jsonl_is_streamed_with_per_line_limits(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [
        b'{"id": "ok-1", "text": "%s"}' % ENGLISH.encode(),
        b'{"id": "latin", "text": "caf\xe9"}',                      # invalid UTF-8 on this line only
        b'{"id": "huge", "text": "%s"}' % (b"word " * 400),         # over the per-record limit
        b'{"id": "ok-2", "text": "%s"}' % GERMAN.encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = list(read_path(path, settings=small(max_bytes=1000)))
    assert [getattr(x, "code", x.external_id if isinstance(x, Article) else None) for x in items] == \
        ["ok-1", "E103", "E104", "ok-2"]
    assert f"{path}:2" in items[1].message and f"{path}:3" in items[2].message


def test_json_record_bad_field_type_is_E111(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"text": "Some text here.", "title": ["a", "list"]}\n', encoding="utf-8")
    [err] = list(read_path(path))
    assert err.code == "E111" and "title" in err.message


def test_unreadable_date_keeps_article(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"text": "%s", "published": "not a date at all"}\n' % ENGLISH, encoding="utf-8")
    [art] = list(read_path(path))
    assert isinstance(art, Article) and art.published is None


def test_dev_set_files_keep_id_as_external_id(shared_dir):
    import json

    files = sorted((shared_dir / "data" / "dev").glob("*.json"))
    assert files
    for f in files[:5]:
        record = json.loads(f.read_text(encoding="utf-8"))
        [art] = list(read_path(f))
        assert art.external_id == record["id"]
        assert art.text == record["text"]           # offsets of the labelled set stay valid
        assert art.title == record["title"]


# --- folders, stdin, sniffing ------------------------------------------------------


def test_folder_recursive_sorted_hidden_skipped():
    items = list(read_path(DATA / "folder"))
    assert all(isinstance(x, Article) for x in items)
    assert [x.title for x in items] == ["First folder article", "Second", "Zeta"]
    assert items[1].external_id == "f-2"
    assert not any("skipped" in x.text for x in items)


def test_stdin_text_and_json():
    [art] = list(iter_articles(["-"], stdin=io.StringIO("Headline\n\n" + ENGLISH + "\n")))
    assert art.origin == "stdin" and art.title == "Headline" and art.text.endswith(ENGLISH + "\n")
    [rec] = list(read_stdin(io.StringIO('{"id": "s1", "text": "%s"}\n{"text": "%s"}\n' % (ENGLISH, FRENCH))))[:1]
    assert rec.external_id == "s1"


@pytest.mark.parametrize("data,fmt", [
    (b"<?xml version='1.0'?><rss version='2.0'><channel></channel></rss>", "feed"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'></feed>", "feed"),
    (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
    (b'[{"text": "a"}]', "json"),
    (b'{\n  "text": "a"\n}', "json"),
    (b'{"text": "a"}\n{"text": "b"}\n', "jsonl"),
    (b"Just a headline\n\nAnd a body.", "text"),
])
def test_sniff_format(data, fmt):
    assert sniff_format(data) == fmt


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("name,data,code", [
    ("empty.txt", b"", "E101"),
    ("blank.txt", b"  \n\t\n", "E101"),
    ("nul.txt", b"abc\x00def" * 10, "E102"),
    ("control.dat", bytes(range(1, 9)) * 20, "E102"),
    ("latin1.txt", "Caf\u00e9 talks resumed".encode("latin-1"), "E103"),
    ("utf16.txt", "Headline".encode("utf-16"), "E103"),
    ("bad.json", b'{"text": "unterminated', "E106"),
    ("bad.xml", b"<?xml version='1.0'?><rss><channel><title>x</title></chan", "E107"),
    ("bad.rss", b"<rss version='2.0'><channel><<<>>", "E107"),
    ("sitemap.xml", b"<?xml version='1.0'?><urlset><url><loc>http://x</loc></url></urlset>", "E107"),
    ("empty.jsonl", b"\n\n", "E101"),
])
def test_bad_files(tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    [err] = list(read_path(path))
    assert isinstance(err, InputError) and err.code == code
    assert str(path) in err.message


def test_malformed_feed_reports_E107_then_recovered_entries(tmp_path):
    path = tmp_path / "cut.xml"
    entry = "<item><title>Kept</title><description><![CDATA[%s]]></description></item>" % (ENGLISH * 3)
    path.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>%s<item><title>x</tit"
                    % entry, encoding="utf-8")
    items = list(read_path(path))
    assert items[0].code == "E107" and str(path) in items[0].message
    assert isinstance(items[1], Article) and items[1].title == "Kept"


def test_over_size_limit_is_E104(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Headline\n\n" + "word " * 200, encoding="utf-8")
    [err] = list(read_path(path, settings=small(max_bytes=100)))
    assert err.code == "E104" and "100 bytes" in err.message
    [ok] = list(read_path(path, settings=small(max_bytes=10_000)))
    assert isinstance(ok, Article)


def test_batch_goes_on_in_order(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    good = tmp_path / "good.txt"
    good.write_text("Headline\n\n" + ENGLISH, encoding="utf-8")
    items = list(iter_articles([str(empty), str(tmp_path / "missing.txt"), "ftp://example.invalid/x", str(good)]))
    assert [getattr(x, "code", "article") for x in items] == ["E101", "E110", "E109", "article"]
    assert "missing.txt" in items[1].message


@given(st.binary(max_size=600))
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_bytes_give_articles_or_input_errors(data):
    for fmt in (None, "text", "json", "jsonl"):
        for item in read_bytes(data, item="blob", fmt=fmt):
            assert isinstance(item, (Article, InputError))
            if isinstance(item, Article):
                assert item.text.strip() and item.id == article_id_for(item.text)


# --- language ------------------------------------------------------------------------


@pytest.mark.parametrize("text,lang", [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr"), ("ok 123", "und")])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_stopword_vote_without_py3langid():
    """The dependency-free path decides clear cases alone and says "und" when unsure."""
    from parley.ingest.language import _WORD, _by_stopwords

    assert [_by_stopwords(_WORD.findall(t)) for t in (ENGLISH, GERMAN, FRENCH)] == ["en", "de", "fr"]
    assert _by_stopwords(_WORD.findall("Kyiv Moskva Warszawa Praha Budapest Wien")) == "und"


def test_non_english_articles_kept_and_flagged(tmp_path):
    (tmp_path / "de.txt").write_text("Schlagzeile\n\n" + GERMAN, encoding="utf-8")
    (tmp_path / "en.txt").write_text("Headline\n\n" + ENGLISH, encoding="utf-8")
    (tmp_path / "fr.txt").write_text("Titre\n\n" + FRENCH, encoding="utf-8")
    arts = list(read_path(tmp_path))
    assert [(a.language, a.is_english) for a in arts] == [("de", False), ("en", True), ("fr", False)]


# --- URLs and feeds over a real local HTTP server ---------------------------------------


@pytest.fixture
def site(http_root):
    """The local server with the fixture page and an RSS feed pointing at it."""
    root, base = http_root
    shutil.copy(DATA / "page.html", root / "page.html")
    feed = (DATA / "feed_template.xml").read_text(encoding="utf-8").replace("{base}", base)
    (root / "feed.xml").write_text(feed, encoding="utf-8")
    (root / "feed-no-ext").write_text(feed, encoding="utf-8")
    (root / "big.html").write_text("<html><body><p>" + "padding " * 2000 + "</p></body></html>", encoding="utf-8")
    (root / "notes.txt").write_text("Plain headline\n\n" + ENGLISH, encoding="utf-8")
    return root, base


def test_url_html_page(site):
    _root, base = site
    [art] = list(read_url(f"{base}/page.html"))
    assert art.url == f"{base}/page.html" and art.origin == f"{base}/page.html"
    assert "bargaining table" in art.text and art.source == "Harbour Gazette"


def test_url_plain_text(site):
    _root, base = site
    [art] = list(iter_articles([f"{base}/notes.txt"]))
    assert art.title == "Plain headline" and art.url == f"{base}/notes.txt"


def test_url_status_and_size_errors(site):
    _root, base = site
    [err404] = list(read_url(f"{base}/nope.html"))
    assert isinstance(err404, FetchError) and err404.code == "E123" and "404" in err404.message
    [big] = list(read_url(f"{base}/big.html", settings=small(fetch_max_bytes=1000)))
    assert big.code == "E124" and f"{base}/big.html" in big.message


def test_url_connection_refused_is_E122():
    import socket

    with socket.socket() as s:             # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    [err] = list(read_url(f"http://127.0.0.1:{port}/x"))
    assert err.code == "E122"


def _check_feed_items(items, base):
    assert [getattr(x, "code", "article") for x in items] == ["article", "article", "E108", "E123"]
    page, fallback, teaser, gone = items
    # entry 1: page fetched and extracted; title and date from the feed entry
    assert "bargaining table" in page.text
    assert page.title == "Port talks to resume" and page.published == date(2024, 3, 6)
    assert page.url == f"{base}/page.html"
    # entry 2: page missing, substantial summary used instead
    assert fallback.text.startswith("The ferry operator and the island council")
    assert "<p>" not in fallback.text and fallback.published == date(2024, 3, 7)
    assert fallback.source == "Harbour Gazette: Business"
    # entry 3: no link, short teaser; entry 4: broken link, short teaser
    assert "no link" in teaser.message
    assert gone.fields["item"] == f"{base}/gone.html"


def test_feed_url(site):
    _root, base = site
    _check_feed_items(list(iter_articles([f"{base}/feed.xml"])), base)


def test_feed_detected_by_content(site):
    _root, base = site
    _check_feed_items(list(iter_articles([f"{base}/feed-no-ext"])), base)


def test_atom_feed_relative_link_resolved(site):
    root, base = site
    (root / "news").mkdir()
    (root / "news" / "atom").write_text(
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>A</title>"
        "<entry><title>Relative</title><link href='../page.html'/><updated>2024-04-02T08:00:00Z</updated>"
        "<id>urn:x:1</id></entry></feed>", encoding="utf-8")
    [art] = list(read_url(f"{base}/news/atom"))
    assert art.url == f"{base}/page.html" and art.published == date(2024, 4, 2)
    assert art.title == "Relative" and "bargaining table" in art.text


def test_feed_file_fetches_entry_pages(site):
    root, base = site
    _check_feed_items(list(read_path(root / "feed.xml")), base)


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    delay = 2.0

    def do_GET(self):
        time.sleep(self.delay)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"Late\n\nToo late to matter.")
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_url():
    """A local server that answers every request only after two seconds."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slow"
    finally:
        server.shutdown()
        server.server_close()


def test_url_timeout_is_E121(slow_url, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Headline\n\n" + ENGLISH, encoding="utf-8")
    items = list(iter_articles([slow_url, str(good)], settings=small(fetch_timeout=0.2)))
    err, art = items
    assert isinstance(err, FetchError) and err.code == "E121"
    assert slow_url in err.message and "0.2s" in err.message
    assert isinstance(art, Article)


def test_folder_walk_skips_the_folders_own_docs_but_not_when_named(tmp_path):
    from parley.ingest import iter_articles

    (tmp_path / "README.md").write_text("About this folder\n\nThese are the articles we collected.\n")
    (tmp_path / "LICENSE").write_text("Some licence text that is not news.\n")
    (tmp_path / "story.txt").write_text("Guild rejects offer\n\nThe Dockworkers' Guild rejected the offer on Monday.\n")
    got = [a for a in iter_articles([str(tmp_path)]) if not isinstance(a, Exception)]
    assert [a.title for a in got] == ["Guild rejects offer"]
    named = [a for a in iter_articles([str(tmp_path / "README.md")]) if not isinstance(a, Exception)]
    assert len(named) == 1
