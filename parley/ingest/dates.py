"""Publication dates from records, pages and feeds, as :class:`datetime.date`."""
from __future__ import annotations

import logging
import re
import time
from datetime import date, datetime
from typing import Any

from ..errors import Arg, UsageError
from .notices import Notice, NoticeSink, emit

log = logging.getLogger(__name__)

_MAX_DATE_CHARS = 100


def parse_date(value: Any) -> date | None:
    """A date from an ISO string, a ``datetime``/``date``, a ``time.struct_time`` or free text.

    ISO forms are parsed directly (fast); anything else goes to ``dateparser``.
    Returns ``None`` for empty values; raises :class:`~parley.errors.UsageError` E903 (a
    ``ValueError``) for text that is not a date.
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
        raise UsageError("E903", arg=Arg("value"), value=value, detail=f"a {type(value).__name__}, not a string")
    raw = value.strip()
    if not raw:
        return None
    if len(raw) > _MAX_DATE_CHARS:  # free-text parsing of a long string is slow and never a date
        raise UsageError("E903", arg=Arg("value"), value=raw[:40] + "...", detail=f"{len(raw)} characters")
    try:
        return date.fromisoformat(raw[:10]) if len(raw) == 10 else datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    import dateparser  # slow to import; only needed for free-text dates

    try:
        parsed = dateparser.parse(raw, settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
    except (ValueError, OverflowError) as exc:
        raise UsageError("E903", arg=Arg("value"), value=raw, detail=str(exc)) from None
    if parsed is None:
        raise UsageError("E903", arg=Arg("value"), value=raw, detail="no date format reads it")
    day: date = parsed.date()
    return day


def parse_date_lenient(value: Any, item: str, notice: NoticeSink | None = None,
                       field: str = "published") -> date | None:
    """:func:`parse_date`, but an unreadable date is dropped (the article is kept) and reported
    as a ``dropped`` :class:`~parley.ingest.notices.Notice` (E114) to ``notice`` (logged without one)."""
    try:
        return parse_date(value)
    except UsageError as exc:
        emit(Notice("dropped", item, f"not a date: {exc.fields['value']!r} ({exc.fields['detail']})", field=field),
             notice)
        return None
    except ValueError as exc:      # datetime's own range checks
        emit(Notice("dropped", item, f"not a date: {value!r} ({exc})", field=field), notice)
        return None


_MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), 1) for m in names}
_MONTH = r"(?P<mon>(?i:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r"))\.?"
_DAY, _YEAR = r"(?P<day>[0-3]?\d)", r"(?P<year>(?:19|20)\d\d)"
# A dateline opens the text: an optional place in capitals ("WASHINGTON," / "KYIV, Ukraine,"), a full
# date with its year, an optional agency in brackets, then a dash (or the end of the first line).
_DATELINE = re.compile(
    r"\A\s*(?:[A-Z][A-Z .'\-]{1,40}(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?,\s*)?"
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"|" + _DAY.replace("day", "day2") + r"\s+"
    + _MONTH.replace("mon", "mon2") + r",?\s+" + _YEAR.replace("year", "year2") + r")"
    r"\s*(?:\([A-Za-z .&]{1,30}\))?\s*(?:[\u2014\u2013\u2015\x97-]{1,3}|\n)")


def dateline_date(text: str) -> date | None:
    """The date of the text's own dateline, when it opens with one ("KYIV, March 3, 2016 (Reuters) -").

    Strict on purpose: the date must carry its year and be followed by a dash or the end of the
    first line, so a date quoted in the story ("on Sept. 11, 2001"), a photo caption or a birth
    date is never taken for the article's. ``None`` when there is no such dateline. A dateline
    without a year, or "on Monday", needs a known publication date and is not read here.
    """
    m = _DATELINE.match(text[:200])
    if not m:
        return None
    mon = (m.group("mon") or m.group("mon2")).lower()
    day = int(m.group("day") or m.group("day2"))
    year = int(m.group("year") or m.group("year2"))
    try:
        return date(year, _MONTHS[mon], day)
    except ValueError:
        return None


__all__ = ["parse_date", "parse_date_lenient", "dateline_date"]
