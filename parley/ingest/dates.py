"""Publication dates from records, pages and feeds, as :class:`datetime.date`."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime
from typing import Any

from .notices import Notice, NoticeSink, emit

log = logging.getLogger(__name__)

_MAX_DATE_CHARS = 100


def parse_date(value: Any) -> date | None:
    """A date from an ISO string, a ``datetime``/``date``, a ``time.struct_time`` or free text.

    ISO forms are parsed directly (fast); anything else goes to ``dateparser``.
    Returns ``None`` for empty values; raises ``ValueError`` for text that is
    not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time.struct_time):
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    if not isinstance(value, str):
        raise ValueError(f"expected a date string, got {type(value).__name__}")
    raw = value.strip()
    if not raw:
        return None
    if len(raw) > _MAX_DATE_CHARS:  # free-text parsing of a long string is slow and never a date
        raise ValueError(f"not a date: {len(raw)} characters")
    try:
        return date.fromisoformat(raw[:10]) if len(raw) == 10 else datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    import dateparser  # slow to import; only needed for free-text dates

    parsed = dateparser.parse(raw, settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
    if parsed is None:
        raise ValueError(f"not a date: {raw!r}")
    return parsed.date()


def parse_date_lenient(value: Any, item: str, notice: "NoticeSink | None" = None,
                       field: str = "published") -> date | None:
    """:func:`parse_date`, but an unreadable date is dropped (the article is kept) and reported
    as a ``dropped`` :class:`~parley.ingest.notices.Notice` (E114) to ``notice`` (logged without one)."""
    try:
        return parse_date(value)
    except ValueError as exc:
        emit(Notice("dropped", item, str(exc), field=field), notice)
        return None


__all__ = ["parse_date", "parse_date_lenient"]
