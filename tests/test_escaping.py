"""Issue 9, everything shown from an article is escaped: the Markdown report rendered by a real
CommonMark renderer (markdown-it-py) holds no live HTML, and terminal output holds no control or
escape sequences from article text."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from parley.analyze.ledger import Ledger
from parley.analyze.report import build_report, md_escape, render_markdown
from parley.cli import main
from parley.model import Article, Evidence, Position
from parley.store import open_store
from parley.textsafe import strip_controls

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](javascript:alert(3))",
    "![img](javascript:alert(4))",
    "<a href='javascript:alert(5)'>x</a>",
    "&lt;script&gt;alert(6)&lt;/script&gt;",
    "<!-- hidden --><iframe src=//evil.invalid>",
    "`code` *em* __strong__ [^1]",
    "\n\n<script>alert(7)</script>\n\n",
    "<https://evil.invalid/auto>",
]
OSC_TITLE = "\x1b]0;pwned-title\x07"
CSI_CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)


def hostile_store(db) -> list[str]:
    """A ledger whose article titles, actor names, propositions, conditions and sentences carry payloads."""
    texts = []
    with open_store(str(db)) as store:
        for i, payload in enumerate(PAYLOADS):
            body = f"Vardenia{i} {payload} supports talks with Kestrel on day {i}. Kestrel {payload} rejects it."
            art = Article.create(body, title=f"Title {i} {payload}{OSC_TITLE}")
            store.add_article(art)
            s1 = body.index(".") + 1
            s2 = len(body)
            store.save_positions(art.id, "rules", "1", [
                Position(actor=f"Vardenia {payload}", issue="talks", stance="conditional",
                         proposition=f"talks {payload}", conditions=(f"if {payload}",), red_line=True,
                         evidence=Evidence(0, s1, body[:s1])),
                Position(actor="Kestrel", issue="talks", stance="oppose", evidence=Evidence(s1 + 1, s2, body[s1 + 1:s2])),
            ])
            texts.append(body)
    return texts


def test_markdown_report_rendered_by_commonmark_has_no_live_html(db_path):
    hostile_store(db_path)
    with open_store(str(db_path)) as store:
        ledger = Ledger.from_store(store)
    md = render_markdown(build_report(ledger))
    assert "\x1b" not in md and "\x07" not in md
    html = MarkdownIt("commonmark").render(md)                 # raw HTML passes through when not escaped
    parser = _Tags()
    parser.feed(html)
    tags = {t for t, _ in parser.tags}
    assert tags <= {"h1", "h2", "h3", "p", "ul", "li", "em", "strong", "code"}, tags
    assert not any(attrs for _, attrs in parser.tags)           # no href, src, onerror...
    assert parser.comments == []
    for word in ("script", "onerror", "javascript"):
        assert f"<{word}" not in html
    # the payloads are still there to read, as text
    assert "&lt;script&gt;alert(7)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "![img](javascript:alert(4))" in html
    assert "&amp;lt;script&amp;gt;" in html                     # an entity in the article stays literal


def test_markdown_report_still_has_its_own_structure(db_path):
    hostile_store(db_path)
    with open_store(str(db_path)) as store:
        md = render_markdown(build_report(Ledger.from_store(store)))
    assert md.startswith("# Parley briefing\n") and "## Sources" in md
    assert "[^1]:" in md and "[^1]" in md.split("## Sources")[0]   # footnotes survive the escaping


@pytest.mark.parametrize("text,clean", [
    ("plain words, ünïcödé, 中文, عربي", "plain words, ünïcödé, 中文, عربي"),
    (f"a{OSC_TITLE}b", "ab"),
    (f"a{CSI_CLEAR}b", "ab"),
    (f"red{C1_CSI}text", "redtext"),
    ("line1\r\nline2\tx\x07\x08\x00", "line1\nline2\tx"),
    ("\x1bPq#0;2;0;0;0\x1b\\after", "after"),
    ("rtl \u202eevil\u202c end", "rtl evil end"),
])
def test_strip_controls(text, clean):
    assert strip_controls(text) == clean


def test_md_escape_is_one_inert_line():
    assert md_escape("a\n\n# b <i>x</i> [l](u) `c` *e* _f_ & \\") == \
        r"a # b &lt;i&gt;x&lt;/i&gt; \[l\](u) \`c\` \*e\* \_f\_ &amp; \\"


def test_terminal_output_carries_no_escape_sequences_from_articles(db_path):
    hostile_store(db_path)
    runner = CliRunner()
    with open_store(str(db_path)) as store:
        first = next(store.articles())
    outputs = {}
    for args in (["articles"], ["positions"], ["show", first.id, "--no-color"], ["search", "talks"],
                 ["actors"], ["shifts"], ["compare", "Vardenia <script>alert(1)</script>", "Kestrel"],
                 ["report"]):
        res = runner.invoke(main, [*args, "--db", str(db_path)])
        assert res.exit_code == 0, (args, res.output)
        outputs[args[0]] = res.output
        for bad in ("\x1b", "\x07", "\x9b", "\r"):
            assert bad not in res.output, (args, bad)
    assert "pwned-title" not in outputs["articles"]            # the OSC payload went with its sequence
    assert "Title 0" in outputs["articles"]
    # with colours on, our own highlighting is the only escape sequence left
    res = runner.invoke(main, ["show", first.id, "--color", "--db", str(db_path)], color=True)
    assert "\x1b[" in res.output and "\x1b]" not in res.output and "\x07" not in res.output
