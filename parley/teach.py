"""Labelling articles with a teacher extractor, in the training-set format (``parley label``).

The files follow ``shared/data/train/README.md`` (the same schema as ``shared/data/dev/``): one
``<id>.json`` per article with the article's ``id``, ``title``, ``url``, ``source``, ``published``,
``origin``, ``text`` and its ``positions``, each with the positions.md fields and ``evidence`` as
the verbatim sentence (no offsets). ``labelled_by`` says which teacher (name and version) wrote
it and when, so that a reviewer knows what to check; readers of the format ignore it.
``parley eval`` reads such a folder as a labelled set, and ``parley train`` as training data.

With the llm teacher every evidence sentence was anchored in the text (quotes not in the
article and labels outside the taxonomy were dropped), so each file passes the format's checks;
what a teacher gets wrong is left for review.
"""
from __future__ import annotations

import json
import logging
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, OutputError, ParleyError
from .extract.base import Extractor
from .model import Article, Position, utcnow

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class LabelReport:
    """What one :func:`label_articles` call did."""

    out_dir: Path
    written: list[Path] = field(default_factory=list)
    positions: int = 0
    errors: list[ParleyError] = field(default_factory=list)


def file_name(ident: str, taken: set[str]) -> str:
    """A file name for an article id: unsafe characters replaced, at most 120 characters, unique in ``taken``."""
    base = _UNSAFE.sub("_", ident).strip("._") or "article"
    base = base[:120]
    name, n = f"{base}.json", 1
    while name in taken:
        n += 1
        name = f"{base}-{n}.json"
    taken.add(name)
    return name


def labelled_position(p: Position) -> dict[str, Any]:
    """One position as the labelled sets store it (evidence: the sentence alone)."""
    return {"actor": p.actor, "aliases": list(p.aliases), "issue": p.issue, "proposition": p.proposition,
            "stance": p.stance, "conditions": list(p.conditions), "red_line": p.red_line,
            "previous_stance": p.previous_stance, "evidence": p.evidence.text}


def labelled_record(article: Article, positions: list[Position], teacher: str, version: str) -> dict[str, Any]:
    """The labelled file's content for ``article``."""
    return {
        "id": article.external_id or article.id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "origin": article.origin,
        "text": article.text,
        "positions": [labelled_position(p) for p in positions],
        "labelled_by": {"teacher": teacher, "version": version, "labelled_at": utcnow().isoformat()},
    }


def label_articles(items: Iterable[Article | InputError], extractor: Extractor, out_dir: str | Path, *,
                   force: bool = False, inputs: Iterable[str] = (),
                   on_error: Callable[[ParleyError], None] | None = None,
                   on_written: Callable[[Path, int], None] | None = None) -> LabelReport:
    """Label every article of ``items`` with ``extractor`` and write one file each into ``out_dir``.

    ``out_dir`` is created when missing. A file that exists already is kept (E213, the article is
    not sent to the teacher) unless ``force``; a file that is one of ``inputs`` or inside an input
    folder is never written (E212). Input errors, refused files and failed articles (E3xx) go to
    ``on_error`` and ``report.errors``; the others are written whole or not at all."""
    from .extract.bounded import bounded
    from .outfile import atomic_write, check_output

    out = Path(out_dir)
    report = LabelReport(out)
    if out.exists() and not out.is_dir():
        raise OutputError("E214", item=str(out), detail="it is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("E214", item=str(out), detail=exc.strerror or str(exc)) from None
    inputs = [str(x) for x in inputs]
    taken: set[str] = set()
    targets: deque[Path] = deque()

    def fail(err: ParleyError) -> None:
        report.errors.append(err)
        if on_error is not None:
            on_error(err)
        else:
            log.warning("%s", err)

    def todo() -> Iterator[Article]:
        for item in items:
            if isinstance(item, InputError):
                fail(item)
                continue
            name = file_name(item.external_id or item.id, taken)
            try:
                targets.append(check_output(out / name, force=force, inputs=inputs))
            except OutputError as err:
                fail(err)
                continue
            yield item

    runner = bounded(extractor)
    for outcome in runner.outcomes(todo()):
        target = targets.popleft()
        if outcome.error is not None:
            fail(outcome.error)
            continue
        record = labelled_record(outcome.article, outcome.positions, runner.name, runner.version)
        try:
            with atomic_write(target, "w") as fh:
                fh.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        except OutputError as err:
            fail(err)
            continue
        report.written.append(target)
        report.positions += len(outcome.positions)
        if on_written is not None:
            on_written(target, len(outcome.positions))
    return report


__all__ = ["LabelReport", "label_articles", "labelled_record", "labelled_position", "file_name"]
