"""Shifts: changes of stance by one resolved actor on one issue across articles.

Two sources, both cited before and after:

* **detected**: the actor's stances on an issue, article by article in date
  order; when an article's stances on the issue share none with the previous
  article's, that is a shift (previous article's sentence -> this one's);
* **announced**: a position whose ``previous_stance`` says the article itself
  reports a change; when an earlier article shows that previous stance, it is
  cited as the "before" sentence, else the announcing sentence is cited for both.

A detected and an announced shift landing on the same "after" sentence are
reported once (``announced=True``).

Undated articles cannot be put in order: they take no part in detected shifts,
and an announced shift in an undated article is undated, so a ``since``/``until``
selection leaves it out unless ``include_undated`` is given.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from ..model import Evidence, Position, Shift
from .actors import ActorMatch
from .ledger import Ledger, check_range, in_range

__all__ = ["detect_shifts"]


def detect_shifts(ledger: Ledger, since: date | None = None, actor: str | ActorMatch | None = None,
                  issue: str | None = None, until: date | None = None,
                  include_undated: bool = False) -> list[Shift]:
    """Every shift (oldest first, undated ones last); ``since``/``until`` keep those whose "after" is dated
    in that range (undated ones too with ``include_undated``)."""
    check_range(since, until)
    names = set(ledger.select(actor)) if actor else None
    groups: dict[tuple[str, str], list[Position]] = defaultdict(list)
    for p in ledger.positions:
        if names is not None and p.actor not in names:
            continue
        if issue and p.issue != issue:
            continue
        groups[(p.actor, p.issue)].append(p)
    shifts: list[Shift] = []
    for (who, iss), ps in sorted(groups.items()):
        ps.sort(key=ledger.order_key)
        by_article: list[tuple[str, list[Position]]] = []
        for p in ps:
            if ledger.when(p)[0] is None:
                continue                  # no place in time: no detected shift
            aid = p.article_id or ""
            if by_article and by_article[-1][0] == aid:
                by_article[-1][1].append(p)
            else:
                by_article.append((aid, [p]))
        found: dict[tuple[Any, ...], Shift] = {}
        for (_, prev), (_, cur) in zip(by_article, by_article[1:]):
            before = {p.stance for p in prev}
            changed = [p for p in cur if p.stance not in before]
            if before.isdisjoint({p.stance for p in cur}) and changed:
                b, a = prev[-1], changed[0]
                found[_key(a)] = _shift(ledger, who, iss, b, a, announced=bool(a.previous_stance))
        for i, p in enumerate(ps):
            if not p.previous_stance or p.previous_stance == p.stance:
                continue
            earlier = [q for q in ps[:i] if q.stance == p.previous_stance and q.article_id != p.article_id
                       and ledger.when(q)[0] is not None]
            b = earlier[-1] if earlier else p
            found[_key(p)] = _shift(ledger, who, iss, b, p, announced=True, before_stance=p.previous_stance)
        shifts.extend(found.values())
    shifts = [s for s in shifts if in_range(s.date_after, since, until, include_undated)]
    shifts.sort(key=lambda s: (s.date_after is None, s.date_after or date.min, s.actor, s.issue))
    return shifts


def _key(p: Position) -> tuple[str | None, int, int, str]:
    return (p.article_id, p.evidence.start, p.evidence.end, p.stance)


def _shift(ledger: Ledger, who: str, iss: str, b: Position, a: Position, announced: bool,
           before_stance: str | None = None) -> Shift:
    db, _ = ledger.when(b)
    da, _ = ledger.when(a)
    eb = b.evidence if b.evidence.article_id else Evidence(
        b.evidence.start, b.evidence.end, b.evidence.text, b.article_id, b.evidence.cue)
    ea = a.evidence if a.evidence.article_id else Evidence(
        a.evidence.start, a.evidence.end, a.evidence.text, a.article_id, a.evidence.cue)
    return Shift(actor=who, issue=iss, before=before_stance or b.stance, after=a.stance,
                 evidence_before=eb, evidence_after=ea, date_before=db, date_after=da,
                 proposition=a.proposition or b.proposition, announced=announced,
                 before_id=b.id, after_id=a.id)


def shift_to_dict(s: Shift) -> dict[str, Any]:
    def ev(e: Evidence | None) -> dict[str, Any] | None:
        return None if e is None else {"article_id": e.article_id, "start": e.start, "end": e.end, "text": e.text}
    return {"actor": s.actor, "issue": s.issue, "before": s.before, "after": s.after,
            "date_before": s.date_before.isoformat() if s.date_before else None,
            "date_after": s.date_after.isoformat() if s.date_after else None,
            "proposition": s.proposition, "announced": s.announced,
            "evidence_before": ev(s.evidence_before), "evidence_after": ev(s.evidence_after),
            "position_before": s.before_id, "position_after": s.after_id}
