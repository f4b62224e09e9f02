"""Actors across articles: one record per real-world actor, with sides and undoable merges.

:func:`resolve` groups the surface forms positions use ("Zelensky", "Zelenskyy",
"Ukrainian President Volodymyr Zelensky") into :class:`ActorRecord` s:

1. every name is parsed (:mod:`.names`): titles stripped, the side its title
   names read off ("Ukrainian President" -> Ukraine, "Kremlin spokesman" ->
   Russia); states, capitals and seats of government are the state itself
   (from the table), while institutions ("Iranian officials", "the Syrian
   government", "State Department") are their own actors with the state as
   their *side*;
2. candidate merges, each with a confidence and a reason: same key after title
   stripping (1.0); named as aliases of one actor in an article (0.97);
   spelling variants of a full name (rapidfuzz, first and last names checked
   separately); a bare surname to the one full name it can mean, or, when it
   could mean several people, to the one named in the same article
   (co-occurrence); an acronym to its expansion;
3. union-find, strongest merge first, refusing any merge that would put two
   incompatible full names (different first names, "Jr." vs none), a person
   and a state, or a curated *split* pair in one record. Curated *merge*
   links are applied first; split links win over everything;
4. each record's side from evidence in its own articles (:mod:`.sides`), else
   unknown.

Curated decisions are :class:`~parley.store.base.ActorLink` rows (kind
"merge", "split" or "side"); :func:`export_aliases` / :func:`parse_alias_file`
read and write them as an editable YAML file. :meth:`Resolution.lookup` is the
one way every command turns a name a person typed into records.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml
from rapidfuzz import fuzz, process

from ..errors import AnalysisError
from ..model import Position
from ..store.base import ActorLink
from .names import _GOV_WORDS as _GOV
from .names import (
    GENERIC_GROUPS,
    ORG_WORDS,
    NameInfo,
    _drop_lead_junk,
    acronym,
    demonym_matches,
    fold,
    is_capitalised,
    key,
    parse_name,
    side_table,
)
from .sides import (
    Candidate,
    SideEvidence,
    decide_side,
    generic_institution,
    org_side_name,
    organ_words,
    polity_name,
    scan_text,
    side_words,
)

_STOPWORDS = frozenset("of the and for".split())     # "Republic of Vardenia" is no person's name ("Moon Jae-in" is)

__all__ = ["ActorRecord", "ActorMatch", "Merge", "Resolution", "resolve", "resolve_actors", "actor_mapping",
           "export_aliases", "parse_alias_file", "store_link", "SIDE_PREFIX", "MatchMode", "local_form"]

MatchMode = Literal["exact", "substring"]

# The store accepts link kinds "merge" and "split" only: a curated side ("Rena Holt belongs to Corvalis")
# is stored as a merge link whose canonical is SIDE_PREFIX + side (see store_link / docs/analysis.md).
SIDE_PREFIX = "@side:"
FUZZ_LAST = 85      # rapidfuzz ratio two surnames need to be spelling variants
FUZZ_FIRST = 80     # ... and two first names
FUZZ_BARE = 88      # a bare surname against a full name's surname
FUZZ_LOOKUP = 85    # a typed name against a record's name or alias (whole-string ratio, never partial)
FUZZ_LOOKUP_SHORT = 90   # ... when the typed name is short (under 8 characters; under 4: no fuzzy match)
FUZZ_TIE = 2        # two records scoring within this of each other make a fuzzy lookup ambiguous
# Words that open party/faction names, never a made-up side ("GOP Senator ...", "Labour leader ...").
_NOT_SIDES = frozenset("gop republican republicans democratic democrats democrat labour conservative conservatives "
                       "north south east west northern southern eastern western central "
                       "one two three four five some another other senior top former several many "
                       "ex then new late acting white europe asia africa "
                       "liberal liberals tory tories green greens socialist socialists senate house".split())
# Words that end junk person names ("Obama Friday"): never scanned as a surname.
_NOT_NAMES = frozenset("monday tuesday wednesday thursday friday saturday sunday today house".split())
# Last words that make a made-up organisation-like side a state ("Kestrel Federation", "Republic of ...").
_STATE_WORDS = frozenset("federation republic kingdom emirate principality confederation".split())
# The only reason a state may absorb a name that is not already the same side.
_SIDE_REASONS = ("short form of the side's name",)


@dataclass(frozen=True)
class Merge:
    """Why two names were put in one record."""

    a: str
    b: str
    confidence: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "confidence": round(self.confidence, 3), "reason": self.reason}


@dataclass(frozen=True)
class ActorRecord:
    """One real-world actor: canonical name, surface forms, kind, side (with its evidence) and how it
    was built. ``side`` is None when no article says which side it is on (unknown, never a guess)."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "org"                 # person | state | org | group
    side: str | None = None           # the side (state, organisation) it belongs to; a state's own name
    mentions: int = 0                 # positions attributed to it
    articles: int = 0                 # distinct articles
    confidence: float = 1.0           # weakest merge that built it
    merges: tuple[Merge, ...] = ()
    side_evidence: tuple[SideEvidence, ...] = ()
    side_note: str = ""               # why the side is unknown although something was said ("conflicting ...")

    @property
    def side_known(self) -> bool:
        return bool(self.side)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases), "kind": self.kind, "side": self.side,
                "side_evidence": [e.to_dict() for e in self.side_evidence], "side_note": self.side_note,
                "mentions": self.mentions, "articles": self.articles, "confidence": round(self.confidence, 3),
                "merges": [m.to_dict() for m in self.merges]}


@dataclass(frozen=True)
class ActorMatch:
    """What a typed actor name resolved to, and how: ``name`` / ``alias`` (exact, case- and
    diacritic-insensitive), ``surname`` (the end of one person's name) or ``fuzzy`` (a close
    spelling): both said on stderr by the CLI; ``substring`` only when asked."""

    query: str
    records: tuple[ActorRecord, ...]
    how: str
    matched: str = ""
    score: float = 100.0

    @property
    def record(self) -> ActorRecord:
        return self.records[0]

    @property
    def label(self) -> str:
        if len(self.records) == 1:
            return self.records[0].name
        return f"{len(self.records)} actors matching {self.query!r}"

    def notice(self) -> str | None:
        """A line for stderr when the match is not exact (never a silent substitution)."""
        if self.how == "surname":
            return f"note: using {self.record.name!r}, the only actor whose name ends in {self.query!r}"
        if self.how == "fuzzy":
            return (f"note: no actor is called {self.query!r}; using {self.record.name!r} "
                    f"(closest spelling {self.matched!r}, {self.score:.0f}% similar)")
        if self.how == "substring":
            names = ", ".join(r.name for r in self.records[:8]) + (", …" if len(self.records) > 8 else "")
            return f"note: {len(self.records)} actors contain {self.query!r}: {names}"
        return None


