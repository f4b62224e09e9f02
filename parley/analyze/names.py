"""Name parsing for actor resolution: normal forms, titles, sides (the demonym/capital table).

Pure functions, no state beyond the side table loaded once from
``templates/sides.yml``. :func:`parse_name` turns a surface form such as
"Ukrainian President Volodymyr Zelensky" into a :class:`NameInfo`: its key
("volodymyr zelensky"), its kind (person/state/org/group/descriptor) and the
side its title names (Ukraine).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

_SIDES_FILE = Path(__file__).with_name("templates") / "sides.yml"

# Words that are titles, honorifics or roles: stripped from the front of a person's name.
TITLES = frozenset("""
president presidents vice prime minister ministers foreign secretary spokesman spokeswoman spokesperson
chancellor king queen prince princess emir sheikh general gen lt col colonel major maj capt captain sgt
chief leader leaders former deputy senator sen rep representative congressman congresswoman governor gov
mayor ambassador envoy special senior official head chairman chairwoman chair commissioner speaker
defence defense interior finance trade economy justice commerce treasury mr mrs ms dr sir lord lady dame
premier supreme commander top negotiator chief's pope ayatollah mullah judge attorney opposition
house majority minority whip secretary-general undersecretary under assistant acting incoming outgoing
late then new self-proclaimed de facto chancellor's minister's spy intelligence army military national
security adviser advisor aide director council member members party
""".split())
HONORIFICS = frozenset("mr mrs ms dr sir lord lady dame".split())
SUFFIXES = frozenset("jr sr ii iii iv".split())
# A name containing one of these is an organisation (never a person).
ORG_WORDS = frozenset("""
government ministry department party union unions council commission committee house administration
office agency bank fund organisation organization authority authorities assembly parliament congress senate
court army forces force navy military coalition alliance league federation association company corp inc ltd
group front movement brigade brigades regime cabinet opposition delegation embassy bloc network board
institute foundation kremlin pentagon treasury secretariat command police
""".split())
# Lower-case plural nouns that make a name a collective group ("pro-Russian separatists").
GROUP_WORDS = frozenset("""
negotiators diplomats officials rebels separatists militants protesters workers leaders allies insurgents
democrats republicans unions lawmakers ministers members delegates states countries nations governments
partners employers farmers students teachers nurses doctors forces troops
""".split())
PRONOUNS = frozenset("he she it they him her them his its their we us i you who".split())
_STOP = frozenset("the of and for a an in on to".split())


_GOV_WORDS = ("government", "authorities", "officials", "leadership", "administration", "rulers", "regime")


_QUANTIFIERS = frozenset("some several many most other certain senior".split())


@dataclass(frozen=True)
class Side:
    name: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    affiliates: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()


@dataclass
class SideTable:
    """Lookup from normalised words to side names."""

    sides: dict[str, Side] = field(default_factory=dict)
    whole: dict[str, str] = field(default_factory=dict)      # key of a whole name -> side (the side itself)
    prefix: dict[str, str] = field(default_factory=dict)     # key of a title word/phrase -> side (affiliation)
    government: dict[str, str] = field(default_factory=dict)  # "<demonym> government/officials" -> its side
    affiliate: dict[str, str] = field(default_factory=dict)   # an institution's name -> the side it belongs to

    def add(self, side: Side, metonyms: tuple[str, ...] = ()) -> None:
        """Add a side; ``metonyms`` (capitals) stand for it as whole names only, never as a title
        prefix ("Sofia" is a capital and a first name)."""
        self.sides[side.name] = side
        for n in metonyms:
            self.whole.setdefault(key(n), side.name)
        for n in (side.name, *side.aliases):
            self.whole[key(n)] = side.name
            self.prefix[key(n)] = side.name
        for d in side.demonyms:
            k = key(d)
            self.prefix[k] = side.name
            for g in _GOV_WORDS:
                self.government[f"{k} {g}"] = side.name
            # the people of a side standing for it ("the Iranians", "North Koreans", "the British")
            if k[-1:] in ("n", "i"):
                self.whole.setdefault(k + "s", side.name)
            elif k.endswith(("sh", "ch", "ss", "ese")):
                self.whole.setdefault(k, side.name)
        for n in (side.name, *side.aliases):
            k = key(n)
            for g in _GOV_WORDS:
                self.government.setdefault(f"{k} {g}", side.name)
            self.government.setdefault(f"government of {k}", side.name)
        for a in side.affiliates:
            self.prefix[key(a)] = side.name
            self.affiliate[key(a)] = side.name
        for o in side.offices:
            self.prefix[key(o)] = side.name


@lru_cache(maxsize=1)
def side_table() -> SideTable:
    """The built-in demonym/capital table (``templates/sides.yml``), loaded once."""
    data = yaml.safe_load(_SIDES_FILE.read_text(encoding="utf-8")) or {}
    table = SideTable()
    for name, row in data.items():
        row = row or {}
        table.add(Side(str(name), tuple(map(str, row.get("aliases") or ())),
                       tuple(map(str, row.get("demonyms") or ())), tuple(map(str, row.get("affiliates") or ())),
                       tuple(map(str, row.get("offices") or ()))))
    # The world gazetteer of the shared lexicon (parley/lexicon/places.yaml, every UN member state):
    # states sides.yml does not list come from it, so that "Croatian Prime Minister ..." finds Croatia.
    from ..lexicon import places

    world = places()
    by_state: dict[str, dict[str, list[str]]] = {}
    for kind, lookup in (("capitals", world.capitals), ("seats", world.seats), ("demonyms", world.demonyms)):
        for word, state in lookup.items():
            by_state.setdefault(state, {}).setdefault(kind, []).append(word)
    for state, names in world.forms.items():
        if any(key(n) in table.whole for n in names):
            continue                # sides.yml has it (and says more)
        row = by_state.get(state, {})
        table.add(Side(state, tuple(names[1:]), tuple(row.get("demonyms", ()))),
                  metonyms=tuple(row.get("capitals", []) + row.get("seats", [])))
    return table


_ABBR = {"u.s.": "us", "u.s": "us", "u.k.": "uk", "u.k": "uk", "u.n.": "un", "u.n": "un", "e.u.": "eu"}
_ABBR_RE = re.compile(r"(?<![a-z])(" + "|".join(re.escape(k) for k in sorted(_ABBR, key=len, reverse=True)) + ")")
_POSS = re.compile(r"'s\b")
_NONWORD = re.compile(r"[^0-9a-z' ]+")


def fold(text: str) -> str:
    """Lower-case, accents and curly quotes removed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


