"""Sides with evidence: what the articles say about whom an actor belongs to.

An actor's *side* (the state or organisation it speaks for) is set only from
something an article says, and the words that say it are kept:

* ``title in the name``: the surface form itself, "Ukrainian President Volodymyr
  Zelensky", "Kremlin spokesman Dmitry Peskov", "Iranian officials";
* ``title in the text``: the same words just before the name in one of the
  actor's own articles ("Kestrel Federation Chancellor Ivo Renner");
* ``apposition``: "Anton Brask, Vardenia's foreign minister", "Ruth Okafor, leader
  of the Harbour Workers' Union", "Russia's foreign minister, Sergei Lavrov";
* ``spokesperson``: "Dana Keld, a spokeswoman for Chancellor Ivo Renner" gives
  Keld the side of Renner;
* ``speaks for``: an office holder who, in at least two sentences and never
  otherwise, announces what one state will do ("Foreign Minister Anton Brask
  said Vardenia would ..."); used only when nothing above says anything;
* ``curated``: a side link (``parley actors side``, an alias file).

Only the actor's own articles are read (an article in which one of its
positions was extracted). Extractor aliases that are descriptions ("Russian
President" given as an alias of someone) are not evidence: at corpus scale
they are too often wrong. When the evidence disagrees (the leading side has
less than two thirds of it) the side is unknown, with the disagreement said.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ParleyError
from .names import ORG_WORDS, TITLES, SideTable, acronym, is_capitalised, key, parse_name, words

if TYPE_CHECKING:
    from .actors import Resolution

__all__ = ["SideEvidence", "SideDecision", "Candidate", "scan_text", "decide_side", "side_words", "side_figures", "HOW",
           "ROLE_WORDS", "POLITY_WORDS", "AGENT_GROUPS"]

How = Literal["curated", "is the side", "title in the name", "title in the text", "apposition", "spokesperson",
              "speaks for"]
HOW: tuple[str, ...] = ("curated", "is the side", "title in the name", "title in the text", "apposition",
                        "spokesperson", "speaks for")
_WEIGHT = {"title in the name": 2.0, "title in the text": 1.0, "apposition": 1.0, "spokesperson": 1.0,
           "speaks for": 1.0}
SHARE = 2 / 3           # the leading side needs this share of the evidence
SPEAKS_FOR_MIN = 2      # sentences needed when "speaks for" is all there is

# Role words an apposition or a "said X would" speaker must carry ("foreign minister", "leader of").
ROLE_WORDS = frozenset("""
president minister secretary spokesman spokeswoman spokesperson chancellor king queen prince emir sheikh leader
chief head chairman chairwoman chair ambassador envoy negotiator commander general governor mayor premier
executive ceo director commissioner adviser advisor aide official representative senator deputy speaker
secretary-general ministers officials leaders
""".split())
# Last words of a made-up side's name that make it a polity or an organisation ("Kestrel Federation").
POLITY_WORDS = frozenset("""
federation republic kingdom union council league alliance coalition commission authority government
organisation organization association front movement emirate principality confederation ltd inc corp company
""".split())
_SPOKES = frozenset("spokesman spokeswoman spokesperson aide adviser advisor deputy".split())
# "Venezuelan opposition leader X", "Syrian rebel commander X": against the side the adjective names
_OPPOSITION = frozenset("opposition rebel rebels dissident exiled insurgent mayor".split())   # a city's mayor
# Collectives that act for their side ("Iranian negotiators"), unlike "Palestinian protesters".
AGENT_GROUPS = frozenset("""
negotiators diplomats officials leaders lawmakers ministers delegates delegation forces troops envoys
representatives authorities spokesmen military army navy government administration regime leadership
""".split())
# Organisation words whose holder is the state itself ("the Russian Foreign Ministry" speaks for Russia);
# any other organisation ("National Iranian American Council", a union) is its own side.
_STATE_ORGANS = frozenset("""
ministry department government office embassy cabinet parliament army forces navy military police
administration agency treasury kremlin pentagon congress senate assembly court command delegation
""".split())


# Words that make a capitalised name an organisation that can be someone's side ("Atlantic Council",
# "Brookings Institution", "Free Press"), besides the organisation words of names.py.
_ORG_SIDE_WORDS: frozenset[str] = ORG_WORDS | frozenset("""
center centre endowment institution initiative programme program unit press caucus corporation confederation
industry foundation forum society trust
""".split())


def side_words(raw: str) -> bool:
    """True when a name's words say *why* it is on a side: an office ("President", "spokesman"), an
    organ or organisation ("Ministry", "Council") or a collective acting for it ("negotiators").
    "Japan's Asahi Shimbun" or "Israel-Hamas" name a country, not a side."""
    ws = set(words(raw))
    return bool(ws & (ROLE_WORDS | ORG_WORDS | AGENT_GROUPS | {"ayatollah", "pope", "foreign", "defence",
                                                                "defense", "prime", "supreme"}))

# clause boundaries before a name; a full stop ends a clause unless it ends an abbreviation ("U.S.", "Sen.")
_CUT = re.compile(r"\.(?=\s)|[,;:!?\n\"\u201c\u201d(]")
_ABBREV = re.compile(r"(?:^|\s)(?:(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gen|Lt|Col|Gov|Sgt|Capt|Maj|Adm|St|Prof|Rev|Hon)\.)$")


def _clause(before: str) -> str:
    """The end of ``before`` after its last clause boundary."""
    for m in reversed(list(_CUT.finditer(before))):
        if m.group() == "." and _ABBREV.search(before[:m.end()]):
            continue
        return before[m.end():]
    return before
_APPOS_AFTER = re.compile(r",\s+(?:(?:the|a|an)\s+)?([^,.;:()\"\u201c\u201d\n]{3,120}?)(?=\s*[,.;:)\n]|\s+(?:said|says|told|added|who|has|had|is|was)\b)")
_APPOS_BEFORE = re.compile(r"(?:^|[.;:\n(\"\u201c]\s*|,\s+)(?:(?:the|a|an)\s+)?([^,.;:()\"\u201c\u201d\n]{3,90}),\s*$",
                           re.IGNORECASE)
_POSSESSIVE = re.compile(r"^(?:the\s+)?(?P<who>[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,4})(?:'s|\u2019s)\s+"
                         r"(?P<role>(?:[\w\-]+\s+){0,3}[\w\-]+)$")
_PREP = re.compile(r"\s(of|for|to|at)\s+(?:the\s+)?")
_WHO = re.compile(r"[A-Z][\w.'\u2019\-&]*(?:\s+(?:of\s+|the\s+|and\s+|for\s+|on\s+|de\s+)?[A-Z][\w.'\u2019\-&]*){0,7}$")
# "minister at the Chinese embassy in Washington": a state's organ named by its adjective
_ORGAN = re.compile(r"^(?P<role>(?:[\w\-]+\s+){0,3}[\w\-]+)\s+(?:of|for|at|in)\s+the\s+(?P<dem>[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)?)"
                    r"\s+(?:embassy|government|foreign\s+ministry|ministry(?:\s+of\s+[\w\s]+)?|mission|delegation|"
                    r"military|army|navy|cabinet|parliament)\b")
_DEMONYM = re.compile(r"^(?P<dem>[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)?)\s+(?P<role>(?:[\w\-]+\s+){0,2}[\w\-]+)$")
# US congressional notation after a name: "Adam Schiff (D-Calif.)", "Sen. Lindsey Graham, R-S.C.,"
_CONGRESS = re.compile(r"\s*(?:\(|,\s*)(?:R|D|I)[-\u2013]\s?[A-Z][A-Za-z.]{1,12}(?:\s[A-Z][A-Za-z.]{1,12})?\.{0,2}"
                       r"(?:\)|(?=[,;.\s]))")
_SAYS = re.compile(r"\s+(?:said|says|told\s+[^,.;\n]{1,40}?|added|announced|insisted|warned|stated|declared)"
                   r"(?:\s+on\s+\w+)?\s*,?\s+(?:that\s+)?(?:the\s+)?"
                   r"(?P<who>[A-Z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*){0,2})\s+"
                   r"(?:would|will|could|was|is|had|has|must|should|cannot|can|did|wants|intends|plans)\b")


@dataclass(frozen=True)
class SideEvidence:
    """Why an actor is on a side: how it was read, and the words that say it (offsets into the article
    text; ``None`` when the words are in the title, or for curated sides)."""

    side: str
    how: str
    article_id: str | None = None
    start: int | None = None
    end: int | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "how": self.how, "article_id": self.article_id, "start": self.start,
                "end": self.end, "text": self.text}

    def describe(self) -> str:
        """One line: "title in the text: 'Kestrel Federation Chancellor Ivo Renner' (article 3f2a…)"."""
        where = f" (article {self.article_id})" if self.article_id else ""
        quote = f": {self.text!r}" if self.text else ""
        return f"{self.how}{quote}{where}"


@dataclass(frozen=True)
class Candidate:
    """A side named by some words, before it is matched to an actor: ``side`` is a table side, a raw
    name ("Harbour Workers' Union"), ``?<demonym>`` or ``@person:<key>`` (the principal of a spokesperson)."""

    side: str
    how: str
    article_id: str | None
    start: int | None
    end: int | None
    text: str
    person: str | None = None     # the key of the titled full name the words give ("sarah sanders")


@dataclass(frozen=True)
class SideDecision:
    side: str | None
    evidence: tuple[SideEvidence, ...]
    note: str = ""          # why unknown when there was evidence ("conflicting: ...")


def _span(base: int | None, start: int, end: int) -> tuple[int | None, int | None]:
    if base is None:
        return start, end
    if start < base:
        return None, None        # in the title
    return start - base, end - base


def _role(words_: str) -> str | None:
    """The role word of a description ("foreign minister" -> "minister"), or None."""
    ws = [w.lower().strip("'\u2019") for w in words_.split()]
    for w in reversed(ws):
        if w in ROLE_WORDS:
            return w
    return None


def _who(raw: str, table: SideTable) -> str | None:
    """A candidate side from the words naming it: a table side, ``?demonym``, ``@person:key`` or a raw name."""
    raw = re.sub(r"^(?:the|The)\s+", "", raw.strip())
    raw = re.sub(r"^[A-Z][\w.]*-based\s+", "", raw)           # "the Washington-based National ... Council"
    if not raw or not is_capitalised(raw):
        return None
    k = key(raw)
    if k in table.whole:
        return table.whole[k]
    if k in table.prefix:
        return table.prefix[k]
    ws = k.split()
    lead = _leading_side(ws, table)
    if lead and any(w in _STATE_ORGANS | _BODIES for w in ws[lead[1]:]) and \
            all(w in _GENERIC or w in ("the", "of", "and") for w in ws[lead[1]:]):
        return lead[0]   # "Homeland Security Committee", "Russian Foreign Ministry": an organ of that side
    if any(w in _ORG_SIDE_WORDS for w in ws) and not any(w in _STATE_ORGANS for w in ws):
        return raw if not generic_institution(raw) else None  # an organisation is its own side ("Atlantic Council")
    info = parse_name(raw, table)
    if info.kind in ("person",) and info.key:
        return "@person:" + info.key
    if info.side:
        return info.side
    if any(w in _STATE_ORGANS for w in ws):
        return None      # an organ of a state the words do not name ("the Foreign Office" of whom?)
    if info.kind in ("org", "bare", "group") and info.key and not generic_institution(raw):
        return raw
    return None


def _leading_side(ws: list[str], table: SideTable) -> tuple[str, int] | None:
    """(side, words used) named by the first words of a name ("homeland security committee" -> United
    States, 2)."""
    for n in (3, 2, 1):
        cand = " ".join(ws[:n])
        if len(ws) > n and cand in table.prefix:
            return table.prefix[cand], n
    return None


# Bodies that are a state's own when the state's name opens theirs ("Senate Foreign Relations Committee")
_BODIES = frozenset("committee commission council service office agency caucus court".split())
# Words of an institution's name that name no one in particular ("Air Force", "Cabinet", "the Army")
_GENERIC = ORG_WORDS | frozenset("""
air armed royal national federal joint special central foreign home interior defence defense security
intelligence justice public civil supreme high state states general chief staff relations affairs services
budget finance judiciary appropriations commerce trade energy health education economic economy advisers
advisors advisory
""".split())


def organ_words(raw: str) -> bool:
    """True when an organisation's name says it is a state's organ or people ("Cuban Armed Forces",
    "Iranian officials", "Russian Foreign Ministry"), not a body of its own that a country's name
    merely opens ("American Civil Liberties Union", "Russian International Affairs Council")."""
    ws = set(words(raw))
    return bool(ws & (_STATE_ORGANS | AGENT_GROUPS | ROLE_WORDS))


def generic_institution(raw: str) -> bool:
    """True for a name made only of generic institution words ("Air Force", "Cabinet", "Armed Forces"):
    it belongs to whichever state the article is about, so it is nobody's side by itself."""
    ws = key(raw).split()
    return bool(ws) and all(w in _GENERIC or w in ("the", "of", "and") for w in ws)


