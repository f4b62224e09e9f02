"""HTML pages (files or fetched) -> :class:`Article`, with trafilatura.

trafilatura finds the main text (dropping navigation, footers, comments),
the title, the publication date and the site name. When it finds no main text
(messy markup, unclosed tags, a page that is all one ``<div>``), the page's
*visible* text (lxml's forgiving parser, without scripts, styles, the head and
hidden elements) is used instead when it holds at least ``MIN_WORDS`` words:
the article is flagged ``visible_text`` and an E115 notice says so. A page with
neither is ``InputError`` E105.
"""
from __future__ import annotations

import logging
import re
from datetime import date

from ..errors import InputError
from ..model import Article
from .dates import parse_date_lenient
from .language import detect_language
from .notices import Notice, NoticeSink, emit

log = logging.getLogger(__name__)

MIN_WORDS = 5        # fewer extracted words than this is markup debris, not an article
VISIBLE_TEXT = "visible_text"   # Article flag: the text is the page's visible text, not trafilatura's main text
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object",
              "embed", "canvas", "select", "button", "input", "textarea")
_BLOCKS = ("p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
           "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "figcaption", "hr", "main", "aside")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
# what an XML text node cannot hold (lxml raises ValueError when such a text is set)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def visible_text(html: str | bytes, item: str = "HTML") -> tuple[str, str | None]:
    """(the text a browser would show, the ``<title>``) of an HTML document, one block per line.

    lxml's HTML parser recovers from unclosed and misnested tags; scripts, styles,
    the head, form controls, comments and elements marked hidden are left out.
    Characters XML cannot hold (C0 controls but tab and line breaks, lone surrogates, U+FFFE/FFFF) are
    left out of the text. Returns ``("", None)`` when the document cannot be parsed at all; raises
    ``InputError`` E105 naming ``item`` when lxml parses it but then refuses its content.
    """
    import lxml.etree
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError, TypeError):
        return "", None
    try:
        titles = doc.xpath("//title")
        title = " ".join(_NOT_XML.sub("", titles[0].text_content() or "").split()) or None if titles else None
        for el in list(doc.iter(*_INVISIBLE)):
            el.drop_tree()
        for el in list(doc.iter()):
            if not isinstance(el.tag, str):
                continue
            if (el.get("hidden") is not None or el.get("aria-hidden") == "true"
                    or _HIDDEN_STYLE.search(el.get("style") or "")):
                if el.getparent() is not None:
                    el.drop_tree()
        for el in doc.iter(*_BLOCKS):
            # lxml parses control characters into the tree but refuses them when a text is set again
            el.tail = "\n" + _NOT_XML.sub("", el.tail or "")
            if el.tag in ("p", "li", "blockquote", "pre") or el.tag.startswith("h"):
                el.text = "\n" + _NOT_XML.sub("", el.text or "")
        content = _NOT_XML.sub("", doc.text_content())
    except (lxml.etree.LxmlError, ValueError, TypeError) as exc:
        raise InputError("E105", item=item, detail=f"lxml cannot read the page's text: {type(exc).__name__}: {exc}") from None
    lines = (_SPACES.sub(" ", line).strip() for line in content.split("\n"))
    return "\n".join(line for line in lines if line), title


def article_from_html(html: str | bytes, *, item: str, url: str | None = None,
                      origin: str | None = None, title: str | None = None,
                      published: date | None = None, source: str | None = None,
                      notice: NoticeSink | None = None) -> Article:
    """Extract the main article of one HTML page.

    ``title``/``published`` given by the caller (e.g. from a feed entry) win
    over what the page says; ``source`` is used when the page names no site.
    Without main text, the visible text is used, flagged (E115 to ``notice``).
    Raises ``InputError`` E105 when neither holds ``MIN_WORDS`` words.
    """
    import trafilatura  # heavy import; only when HTML is read

    why = "no main text found"
    meta: dict[str, object] = {}
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken input
        doc, why = None, f"{type(exc).__name__}: {exc}"
    if doc is not None:
        meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = str(meta.get("text") or "").strip()
    words = len(_WORD.findall(text))
    flags: tuple[str, ...] = ()
    if words < MIN_WORDS:
        if doc is not None:
            why = f"no main text found ({words} words)"
        shown, page_title = visible_text(html, item)
        shown_words = len(_WORD.findall(shown))
        if shown_words < MIN_WORDS:
            raise InputError("E105", item=item, detail=f"{why}; visible text has {shown_words} words")
        emit(Notice("fallback", item, f"{why}; stored the page's visible text ({shown_words} words) instead",
                    field=VISIBLE_TEXT), notice)
        text, flags = shown, (VISIBLE_TEXT,)
        meta["title"] = meta.get("title") or page_title
    page_date = parse_date_lenient(meta.get("date"), item, notice) if published is None else published
    return Article.create(
        text,
        title=title or str(meta.get("title") or "") or None,
        url=url or str(meta.get("url") or "") or None,
        source=str(meta.get("sitename") or "") or source or str(meta.get("hostname") or "") or None,
        published=page_date,
        language=detect_language(text),
        origin=origin or url or item,
        flags=flags,
    )


__all__ = ["MIN_WORDS", "VISIBLE_TEXT", "article_from_html", "visible_text"]