def words(text: str) -> list[str]:
    """Normalised words: folded, U.S. -> us, possessive 's dropped, punctuation and hyphens -> space."""
    return list(_words(text))


@lru_cache(maxsize=262144)
def _words(text: str) -> tuple[str, ...]:
    text = _ABBR_RE.sub(lambda m: f" {_ABBR[m.group(1)]} ", fold(text))
    text = _POSS.sub(" ", text)
    return tuple(_NONWORD.sub(" ", text.replace("-", " ")).replace("'", "").split())


def key(text: str) -> str:
    """The comparison key of a name: normalised words joined by spaces."""
    return " ".join(words(text))


@dataclass(frozen=True)
class NameInfo:
    """What a surface form says: its key, kind and the side its title names."""

    raw: str
    key: str                       # "" for descriptors ("Ukraine's leader", "the president")
    kind: str                      # person | bare | state | org | group | descriptor
    side: str | None = None        # side named by the title / table
    suffix: str | None = None      # generational suffix (jr, sr, ii ...)
    demonym: str | None = None     # an unknown demonym-like title word ("vardenian"), for made-up sides

    @property
    def tokens(self) -> list[str]:
        """Name words without the generational suffix."""
        t = self.key.split()
        return t[:-1] if self.suffix and t and t[-1] == self.suffix else t


_PARTICLES = frozenset("de van von der den del della da di du la le al el bin ibn ben abu bint".split())


def _is_capitalised(raw: str) -> bool:
    ws = [w.lstrip("\"'(\u201c") for w in raw.split()]
    ws = [w for w in ws if w and w.lower() not in _STOP and w.lower() not in _PARTICLES]
    return bool(ws) and all(any(part[:1].isupper() or part[:1].isdigit() for part in w.split("-")) for w in ws)


def is_capitalised(raw: str) -> bool:
    """Every word (function words and name particles aside) starts with a capital."""
    return _is_capitalised(raw)


# Collective nouns that name different groups in different articles ("rebels"): never merged across articles.
GENERIC_GROUPS = frozenset("""
rebels separatists militants protesters insurgents allies workers officials negotiators diplomats lawmakers
forces troops government authorities unions employers
""".split())


def _demonym_like(w: str) -> bool:
    return len(w) > 4 and w.endswith(("ian", "an", "ese", "ish", "i"))


