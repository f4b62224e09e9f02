"""Labelled sets for training (``../shared/data/train/`` format, ``../shared/docs/labelling.md``).

:func:`load_labelled` reads a folder of ``*.json`` files (one article each: ``id``, ``text``,
``positions``; ``title`` optional) and checks every record against the taxonomy in use, so a
training run stops at the first bad record with E310 naming the file, the record and the
reason, before any time is spent on parsing.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ExtractError
from ..evaluate import locate_sentence
from ..model import STANCES

REQUIRED = ("actor", "issue", "stance", "evidence")


@dataclass(frozen=True)
class LabelledPosition:
    actor: str
    aliases: tuple[str, ...]
    issue: str
    stance: str
    conditions: tuple[str, ...]
    red_line: bool
    previous_stance: str | None
    evidence: str
    span: tuple[int, int]          # evidence offsets in the text


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    text: str
    title: str | None
    positions: tuple[LabelledPosition, ...]
    path: str


def _bad(item: str, detail: str) -> ExtractError:
    return ExtractError("E310", item=item, detail=detail)


def _position(raw: Any, where: str, text: str, labels: Sequence[str]) -> LabelledPosition:
    if not isinstance(raw, dict):
        raise _bad(where, f"a position must be an object, not {type(raw).__name__}")
    missing = [k for k in REQUIRED if not raw.get(k)]
    if missing:
        raise _bad(where, "missing " + ", ".join(missing))
    if raw["issue"] not in labels:
        raise _bad(where, f"issue {raw['issue']!r} is not a label of the taxonomy ({', '.join(labels)})")
    if raw["stance"] not in STANCES:
        raise _bad(where, f"stance {raw['stance']!r} is not one of {', '.join(STANCES)}")
    prev = raw.get("previous_stance")
    if prev is not None and prev not in STANCES:
        raise _bad(where, f"previous_stance {prev!r} is not one of {', '.join(STANCES)} or null")
    conds = raw.get("conditions") or []
    aliases = raw.get("aliases") or []
    if not isinstance(conds, list) or not all(isinstance(c, str) for c in conds):
        raise _bad(where, "conditions must be a list of strings")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _bad(where, "aliases must be a list of strings")
    if not isinstance(raw["evidence"], str):
        raise _bad(where, "evidence must be the sentence as a string")
    span = locate_sentence(text, raw["evidence"])
    if span is None:
        raise _bad(where, "the evidence sentence is not in the article text")
    return LabelledPosition(actor=str(raw["actor"]), aliases=tuple(aliases), issue=raw["issue"], stance=raw["stance"],
                            conditions=tuple(conds), red_line=bool(raw.get("red_line", False)), previous_stance=prev,
                            evidence=raw["evidence"], span=span)


def load_labelled(folder: str | Path, labels: Sequence[str]) -> list[LabelledArticle]:
    """Every labelled article of ``folder`` (sorted by file name), checked against ``labels``."""
    path = Path(folder)
    if not path.is_dir():
        raise _bad(str(path), "not a folder of labelled *.json files")
    files = sorted(path.glob("*.json"))
    if not files:
        raise _bad(str(path), "holds no *.json files")
    out: list[LabelledArticle] = []
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise _bad(str(f), f"unreadable ({exc})") from None
        except json.JSONDecodeError as exc:
            raise _bad(str(f), f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(data, dict):
            raise _bad(str(f), "the file must hold one article object")
        if not isinstance(data.get("text"), str) or not data["text"].strip():
            raise _bad(str(f), "missing 'text'")
        if not isinstance(data.get("positions"), list):
            raise _bad(str(f), "missing 'positions' list (an empty list means: no positions)")
        positions = tuple(_position(p, f"{f}, position {n + 1}", data["text"], labels)
                          for n, p in enumerate(data["positions"]))
        title = data.get("title") if isinstance(data.get("title"), str) else None
        out.append(LabelledArticle(id=str(data.get("id") or f.stem), text=data["text"], title=title,
                                   positions=positions, path=str(f)))
    return out