def _describe(desc: str, table: SideTable) -> tuple[str, bool] | None:
    """(candidate side, is-a-spokesperson relation) from an apposition's description, or None."""
    desc = desc.strip()
    m = _POSSESSIVE.match(desc)
    if m and _role(m.group("role")):
        who = _who(m.group("who"), table)
        if who:
            return who, bool(_SPOKES & set(m.group("role").lower().split()))
    # "<role ...> of|for|to|at <Name>": the first preposition followed by a name to the end
    # ("director of governance studies at the Brookings Institution" -> the Brookings Institution)
    for pm in _PREP.finditer(desc):
        role_text, rest = desc[:pm.start()], desc[pm.end():]
        if not _WHO.match(rest) or len(role_text.split()) > 8:
            continue
        if not _role(role_text):
            break
        role = set(role_text.lower().split())
        if pm.group(1) in ("to", "for") and not role & _SPOKES:
            return None      # "ambassador to South Korea", "director for Iran": a host or a brief, not a side
        who = _who(rest, table)
        if who:
            return who, bool(_SPOKES & role)
        break
    m = _DEMONYM.match(desc)
    if m and _role(m.group("role")):
        dem = key(m.group("dem"))
        if dem in table.prefix:
            return table.prefix[dem], False
    m = _ORGAN.match(desc)
    if m and _role(m.group("role")):
        dem = key(m.group("dem"))
        if dem in table.prefix:
            return table.prefix[dem], False
    return None