# Capitalised sentence-initial words an extractor may glue to a name ("Now Republicans", "Add Donald Trump"):
# dropped from the front. _LEAD_JUNK always; _LEAD_WEAK (also first names or party labels) only when at
# least two name words remain ("Can Dundar" stays, "Republican Paul Ryan" -> "Paul Ryan").
_LEAD_JUNK = frozenset("""
add now why did does do an even pinterest so but and when if what how after while meanwhile also still says
said asked told tells let like thus yet here there today yesterday however instead rather although though
because since unless whether where who whom whose which this that these those both either neither cryin
watch read see video photo exclusive breaking update updated analysis opinion
""".split())
_LEAD_WEAK = frozenset("""
can will may might could should would must is was has had republican republicans democrat democrats
democratic gop conservative labour tory senators sens reps congressmen
""".split())


def _drop_lead_junk(raw: str) -> str:
    toks = raw.split()
    while len(toks) >= 2:
        w = key(toks[0])
        if w in _LEAD_JUNK or (w in _LEAD_WEAK and len(toks) >= 3 and toks[1][:1].isupper()):
            toks = toks[1:]
        else:
            break
    return " ".join(toks)


def _possessive(raw: str, n: int) -> bool:
    """True when the ``n``-th word of ``raw`` ends in a possessive ("Ukraine's leader")."""
    toks = raw.split()
    if toks and toks[0].lower() == "the":
        toks = toks[1:]
    return len(toks) >= n and toks[n - 1].endswith(("'s", "\u2019s", "s'"))


def parse_name(raw: str, table: SideTable | None = None) -> NameInfo:
    """Classify a surface form and strip its titles (see module docstring)."""
    if table is None or table is side_table():
        return _parse_cached(raw)
    return _parse_uncached(raw, table)


@lru_cache(maxsize=262144)
def _parse_cached(raw: str) -> NameInfo:
    return _parse_uncached(raw, side_table())


def _parse_uncached(raw: str, table: SideTable) -> NameInfo:
    raw = raw.strip()
    cut = _drop_lead_junk(raw)
    if cut != raw:
        info = _parse_name(cut, table)
        return NameInfo(raw, info.key, info.kind, info.side, info.suffix, info.demonym)
    return _parse_name(raw, table)


def _parse_name(raw: str, table: SideTable | None = None) -> NameInfo:
    table = table or side_table()
    raw = raw.strip()
    ws = words(raw)
    if not ws or (len(ws) == 1 and ws[0] in PRONOUNS):
        return NameInfo(raw, "", "descriptor")
    while len(ws) > 1 and ws[0] in _QUANTIFIERS:     # "some European diplomats"
        ws = ws[1:]
    starts_the = ws[0] == "the"
    if starts_the:
        ws = ws[1:]
        if not ws:
            return NameInfo(raw, "", "descriptor")
    k = " ".join(ws)
    if k in table.whole:
        return NameInfo(raw, key(table.whole[k]), "state", side=table.whole[k])
    if k in table.affiliate:
        # "Justice Department", "the Fed": an institution of the side, its own actor
        return NameInfo(raw, k, "org", side=table.affiliate[k])
    if k in table.government:
        # "Iranian officials", "the Syrian government", "Sudan's rulers": the side's government, its own
        # actor (one per side, whatever it is called), with the side as its side
        gside = table.government[k]
        return NameInfo(raw, f"{key(gside)} government", "org", side=gside)
    first_raw = raw.split()[1] if starts_the and len(raw.split()) > 1 else raw.split()[0]
    unknown_demonym = ws[0] if _demonym_like(ws[0]) and first_raw[:1].isupper() and ws[0] not in table.prefix else None
    if len(ws) == 2 and unknown_demonym and ws[1] in _GOV_WORDS:
        # "the Vardenian government": an institution of the side, once resolution finds "Vardenia"
        return NameInfo(raw, k, "org", demonym=unknown_demonym)
    if unknown_demonym and len(ws) >= 2 and all(w in TITLES for w in ws[1:]):
        # "the Vardenian leader": a description naming its side, not a name
        return NameInfo(raw, "", "descriptor", demonym=unknown_demonym)
    if starts_the and not _is_capitalised(raw.split(None, 1)[1]):
        # "the insurgent group", "the Assad regime": a description that only names someone inside one article
        return NameInfo(raw, "", "descriptor")
    # a side named at the start ("Ukraine's leader", "Kremlin spokesman", "Ukrainian President ...")
    side, demonym = None, None
    i = 0
    stripped_title = False
    while i < len(ws):
        for n in (3, 2, 1):
            cand = " ".join(ws[i:i + n])
            if len(ws[i:i + n]) == n and cand in table.prefix:
                nxt = ws[i + n:i + n + 3]
                if cand in table.whole and nxt and not any(w in TITLES for w in nxt) and nxt[0] not in ORG_WORDS \
                        and nxt[0] not in GROUP_WORDS and not side and not _possessive(raw, n):
                    continue        # "Chad Wolf", "Jordan Peterson", "Washington Post": no title follows
                side = side or table.prefix[cand]
                i += n
                break
        else:
            if ws[i] in TITLES:
                stripped_title = True
                i += 1
                continue
            if i == 0 and not side:
                rt = raw.split()
                j = next((j for j in (1, 2) if len(ws) > j + 1 and ws[j] in TITLES
                          and all(w not in TITLES and w not in PRONOUNS for w in ws[:j])
                          and len(rt) > j and all(t[:1].isupper() for t in rt[:j])), None)
                if j:
                    demonym = " ".join(ws[:j])     # "Kestrel Federation Chancellor ..."
                    i += j
                    continue
            break
    rest = ws[i:]
    rest_toks: list[str] = []
    need = len(rest)
    for tok in reversed(raw.split()):
        if need <= 0:
            break
        rest_toks.insert(0, tok)
        need -= max(1, len(words(tok)))
    rest_raw = " ".join(rest_toks)
    has_org = any(w in ORG_WORDS for w in (rest or ws))
    plural_group = any(w in GROUP_WORDS for w in ws) and not _is_capitalised(raw.split()[-1])
    if has_org:
        return NameInfo(raw, _drop_company_suffix(k), "org", side=side, demonym=demonym or unknown_demonym)
    if plural_group or (ws[-1] in GROUP_WORDS and not rest[1:]):
        return NameInfo(raw, k, "group", side=side, demonym=demonym or unknown_demonym)
    if not rest:  # nothing but titles and a side: a description, not a name
        return NameInfo(raw, "", "descriptor", side=side, demonym=demonym)
    if not _is_capitalised(rest_raw):
        return NameInfo(raw, k if not stripped_title else "", "descriptor" if stripped_title else "group",
                        side=side, demonym=demonym)
    suffix = None
    if rest and rest[-1] in SUFFIXES:
        suffix, rest = rest[-1], rest[:-1]
    rest = [w for w in rest if len(w) > 1 or len(rest) == 1]   # middle initials ("Donald J. Trump")
    if not rest:
        return NameInfo(raw, "", "descriptor", side=side)
    if len(rest) == 1:
        if raw.replace(".", "").replace(" ", "").isupper() and len(raw) <= 6 and not stripped_title:
            return NameInfo(raw, rest[0], "org", side=side)
        return NameInfo(raw, rest[0] + (f" {suffix}" if suffix else ""), "bare", side=side, suffix=suffix,
                        demonym=demonym)
    return NameInfo(raw, " ".join(rest) + (f" {suffix}" if suffix else ""), "person", side=side, suffix=suffix,
                    demonym=demonym)