def _norm(s: str) -> str:
    """Case- and diacritic-insensitive form of a name, whitespace collapsed."""
    return " ".join(fold(s).split())


@dataclass
class Resolution:
    """The records plus the raw-name -> canonical mapping (and per-article overrides).

    ``records`` are the actors of at least one position plus the sides they belong to; ``hidden``
    records name no position (a form kept apart by a curated split, an alias nothing else uses)."""

    records: list[ActorRecord]
    mapping: dict[str, str]
    overrides: dict[tuple[str, str], str] = field(default_factory=dict)   # (article_id, raw) -> canonical
    hidden: list[ActorRecord] = field(default_factory=list)
    #: every piece of side evidence read for a record (decide_side keeps only the winner's): what an
    #: incremental update of the kept ledger weighs again with the evidence of new articles
    votes: dict[str, tuple[SideEvidence, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_name = {r.name: r for r in self.records}
        self._hidden = {r.name: r for r in self.hidden}
        self._by_key: dict[str, str] = {}
        for raw, canon in self.mapping.items():
            self._by_key.setdefault(key(raw), canon)

    def _normed(self) -> list[tuple[ActorRecord, str, tuple[str, ...]]]:
        """Each record with its name and aliases case- and diacritic-folded (computed once)."""
        cached = getattr(self, "_norm_cache", None)
        if cached is None:
            cached = [(r, _norm(r.name), tuple(_norm(a) for a in r.aliases)) for r in self.records]
            self._norm_cache = cached
        return cached

    def canonical(self, name: str, article_id: str | None = None) -> str:
        """The canonical actor for a raw name (as used in ``article_id`` when given)."""
        if article_id is not None and (article_id, name) in self.overrides:
            return self.overrides[(article_id, name)]
        if name in self.mapping:
            return self.mapping[name]
        return self._by_key.get(key(name), name)

    def record(self, canonical: str) -> ActorRecord | None:
        return self._by_name.get(canonical) or self._hidden.get(canonical)

    def apply(self, positions: Iterable[Position]) -> list[Position]:
        """Positions with ``actor`` replaced by its canonical name."""
        return [p.with_(actor=self.canonical(p.actor, p.article_id or p.evidence.article_id)) for p in positions]

    def lookup(self, query: str, match: MatchMode = "exact") -> ActorMatch:
        """The record(s) a user means by ``query``.

        Exact first: a record's name as listed, then its name or alias, case- and diacritic-insensitive (then the same with
        punctuation and titles normalised); then a fuzzy match on the whole name (rapidfuzz ratio >=
        ``FUZZ_LOOKUP``) that the caller must report (:meth:`ActorMatch.notice`). Several records
        for one name is E506 (the candidates listed), a name with no positions of its own E507,
        nothing E501. ``match="substring"`` returns every record whose name or an alias contains it.
        """
        q = query.strip()
        nq = _norm(q)
        if not nq:
            raise AnalysisError("E501", name=query)
        norms = self._normed()
        if match == "substring":
            hits = [r for r, nn, na in norms if nq in nn or any(nq in a for a in na)]
            if not hits:
                raise AnalysisError("E501", name=query)
            return ActorMatch(query, tuple(hits), "substring", q)
        if q in self._by_name:      # a name exactly as `parley actors` lists it ("lawmakers" beside "Lawmakers")
            same = [r for r in self.records if r.name == q]
            if len(same) == 1:
                return ActorMatch(query, (same[0],), "name", q)
        for how, test in (("name", lambda r, nn, na: [r.name] if nn == nq else []),
                          ("alias", lambda r, nn, na: [a for a, n in zip(r.aliases, na) if n == nq])):
            hits = [(r, m[0]) for r, nn, na in norms for m in [test(r, nn, na)] if m]
            if len(hits) == 1:
                return ActorMatch(query, (hits[0][0],), how, hits[0][1])
            if len(hits) > 1:
                raise AnalysisError("E506", name=query, detail=_candidates([r for r, _ in hits]))
        table = side_table()
        for k in dict.fromkeys((key(q), parse_name(q).key)):
            if not k:
                continue
            hits = [r for r in self.records if key(r.name) == k or any(key(a) == k for a in r.aliases)]
            if not hits and k in self._by_key and self._by_key[k] in self._by_name:
                hits = [self._by_name[self._by_key[k]]]
            if not hits and k in table.whole and table.whole[k] in self._by_name:
                hits = [self._by_name[table.whole[k]]]       # "US", "Kyiv": a name of a state record
            if len(hits) == 1:
                return ActorMatch(query, (hits[0],), "alias", hits[0].name)
            if len(hits) > 1:
                raise AnalysisError("E506", name=query, detail=_candidates(hits))
        hidden = [r for r in self.hidden if _norm(r.name) == nq or any(_norm(a) == nq for a in r.aliases)]
        if hidden:
            raise AnalysisError("E507", name=query, detail=_why_hidden(hidden[0]))
        kq = key(q)
        if kq:     # the last words of one person's name ("Varga" for Aldo Varga)
            hits = [r for r in self.records if r.kind == "person" and any(
                key(n).endswith(" " + kq) for n in (r.name, *r.aliases))]
            if len(hits) == 1:
                return ActorMatch(query, (hits[0],), "surname", hits[0].name)
            if len(hits) > 1:
                raise AnalysisError("E506", name=query, detail=_candidates(hits))
        choices: dict[str, list[ActorRecord]] = defaultdict(list)
        for r, nn, na in norms:
            for n in dict.fromkeys((nn, *na)):
                choices[n].append(r)
        cutoff = FUZZ_LOOKUP if len(nq) >= 8 else FUZZ_LOOKUP_SHORT
        found = process.extract(nq, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff, limit=6) \
            if len(nq) >= 4 else []
        if found:
            best_score = found[0][1]
            near = {r.name: r for c, s, _ in found if s >= best_score - FUZZ_TIE for r in choices[c]}
            if len(near) > 1:
                raise AnalysisError("E506", name=query, detail=_candidates(list(near.values())))
            rec = next(iter(near.values()))
            shown = next((n for n in (rec.name, *rec.aliases) if _norm(n) == found[0][0]), found[0][0])
            return ActorMatch(query, (rec,), "fuzzy", shown, float(best_score))
        raise AnalysisError("E501", name=query)

    def find(self, query: str) -> ActorRecord:
        """The record a user means by ``query`` (:meth:`lookup`, exact or fuzzy); E501 when none."""
        return self.lookup(query).record

    def members(self, canonical: str) -> list[str]:
        """``canonical`` plus every record whose side it is (a side includes its members)."""
        out = [canonical]
        out += [r.name for r in self.records if r.side == canonical and r.name != canonical]
        return out

    def same_side(self, a: str, b: str) -> str | None:
        """The side ``a`` and ``b`` are both on (one being the other's side, or sharing one), else None."""
        ra, rb = self.record(a), self.record(b)
        if ra is None or rb is None:
            return None
        if ra.name == rb.name:
            return ra.side or ra.name
        if ra.side and ra.side == rb.name:
            return rb.name
        if rb.side and rb.side == ra.name:
            return ra.name
        if ra.side and ra.side == rb.side:
            return ra.side
        return None


def _candidates(recs: list[ActorRecord]) -> str:
    return "; ".join(f"{r.name} ({r.kind}{', side ' + r.side if r.side and r.side != r.name else ''}, "
                     f"{r.mentions} positions)" for r in recs[:6])


def _why_hidden(rec: ActorRecord) -> str:
    return "it is only ever an alias, or it was kept apart by a curated split" if not rec.merges else "no positions"


# ---------------------------------------------------------------------------- internals

@dataclass
class _Node:
    key: str
    info: NameInfo
    raws: Counter = field(default_factory=Counter)        # surface form -> times seen
    articles: set = field(default_factory=set)
    mentions: int = 0
    side_ev: list[Candidate] = field(default_factory=list)     # side evidence before matching


class _UF:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x


def _person_compatible(a: NameInfo, b: NameInfo) -> tuple[float, str] | None:
    """Can two full names (>= 2 tokens) be the same person? (confidence, reason) or None."""
    if (a.suffix or None) != (b.suffix or None):
        return None
    ta, tb = a.tokens, b.tokens
    if a.key == b.key:
        return 1.0, "same name without titles"
    sa, sb = set(ta), set(tb)
    if (sa < sb or sb < sa) and ta[-1] == tb[-1]:
        return 0.9, "shorter form of the same full name"
    last = fuzz.ratio(ta[-1], tb[-1])
    if last < FUZZ_LAST:
        return None
    fa, fb = ta[0], tb[0]
    if fa == fb:
        first = 100.0
    elif (len(fa) == 1 or len(fb) == 1) and fa[0] == fb[0]:
        first = 85.0
    else:
        first = fuzz.ratio(fa, fb)
        if first < FUZZ_FIRST:
            return None
    return 0.9 * (last + first) / 200, f"spelling variant (surname {last:.0f}%, first name {first:.0f}%)"


def _bare_matches(bare: str, person: NameInfo) -> float:
    """How well a bare single name matches a full name: 0 when it cannot."""
    toks = person.tokens
    if bare == toks[-1] or bare in toks[:-1]:
        return 100.0
    return fuzz.ratio(bare, toks[-1]) if fuzz.ratio(bare, toks[-1]) >= FUZZ_BARE else 0.0


def local_form(raw: str, info: NameInfo | None = None) -> bool:
    """True when a name means someone else in every article ("rebels", "officials", "the ministry"):
    a description with no name of its own, or a generic uncapitalised group. :func:`resolve` resolves
    such a form within its article only (unless a curated link names it)."""
    info = info or parse_name(raw)
    if not info.key:
        return True
    return info.kind == "group" and not info.side and (info.key in GENERIC_GROUPS or not is_capitalised(raw))


def resolve(positions: Sequence[Position], links: Iterable[ActorLink] = (),
            texts: Mapping[str, str] | None = None, text_starts: Mapping[str, int] | None = None) -> Resolution:
    """Group the actors of ``positions`` into records (see the module docstring).

    ``links`` are curated decisions (merge/split/side); ``texts`` maps article id
    -> title + text and enables co-occurrence and side evidence read from the text;
    ``text_starts`` says where the article text starts in each of ``texts`` (so that
    side evidence cites article-text offsets; 0 when ``texts`` hold the text alone).
    """
    links = list(links)
    table = side_table()
    nodes: dict[str, _Node] = {}
    per_article: dict[str, set[str]] = defaultdict(set)       # article -> node keys named there
    raw_node: dict[str, str] = {}                             # raw -> node key (global)
    local: dict[tuple[str, str], str] = {}                    # (article, raw) -> node key for descriptors
    edges: list[tuple[float, str, str, str]] = []
    curated_aliases = {ln.alias for ln in links if ln.kind == "merge" and not ln.canonical.startswith(SIDE_PREFIX)}
    curated_keys = {key(a) for a in curated_aliases}

    def base_of(art: str) -> int | None:
        if text_starts is None:
            return None
        return text_starts.get(art)

    def locate(raw: str, art: str) -> tuple[int | None, int | None]:
        text = texts.get(art) if texts else None
        if not text:
            return None, None
        i = text.find(raw)
        if i < 0:
            return None, None
        b = base_of(art)
        if b is None:
            return i, i + len(raw)
        return (None, None) if i < b else (i - b, i - b + len(raw))

    def node_for(raw: str, art: str, info: NameInfo | None = None) -> str:
        info = info or parse_name(raw, table)
        curated = raw in curated_aliases or (bool(key(raw)) and key(raw) in curated_keys)
        if info.key and local_form(raw, info) and not curated:
            info = NameInfo(raw, "", "group")     # "rebels": means someone else in every article
        if info.key:
            k = info.key
        elif curated:
            k = f"@curated:{raw}"                 # a description curated as one actor's alias everywhere
        else:
            k = f"@{art}:{key(raw) or raw}"      # "Lawmakers" and "lawmakers" in one article: one node
            local[(art, raw)] = k
        n = nodes.get(k)
        if n is None:
            n = nodes[k] = _Node(k, info if info.key else NameInfo(raw, k, "group"))
        if raw not in n.raws:
            if (info.side or info.demonym) and info.kind != "state" and (
                    (side_words(raw) and (info.kind != "org" or organ_words(raw)))
                    or info.key in table.affiliate or info.key in table.government):
                s, e = locate(raw, art)
                n.side_ev.append(Candidate(info.side or "?" + (info.demonym or ""), "title in the name", art,
                                           s, e, raw))
            elif info.kind == "org" and not info.side and len(info.key.split()) >= 2 and \
                    info.key.split()[-1] in _GOV:
                # "the Obama administration", "Kim regime": the side of the person it is named after
                head = parse_name(" ".join(raw.split()[:-1]), table)
                if head.kind in ("person", "bare") and head.key:
                    s, e = locate(raw, art)
                    n.side_ev.append(Candidate("@person:" + head.key, "title in the name", art, s, e, raw))
        n.raws[raw] += 1
        n.articles.add(art)
        if info.key or curated:
            raw_node.setdefault(raw, k)
        per_article[art].add(k)
        return k

    for i, p in enumerate(positions):
        art = p.article_id or p.evidence.article_id or f"#{i}"
        k = node_for(p.actor, art)
        nodes[k].mentions += 1
        for al in p.aliases:
            ai = parse_name(al, table)
            if not ai.key and not (al in curated_aliases or key(al) in curated_keys):
                continue        # a description ("Ukraine's leader"): no actor of its own, and no side evidence
            ak = node_for(al, art, ai)
            if ak != k:
                edges.append((0.97, k, ak, f"named as the same actor in article {art}"))

    # link names that are not in any position still need nodes (curated canonicals)
    for ln in links:
        if ln.canonical.startswith(SIDE_PREFIX):
            continue
        for nm in (ln.alias, ln.canonical):
            if nm not in raw_node and ln.kind in ("merge", "split"):
                info = parse_name(nm, table)
                k = info.key or f"@curated:{nm}"
                if k not in nodes:
                    nodes[k] = _Node(k, info if info.key else NameInfo(nm, k, "group"))
                nodes[k].raws[nm] += 0
                raw_node[nm] = k

    def nk(name: str) -> str | None:
        if name in raw_node:
            return raw_node[name]
        k = parse_name(name, table).key
        return k if k in nodes else None

    # side evidence in the text: only the actor's own articles, every form it is named by
    if texts:
        for k, n in nodes.items():
            if n.info.kind not in ("person", "bare") or k.startswith("@"):
                continue
            forms = list(dict.fromkeys(_strip_titles(raw, n.info) for raw in n.raws))
            surname = None
            if n.info.kind == "person":     # "Later Dros said ..." names Ina Dros too, in her own articles
                last = forms[0].split()[-1] if forms else ""
                if len(last) >= 3 and last[:1].isupper() and key(last) not in _STOPWORDS | _NOT_NAMES:
                    surname = last
            for form in forms + ([surname] if surname else []):
                for art in sorted(n.articles):
                    if art in texts:
                        n.side_ev.extend(scan_text(texts[art], form, art, table, base_of(art),
                                                   full=n.key if form == surname else None))

    # unknown demonyms ("Vardenian") -> an actor named "Vardenia"
    demonym_side: dict[str, str] = {}
    candidates = sorted((k for k, n in nodes.items() if n.info.kind in ("bare", "state", "org")
                         and not k.startswith("@")), key=lambda k: (len(k.split()), k))
    # a made-up side is never a person's name ("Trump Jr.", "Trump") nor a party
    person_tokens = {t for n in nodes.values() if n.info.kind == "person" and not set(n.info.tokens) & _STOPWORDS
                     for t in n.info.tokens}
    known_words = {w for k in list(table.whole) + list(nodes) for w in k.split()}
    candidates = [c for c in candidates if not nodes[c].info.suffix and c not in person_tokens
                  and c.split()[0] not in _NOT_SIDES
                  and not (c.endswith("s") and c[:-1] in known_words)]     # "the two Koreas"
    for n in list(nodes.values()):
        dems = {n.info.demonym} | {c.side[1:] for c in n.side_ev if c.side.startswith("?")}
        for dem in sorted(d for d in dems if d and d not in demonym_side):
            if dem in person_tokens or dem.split()[0] in _NOT_SIDES or generic_institution(dem):
                continue            # "Cabinet Secretary X", "Air Force Gen. X": no side of their own
            for c in candidates:
                if c != n.key and demonym_matches(dem, c):
                    demonym_side[dem] = c
                    break
    # a demonym no actor matches: the polity the article itself names by that spelling ("Belmoran
    # President ..." in an article that says "Belmora"), a side of its own
    text_sides: dict[str, str] = {}
    caps_cache: dict[str, Counter[str]] = {}
    if texts:
        for n in nodes.values():
            dems = {n.info.demonym} | {c.side[1:] for c in n.side_ev if c.side.startswith("?")}
            for dem in sorted(d for d in dems if d and d not in demonym_side and d not in text_sides):
                if dem in person_tokens or dem.split()[0] in _NOT_SIDES or " " in dem or generic_institution(dem):
                    continue
                w = _polity_in_articles(dem, sorted(n.articles), texts, caps_cache)
                if w:
                    text_sides[dem] = w
    # a made-up side named by its adjective or title prefix is a state ("Vardenia"), unless it is an
    # organisation ("PCS union leader ..." makes PCS a side, not a state)
    made_up_sides = {s for s in demonym_side.values() if nodes[s].info.kind != "org" or s.split()[-1] in _STATE_WORDS}
    for s in made_up_sides:
        nodes[s].info = NameInfo(nodes[s].info.raw, s, "state", side=None)
    for s in made_up_sides:       # "Kestrel" ~ "Kestrel Federation"
        for o in candidates:
            if o != s and (o.startswith(s + " ") or s.startswith(o + " ")) and \
                    nodes[o].info.kind in ("bare", "state", "org") and not nodes[o].info.side:
                edges.append((0.85, s, o, "short form of the side's name"))
                if nodes[o].info.kind == "bare":
                    nodes[o].info = NameInfo(nodes[o].info.raw, o, "state")

    def kind(k: str) -> str:
        return nodes[k].info.kind

    # candidate merges between distinct keys
    persons = [k for k in nodes if kind(k) == "person"]
    by_last: dict[str, list[str]] = defaultdict(list)
    for k in persons:
        by_last[k.split()[-1]].append(k)
    lasts = list(by_last)
    for k in persons:
        last = k.split()[-1]
        for other_last, _score, _ in process.extract(last, lasts, scorer=fuzz.ratio, score_cutoff=FUZZ_LAST,
                                                    limit=None):
            for o in by_last[other_last]:
                if o <= k:
                    continue
                m = _person_compatible(nodes[k].info, nodes[o].info)
                if m:
                    edges.append((m[0], k, o, m[1]))

    # bare names: one full name -> merge; several people -> the one named in the same article
    overrides_nodes: dict[tuple[str, str], str] = {}
    by_token: dict[str, list[str]] = defaultdict(list)
    for p in persons:
        for tok in set(nodes[p].info.tokens):
            by_token[tok].append(p)
    for k, n in nodes.items():
        if n.info.kind != "bare" or k in made_up_sides:
            continue
        near = set(by_token.get(k, ()))
        for other_last, _, _ in process.extract(k, lasts, scorer=fuzz.ratio, score_cutoff=FUZZ_BARE, limit=None):
            near.update(by_last[other_last])
        scored = [(p, _bare_matches(k, nodes[p].info)) for p in sorted(near)]
        cands = [(p, s) for p, s in scored if s > 0]
        if not cands:
            continue
        plain = [(p, s) for p, s in cands if not nodes[p].info.suffix]
        pool = plain or cands
        people = _people(pool, nodes)
        if len(people) == 1:
            best = max(pool, key=lambda x: (x[1], nodes[x[0]].mentions))
            conf = 0.9 * best[1] / 100
            edges.append((conf, k, best[0], "surname of the only full name it can mean"))
            continue
        # several people: co-occurrence per article
        for art in n.articles:
            present = [(p, s) for p, s in cands if art in nodes[p].articles or
                       (texts and art in texts and any(r in texts[art] for r in nodes[p].raws))]
            grp = _people(present, nodes)
            if len(grp) == 1:
                overrides_nodes[(art, k)] = present[0][0]

    # acronyms: "EU" ~ "European Union", "MITI" ~ "Ministry of International Trade and Industry"
    by_acr: dict[str, list[str]] = defaultdict(list)
    for k in nodes:
        if " " in k and kind(k) in ("org", "state", "group", "person") and len(k.split()) >= 2:
            by_acr[acronym(k)].append(k)
            ws = k.split()
            if kind(k) == "org" and len(ws) >= 3 and ws[-1] in ORG_WORDS:     # "PCS" ~ "... Services Union"
                by_acr[acronym(" ".join(ws[:-1]))].append(k)
    for k in nodes:
        if " " not in k and kind(k) in ("org", "bare") and len(by_acr.get(k, [])) == 1:
            edges.append((0.85, k, by_acr[k][0], "acronym"))

    # union-find with constraints
    uf = _UF()
    members: dict[str, set[str]] = {k: {k} for k in nodes}
    for k in nodes:
        uf.find(k)
    split_pairs: set[frozenset[str]] = set()
    side_links: dict[str, ActorLink] = {}
    merge_links: list[tuple[str, str]] = []
    for ln in links:
        if ln.kind == "split":
            a, b = nk(ln.alias), nk(ln.canonical)
            if a and b and a != b:
                split_pairs.add(frozenset((a, b)))
        elif ln.kind == "merge" and not ln.canonical.startswith(SIDE_PREFIX):
            a, b = nk(ln.alias), nk(ln.canonical)
            if a and b:
                merge_links.append((a, b))
        elif ln.kind == "side":
            side_links[ln.alias] = ln
        elif ln.kind == "merge" and ln.canonical.startswith(SIDE_PREFIX):
            side_links[ln.alias] = ActorLink(ln.alias, ln.canonical[len(SIDE_PREFIX):], "side", ln.source,
                                             ln.confidence)

    used: dict[str, list[Merge]] = defaultdict(list)
    kinds_of = {k: {kind(k)} for k in nodes}
    persons_of = {k: [k] if kind(k) == "person" else [] for k in nodes}
    # the side(s) a cluster *is* (its state members) and the collective groups it holds
    states_of = {k: ({nodes[k].info.side or k} if kind(k) == "state" or k in made_up_sides else set()) for k in nodes}
    groups_of = {k: {k} if kind(k) == "group" and not k.startswith("@") else set() for k in nodes}

    def named_side(n: _Node) -> set[str]:
        """The side a name's own words give it ("the Vardenian government" -> vardenia)."""
        if n.info.side:
            return {n.info.side}
        if n.info.demonym:
            return {demonym_side.get(n.info.demonym, "?" + n.info.demonym)}
        return set()

    sides_of = {k: named_side(nodes[k]) if kind(k) in ("org", "group") else set() for k in nodes}
    compat: dict[tuple[str, str], bool] = {}

    def union(a: str, b: str, conf: float, reason: str, curated: bool = False) -> bool:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            return False
        ma, mb = members[ra], members[rb]
        if split_pairs and any(frozenset((x, y)) in split_pairs for x in ma for y in mb):
            return False
        if not curated:
            ka, kb = kinds_of[ra], kinds_of[rb]
            if ("state" in ka) != ("state" in kb) and (ka | kb) & {"person", "bare"}:
                return False
            # the whole cluster decides, not the one member the edge touches (no transitive chains)
            sa, sb = states_of[ra], states_of[rb]
            if sa and sb and sa != sb and reason not in _SIDE_REASONS:
                return False            # two different states never merge
            if bool(sa) != bool(sb) and reason not in _SIDE_REASONS:
                other = kb if sa else ka
                if other & {"person", "bare", "group", "state"} or reason != "acronym":
                    return False        # a state takes only its names from the table (institutions stay apart)
            if (ka & {"person", "bare"} and kb & {"org", "group"}) or (kb & {"person", "bare"} and ka & {"org", "group"}):
                return False            # a person never absorbs an organisation or a group ("Senate leaders")
            if sides_of[ra] and sides_of[rb] and not sides_of[ra] & sides_of[rb]:
                return False            # institutions of two sides never merge ("Tolmaran officials")
            ga, gb = groups_of[ra], groups_of[rb]
            if (ga or gb) and ga != gb:
                if (ga and gb) or (kb if ga else ka) & {"person", "bare", "state"}:
                    return False        # "Democrats" never joins a person, a state or another group
            for x in persons_of[ra]:
                for y in persons_of[rb]:
                    pair = (x, y) if x < y else (y, x)
                    if pair not in compat:
                        compat[pair] = _person_compatible(nodes[x].info, nodes[y].info) is not None
                    if not compat[pair]:
                        return False
        uf.parent[rb] = ra
        members[ra] = ma | mb
        if curated:
            # b is curated to be a name of a: it takes a's nature and adds no constraint of its own
            # (merging "Vardenian leader" into a person must not stop "Toren" from joining her later)
            kinds_of.pop(rb)
            persons_of.pop(rb)
            states_of.pop(rb)
            groups_of.pop(rb)
            sides_of.pop(rb)
        else:
            kinds_of[ra] = kinds_of[ra] | kinds_of.pop(rb)
            persons_of[ra] = persons_of[ra] + persons_of.pop(rb)
            states_of[ra] = states_of[ra] | states_of.pop(rb)
            groups_of[ra] = groups_of[ra] | groups_of.pop(rb)
            sides_of[ra] = sides_of[ra] | sides_of.pop(rb)
        del members[rb]
        used[ra] = used.get(ra, []) + used.pop(rb, []) + [Merge(_label(nodes[a]), _label(nodes[b]), conf, reason)]
        return True

    for a, b in merge_links:
        union(b, a, 1.0, "curated merge", curated=True)
    for conf, a, b, reason in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        union(a, b, conf, reason)

    # records
    curated_canon = {}
    for ln in links:
        if ln.kind == "merge" and not ln.canonical.startswith(SIDE_PREFIX) and nk(ln.canonical):
            curated_canon[uf.find(nk(ln.canonical))] = ln.canonical
    by_root: dict[str, str] = {}
    built: list[tuple[str, ActorRecord, list[_Node]]] = []
    for root, mem in sorted(members.items()):
        ns = [nodes[k] for k in mem]
        rkind = _record_kind(ns, made_up_sides)
        name = curated_canon.get(root) or _canonical_name(ns, rkind)
        raws = sorted({r for n in ns for r in n.raws if r != name})
        arts = set().union(*(n.articles for n in ns))
        merges = tuple(used.get(root, []))
        conf = min([m.confidence for m in merges], default=1.0)
        rec = ActorRecord(name, tuple(raws), rkind, None, sum(n.mentions for n in ns), len(
            [a for a in arts if not a.startswith("#")]) or len(arts), conf, merges)
        built.append((root, rec, ns))
        by_root[root] = name
    mapping: dict[str, str] = {}
    for _root, rec, ns in built:
        for n in ns:
            for raw in n.raws:
                if not n.key.startswith("@") or n.key.startswith("@curated:"):
                    mapping[raw] = rec.name
        mapping.setdefault(rec.name, rec.name)

    # sides, from evidence
    kinds_by_name = {rec.name: rec.kind for _, rec, _ in built}

    def side_name(c: Candidate) -> str | None:
        s = c.side
        if s.startswith("?"):
            dem = s[1:]
            if dem in demonym_side:
                return by_root[uf.find(demonym_side[dem])]
            if dem in text_sides:
                return text_sides[dem]
            shown = _shown_prefix(dem, c.text)
            return shown if shown and polity_name(shown) and dem.split()[0] not in _NOT_SIDES and \
                not generic_institution(shown) else None
        if s.startswith("@person:"):
            return None
        if s in table.sides:
            return s
        if s in text_sides.values():
            return s
        k = nk(s) or (key(s) if key(s) in nodes else None)
        if k:
            return by_root[uf.find(k)]
        return s if (polity_name(s) or org_side_name(s)) and s.split()[0].lower() not in _NOT_SIDES and \
            not generic_institution(s) else None

    decided: dict[str, ActorRecord] = {}
    deferred: dict[str, list[tuple[str, Candidate]]] = {}
    votes: dict[str, list[SideEvidence]] = {}
    for _root, rec, ns in built:
        curated = next((side_links[r] for n in ns for r in n.raws if r in side_links), None)
        if curated is None and rec.name in side_links:
            curated = side_links[rec.name]
        if curated is not None:
            ev = SideEvidence(curated.canonical, "curated", None, None, None,
                              f"{curated.source} side link: {curated.alias} -> {curated.canonical}")
            decided[rec.name] = replace(rec, side=curated.canonical, side_evidence=(ev,))
            continue
        if rec.kind == "state":
            decided[rec.name] = replace(rec, side=rec.name,
                                        side_evidence=(SideEvidence(rec.name, "is the side", text=rec.name),))
            continue
        evs: list[SideEvidence] = []
        person_keys = {n.key for n in ns if n.info.kind == "person"}
        surnames = {k.split()[-1] for k in person_keys}
        for n in ns:
            for c in n.side_ev:
                if c.person and person_keys and c.person not in person_keys and c.person not in surnames:
                    continue        # "White House spokeswoman Sarah Sanders" is no evidence for Bernie Sanders
                if c.side.startswith("@person:"):
                    deferred.setdefault(rec.name, []).append((c.side[len("@person:"):], c))
                    continue
                s = side_name(c)
                if s and s != rec.name and kinds_by_name.get(s) != "person":
                    evs.append(SideEvidence(s, c.how, c.article_id, c.start, c.end, c.text))
        votes.setdefault(rec.name, []).extend(evs)
        dec = decide_side(evs)
        decided[rec.name] = replace(rec, side=dec.side, side_evidence=dec.evidence, side_note=dec.note)
    for name, items in deferred.items():       # "a spokeswoman for Chancellor Ivo Renner": Renner's side
        rec = decided[name]
        if rec.side or rec.side_note:
            continue
        evs = []
        for pkey, c in items:
            principal = None
            if pkey in nodes:
                principal = decided.get(by_root[uf.find(pkey)])
            elif pkey in raw_node:
                principal = decided.get(by_root[uf.find(raw_node[pkey])])
            else:   # a surname ("Kim regime"): the one person record it ends
                ends = [r for r in decided.values() if r.kind == "person" and key(r.name).endswith(" " + pkey)]
                principal = ends[0] if len(ends) == 1 else None
            if principal and principal.side and principal.name != name and principal.side != name:
                evs.append(SideEvidence(principal.side, c.how, c.article_id, c.start, c.end, c.text))
        votes.setdefault(name, []).extend(evs)
        dec = decide_side(evs)
        decided[name] = replace(rec, side=dec.side, side_evidence=dec.evidence, side_note=dec.note)

    records = [decided[rec.name] for _, rec, _ in built]
    # a side no record stands for (a made-up "Kestrel Federation", "Belmora" named only through its people)
    names = {r.name for r in records}
    for side in sorted({r.side for r in records if r.side and r.side not in names}):
        skind = "state" if side in table.sides or side in text_sides.values() or any(
            e.how in ("title in the name", "title in the text") for r in records if r.side == side
            for e in r.side_evidence) else "org"
        records.append(ActorRecord(side, (), skind, side, 0, 0, 1.0, (),
                                   (SideEvidence(side, "is the side", text=side),)))
    overrides: dict[tuple[str, str], str] = {}
    for (art, raw), k in local.items():
        overrides[(art, raw)] = by_root[uf.find(k)]
    for (art, bare), target in overrides_nodes.items():
        if uf.find(bare) != uf.find(target):
            for raw in nodes[bare].raws:
                overrides[(art, raw)] = by_root[uf.find(target)]
    sides = {r.side for r in records if r.side}
    # a record others belong to is a side: its own ("Nordmark Council" for its envoy)
    records = [replace(r, side=r.name, side_evidence=(SideEvidence(r.name, "is the side", text=r.name),))
               if r.name in sides and not r.side else r for r in records]
    visible = [r for r in records if r.mentions > 0 or r.name in sides]
    hidden = [r for r in records if not (r.mentions > 0 or r.name in sides)]
    visible.sort(key=lambda r: (-r.mentions, r.name))
    return Resolution(visible, mapping, overrides, hidden, {k: tuple(v) for k, v in votes.items() if v})


_CAP_WORD = re.compile(r"\b[A-Z][a-z]{3,}\b")


def _polity_in_text(dem: str, text: str) -> str | None:
    """A capitalised word of ``text`` whose adjective ``dem`` is by spelling ("Belmora" for "belmoran"),
    named at least twice, and no plural of another word ("the two Koreas")."""
    caps = set(_CAP_WORD.findall(text))
    found = Counter(w for w in _CAP_WORD.findall(text) if w.lower() != dem and demonym_matches(dem, w.lower())
                    and not (w.endswith("s") and w[:-1] in caps))
    best = [w for w, c in found.most_common(1) if c >= 2]
    return best[0] if best else None


def _polity_in_articles(dem: str, arts: Sequence[str], texts: Mapping[str, str],
                        cache: dict[str, Counter[str]]) -> str | None:
    """:func:`_polity_in_text` over the texts of ``arts`` joined, counting each article's capitalised
    words once (``cache``) instead of scanning the joined text for every demonym."""
    counts: Counter[str] = Counter()
    for art in arts:
        c = cache.get(art)
        if c is None:
            c = cache[art] = Counter(_CAP_WORD.findall(texts.get(art, "")))
        counts.update(c)
    found: Counter[str] = Counter()
    for w, n in counts.items():       # first occurrence order, as in the joined text
        lw = w.lower()
        if lw != dem and demonym_matches(dem, lw) and not (w.endswith("s") and w[:-1] in counts):
            found[w] = n
    best = [w for w, c in found.most_common(1) if c >= 2]
    return best[0] if best else None


def _shown_prefix(dem: str, text: str) -> str | None:
    """The words of ``text`` whose key is ``dem`` ("kestrel federation" in "Kestrel Federation Chancellor ...")."""
    toks = text.split()
    n = len(dem.split())
    for i in range(len(toks) - n + 1):
        cand = " ".join(toks[i:i + n])
        if key(cand) == dem:
            return cand
    return None


def _record_kind(ns: list[_Node], made_up_sides: set[str]) -> str:
    """A record's kind by its members' mention weight (not by one member)."""
    kinds = Counter(n.info.kind for n in ns)
    weight: Counter[str] = Counter()
    for n in ns:
        kk = "state" if (n.info.kind == "state" or n.key in made_up_sides) else n.info.kind
        if kk == "person" and set(n.info.tokens) & _STOPWORDS:
            kk = "org"          # "Republic of Vardenia" is no person's name
        weight["person" if kk == "bare" else kk] += max(n.mentions, 1)
    if weight.get("state"):
        weight["person"] -= sum(max(n.mentions, 1) for n in ns if n.info.kind == "bare")   # "Orsk"
    if weight.get("state") and weight["state"] * 2 >= sum(weight.values()) - weight.get("org", 0):
        return "state"
    if kinds.get("person") and weight["person"] >= max(weight.get("org", 0), weight.get("group", 0)):
        return "person"
    if kinds.get("group") and not kinds.get("org"):
        return "group"
    return "person" if kinds.get("bare") and _looks_like_person(ns) else "org"


def _people(pool: list[tuple[str, float]], nodes: dict[str, _Node]) -> list[list[str]]:
    """Group candidate full names into distinct people (pairwise compatible sets)."""
    groups: list[list[str]] = []
    for p, _ in pool:
        for g in groups:
            if all(_person_compatible(nodes[p].info, nodes[q].info) for q in g):
                g.append(p)
                break
        else:
            groups.append([p])
    return groups


def _looks_like_person(ns: list[_Node]) -> bool:
    return any(any(w[:1].isupper() for w in r.split()) and re.search(
        r"\b(President|Mr|Mrs|Ms|Minister|Senator|Dr)\b", r) for n in ns for r in n.raws)


def _label(n: _Node) -> str:
    return n.raws.most_common(1)[0][0] if n.raws else n.key


def _strip_titles(raw: str, info: NameInfo) -> str:
    """The raw form without its leading titles ("Ukrainian President Volodymyr Zelensky" -> "Volodymyr Zelensky")."""
    toks = raw.split()
    want = len(info.tokens) + (1 if info.suffix else 0)
    for i in range(len(toks)):
        tail = " ".join(toks[i:])
        pi = parse_name(tail)
        if key(tail) == info.key or (pi.key == info.key and len(key(tail).split()) <= want + 1
                                     and toks[i][:1].isupper() and parse_name(toks[i]).kind != "descriptor"):
            if not re.match(r"(?i)(mr|mrs|ms|dr|president|vice|col|gen)\.?$", toks[i]):
                return tail
    return raw


def _clean_form(cand: str) -> bool:
    """A usable display name: capitalised, no abbreviation glued mid-name, no digits/brackets, no junk lead
    word ("Now ...") and no repeated word ("Trump Trump")."""
    ws = key(cand).split()
    return (bool(ws) and not re.search(r"\w{3,}\.\s|[\d\[\]()]", cand) and is_capitalised(cand)
            and _drop_lead_junk(cand) == cand and len(set(ws)) == len(ws))


def _canonical_name(ns: list[_Node], kind: str) -> str:
    """The most frequently used clean full form among the members (a person's first + last name)."""
    if kind == "state":
        for n in ns:
            if n.info.kind == "state" and n.info.side:
                return n.info.side
        states = [n for n in ns if n.info.kind == "state"]
        if states:
            return _label(max(states, key=lambda n: (len(n.key.split()), n.mentions, n.key)))
    raws_all = {r for n in ns for r in n.raws}
    freq: Counter = Counter()
    meta: dict[str, tuple] = {}
    for n in ns:
        for raw, cnt in n.raws.items():
            if n.key.startswith("@"):
                cand, meta_ = raw, (False, 0)
            else:
                cand = _strip_titles(raw, n.info)
                full = min(len(n.info.tokens), 2) + (n.info.kind in ("person", "bare"))
                meta_ = (_clean_form(cand), full)
            freq[cand] += max(cnt, 1 if n.mentions else 0)
            meta[cand] = max(meta.get(cand, meta_), meta_)
    if not freq:
        return ns[0].key
    top = max(freq.values())
    for c in freq:          # a full form nobody uses ("Assessing Obama" once) does not beat "Obama" used 500 times
        if freq[c] * 5 < top:
            meta[c] = (meta[c][0], 0)
    return max(freq, key=lambda c: (meta[c][0], meta[c][1], c in raws_all, freq[c], -len(c), c))


def resolve_actors(positions: Sequence[Position], links: Iterable[ActorLink] = (),
                   texts: Mapping[str, str] | None = None) -> list[ActorRecord]:
    """One :class:`ActorRecord` per real-world actor (most mentioned first)."""
    return resolve(positions, links, texts).records


def actor_mapping(records: Iterable[ActorRecord]) -> dict[str, str]:
    """Raw actor name -> canonical name, from records."""
    out: dict[str, str] = {}
    for r in records:
        out[r.name] = r.name
        for a in r.aliases:
            out.setdefault(a, r.name)
    return out


# ---------------------------------------------------------------------------- alias files

def store_link(link: ActorLink) -> ActorLink:
    """The form a link is stored in: a "side" link becomes a merge link to ``@side:<side>``."""
    if link.kind == "side":
        return ActorLink(link.alias, SIDE_PREFIX + link.canonical, "merge", link.source, link.confidence)
    return link


def export_aliases(records: Iterable[ActorRecord], links: Iterable[ActorLink] = ()) -> str:
    """An editable YAML alias file: every actor with its aliases and side, plus the curated splits.

    Importing it back (:func:`parse_alias_file`) turns each alias into a curated
    merge link, each ``side`` into a side link and each ``never`` entry into a
    split link, so a team curates once and reuses the file.
    """
    links = list(links)
    splits: dict[str, list[str]] = defaultdict(list)
    for ln in links:
        if ln.kind == "split":
            splits[ln.canonical].append(ln.alias)
    actors = []
    for r in sorted(records, key=lambda r: r.name.casefold()):
        row: dict = {"name": r.name}
        if r.aliases:
            row["aliases"] = list(r.aliases)
        if r.side and r.side != r.name:
            row["side"] = r.side
        row["kind"] = r.kind
        if splits.get(r.name):
            row["never"] = sorted(splits.pop(r.name))
        actors.append(row)
    for canon, al in sorted(splits.items()):
        actors.append({"name": canon, "never": sorted(al)})
    header = ("# Parley actor alias file. Edit freely, then `parley actors import FILE`.\n"
              "# name: canonical name; aliases: surface forms merged into it;\n"
              "# side: the side it belongs to; never: names that must stay apart from it.\n")
    return header + yaml.safe_dump({"actors": actors}, sort_keys=False, allow_unicode=True, width=100)


def parse_alias_file(text: str, item: str = "<alias file>") -> list[ActorLink]:
    """Curated links from an alias file written by :func:`export_aliases` (E502 when malformed)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AnalysisError("E502", item=item, detail=f"not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("actors"), list):
        raise AnalysisError("E502", item=item, detail="expected a mapping with an 'actors' list")
    out: list[ActorLink] = []
    for i, row in enumerate(data["actors"], 1):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"].strip():
            raise AnalysisError("E502", item=item, detail=f"entry {i} has no 'name'")
        name = row["name"].strip()
        for field_ in ("aliases", "never"):
            v = row.get(field_) or []
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise AnalysisError("E502", item=item, detail=f"entry {i} ({name}): '{field_}' must be a list of names")
        for al in row.get("aliases") or []:
            if al.strip() and al.strip() != name:
                out.append(ActorLink(al.strip(), name, "merge", "file"))
        for al in row.get("never") or []:
            out.append(ActorLink(al.strip(), name, "split", "file"))
        side = row.get("side")
        if side is not None:
            if not isinstance(side, str):
                raise AnalysisError("E502", item=item, detail=f"entry {i} ({name}): 'side' must be a name")
            out.append(ActorLink(name, side.strip(), "side", "file"))
    return out
