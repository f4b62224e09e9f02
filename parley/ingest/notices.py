"""Notices: what ingestion left out or changed without failing an item.

Errors (:class:`~parley.errors.InputError`) are items that could not be read at
all. A :class:`Notice` is the other half of one consistent policy: an item was
read, but something was *not* taken as given, and the user is told so:

========== ====== =================================================================
kind       code   when
========== ====== =================================================================
skipped    E113   a file in a folder is not an article type (CSV, PDF, Markdown...)
dropped    E114   a field value was unusable and dropped (a ``published`` that is not
                  a date); the article is kept without it
fallback   E115   an HTML page had no main text: its visible text was stored instead,
                  and the article is flagged ``visible_text``
========== ====== =================================================================

Readers report notices through a ``notice`` callback (``None``: they are logged
at WARNING, so nothing is ever dropped silently); :func:`parley.ingest.ingest_into`
counts them in its :class:`~parley.ingest.pipeline.IngestReport` and names them in
its summary, and ``parley extract --jsonl`` prints the same lines.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import Errors

log = logging.getLogger(__name__)

NoticeKind = Literal["skipped", "dropped", "fallback"]

_CODES: dict[NoticeKind, str] = {"skipped": "E113", "dropped": "E114", "fallback": "E115"}


@dataclass(frozen=True)
class Notice:
    """One thing ingestion did not take as given: ``kind``, the ``item`` it concerns, a coded message."""

    kind: NoticeKind
    item: str
    detail: str
    field: str | None = None          # the dropped field ("published"), or the flag set by a fallback

    @property
    def code(self) -> str:
        return _CODES[self.kind]

    @property
    def message(self) -> str:
        fields: dict[str, Any] = {"item": self.item, "detail": self.detail, "field": self.field}
        return str(getattr(Errors, self.code).format(**fields))

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


NoticeSink = Callable[[Notice], None]


def emit(notice: Notice, sink: NoticeSink | None) -> None:
    """Hand ``notice`` to ``sink``; without one, log it (WARNING) so it is never silent."""
    if sink is None:
        log.warning("%s", notice)
    else:
        sink(notice)


__all__ = ["Notice", "NoticeKind", "NoticeSink", "emit"]
