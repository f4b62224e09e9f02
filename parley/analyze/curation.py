"""Curated actor decisions as library calls: merge, split, unlink and side.

``parley actors merge/split/unlink/side`` and the API (``POST /api/v1/actors/merge`` ...) both call
these. Each writes the curated link (``actor_links``, authoritative over automatic resolution), then
has the kept ledger re-resolve the actors it touches (:func:`parley.analyze.kept.curate`). Names go
through the one resolver; a match that is not exact is returned in ``notices`` for the caller to say.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import AnalysisError
from ..store.base import ActorLink
from .actors import SIDE_PREFIX, store_link

if TYPE_CHECKING:
    from ..store.sql import SqlStore
    from .actors import ActorMatch
    from .ledger import Ledger

__all__ = ["CurationResult", "merge", "split", "unlink", "set_side"]

Action = Literal["merged", "split", "unlinked", "side", "unchanged"]


@dataclass
class CurationResult:
    """What a curation call did: ``a`` and ``b`` as stored in the link, a line for people, and the
    notes on names matched by a close spelling."""

    action: Action
    a: str
    b: str
    message: str
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "a": self.a, "b": self.b, "message": self.message, "notices": self.notices}


def _names(store: SqlStore, taxonomy: str | None) -> tuple[str | None, Ledger]:
    from . import kept
    from .ledger import Ledger

    tax = store.choose_taxonomy(taxonomy)
    if tax is None:
        return None, Ledger.build([])
    return tax, kept.ledger(store, tax, [])


def _lookup(ledger: Ledger, name: str, notices: list[str]) -> ActorMatch:
    m = ledger.lookup(name)
    note = m.notice()
    if note:
        notices.append(note)
    return m


def _name_or_form(store: SqlStore, tax: str | None, ledger: Ledger, name: str, notices: list[str]) -> str:
    """A record's canonical name, or a surface form some position uses (an alias or description the
    extractor gave, "Vardenian leader"); E501 when neither."""
    try:
        return _lookup(ledger, name, notices).record.name
    except AnalysisError as exc:
        if exc.code not in ("E501", "E507"):
            raise
        folded = name.strip().casefold()
        if tax is not None:
            for p in store.ledger.points(tax):
                for form in (p.position.actor, *p.position.aliases):
                    if form.casefold() == folded:
                        return form
        if exc.code == "E507":
            return name.strip()
        raise


def _delete(store: SqlStore, alias: str, canonical: str, kind: str) -> int:
    n = 0
    for ln in store.actor_links():
        if ln.alias == alias and ln.canonical == canonical and ln.kind == kind:
            n += store.delete_actor_link(alias, canonical)
    return n


def _kept(store: SqlStore, tax: str | None, *names: str) -> None:
    from . import kept

    kept.curate(store, tax, names)


def merge(store: SqlStore, a: str, b: str, taxonomy: str | None = None) -> CurationResult:
    """Merge actor B into actor A (A's name is kept); removes any split between them. B may be a form
    the extractor used ("Vardenian leader"); merging twice changes nothing."""
    notices: list[str] = []
    tax, ledger = _names(store, taxonomy)
    ca = _lookup(ledger, a, notices).record.name
    cb = _name_or_form(store, tax, ledger, b, notices)
    if ca == cb:
        return CurationResult("unchanged", ca, cb, f"{b!r} is already {ca!r}", notices)
    for x, y in ((cb, ca), (ca, cb), (b, a), (a, b)):
        _delete(store, x, y, "split")
    store.set_actor_link(ActorLink(cb, ca, "merge", "manual", 1.0))
    _kept(store, tax, ca, cb, a, b)
    return CurationResult("merged", ca, cb, f"merged {cb!r} into {ca!r}", notices)


def split(store: SqlStore, a: str, b: str, taxonomy: str | None = None) -> CurationResult:
    """Keep actors A and B apart (undoes a wrong merge; wins over automatic merging); each keeps its own
    aliases and mentions. E530 when A and B are one name."""
    notices: list[str] = []
    tax, ledger = _names(store, taxonomy)
    ca = _lookup(ledger, a, notices).record.name
    cb = _name_or_form(store, tax, ledger, b, notices)
    if b.strip().casefold() in (a.strip().casefold(), ca.casefold()):
        raise AnalysisError("E530", a=a, b=b)
    if ca == cb:
        cb = b.strip()            # a form of A's record ("Varga" in "Aldo Varga")
    for x, y in ((cb, ca), (ca, cb), (b, a), (a, b)):
        _delete(store, x, y, "merge")
    store.set_actor_link(ActorLink(cb, ca, "split", "manual", 1.0))
    _kept(store, tax, ca, cb, a, b)
    return CurationResult("split", ca, cb, f"split {cb!r} from {ca!r}", notices)


def unlink(store: SqlStore, a: str, b: str) -> CurationResult:
    """Forget the curated merge or split between A and B: automatic resolution decides again."""
    names = {a.strip(), b.strip()}
    gone = 0
    for ln in store.actor_links():
        if {ln.alias, ln.canonical} == names or ({ln.alias.casefold(), ln.canonical.casefold()} ==
                                                 {n.casefold() for n in names}):
            gone += store.delete_actor_link(ln.alias, ln.canonical)
    if not gone:
        return CurationResult("unchanged", a, b, f"no curated link between {a!r} and {b!r}")
    _kept(store, None, *names)
    return CurationResult("unlinked", a, b, f"removed {gone} curated link(s) between {a!r} and {b!r}")


def set_side(store: SqlStore, name: str, side: str, taxonomy: str | None = None) -> CurationResult:
    """Curate the side of actor NAME (kept as the evidence "curated"); SIDE ``-`` removes it."""
    notices: list[str] = []
    tax, ledger = _names(store, taxonomy)
    rec = _lookup(ledger, name, notices).record
    for ln in store.actor_links():
        if ln.canonical.startswith(SIDE_PREFIX) and ln.alias in (rec.name, name):
            store.delete_actor_link(ln.alias, ln.canonical)
    if side.strip() == "-":
        _kept(store, tax, rec.name)
        return CurationResult("side", rec.name, "-", f"removed the curated side of {rec.name!r}", notices)
    store.set_actor_link(store_link(ActorLink(rec.name, side.strip(), "side", "manual", 1.0)))
    _kept(store, tax, rec.name, side.strip())
    return CurationResult("side", rec.name, side.strip(), f"{rec.name!r} is on the side of {side.strip()!r} (curated)",
                          notices)