_COMPANY = frozenset("corp corporation inc incorporated ltd limited co plc llc ag sa gmbh".split())


def _drop_company_suffix(k: str) -> str:
    """"toshiba corp" -> "toshiba", "nec corp" -> "nec" (a company is named with or without its suffix)."""
    ws = k.split()
    while len(ws) > 1 and ws[-1] in _COMPANY:
        ws = ws[:-1]
    return " ".join(ws)


def acronym(k: str) -> str:
    """Initials of a multi-word key, function words skipped ("european union" -> "eu")."""
    return "".join(w[0] for w in k.split() if w not in _STOP)


def demonym_matches(demonym: str, name_key: str) -> bool:
    """True when ``demonym`` is the adjective of ``name_key`` by spelling ("vardenian" ~ "vardenia")."""
    if name_key == demonym or name_key.startswith(demonym + " "):
        return True          # "Kestrel Chancellor ..." -> "Kestrel Federation"
    n = name_key.replace(" ", "")
    if len(n) < 3:
        return False
    forms = {n + "n", n + "an", n + "ian", n + "ese", n + "i", n + "ish", n[:-1] + "ese", n[:-1] + "ian",
             n[:-1] + "an", n[:-2] + "an", n[:-2] + "ian"}
    return demonym in forms


CONTENT_STOP = _STOP | PRONOUNS | frozenset("""
is are was were be been being that this these those with without by from as at or not no any all its
their will would should must can could may might shall do does did has have had than then so such
also only if unless until provided before after into over under about more most other some own same
very just both each few further once there here when where why how what which while against between
""".split())


def content_tokens(text: str) -> set[str]:
    """Content words of a phrase, crudely stemmed (plural -s, -ing, -ed): for lexical overlap."""
    out = set()
    for w in words(text):
        if w in CONTENT_STOP or len(w) < 3:
            continue
        for suf in ("ing", "ed", "es", "s"):
            if w.endswith(suf) and len(w) - len(suf) >= 4:
                w = w[: -len(suf)]
                break
        out.add(w)
    return out
