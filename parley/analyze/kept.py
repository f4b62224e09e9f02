"""The kept ledger: cross-article actor resolution, timelines and shifts computed when positions are
stored, kept in tables (:mod:`parley.store.ledger`), and read by the analysis commands, the API and
the dashboard instead of being recomputed on every call.

:func:`refresh` brings a taxonomy's tables up to date with its stored positions:

* **rebuild**: :func:`~parley.analyze.actors.resolve` over every position (with the curated links and
  every article's text), then every point, shift and side vote written again. Used for the first
  build, when the curated links changed behind the ledger's back, when many positions are new
  (more than :data:`REBUILD_SHARE` of them), and on request (``parley rebuild``). Actor ids are kept
  for names that survive.
* **update** (incremental): only the new positions are resolved, against the kept actors whose names
  they could join (the same name, a shared name word, a close surname, an acronym, a demonym): those
  actors enter the resolution as fixed records (their kept names curated into them and kept apart
  from each other), so a new name joins at most one of them or becomes a new actor. Sides are
  decided again for the actors that got new evidence, from every vote kept for them; shifts are
  recomputed only for the (actor, issue) pairs that got a point or lost one. An update never merges
  or splits actors already kept: the next rebuild reconsiders everything.

Curated merges, splits and sides (``actor_links``) stay authoritative: both modes apply them, and
:func:`curate` (called by ``parley actors merge/split/unlink/side/import`` and the API) re-resolves
the actors a new link touches. Readers call :func:`ensure` first, which updates the tables when
positions were stored by anything that did not (a test, another tool) and is one small query when
nothing is pending.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import TYPE_CHECKING, Any, Literal

from rapidfuzz import fuzz, process

from ..model import Article, Evidence, Position, Shift
from ..store.base import ActorLink
from .actors import SIDE_PREFIX, ActorRecord, Merge, Resolution, local_form, resolve
from .names import acronym, demonym_matches, key, parse_name
from .sides import SideEvidence, decide_side

if TYPE_CHECKING:
    from ..store.ledger import LedgerChange, LedgerTables
    from ..store.sql import SqlStore
    from .ledger import Ledger

log = logging.getLogger(__name__)

__all__ = ["RefreshReport", "refresh", "ensure", "rebuild", "curate", "resolution", "ledger", "links_hash",
           "kept_shifts", "report_shifts", "compare_ledger", "REBUILD_SHARE", "Mode"]

Mode = Literal["auto", "update", "rebuild"]
#: more pending positions than this share of a taxonomy's positions: rebuild rather than update
REBUILD_SHARE = 0.2
_RETRIES = 4
_SYNTHETIC = "@kept:"          # article ids of the synthetic positions that stand for kept actors
_FUZZ_SURNAME = 80             # a new surname this close to a kept one makes that actor a candidate
_STOP = frozenset("of the and for de la el al von van der".split())


@dataclass
class RefreshReport:
    """What one refresh did to one taxonomy's ledger."""

    taxonomy: str
    mode: str = "none"           # none | rebuild | update
    added: int = 0               # points written
    removed: int = 0             # points dropped (their positions were re-extracted)
    new_actors: int = 0
    touched_actors: int = 0
    seconds: float = 0.0
    version: int = 0

    def summary(self) -> str:
        if self.mode == "none":
            return f"ledger {self.taxonomy}: up to date"
        return (f"ledger {self.taxonomy}: {self.mode}, {self.added} points added, {self.removed} dropped, "
                f"{self.new_actors} new actors, {self.touched_actors} actors touched ({self.seconds:.2f}s)")


def links_hash(links: Iterable[ActorLink]) -> str:
    """A fingerprint of the curated links (what a kept resolution applied)."""
    rows = sorted((ln.alias, ln.canonical, ln.kind) for ln in links)
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