@lru_cache(maxsize=65536)
def _form_pattern(form: str) -> re.Pattern[str]:
    """``form`` as a whole word (compiled once: a ledger scans thousands of forms)."""
    return re.compile(r"(?<![\w'\u2019-])" + re.escape(form) + r"(?![\w'\u2019-])")


def scan_text(text: str, form: str, article_id: str, table: SideTable, base: int | None = None,
              full: str | None = None) -> list[Candidate]:
    """Every place in ``text`` where the words around ``form`` name its side.

    ``base`` is where the article text starts in ``text`` (``text`` = title + "\\n" + article text);
    candidate offsets are converted to article-text offsets. ``full`` is the key of the person's full
    name when ``form`` is their surname: a titled full name must then be theirs ("President Donald
    Trump" does not name Melania Trump).
    """
    out: list[Candidate] = []
    fi = parse_name(form, table)
    want = fi.key
    bare = fi.kind == "bare"      # a surname: "French Foreign Minister Laurent Fabius" names "Fabius" too
    if not want or len(form) < 3 or form not in text:
        return out
    pat = _form_pattern(form)
    titled = False
    says: list[Candidate] = []
    for m in pat.finditer(text):
        s, e = m.start(), m.end()
        # 1. title words just before the name, in the same clause
        before = text[max(0, s - 80):s]
        clause = _clause(before)
        toks = clause.split()[-6:]
        for i in range(len(toks)):
            phrase = " ".join(toks[i:])
            info = parse_name(phrase + " " + form, table)
            same = info.key == want or (
                bare and info.kind == "person" and info.key.endswith(" " + want)
                and (full is None or info.key == full) and not set(info.key.split()) & {"and", "or", "of", "the"})
            if same and (info.side or info.demonym) and side_words(phrase) and not _OPPOSITION & set(words(phrase)):
                st = s - len(clause) + clause.rfind(toks[i]) if toks[i] in clause else s
                side = info.side or "?" + (info.demonym or "")
                a, b = _span(base, st, e)
                out.append(Candidate(side, "title in the text", article_id, a, b, text[st:e], info.key))
                break
        if any(key(t) in TITLES for t in toks[-3:]):
            titled = True
        # 2. apposition after ("X, Vardenia's foreign minister,") and before ("Russia's foreign minister, X")
        for rx, window, after in ((_APPOS_AFTER, text[e:e + 120], True), (_APPOS_BEFORE, text[max(0, s - 120):s], False)):
            am = rx.match(window) if after else rx.search(window)
            if not am:
                continue
            d = _describe(am.group(1), table)
            if d is None:
                continue
            who, _spokes = d
            st, en = (s, e + am.end(1)) if after else (s - len(window) + am.start(1), e)
            a, b = _span(base, st, en)
            out.append(Candidate(who, "spokesperson" if who.startswith("@person:") else "apposition",
                                 article_id, a, b, text[st:en]))
        cm = _CONGRESS.match(text, e)
        if cm and "United States" in table.sides:
            a, b = _span(base, s, cm.end())
            out.append(Candidate("United States", "apposition", article_id, a, b, text[s:cm.end()]))
        # 3. "said Vardenia would ..." (kept apart: used only when nothing else is found)
        sm = _SAYS.match(text, e)
        if sm:
            who = _who(sm.group("who"), table)
            if who and not who.startswith("@person:"):
                end = sm.end()
                a, b = _span(base, s, end)
                says.append(Candidate(who, "speaks for", article_id, a, b, text[s:end]))
    if titled:
        out.extend(says)
    return out


