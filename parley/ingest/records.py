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
from typing import Any, BinaryIO, Iterator

from ..errors import InputError
from ..model import Article
from .dates import parse_date_lenient
from .text import article_from_text

log = logging.getLogger(__name__)

_TEXT_FIELDS = ("text", "content", "body")
_STR_FIELDS = ("title", "url", "source", "origin", "language")


def article_from_record(record: Any, *, item: str) -> Article:
    """One JSON object -> Article. Raises E106 (not an object), E108 (no text), E111 (bad field)."""
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
    return article_from_text(
        text,
        origin=values["origin"] or item,
        title=values["title"],
        find_title=False,
        url=values["url"],
        source=values["source"],
        published=parse_date_lenient(record.get("published"), item),
        external_id=None if ext is None else str(ext),
        language=values["language"],
    )


def _json_error_detail(exc: json.JSONDecodeError) -> str:
    return f"line {exc.lineno} column {exc.colno}: {exc.msg}"


def read_json(text: str, *, item: str) -> Iterator[Article | InputError]:
    """A JSON document holding one record or a list of records."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputError("E106", item=item, detail=_json_error_detail(exc))
        return
    if isinstance(data, list):
        if not data:
            yield InputError("E101", item=item)
        for index, record in enumerate(data):
            try:
                yield article_from_record(record, item=f"{item}[{index}]")
            except InputError as err:
                yield err
    else:
        try:
            yield article_from_record(data, item=item)
        except InputError as err:
            yield err


def _jsonl_line(line: str, where: str) -> Article | InputError:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError("E106", item=where, detail=f"column {exc.colno}: {exc.msg}")
    try:
        return article_from_record(record, item=where)
    except InputError as err:
        return err


def read_jsonl(text: str, *, item: str) -> Iterator[Article | InputError]:
    """JSON Lines: one record per line; blank lines are skipped."""
    seen = False
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        seen = True
        yield _jsonl_line(line, f"{item}:{lineno}")
    if not seen:
        yield InputError("E101", item=item)


def read_jsonl_stream(fh: BinaryIO, *, item: str, max_bytes: int) -> Iterator[Article | InputError]:
    """JSON Lines from a binary file, line by line (memory stays flat on big corpora).

    Each line is checked on its own: over ``max_bytes`` is E104, bad UTF-8 is
    E103, bad JSON is E106, all naming ``item:LINE``.
    """
    seen = False
    for lineno, raw in enumerate(fh, start=1):
        where = f"{item}:{lineno}"
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen = True
        if len(raw) > max_bytes:
            yield InputError("E104", item=where, size=len(raw), limit=max_bytes)
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputError("E103", item=where, detail=f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1}")
            continue
        yield _jsonl_line(line, where)
    if not seen:
        yield InputError("E101", item=item)


__all__ = ["article_from_record", "read_json", "read_jsonl", "read_jsonl_stream"]