# ----------------------------------------------------------------------------- refresh

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(url: str, taxonomy: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(f"{url}\x00{taxonomy}", threading.Lock())


def refresh(store: SqlStore, taxonomy: str | None = None, mode: Mode = "auto") -> list[RefreshReport]:
    """Bring the kept ledger of ``taxonomy`` (default: every stored taxonomy, and drop the ledgers of
    taxonomies with no positions left) up to date; ``mode`` forces a rebuild or an update."""
    taxes = [taxonomy] if taxonomy else list(store.taxonomies())
    out = [_refresh_one(store, tax, mode) for tax in taxes]
    if taxonomy is None:
        stored = set(taxes)
        for st in store.ledger.states():
            if st.taxonomy not in stored:
                store.ledger.drop(st.taxonomy)
    return out


def rebuild(store: SqlStore, taxonomy: str | None = None) -> list[RefreshReport]:
    """Resolve everything again (``parley rebuild``)."""
    return refresh(store, taxonomy, mode="rebuild")


def ensure(store: SqlStore, taxonomy: str) -> int:
    """The taxonomy's ledger version after catching up with positions stored since the last update
    (one small query when there are none)."""
    L = store.ledger
    st = L.state(taxonomy)
    links = store.actor_links()
    if st is not None and st.links_hash == links_hash(links) and L.in_step(taxonomy):
        return st.version
    return _refresh_one(store, taxonomy, "auto").version


def _refresh_one(store: SqlStore, taxonomy: str, mode: Mode) -> RefreshReport:
    from ..store.ledger import StaleLedger

    with _lock(store.url, taxonomy):
        for attempt in range(_RETRIES):
            t0 = time.perf_counter()
            try:
                rep = _compute_and_apply(store, taxonomy, mode)
            except StaleLedger:
                log.info("ledger %s changed meanwhile; computing again (%d)", taxonomy, attempt + 1)
                continue
            rep.seconds = time.perf_counter() - t0
            if rep.mode != "none":
                log.info("%s", rep.summary())
            return rep
        raise StaleLedger(f"ledger {taxonomy}: still changing after {_RETRIES} attempts")


def _compute_and_apply(store: SqlStore, taxonomy: str, mode: Mode) -> RefreshReport:
    L = store.ledger
    st = L.state(taxonomy)
    links = store.actor_links()
    h = links_hash(links)
    rep = RefreshReport(taxonomy, version=st.version if st else 0)
    if mode == "rebuild" or st is None or (st.links_hash != h and mode != "update"):
        return _rebuild(store, taxonomy, links, h, st.version if st else None, rep)
    pending = L.pending(taxonomy)
    orphans = L.orphans(taxonomy)
    if not pending and not orphans and st.links_hash == h:
        return rep
    total = store.taxonomies().get(taxonomy, 0)
    if mode == "auto" and len(pending) > REBUILD_SHARE * max(total, 1):
        return _rebuild(store, taxonomy, links, h, st.version, rep)
    return _update(store, taxonomy, links, h, st.version, pending, orphans, rep)


# ----------------------------------------------------------------------------- helpers

def _texts(L: LedgerTables, article_ids: Iterable[str]) -> tuple[dict[str, str], dict[str, int]]:
    """title + text of each article (what :func:`resolve` reads side evidence from) and where its text starts."""
    texts: dict[str, str] = {}
    starts: dict[str, int] = {}
    for aid, (title, text) in L.article_texts(article_ids).items():
        texts[aid] = f"{title or ''}\n{text}"
        starts[aid] = len(title or "") + 1
    return texts, starts


def _meta_articles(L: LedgerTables, article_ids: Iterable[str]) -> tuple[dict[str, Article], dict[str, date]]:
    """Articles without their text (dates, titles, sources) and the datelines of undated ones."""
    arts: dict[str, Article] = {}
    lines: dict[str, date] = {}
    for r in L.article_meta(article_ids):
        arts[r.id] = Article(id=r.id, text="", title=r.title, url=r.url, source=r.source, published=r.published,
                             language=r.language or "en", ingested_at=_aware(r.ingested_at), origin=r.origin,
                             external_id=r.external_id, duplicate_of=r.duplicate_of,
                             flags=tuple(json.loads(r.flags or "[]")))
        if r.dateline is not None and r.published is None:
            lines[r.id] = r.dateline
    return arts, lines


def _aware(v: Any) -> Any:

    if v is not None and getattr(v, "tzinfo", None) is None:
        return v.replace(tzinfo=UTC)
    return v


def _date_source(p: Position, arts: dict[str, Article]) -> str | None:
    a = arts.get(p.article_id or "")
    if a is not None and a.published:
        return "published"
    return "dateline" if p.published else None


def _point(rid: int, p: Position, actor: str, arts: dict[str, Article]) -> dict[str, Any]:
    return {"position_id": rid, "uid": p.id or "", "actor": actor, "article_id": p.article_id or "",
            "issue": p.issue, "stance": p.stance, "red_line": bool(p.red_line), "conditional": bool(p.conditions),
            "day": p.published, "date_source": _date_source(p, arts)}


def _actor_row(rec: ActorRecord) -> dict[str, Any]:
    return {"kind": rec.kind if rec.kind in ("person", "state", "org", "group") else "org", "side": rec.side,
            "side_note": rec.side_note or "",
            "side_evidence": json.dumps([e.to_dict() for e in rec.side_evidence], ensure_ascii=False),
            "merges": json.dumps([m.to_dict() for m in rec.merges], ensure_ascii=False),
            "confidence": float(rec.confidence)}


def _vote(e: SideEvidence) -> dict[str, Any]:
    return {"side": e.side, "how": e.how, "article_id": e.article_id, "start": e.start, "end": e.end,
            "text": e.text or ""}


def _shift_rows(shifts: Iterable[Shift]) -> list[dict[str, Any]]:
    return [{"actor": s.actor, "issue": s.issue, "before": s.before, "after": s.after, "before_uid": s.before_id,
             "after_uid": s.after_id or "", "date_before": s.date_before, "date_after": s.date_after,
             "announced": bool(s.announced)} for s in shifts if s.after_id]


def _detect(positions: list[Position], arts: dict[str, Article], lines: dict[str, date]) -> list[Shift]:
    """Shifts among resolved positions (every group they form)."""
    from .ledger import Ledger
    from .shifts import detect_shifts

    lg = Ledger(positions, arts, Resolution([], {}), [], lines)
    return detect_shifts(lg)


def _records_by_name(res: Resolution) -> dict[str, ActorRecord]:
    out: dict[str, ActorRecord] = {}
    for r in list(res.records) + list(res.hidden):
        out.setdefault(r.name, r)
    return out


def _extra_record(name: str, mentions: int = 0) -> ActorRecord:
    info = parse_name(name)
    kind = {"person": "person", "bare": "person", "state": "state", "group": "group"}.get(info.kind, "org")
    side = info.side if kind == "state" and info.side else (name if kind == "state" else None)
    return ActorRecord(name, (), kind, side, mentions, 0, 1.0, (),
                       (SideEvidence(side, "is the side", text=side),) if side else ())


# ----------------------------------------------------------------------------- rebuild

def _rebuild(store: SqlStore, taxonomy: str, links: list[ActorLink], h: str, version: int | None,
             rep: RefreshReport) -> RefreshReport:
    from ..store.ledger import LedgerChange

    L = store.ledger
    rows = L.all_positions(taxonomy)
    if not rows:
        if version is not None:
            L.drop(taxonomy)
        rep.mode = "rebuild"
        return rep
    positions = [p for _, p in rows]
    article_ids = {p.article_id or "" for p in positions}
    texts, starts = _texts(L, article_ids)
    res = resolve(positions, links, texts, starts)
    del texts
    arts, lines = _meta_articles(L, article_ids)
    records = _records_by_name(res)
    change = LedgerChange(taxonomy, version, h, "rebuild", full=True)
    resolved: list[Position] = []
    for rid, p in rows:
        name = res.canonical(p.actor, p.article_id)
        if name not in records:
            records[name] = _extra_record(name)
        change.points.append(_point(rid, p, name, arts))
        resolved.append(p.with_(actor=name))
    for name, rec in records.items():
        change.actors[name] = _actor_row(rec)
    for raw, canon in res.mapping.items():
        if canon in records:
            change.names[raw] = canon
    for rec in records.values():
        change.names.setdefault(rec.name, rec.name)
        for al in rec.aliases:
            change.names.setdefault(al, rec.name)
    for name, evs in res.votes.items():
        if name in records:
            change.votes[name] = [_vote(e) for e in evs]
    change.shifts = _shift_rows(_detect(resolved, arts, lines))
    rep.version = L.apply(change)
    rep.mode, rep.added, rep.new_actors, rep.touched_actors = "rebuild", len(change.points), len(records), len(records)
    return rep


# ----------------------------------------------------------------------------- update

class _NameIndex:
    """The kept names of a taxonomy, indexed for finding the actors a new name could join."""

    def __init__(self, names: dict[str, int]) -> None:
        self.names = names
        self.by_key: dict[str, set[int]] = {}
        self.by_token: dict[str, set[int]] = {}
        self.by_acronym: dict[str, set[int]] = {}
        self.by_last: dict[str, set[int]] = {}
        for raw, aid in names.items():
            info = parse_name(raw)
            if not info.key:
                continue
            self.by_key.setdefault(info.key, set()).add(aid)
            toks = [w for w in info.key.split() if w not in _STOP]
            for w in toks:
                if len(w) >= 3:
                    self.by_token.setdefault(w, set()).add(aid)
            if len(info.key.split()) >= 2:
                self.by_acronym.setdefault(acronym(info.key), set()).add(aid)
            if toks:
                self.by_last.setdefault(toks[-1], set()).add(aid)
        self.lasts = list(self.by_last)
        self.single = [k for k in self.by_key if " " not in k]

    def candidates(self, raw: str) -> set[int]:
        info = parse_name(raw)
        if not info.key:
            return set()
        out = set(self.by_key.get(info.key, ()))
        toks = [w for w in info.key.split() if w not in _STOP]
        for w in toks:
            if len(w) >= 3:
                out |= self.by_token.get(w, set())
        if len(toks) == 1:
            out |= self.by_acronym.get(toks[0], set())
        elif len(toks) >= 2:
            out |= self.by_key.get(acronym(info.key), set())
        if toks:
            for other, _, _ in process.extract(toks[-1], self.lasts, scorer=fuzz.ratio, score_cutoff=_FUZZ_SURNAME,
                                               limit=20):
                out |= self.by_last[other]
        for dem in {info.demonym, info.side}:
            if dem:
                d = key(dem)
                out |= self.by_key.get(d, set())
                for k in self.single:
                    if demonym_matches(d, k):
                        out |= self.by_key[k]
        return out


_index_cache: dict[tuple[str, str, int], _NameIndex] = {}


def _update(store: SqlStore, taxonomy: str, links: list[ActorLink], h: str, version: int,
            pending: list[tuple[int, Position]], orphans: list[tuple[int, int, str]],
            rep: RefreshReport) -> RefreshReport:
    from ..store.ledger import LedgerChange

    L = store.ledger
    change = LedgerChange(taxonomy, version, h, "update")
    change.drop_points = [pid for pid, _, _ in orphans]
    actors = {a.id: a for a in L.actors(taxonomy)}
    id_of = {a.name: a.id for a in actors.values()}
    known = L.names(taxonomy)
    groups: set[tuple[int | str, str]] = {(aid, issue) for _, aid, issue in orphans if aid in actors}
    new_positions = [p for _, p in pending]
    rep.removed = len(orphans)
    if new_positions:
        ck = (store.url, taxonomy, version)
        index = _index_cache.get(ck)
        if index is None:
            index = _NameIndex(known)
            _index_cache.clear()
            _index_cache[ck] = index
        raws = {r for p in new_positions for r in (p.actor, *p.aliases)}
        cands: set[int] = {known[r] for r in raws if r in known}
        for r in raws:
            if r not in known and not local_form(r):
                cands |= index.candidates(r)
        cands &= set(actors)
        kept_names = L.names_of(cands)
        synthetic: list[Position] = []
        sub_links: list[ActorLink] = []
        involved: set[str] = set(raws)
        for aid in sorted(cands):
            rec = actors[aid]
            forms = [n for n in dict.fromkeys([rec.name, *kept_names.get(aid, [])]) if not local_form(n)]
            involved.update(forms)
            for n in forms:
                synthetic.append(Position(actor=n, issue="-", stance="support", evidence=Evidence(0, 0, ""),
                                          article_id=f"{_SYNTHETIC}{aid}"))
                if n != rec.name:
                    sub_links.append(ActorLink(n, rec.name, "merge", "kept"))
        names_sorted = sorted(actors[a].name for a in cands)
        for i, a in enumerate(names_sorted):          # kept actors stay apart (a rebuild may merge them)
            for b in names_sorted[i + 1:]:
                sub_links.append(ActorLink(a, b, "split", "kept"))
        keys = {key(n) for n in involved}
        for ln in links:
            canon = ln.canonical[len(SIDE_PREFIX):] if ln.canonical.startswith(SIDE_PREFIX) else ln.canonical
            if ln.alias in involved or canon in involved or key(ln.alias) in keys or key(canon) in keys:
                sub_links.append(ln)
        new_articles = {p.article_id or "" for p in new_positions}
        texts, starts = _texts(L, new_articles)
        sub = resolve(new_positions + synthetic, sub_links, texts, starts)
        subrecs = _records_by_name(sub)
        arts, _lines = _meta_articles(L, new_articles)

        def holds(rec: ActorRecord) -> set[int]:
            return {known[x] for x in (rec.name, *rec.aliases) if x in known and known[x] in cands} | \
                ({id_of[rec.name]} if rec.name in id_of and id_of[rec.name] in cands else set())

        target: dict[str, str] = {}              # sub record name -> kept or new actor name
        new_recs: dict[str, ActorRecord] = {}
        for name, rec in subrecs.items():
            ids = holds(rec)
            if ids:
                best = max(ids, key=lambda i: (actors[i].mentions, -i))
                target[name] = actors[best].name
            elif name in id_of:
                target[name] = name
            else:
                target[name] = name
                new_recs[name] = rec
        for rid, p in pending:
            canon = sub.canonical(p.actor, p.article_id)
            if canon not in target:
                target[canon] = canon
                if canon not in id_of:
                    new_recs[canon] = _extra_record(canon)
            change.points.append(_point(rid, p, target[canon], arts))
            groups.add((target[canon], p.issue))
        for raw, canon in sub.mapping.items():
            if raw not in known and canon in target and not raw.startswith("@"):
                change.names[raw] = target[canon]
        for name in new_recs:
            change.names.setdefault(name, name)
        # sides: every vote kept for an actor plus those read in the new articles
        new_votes: dict[str, list[SideEvidence]] = {}
        for name, evs in sub.votes.items():
            if name in target:
                fresh = [e for e in evs if e.article_id in new_articles]
                if fresh:
                    new_votes.setdefault(target[name], []).extend(fresh)
        touched = {change_pt["actor"] for change_pt in change.points} | set(new_votes)
        old_votes = L.votes([id_of[n] for n in touched if n in id_of])
        for name in sorted(touched):
            if name in new_recs:
                rec = new_recs[name]
                row = _actor_row(rec)
                row.update(_decide(name, rec.kind, rec.side_evidence, [], new_votes.get(name, [])))
                change.actors[name] = row
            elif name in id_of:
                a = actors[id_of[name]]
                decided = _decide(name, a.kind, tuple(SideEvidence(**e) for e in a.side_evidence),
                                  old_votes.get(a.id, []), new_votes.get(name, []))
                if (decided["side"], decided["side_note"], decided["side_evidence"]) != \
                        (a.side, a.side_note, json.dumps(list(a.side_evidence), ensure_ascii=False)):
                    change.actors[name] = decided
                else:
                    change.actors[name] = {}
            if new_votes.get(name):
                change.votes[name] = [_vote(e) for e in new_votes[name]]
        # a side no actor stands for becomes one; an actor others are on is its own side
        for name, row in list(change.actors.items()):
            side = row.get("side")
            if not side or side == name:
                continue
            if side not in id_of and side not in change.actors:
                rec = _extra_record(side)
                change.actors[side] = {**_actor_row(rec), "side": side, "side_evidence": json.dumps(
                    [SideEvidence(side, "is the side", text=side).to_dict()])}
                change.names.setdefault(side, side)
            elif side in id_of and actors[id_of[side]].side is None and side not in change.actors:
                change.actors[side] = {"side": side, "side_evidence": json.dumps(
                    [SideEvidence(side, "is the side", text=side).to_dict()])}
        # names of sub-resolution records that got no point (a curated name nothing uses) are not kept
        change.names = {raw: name for raw, name in change.names.items() if name in id_of or name in change.actors}
        rep.new_actors = len([n for n in new_recs if n in change.actors])
        rep.touched_actors = len(touched)
        rep.added = len(change.points)
    # shifts of every (actor, issue) that got or lost a point
    change.shift_groups = {(actors[a].name if isinstance(a, int) else a, i) for a, i in groups}
    change.shifts = _group_shifts(L, taxonomy, change, id_of, orphans)
    rep.version = L.apply(change)
    rep.mode = "update"
    return rep


def _decide(name: str, kind: str, current: Sequence[SideEvidence], old: list[dict[str, Any]],
            new: list[SideEvidence]) -> dict[str, Any]:
    """Side fields of an actor after weighing its kept votes and new ones (a curated side and a
    state's own side stay)."""
    if current and current[0].how == "curated":
        ev: tuple[SideEvidence, ...] = tuple(current)
        return {"side": current[0].side, "side_note": "", "side_evidence": json.dumps([e.to_dict() for e in ev])}
    if kind == "state":
        ev = (SideEvidence(name, "is the side", text=name),)
        return {"side": name, "side_note": "", "side_evidence": json.dumps([e.to_dict() for e in ev])}
    if current and current[0].how == "is the side" and current[0].side == name and not new:
        return {"side": name, "side_note": "", "side_evidence": json.dumps([e.to_dict() for e in current])}
    votes = [SideEvidence(**v) for v in old] + list(new)
    dec = decide_side(votes)
    return {"side": dec.side, "side_note": dec.note,
            "side_evidence": json.dumps([e.to_dict() for e in dec.evidence], ensure_ascii=False)}


def _group_shifts(L: LedgerTables, taxonomy: str, change: LedgerChange, id_of: dict[str, int],
                  orphans: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """The shifts of ``change.shift_groups`` after the change: kept points of those groups (less the
    orphans) plus the change's new points."""
    if not change.shift_groups:
        return []
    gone = {pid for pid, _, _ in orphans}
    kept_groups = [(id_of[n], i) for n, i in change.shift_groups if n in id_of]
    by_pid: dict[int, Position] = {}
    for pt in L.group_points(taxonomy, kept_groups):
        if pt.position_id not in gone:
            by_pid[pt.position_id] = pt.position.with_(actor=pt.actor)
    new_pids = {pt["position_id"]: pt["actor"] for pt in change.points}
    if new_pids:
        news = L.positions_by_ids(sorted(new_pids))
        for pid, p in news.items():
            by_pid[pid] = p.with_(actor=new_pids[pid])
    ps = [p for p in by_pid.values() if (p.actor, p.issue) in change.shift_groups]
    arts, lines = _meta_articles(L, {p.article_id or "" for p in ps})
    return _shift_rows(_detect(ps, arts, lines))


# ----------------------------------------------------------------------------- curation

def curate(store: SqlStore, taxonomy: str | None, names: Iterable[str]) -> list[RefreshReport]:
    """After the curated links of ``names`` changed: re-resolve the actors those names belong to
    (their positions, every curated link, their articles' texts) and keep the result. Everything
    else stays as kept. ``taxonomy`` None: every taxonomy with a kept ledger."""
    taxes = [taxonomy] if taxonomy else [st.taxonomy for st in store.ledger.states()]
    out = []
    wanted = [n.strip() for n in names if n and n.strip()]
    for tax in taxes:
        from ..store.ledger import StaleLedger

        with _lock(store.url, tax):
            for _ in range(_RETRIES):
                t0 = time.perf_counter()
                try:
                    rep = _curate_one(store, tax, wanted)
                except StaleLedger:
                    continue
                rep.seconds = time.perf_counter() - t0
                out.append(rep)
                break
    return out


def _curate_one(store: SqlStore, taxonomy: str, names: list[str]) -> RefreshReport:
    from ..store.ledger import LedgerChange

    L = store.ledger
    rep = RefreshReport(taxonomy)
    st = L.state(taxonomy)
    links = store.actor_links()
    h = links_hash(links)
    if st is None or L.count_pending(taxonomy) or L.orphans(taxonomy):
        return _refresh_no_lock(store, taxonomy, "rebuild" if st is None else "auto")
    actors = {a.id: a for a in L.actors(taxonomy)}
    id_of = {a.name: a.id for a in actors.values()}
    known = L.names(taxonomy)
    folded = {n.casefold(): i for n, i in known.items()}
    ids: set[int] = set()
    for n in names:
        for cand in (n, n[len(SIDE_PREFIX):] if n.startswith(SIDE_PREFIX) else n):
            if cand in known:
                ids.add(known[cand])
            elif cand in id_of:
                ids.add(id_of[cand])
            elif cand.casefold() in folded:
                ids.add(folded[cand.casefold()])
    if not ids:
        change = LedgerChange(taxonomy, st.version, h, "curate")
        rep.version = L.apply(change)
        rep.mode = "curate"
        return rep
    points = L.points(taxonomy, sorted(ids))
    # re-resolved: the actors with positions, and hidden ones (a name kept apart by a split); a side no
    # position names is left as it is
    ids = {pt.actor_id for pt in points} | {i for i in ids if i in actors and actors[i].hidden}
    raw = [pt.position for pt in points]
    article_ids = {p.article_id or "" for p in raw}
    texts, starts = _texts(L, article_ids)
    # the other kept actors named by the links (a curated side, a merge target) enter as fixed names
    sub = resolve(raw, links, texts, starts)
    subrecs = _records_by_name(sub)
    arts, lines = _meta_articles(L, article_ids)
    change = LedgerChange(taxonomy, st.version, h, "curate")
    involved_names = {actors[i].name for i in ids}
    used: set[str] = set()
    resolved: list[Position] = []
    for pt in points:
        canon = sub.canonical(pt.position.actor, pt.position.article_id)
        if canon not in subrecs:
            subrecs[canon] = _extra_record(canon)
        change.move_points[pt.position_id] = canon
        used.add(canon)
        resolved.append(pt.position.with_(actor=canon))
    for name in used:
        rec = subrecs[name]
        change.actors[name] = _actor_row(rec)
        change.replace_votes.add(name)
        change.votes[name] = [_vote(e) for e in sub.votes.get(name, ())]
    for raw_name, canon in sub.mapping.items():
        if canon in used and ((raw_name in known and known[raw_name] in ids) or raw_name not in known):
            change.names[raw_name] = canon
    for name in used:
        change.names.setdefault(name, name)
        for al in subrecs[name].aliases:
            if al not in known or known[al] in ids:
                change.names.setdefault(al, name)
    # a name a curated link keeps apart, that names no position ("Toren" split from "Mila Toren"), is
    # kept as a hidden actor, as a rebuild keeps it (so that asking for it says why it has no positions)
    for rec in sub.hidden:
        if rec.name not in used and (rec.name not in id_of or id_of[rec.name] in ids):
            change.actors[rec.name] = _actor_row(rec)
            change.names[rec.name] = rec.name
    # actors of the re-resolved set that hold no point any more are gone (their names moved above)
    change.delete_actors = {n for n in involved_names if n not in used and n not in change.actors}
    for n in change.delete_actors:
        change.replace_votes.add(n)
    # sides these actors are on that no actor stands for
    for name in used:
        side = subrecs[name].side
        if side and side != name and side not in id_of and side not in change.actors:
            rec = _extra_record(side)
            change.actors[side] = {**_actor_row(rec), "side": side, "side_evidence": json.dumps(
                [SideEvidence(side, "is the side", text=side).to_dict()])}
            change.names.setdefault(side, side)
    change.shift_groups = {(p.actor, p.issue) for p in resolved} | \
        {(actors[i].name, pt.position.issue) for i in ids for pt in points if pt.actor_id == i}
    change.shifts = _shift_rows(_detect(resolved, arts, lines))
    # other names of the re-resolved actors: to the actor they resolve to now (else they go with
    # their actor, if it is deleted)
    for raw_name, aid in known.items():
        if aid in ids and raw_name not in change.names:
            canon = sub.canonical(raw_name)
            if canon in used:
                change.names[raw_name] = canon
    rep.version = L.apply(change)
    rep.mode, rep.touched_actors = "curate", len(used | change.delete_actors)
    rep.new_actors = len([n for n in used if n not in id_of])
    return rep


def _refresh_no_lock(store: SqlStore, taxonomy: str, mode: Mode) -> RefreshReport:
    t0 = time.perf_counter()
    rep = _compute_and_apply(store, taxonomy, mode)
    rep.seconds = time.perf_counter() - t0
    return rep


# ----------------------------------------------------------------------------- readers

@dataclass
class _Cached:
    version: int
    resolution: Resolution
    ids: dict[str, int] = field(default_factory=dict)       # actor name -> id
    names: dict[int, str] = field(default_factory=dict)


_res_cache: dict[tuple[str, str], _Cached] = {}
_res_guard = threading.Lock()


def resolution(store: SqlStore, taxonomy: str, *, catch_up: bool = True) -> tuple[Resolution, dict[str, int]]:
    """The kept resolution of ``taxonomy`` (records and the name mapping, as :func:`resolve` gives
    them) and actor name -> id; cached per process until the ledger's version changes."""
    version = ensure(store, taxonomy) if catch_up else store.ledger.version(taxonomy)
    ck = (store.url, taxonomy)
    with _res_guard:
        hit = _res_cache.get(ck)
        if hit is not None and hit.version == version:
            return hit.resolution, hit.ids
    L = store.ledger
    rows = L.actors(taxonomy)
    records: list[ActorRecord] = []
    hidden: list[ActorRecord] = []
    ids: dict[str, int] = {}
    aliases: dict[int, list[str]] = {}
    names = L.names(taxonomy)
    by_id = {r.id: r for r in rows}
    for raw, aid in names.items():
        if aid in by_id and raw != by_id[aid].name:
            aliases.setdefault(aid, []).append(raw)
    for r in rows:
        rec = ActorRecord(r.name, tuple(sorted(aliases.get(r.id, []))), r.kind, r.side, r.mentions, r.articles,
                          r.confidence, tuple(Merge(m["a"], m["b"], float(m["confidence"]), m["reason"])
                                              for m in r.merges),
                          tuple(SideEvidence(**e) for e in r.side_evidence), r.side_note)
        (hidden if r.hidden else records).append(rec)
        ids[r.name] = r.id
    records.sort(key=lambda r: (-r.mentions, r.name))
    mapping = {raw: by_id[aid].name for raw, aid in names.items() if aid in by_id}
    res = Resolution(records, mapping, {}, hidden)
    with _res_guard:
        _res_cache[ck] = _Cached(version, res, ids, {v: k for k, v in ids.items()})
    return res, ids


def ledger(store: SqlStore, taxonomy: str, actors: Iterable[str] | None = None,
           issue: str | None = None, catch_up: bool = True) -> Ledger:
    """An analysis :class:`~parley.analyze.ledger.Ledger` read from the kept tables: the positions of
    the canonical ``actors`` given (every position when None), already resolved, their articles'
    metadata (texts are read on demand) and the whole kept resolution."""
    from .ledger import Ledger

    res, ids = resolution(store, taxonomy, catch_up=catch_up)
    L = store.ledger
    want = None if actors is None else [ids[n] for n in dict.fromkeys(actors) if n in ids]
    resolved = L.resolved_positions(taxonomy, want, issue=issue)
    arts, lines = _meta_articles(L, {p.article_id or "" for p in resolved})
    lg = Ledger(resolved, arts, res, [], lines, taxonomy)
    lg.text_loader = L.article_text
    return lg


def compare_ledger(store: SqlStore, taxonomy: str, parties: Sequence[Sequence[str]],
                   catch_up: bool = True) -> Ledger:
    """A ledger for :func:`~parley.analyze.compare.compare` of ``parties`` (each a list of canonical
    names): only the positions a comparison reads, those of each party's last day on each issue in
    the ledger's order (where undated positions come after every dated one), so that comparing two
    sides of thousands of positions reads tens of them and says the same."""
    from .ledger import Ledger

    res, ids = resolution(store, taxonomy, catch_up=catch_up)
    L = store.ledger
    keep: list[int] = []
    for party in parties:
        keep += L.last_day_points(taxonomy, [ids[n] for n in dict.fromkeys(party) if n in ids])
    resolved = L.resolved_positions(taxonomy, position_ids=keep)
    arts, lines = _meta_articles(L, {p.article_id or "" for p in resolved})
    lg = Ledger(resolved, arts, res, [], lines, taxonomy)
    lg.text_loader = L.article_text
    return lg


def kept_shifts(store: SqlStore, taxonomy: str, actors: Iterable[str] | None = None, issue: str | None = None,
                since: date | None = None, until: date | None = None, include_undated: bool = False,
                limit: int | None = None, newest_first: bool = False, catch_up: bool = True) -> list[Shift]:
    """The kept shifts (oldest first, undated last; ``newest_first`` reverses the dated ones), with
    their evidence, as :func:`~parley.analyze.shifts.detect_shifts` gives them."""
    from ..store.ledger import ORDER_NEWEST, ORDER_OLDEST
    from .ledger import check_range

    check_range(since, until)
    _, ids = resolution(store, taxonomy, catch_up=catch_up)
    L = store.ledger
    want = None if actors is None else [ids[n] for n in dict.fromkeys(actors) if n in ids]
    rows = L.shifts(taxonomy, want, issue=issue, since=since, until=until, include_undated=include_undated,
                    order=ORDER_NEWEST if newest_first else ORDER_OLDEST, limit=limit)
    pos = L.positions_by_uid([u for r in rows for u in (r.before_uid, r.after_uid) if u])
    out = []
    for r in rows:
        a, b = pos.get(r.after_uid), pos.get(r.before_uid or "")
        if a is None:
            continue
        out.append(Shift(actor=r.actor, issue=r.issue, before=r.before, after=r.after,
                         evidence_before=b.evidence if b else None, evidence_after=a.evidence,
                         date_before=r.date_before, date_after=r.date_after,
                         proposition=a.proposition or (b.proposition if b else ""), announced=r.announced,
                         before_id=r.before_uid, after_id=r.after_uid))
    return out


def report_shifts(store: SqlStore, taxonomy: str | None, issue: str | None, since: date | None,
                  until: date | None, include_undated: bool, limit: int | None,
                  catch_up: bool = True) -> tuple[list[Shift], int]:
    """The kept shifts a briefing reports: the ``limit`` most recent (all when None or 0), in date order,
    and how many more there are."""
    if taxonomy is None:
        return [], 0
    if not limit:
        return kept_shifts(store, taxonomy, issue=issue, since=since, until=until,
                           include_undated=include_undated, catch_up=catch_up), 0
    total = store.ledger.count_shifts(taxonomy, issue=issue, since=since, until=until,
                                      include_undated=include_undated)
    shifts = kept_shifts(store, taxonomy, issue=issue, since=since, until=until, include_undated=include_undated,
                         limit=limit, newest_first=True, catch_up=catch_up)
    shifts.sort(key=lambda s: (s.date_after is None, s.date_after or date.min, s.actor, s.issue))
    return shifts, max(0, total - len(shifts))
