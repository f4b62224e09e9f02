"""JSON (one object or a list of objects) and JSON Lines records -> :class:`Article`.

Fields: ``text`` (required; ``content``/``body`` are accepted as synonyms),
``title``, ``published`` (ISO or free-text date), ``url``, ``source``, ``id``
(kept as ``external_id``), ``origin`` (the record's provenance; defaults to
the file location) and ``language`` (detected when absent). Other fields,
such as the dev set's ``positions``, are ignored.

Each record is its own item: a bad line of a .jsonl file or a bad element of
a JSON list yields its own error (``file:LINE`` / ``file[INDEX]``) and the
others go on.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import InputError
from ..model import Article
from .dates import parse_date_lenient
from .notices import NoticeSink
from .text import article_from_text, check_strings

log = logging.getLogger(__name__)

_TEXT_FIELDS = ("text", "content", "body")
_STR_FIELDS = ("title", "url", "source", "origin", "language")


def article_from_record(record: Any, *, item: str, notice: NoticeSink | None = None) -> Article:
    """One JSON object -> Article. Raises E106 (not an object), E108 (no text), E111 (bad field).

    An unreadable ``published`` is dropped and reported to ``notice`` (E114); the article is kept."""
    if not isinstance(record, dict):
        raise InputError("E106", item=item, detail=f"expected an object, got {type(record).__name__}")
    text = None
    for name in _TEXT_FIELDS:
        if name in record:
            text = record[name]
            break
    if text is None:
        raise InputError("E108", item=item, detail="field missing")
    if not isinstance(text, str):
        raise InputError("E108", item=item, detail=f"'text' is {type(text).__name__}, not a string")
    if not text.strip():
        raise InputError("E108", item=item, detail="'text' is empty")
    values: dict[str, str | None] = {}
    for name in _STR_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError("E111", item=item, detail=f"{name!r} must be a string, not {type(value).__name__}")
        values[name] = value or None
    ext = record.get("id")
    if ext is not None and not isinstance(ext, (str, int)):
        raise InputError("E111", item=item, detail=f"'id' must be a string or number, not {type(ext).__name__}")
    check_strings(item, text=text, id=None if ext is None else str(ext), **values)
    return article_from_text(
        text,
        origin=values["origin"] or item,
        title=values["title"],
        find_title=False,
        url=values["url"],
        source=values["source"],
        published=parse_date_lenient(record.get("published"), item, notice),
        external_id=None if ext is None else str(ext),
        language=values["language"],
    )


def _json_error_detail(exc: json.JSONDecodeError) -> str:
    return f"line {exc.lineno} column {exc.colno}: {exc.msg}"


def _loads(text: str) -> Any:
    """``json.loads`` whose failures are all ``JSONDecodeError`` (also absurdly deep nesting)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text[:1], 0) from None


def read_json(text: str, *, item: str, notice: NoticeSink | None = None) -> Iterator[Article | InputError]:
    """A JSON document holding one record or a list of records."""
    try:
        data = _loads(text)
    except json.JSONDecodeError as exc:
        yield InputError("E106", item=item, detail=_json_error_detail(exc))
        return
    if isinstance(data, list):
        if not data:
            yield InputError("E101", item=item)
        for index, record in enumerate(data):
            try:
                yield article_from_record(record, item=f"{item}[{index}]", notice=notice)
            except InputError as err:
                yield err
    else:
        try:
            yield article_from_record(data, item=item, notice=notice)
        except InputError as err:
            yield err


def _jsonl_line(line: str, where: str, notice: NoticeSink | None = None) -> Article | InputError:
    try:
        record = _loads(line)
    except json.JSONDecodeError as exc:
        return InputError("E106", item=where, detail=f"column {exc.colno}: {exc.msg}")
    try:
        return article_from_record(record, item=where, notice=notice)
    except InputError as err:
        return err


def read_jsonl(text: str, *, item: str, notice: NoticeSink | None = None) -> Iterator[Article | InputError]:
    """JSON Lines: one record per line; blank lines are skipped."""
    seen = False
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        seen = True
        yield _jsonl_line(line, f"{item}:{lineno}", notice)
    if not seen:
        yield InputError("E101", item=item)


_SKIP_READ = 1 << 20      # bytes read at a time while skipping the rest of an over-long line


def bounded_lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line bytes, size)`` per line of ``fh``, never holding more than ``limit`` + 1 bytes
    of one line: a longer line is read past in bounded steps and comes as ``(n, None, its size)``."""
    lineno = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            size = len(raw)
            while True:
                more = fh.readline(_SKIP_READ)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield lineno, None, size
            continue
        yield lineno, raw, len(raw)


def read_jsonl_stream(fh: BinaryIO, *, item: str, max_bytes: int,
                      notice: NoticeSink | None = None) -> Iterator[Article | InputError]:
    """JSON Lines from a binary file, line by line (memory stays flat on big corpora).

    Each line is checked on its own: over ``max_bytes`` is E104 (the line is
    skipped without being held in memory, even when a file has no newline for
    gigabytes), bad UTF-8 is E103, bad JSON is E106, all naming ``item:LINE``.
    """
    seen = False
    for lineno, raw, size in bounded_lines(fh, max_bytes):
        where = f"{item}:{lineno}"
        if raw is None:
            seen = True
            yield InputError("E104", item=where, size=size, limit=max_bytes)
            continue
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen = True
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputError("E103", item=where, detail=f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1}")
            continue
        yield _jsonl_line(line, where, notice)
    if not seen:
        yield InputError("E101", item=item)


__all__ = ["article_from_record", "bounded_lines", "read_json", "read_jsonl", "read_jsonl_stream"]
