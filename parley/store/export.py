"""Positions to and from files: JSON Lines, CSV and Parquet.

* JSONL: one positions.md-shaped object per line (``Position.to_dict()`` plus
  ``id``; ``article_id``, ``published``, ``extractor`` ride along).
* CSV and Parquet: one flat row per position with the columns of
  :data:`FIELDS`; in CSV the list columns (``aliases``, ``conditions``) hold
  JSON arrays, in Parquet they are ``list<string>``.

Every format reads back to equal :class:`~parley.model.Position` objects
(:func:`read_positions`), evidence offsets included.
"""
from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

from ..errors import Arg, UsageError
from ..model import Evidence, Position
from ..outfile import atomic_path, atomic_write

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "parquet")

#: flat columns of CSV and Parquet exports, in order
FIELDS = (
    "id", "article_id", "published", "actor", "aliases", "issue", "proposition", "stance",
    "conditions", "red_line", "previous_stance", "evidence_start", "evidence_end", "evidence_text",
    "cue", "confidence", "speaker", "extractor", "extractor_version",
)


def position_json(p: Position) -> dict[str, Any]:
    """The positions.md shape with extras, plus the store ``id``."""
    d = p.to_dict()
    if p.article_id and "article_id" not in d:
        d["article_id"] = p.article_id
    d["confidence"] = p.confidence
    if p.id is not None:
        d["id"] = p.id
    return d


def position_record(p: Position) -> dict[str, Any]:
    """One flat row (lists kept as lists)."""
    return {
        "id": p.id, "article_id": p.article_id or p.evidence.article_id, "published": p.published,
        "actor": p.actor, "aliases": list(p.aliases), "issue": p.issue, "proposition": p.proposition,
        "stance": p.stance, "conditions": list(p.conditions), "red_line": bool(p.red_line),
        "previous_stance": p.previous_stance, "evidence_start": p.evidence.start,
        "evidence_end": p.evidence.end, "evidence_text": p.evidence.text, "cue": p.evidence.cue,
        "confidence": p.confidence, "speaker": p.speaker, "extractor": p.extractor,
        "extractor_version": p.extractor_version,
    }


def position_from_record(r: dict[str, Any]) -> Position:
    """Inverse of :func:`position_record` (accepts CSV strings as well as typed values)."""
    def lst(v: Any) -> tuple[str, ...]:
        if v is None or v == "":
            return ()
        return tuple(json.loads(v)) if isinstance(v, str) else tuple(v)

    def opt(v: Any) -> Any:
        return None if v in (None, "") else v

    pub = opt(r.get("published"))
    if isinstance(pub, str):
        pub = date.fromisoformat(pub)
    red = r.get("red_line")
    if isinstance(red, str):
        red = red.strip().lower() in ("1", "true", "yes")
    article_id = opt(r.get("article_id"))
    rid = opt(r.get("id"))
    return Position(
        actor=r["actor"], issue=r["issue"], stance=r["stance"],
        evidence=Evidence(int(r["evidence_start"]), int(r["evidence_end"]), r["evidence_text"] or "",
                          article_id=article_id, cue=opt(r.get("cue"))),
        proposition=r.get("proposition") or "", aliases=lst(r.get("aliases")),
        conditions=lst(r.get("conditions")), red_line=bool(red),
        previous_stance=opt(r.get("previous_stance")), confidence=1.0 if opt(r.get("confidence")) is None else float(r["confidence"]),
        speaker=opt(r.get("speaker")), extractor=opt(r.get("extractor")),
        extractor_version=opt(r.get("extractor_version")), article_id=article_id, published=pub,
        id=None if rid is None else str(rid),
    )


def write_jsonl(positions: Iterable[Position], fh: IO[str]) -> int:
    """Write one JSON object per line; returns the count."""
    n = 0
    for p in positions:
        fh.write(json.dumps(position_json(p), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(positions: Iterable[Position], fh: IO[str]) -> int:
    """Write a header and one flat row per position; returns the count."""
    w = csv.DictWriter(fh, fieldnames=list(FIELDS))   # RFC 4180 "\r\n": fields holding \r or \n get quoted
    w.writeheader()
    n = 0
    for p in positions:
        r = position_record(p)
        r["aliases"] = json.dumps(r["aliases"], ensure_ascii=False)
        r["conditions"] = json.dumps(r["conditions"], ensure_ascii=False)
        r["published"] = r["published"].isoformat() if r["published"] else ""
        r["red_line"] = "true" if r["red_line"] else "false"
        w.writerow(r)
        n += 1
    return n


def _arrow_schema() -> Any:
    import pyarrow as pa

    s, i = pa.string(), pa.int64()
    return pa.schema([
        ("id", s), ("article_id", s), ("published", pa.date32()), ("actor", s), ("aliases", pa.list_(s)),
        ("issue", s), ("proposition", s), ("stance", s), ("conditions", pa.list_(s)), ("red_line", pa.bool_()),
        ("previous_stance", s), ("evidence_start", i), ("evidence_end", i), ("evidence_text", s), ("cue", s),
        ("confidence", pa.float64()), ("speaker", s), ("extractor", s), ("extractor_version", s),
    ])


def write_parquet(positions: Iterable[Position], path: str | Path) -> int:
    """Write a Parquet file with the flat columns (atomically); returns the count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [position_record(p) for p in positions]
    table = pa.Table.from_pylist(rows, schema=_arrow_schema())
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return len(rows)


def write_positions(positions: Iterable[Position], fmt: str, out: str | Path | IO[str]) -> int:
    """Write ``positions`` in ``fmt`` to a path or (jsonl/csv only) an open text stream.

    A path is written atomically (a temporary file renamed over it when complete; OSError
    is ``OutputError`` E214): a failed export never leaves a partial file. Whether the path
    may be written at all (not the database, not an existing file without --force) is
    the caller's check (:func:`parley.outfile.check_output`)."""
    if fmt not in FORMATS:
        raise UsageError("E901", arg=Arg("fmt"), value=fmt, known=", ".join(FORMATS))
    if fmt == "parquet":
        if not isinstance(out, (str, Path)):
            raise UsageError("E902", arg=Arg("out"), value=type(out).__name__)
        return write_parquet(positions, out)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    if isinstance(out, (str, Path)):
        with atomic_write(out, "w", encoding="utf-8", newline="") as fh:
            return writer(positions, fh)
    return writer(positions, out)


def read_positions(path: str | Path, fmt: str | None = None) -> list[Position]:
    """Read a file written by :func:`write_positions` (format from the extension when not given)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return [position_from_record(r) for r in pq.read_table(str(path)).to_pylist()]
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:   # newline="": keep \r inside quoted fields
            return [position_from_record(r) for r in csv.DictReader(fh)]
    text = path.read_text(encoding="utf-8")
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        return [Position.from_dict(d, article_id=d.get("article_id")) for d in rows]
    raise UsageError("E901", arg=Arg("fmt"), value=fmt, known=", ".join(FORMATS))


__all__ = ["FIELDS", "FORMATS", "position_json", "position_record", "position_from_record",
           "write_positions", "read_positions", "write_jsonl", "write_csv", "write_parquet"]
