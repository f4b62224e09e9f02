"""RSS/Atom feeds -> one :class:`Article` per entry.

Each entry's link is fetched and its page extracted with trafilatura; the
entry's own title and published date (from the feed) win over the page's.
When an entry has no link, or its page cannot be fetched or extracted, the
entry's own content/summary is used if it is substantial
(``MIN_FALLBACK_CHARS``); otherwise that entry yields an error and the other
entries go on. A feed that is not well-formed XML yields E107; entries the
loose parser still recovered from it follow.
"""
from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urljoin

import httpx

from ..config import Settings
from ..errors import InputError
from ..model import Article
from .dates import parse_date_lenient
from .fetch import fetch
from .html import article_from_html
from .notices import Notice, NoticeSink, emit
from .text import article_from_text

log = logging.getLogger(__name__)

MIN_FALLBACK_CHARS = 300        # entry content shorter than this is a teaser, not an article
FEED_CONTENT = "feed_content"   # Article flag: the text is the feed entry's content, not the linked page

_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|div|h[1-6]|li|blockquote)\s*>")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0]+")
# numeric character references (decimal or hex) that feedparser would turn into a crash
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,16}));")


def _no_bad_charrefs(data: bytes) -> bytes:
    """References to a surrogate or past U+10FFFF become U+FFFD, as an HTML parser reads them
    (feedparser encodes them to UTF-8 and raises)."""
    def fix(m: re.Match[bytes]) -> bytes:
        value = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        return b"&#xFFFD;" if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF else m.group(0)

    return _CHARREF.sub(fix, data)


def looks_like_feed(data: bytes) -> bool:
    """True when the document's root element (in its first 2 KB) is rss, feed or rdf:RDF."""
    head = data[:2048].lstrip()
    return bool(_FEED_ROOT.search(head)) and not head[:200].lower().startswith((b"<!doctype html", b"<html"))


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary), one paragraph per line."""
    text = _BLOCK_END.sub("\n", fragment)
    text = html_lib.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _entry_content(entry: Any) -> str:
    best = ""
    for content in entry.get("content") or []:
        value = html_fragment_to_text(content.get("value") or "")
        if len(value) > len(best):
            best = value
    summary = html_fragment_to_text(entry.get("summary") or "")
    return best if len(best) >= len(summary) else summary


def _not_well_formed(exc: BaseException | None) -> bool:
    """True for XML syntax errors (not for feedparser's encoding/content-type notices)."""
    import xml.sax

    return isinstance(exc, xml.sax.SAXException) and "Override" not in type(exc).__name__ \
        and "NonXML" not in type(exc).__name__


def _entry_date(entry: Any, item: str, notice: NoticeSink | None) -> date | None:
    for key in ("published_parsed", "updated_parsed"):
        if entry.get(key):
            return parse_date_lenient(entry[key], item, notice)
    for key in ("published", "updated"):
        if entry.get(key):
            return parse_date_lenient(entry[key], item, notice)
    return None


def read_feed(data: bytes, *, item: str, client: httpx.Client, settings: Settings,
              base_url: str | None = None, notice: NoticeSink | None = None) -> Iterator[Article | InputError]:
    """Parse a feed document and yield an Article (or an error) per entry, in feed order.

    ``base_url`` (the feed's own URL, when fetched) resolves relative entry links.
    Notices (dropped dates, fallbacks to the entry's own content) go to ``notice``.
    """
    import feedparser

    try:
        parsed = feedparser.parse(_no_bad_charrefs(data))
    except Exception as exc:  # feedparser's loose parser raises several kinds on broken input
        yield InputError("E107", item=item, detail=f"{type(exc).__name__}: {exc}")
        return
    if parsed.get("bozo") and not parsed.entries:
        broken = parsed.get("bozo_exception")
        yield InputError("E107", item=item, detail=f"{type(broken).__name__}: {broken}" if broken else "unreadable")
        return
    if not parsed.get("version") and not parsed.entries:
        yield InputError("E107", item=item, detail="not an RSS or Atom document")
        return
    damage = parsed.get("bozo_exception")
    if parsed.get("bozo") and _not_well_formed(damage):
        # The loose parser recovered some entries: report the damage, keep what was read.
        yield InputError("E107", item=item, detail=f"{damage}; {len(parsed.entries)} entries recovered")
    if not parsed.entries:
        log.info("%s: feed has no entries", item)
        return
    feed_title = parsed.feed.get("title") or None
    for index, entry in enumerate(parsed.entries):
        link = entry.get("link") or None
        if link and base_url:
            link = urljoin(base_url, link)
        where = link or f"{item}[entry {index}]"
        title = entry.get("title") or None
        published = _entry_date(entry, where, notice)
        failure: InputError | None = None
        if link:
            try:
                page = fetch(link, client, settings)
                yield article_from_html(page.content, item=link, url=page.url, origin=link, title=title,
                                        published=published, source=feed_title, notice=notice)
                continue
            except InputError as err:
                failure = err
        fallback = _entry_content(entry)
        if len(fallback) >= MIN_FALLBACK_CHARS:
            flags: tuple[str, ...] = ()
            if failure is not None:
                flags = (FEED_CONTENT,)
                emit(Notice("fallback", link or where,
                            f"the linked page could not be read ([{failure.code}] {failure.message}); "
                            "stored the feed entry's own content instead", field=FEED_CONTENT), notice)
            art = article_from_text(fallback, origin=link or where, title=title, url=link,
                                    source=feed_title, published=published, find_title=False)
            yield replace(art, flags=flags) if flags else art
        elif failure is not None:
            yield failure
        else:
            yield InputError("E108", item=where,
                             detail=f"feed entry has no link and only {len(fallback)} characters of content")


__all__ = ["FEED_CONTENT", "MIN_FALLBACK_CHARS", "html_fragment_to_text", "looks_like_feed", "read_feed"]
