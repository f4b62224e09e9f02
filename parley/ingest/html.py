"""HTML pages (files or fetched) -> :class:`Article`, with trafilatura.

trafilatura finds the main text (dropping navigation, footers, comments),
the title, the publication date and the site name. A page it cannot parse,
or one with no main text, is ``InputError`` E105.
"""
from __future__ import annotations

import logging
import re
from datetime import date

from ..errors import InputError
from ..model import Article
from .dates import parse_date_lenient
from .language import detect_language

log = logging.getLogger(__name__)

MIN_WORDS = 5        # fewer extracted words than this is markup debris, not an article
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def article_from_html(html: str | bytes, *, item: str, url: str | None = None,
                      origin: str | None = None, title: str | None = None,
                      published: date | None = None, source: str | None = None) -> Article:
    """Extract the main article of one HTML page.

    ``title``/``published`` given by the caller (e.g. from a feed entry) win
    over what the page says; ``source`` is used when the page names no site. Raises ``InputError`` E105 when no
    article text can be extracted.
    """
    import trafilatura  # heavy import; only when HTML is read

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken input
        raise InputError("E105", item=item, detail=f"{type(exc).__name__}: {exc}") from None
    if doc is None:
        raise InputError("E105", item=item, detail="no main text found")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (meta.get("text") or "").strip()
    words = len(_WORD.findall(text))
    if words < MIN_WORDS:
        raise InputError("E105", item=item, detail=f"no main text found ({words} words)")
    page_date = parse_date_lenient(meta.get("date"), item) if published is None else published
    return Article.create(
        text,
        title=title or meta.get("title") or None,
        url=url or meta.get("url") or None,
        source=meta.get("sitename") or source or meta.get("hostname") or None,
        published=page_date,
        language=detect_language(text),
        origin=origin or url or item,
    )


__all__ = ["article_from_html"]