def decide_side(evidence: Iterable[SideEvidence], curated: SideEvidence | None = None) -> SideDecision:
    """The side the evidence supports, or unknown (see the module docstring)."""
    if curated is not None:
        return SideDecision(curated.side, (curated,))
    evs = list(evidence)
    strong = [e for e in evs if e.how != "speaks for"]
    use = strong
    if not strong:
        says = [e for e in evs if e.how == "speaks for"]
        sides = {e.side for e in says}
        sentences = {(e.article_id, e.end) for e in says}       # "Ola Brim said" and "Brim said": one sentence
        if len(sides) == 1 and len(sentences) >= SPEAKS_FOR_MIN:
            use = says
        elif says:
            return SideDecision(None, tuple(says), "said to speak for " + ", ".join(sorted(sides))
                                + (" (too few sentences)" if len(sides) == 1 else " (disagreeing)"))
    if not use:
        return SideDecision(None, ())
    weight: dict[str, float] = defaultdict(float)
    counted: set[tuple[str, str, str | None]] = set()
    for e in use:           # one vote per side, kind and article: a caption repeated nine times is one
        k = (e.side, e.how, e.article_id)
        if k not in counted:
            counted.add(k)
            weight[e.side] += _WEIGHT.get(e.how, 1.0)
    total = sum(weight.values())
    side, top = max(weight.items(), key=lambda kv: (kv[1], kv[0]))
    if top < SHARE * total:
        ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
        return SideDecision(None, tuple(use), "conflicting evidence: " + ", ".join(f"{s} ({w:g})" for s, w in ranked))
    # keep the evidence for the side (first of each kind and article, best first)
    chosen = [e for e in use if e.side == side]
    order = {h: i for i, h in enumerate(HOW)}
    chosen.sort(key=lambda e: (order.get(e.how, 99), e.article_id or "", e.start or 0))
    seen: set[tuple[str, str | None]] = set()
    kept: list[SideEvidence] = []
    for e in chosen:
        k = (e.how, e.article_id)
        if k not in seen:
            seen.add(k)
            kept.append(e)
    return SideDecision(side, tuple(kept[:5]))


