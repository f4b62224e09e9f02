"""Plain-text articles, and the byte checks every local input goes through.

A text file's first line is its title when more text follows and it looks
like a headline (short, not ending like a sentence, or set off by a blank
line). The article ``text`` is the *whole* file (title line included, line
endings normalised to ``\\n``, a UTF-8 byte-order mark dropped), so evidence
offsets point into the file exactly as the user sees it; this matches the seed
article's gold offsets in ``shared/docs/positions.md`` (the first body
sentence starts at 73, right after the 72-character title line).
"""
from __future__ import annotations

import logging
from datetime import date

from ..config import Settings
from ..errors import InputError
from ..model import Article
from .language import detect_language

log = logging.getLogger(__name__)

_BINARY_SNIFF = 8192           # bytes looked at for NUL bytes
_CONTROL_RATIO = 0.10          # share of control characters that marks "binary"
_TITLE_MAX = 200               # a longer first line is body text
_ALLOWED_CONTROL = {"\t", "\n", "\r", "\f", "\v"}


def decode_bytes(data: bytes, item: str, settings: Settings) -> str:
    """Check and decode one input's bytes to ``str``.

    Raises ``InputError`` E104 (over ``settings.max_bytes``), E101 (empty),
    E102 (binary: NUL bytes or mostly control characters), E103 (not UTF-8).
    Line endings become ``\\n``; a UTF-8 byte-order mark is dropped.
    """
    if len(data) > settings.max_bytes:
        raise InputError("E104", item=item, size=len(data), limit=settings.max_bytes)
    if not data.strip():
        raise InputError("E101", item=item)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("E103", item=item, detail="UTF-16 byte-order mark")
    head = data[:_BINARY_SNIFF]
    nul = head.find(b"\x00")
    if nul >= 0:
        raise InputError("E102", item=item, detail=f"NUL byte at offset {nul}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("E103", item=item,
                         detail=f"byte 0x{data[exc.start]:02x} at offset {exc.start}") from None
    sample = text[:_BINARY_SNIFF]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in _ALLOWED_CONTROL)
    if control > _CONTROL_RATIO * len(sample):
        raise InputError("E102", item=item, detail=f"{control} control characters in the first {len(sample)}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("E101", item=item)
    return text


def unstorable(value: str | None) -> str | None:
    """Why a string cannot be stored as text (a NUL character, which PostgreSQL refuses; an unpaired
    surrogate, which no encoding holds), or None when it can."""
    if not value:
        return None
    if "\x00" in value:
        return f"NUL character at offset {value.index(chr(0))}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"unpaired surrogate U+{ord(value[exc.start]):04X} at offset {exc.start}"
    return None


def check_strings(item: str, **values: str | None) -> None:
    """Raise the InputError for the first unstorable value: E102 (NUL) / E103 (surrogate) for
    ``text``, E111 for any other field."""
    for name, value in values.items():
        why = unstorable(value)
        if why:
            code = ("E102" if why.startswith("NUL") else "E103") if name == "text" else "E111"
            raise InputError(code, item=item, detail=f"{name!r}: {why}")


def split_title(text: str) -> str | None:
    """The first line of ``text`` when it reads as a title, else ``None``."""
    stripped = text.lstrip()
    first, sep, rest = stripped.partition("\n")
    first = first.strip()
    if not sep or not rest.strip() or not first:
        return None
    blank_after = rest.startswith("\n") or rest.split("\n", 1)[0].strip() == ""
    if blank_after and len(first) <= 2 * _TITLE_MAX:
        return first
    if len(first) <= _TITLE_MAX and not first.endswith((".", ",", ";", ":")):
        return first
    return None


def article_from_text(text: str, *, origin: str | None, title: str | None = None,
                      url: str | None = None, source: str | None = None,
                      published: date | None = None, external_id: str | None = None,
                      language: str | None = None, find_title: bool = True) -> Article:
    """An :class:`Article` from decoded text; with ``find_title`` a headline first line becomes the title."""
    if title is None and find_title:
        title = split_title(text)
    return Article.create(text, title=title, url=url, source=source, published=published,
                          language=language or detect_language(text), origin=origin,
                          external_id=external_id)


__all__ = ["article_from_text", "check_strings", "decode_bytes", "split_title", "unstorable"]
