"""Reading a model's answer: the JSON object, then each position checked against the article and
the taxonomy. Nothing the model says is taken on trust:

* the answer must be one JSON object ``{"positions": [...]}`` (code fences and prose around it are
  tolerated, for servers without a JSON mode); otherwise :class:`BadAnswer` (the caller retries once);
* a position whose ``evidence`` is not in the article (:mod:`.anchor`) is dropped, counted as
  ``unquoted``;
* a position whose ``issue`` is not a label of the taxonomy (case, spaces and hyphens aside) is
  dropped, counted as ``off_taxonomy``;
* a position without an actor, with a stance outside support/oppose/conditional/mixed, or
  ``conditional`` without conditions, is dropped, counted as ``malformed``;
* what can be repaired is: conditions of a non-conditional stance are cleared, a ``previous_stance``
  that is not a stance or equals the stance becomes null, aliases the article never uses are removed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...model import STANCES, Article, Evidence, Position
from .anchor import Anchorer, normalise

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_THINK = re.compile(r"<think>.*?</think>", re.S)
MAX_STARTS = 50           # places where a JSON value may start, tried in an answer with prose around it


class BadAnswer(ValueError):
    """The answer is not the JSON object asked for."""


@dataclass
class Drops:
    """Positions of one answer left out, by reason."""

    unquoted: int = 0
    off_taxonomy: int = 0
    malformed: int = 0
    details: list[str] = field(default_factory=list)     # a few examples, for the log

    def add(self, reason: str, detail: str) -> None:
        setattr(self, reason, getattr(self, reason) + 1)
        if len(self.details) < 5:
            self.details.append(f"{reason}: {detail}")

    @property
    def total(self) -> int:
        return self.unquoted + self.off_taxonomy + self.malformed


def _positions(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and isinstance(data.get("positions"), list):
        return list(data["positions"])
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        return data
    return None


def parse_answer(content: str | None) -> list[Any]:
    """The ``positions`` list of an answer (BadAnswer when there is none).

    Besides a bare JSON object, accepted: code fences around it, a reasoning model's
    ``<think>...</think>`` before it, and prose around it (the first ``{...}`` that decodes to an
    object with a ``positions`` list wins)."""
    if content is None or not content.strip():
        raise BadAnswer("empty answer")
    text = _THINK.sub("", content).strip()
    text = _FENCE.sub("", text).strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as first:
        decoder = json.JSONDecoder()
        for m in list(re.finditer(r"[{\[]", text))[:MAX_STARTS]:
            try:
                data, _ = decoder.raw_decode(text, m.start())
            except json.JSONDecodeError:
                continue
            found = _positions(data)
            if found is not None:
                return found
        raise BadAnswer(f"not JSON ({first.msg} at character {first.pos})") from None
    found = _positions(data)
    if found is not None:
        return found
    shape = sorted(data)[:5] if isinstance(data, dict) else type(data).__name__
    raise BadAnswer(f"expected an object with a 'positions' list, got {shape}")


def _label_key(label: str) -> str:
    return re.sub(r"[\s-]+", "_", label.strip().lower())


def _str(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _strs(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for v in value:
        s = _str(v)
        if s and s not in out:
            out.append(s)
    return out


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


class AnswerReader:
    """Turns the answers for one text into Positions anchored in it (offsets into ``article.text``).

    ``offset`` is where the text sent to the model starts in the article (parts of long articles)."""

    def __init__(self, article: Article, labels: tuple[str, ...], *, name: str, version: str,
                 start: int = 0, end: int | None = None) -> None:
        self.article = article
        self.start = start
        self.end = len(article.text) if end is None else end
        self.anchorer = Anchorer(article.text[start:self.end])
        self.labels = {_label_key(x): x for x in labels}
        self.name, self.version = name, version
        self._article_norm = normalise(article.text).lower()

    def positions(self, items: list[Any], drops: Drops) -> list[Position]:
        out: list[Position] = []
        for n, item in enumerate(items):
            pos = self._one(item, n, drops)
            if pos is not None:
                out.append(pos)
        return out

    def _one(self, item: Any, n: int, drops: Drops) -> Position | None:
        if not isinstance(item, dict):
            drops.add("malformed", f"item {n} is {type(item).__name__}, not an object")
            return None
        actor = _str(item.get("actor"))
        stance = _str(item.get("stance")).lower()
        if not actor or stance not in STANCES:
            drops.add("malformed", f"item {n}: actor {actor!r}, stance {stance!r}")
            return None
        raw_issue = _str(item.get("issue"))
        issue = self.labels.get(_label_key(raw_issue))
        if issue is None:
            drops.add("off_taxonomy", f"item {n}: issue {raw_issue!r}")
            return None
        conditions = _strs(item.get("conditions"))
        if stance == "conditional" and not conditions:
            drops.add("malformed", f"item {n}: conditional without conditions")
            return None
        if stance != "conditional":
            conditions = []
        aliases = [a for a in _strs(item.get("aliases"))
                   if a != actor and normalise(a).lower() in self._article_norm]
        quote = item.get("evidence")
        if isinstance(quote, dict):          # {"text": ...} from a model imitating positions.md
            quote = quote.get("text")
        anchor = self.anchorer.anchor(quote, [actor, *aliases]) if isinstance(quote, str) else None
        if anchor is None:
            shown = quote if isinstance(quote, str) else repr(quote)
            drops.add("unquoted", f"item {n}: {shown[:80]!r}")
            return None
        previous = _str(item.get("previous_stance")).lower() or None
        if previous not in STANCES or previous == stance:
            previous = None
        s, e = self.start + anchor.start, self.start + anchor.end
        aid = self.article.id
        return Position(
            actor=actor, issue=issue, stance=stance,
            evidence=Evidence(s, e, self.article.text[s:e], aid),
            proposition=_str(item.get("proposition")), aliases=tuple(aliases), conditions=tuple(conditions),
            red_line=_bool(item.get("red_line")), previous_stance=previous,
            confidence=1.0 if anchor.exact else 0.9,
            extractor=self.name, extractor_version=self.version, article_id=aid)


__all__ = ["BadAnswer", "Drops", "AnswerReader", "parse_answer"]