def polity_name(raw: str) -> bool:
    """True when a name not in any table can be a side by itself: capitalised, two or more words, the
    last a polity/organisation word ("Kestrel Federation", "Harbour Workers' Union")."""
    ws = key(raw).split()
    return len(ws) >= 2 and ws[-1] in POLITY_WORDS and is_capitalised(raw)


def org_side_name(raw: str) -> bool:
    """True when a capitalised name is an organisation by its words: it may be an actor's side."""
    ws = key(raw).split()
    return len(ws) >= 2 and is_capitalised(raw) and any(w in _ORG_SIDE_WORDS for w in ws)


# ---------------------------------------------------------------------------- measuring

def _same(label: str, side: str) -> bool:
    """A labelled side and a found one name the same side (an organisation may be named longer or by
    its acronym: "Atlantic Council" / "Atlantic Council's Future of Iran Initiative", "IOM")."""
    a, b = key(label), key(side)
    return a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} " or a == acronym(b) or b == acronym(a)


def side_figures(res: Resolution, labels: dict[str, str | None]) -> dict[str, Any]:
    """Precision (found sides that are right) and recall (labelled sides found) over the labelled actors
    the ledger has (matched by exact name or alias: the one resolver, no fuzzy match)."""
    checked = found = right = with_side = 0
    wrong: list[tuple[str, str, str | None]] = []
    missed: list[tuple[str, str]] = []
    absent: list[str] = []
    for name, label in labels.items():
        try:
            m = res.lookup(name)
        except ParleyError:
            absent.append(name)
            continue
        if m.how not in ("name", "alias"):
            absent.append(name)
            continue
        rec = m.record
        side = rec.side if rec.side and rec.side != rec.name else None      # a side of its own: none
        checked += 1
        with_side += label is not None
        if side is not None:
            found += 1
            if label is not None and _same(label, side):
                right += 1
            else:
                wrong.append((name, side, label))
        elif label is not None:
            missed.append((name, label))
    return {"checked": checked, "found": found, "right": right, "with_side": with_side,
            "precision": right / found if found else 1.0, "recall": right / with_side if with_side else 1.0,
            "wrong": wrong, "missed": missed, "absent": absent}
