"""Data files of the extractor (cue lexicon, issue taxonomy), loaded once and validated."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...errors import ExtractError

LEXICON_DIR = Path(__file__).with_name("lexicons")
DEFAULT_CUES = LEXICON_DIR / "cues.yaml"
DEFAULT_TAXONOMY = Path(__file__).resolve().parents[2] / "lexicon" / "taxonomy.yaml"
DEFAULT_PLACES = Path(__file__).resolve().parents[2] / "lexicon" / "places.yaml"


def _read(path: Path, code: str) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExtractError(code, item=str(path), detail=f"cannot read ({exc.strerror or exc})") from None
    try:
        return json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ExtractError(code, item=str(path), detail=f"not valid YAML/JSON ({exc})") from None


@dataclass(frozen=True)
class Taxonomy:
    """Issue labels with their lemma and phrase lists; ``default`` when nothing matches."""

    labels: dict[str, tuple[frozenset[str], tuple[str, ...]]]
    default: str = "other"
    source: str = "built-in"
    phrase_re: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)
    topical: frozenset[str] = frozenset()   # words that take the article's dominant issue ("deal")
    process: frozenset[str] = frozenset()   # labels of how parties bargain ("talks"), not what about

    def score(self, lemmas: list[str], text: str) -> dict[str, float]:
        """Hits per label over ``lemmas`` (lower-case) and phrase hits in ``text``."""
        low = text.lower()
        out: dict[str, float] = {}
        for label, (lem, _phr) in self.labels.items():
            s = float(sum(1 for w in lemmas if w in lem))
            rx = self.phrase_re.get(label)
            if rx is not None:
                s += 1.5 * len(rx.findall(low))
            if s:
                out[label] = s
        return out


@lru_cache(maxsize=8)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Read a taxonomy file (default: the built-in one). Raises ExtractError E302 when unusable.

    Format (YAML or JSON)::

        default: other            # optional
        process: [talks]          # optional: labels of the bargaining process itself
        labels:
          wages: {lemmas: [pay, wage, salary], phrases: ["pay rise"]}
          strike: [strike, walkout]   # a bare list means lemmas
    """
    p = Path(path) if path else DEFAULT_TAXONOMY
    data = _read(p, "E302")
    if not isinstance(data, dict) or not isinstance(data.get("labels"), dict) or not data["labels"]:
        raise ExtractError("E302", item=str(p), detail="expected a mapping with a non-empty 'labels' mapping")
    labels: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
    regexes: dict[str, re.Pattern[str]] = {}
    for label, spec in data["labels"].items():
        if isinstance(spec, list):
            spec = {"lemmas": spec}
        if not isinstance(spec, dict):
            raise ExtractError("E302", item=str(p), detail=f"label {label!r}: expected a list or a mapping")
        lemmas = [str(w).lower() for w in spec.get("lemmas") or []]
        phrases = tuple(str(w).lower() for w in spec.get("phrases") or [])
        # multi-word "lemmas" are phrases in disguise
        phrases += tuple(w for w in lemmas if " " in w)
        labels[str(label)] = (frozenset(w for w in lemmas if " " not in w), phrases)
        if phrases:
            regexes[str(label)] = re.compile(r"\b(?:" + "|".join(_phrase_re(x) for x in phrases) + r")\b")
    default = str(data.get("default") or "other")
    topical = frozenset(str(w).lower() for w in data.get("topical") or ())
    process = frozenset(str(w) for w in data.get("process") or () if str(w) in labels)
    return Taxonomy(labels=labels, default=default, source=str(p) if path else "built-in", phrase_re=regexes,
                    topical=topical, process=process)


def _phrase_re(phrase: str) -> str:
    """A phrase as a regex; ``*`` stands for up to three words ("open * borders")."""
    parts = [re.escape(x.strip()) for x in phrase.split("*")]
    return r"\s+(?:[\w'’.-]+\s+){0,3}?".join(p for p in parts if p)


@dataclass(frozen=True)
class Cues:
    """The cue lexicon (lexicons/cues.yaml) in lookup-friendly form."""

    raw: dict[str, Any]
    reporting: frozenset[str]
    stance_verbs: dict[str, str]           # lemma -> polarity
    phrasal: dict[tuple[str, str], str]    # (lemma, particle) -> polarity
    adjectives: dict[str, str]
    evaluative: dict[str, str]
    demand_modals: frozenset[str]
    condition_markers: tuple[tuple[str, bool], ...]   # longest first
    question_verbs: frozenset[str]
    red_lines: tuple[tuple[str, str], ...]            # (phrase, polarity), longest first
    mixed: tuple[str, ...]
    shifts: tuple[tuple[str, str | None], ...]
    group_nouns: frozenset[str]
    relay_nouns: frozenset[str]
    metonym_heads: frozenset[str]
    leader_nouns: frozenset[str]
    metonyms: dict[str, str]
    commentators: frozenset[str] = frozenset()
    party_nouns: frozenset[str] = frozenset()
    not_actors: frozenset[str] = frozenset()


def _polar(d: dict[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pol in ("support", "oppose"):
        for w in d.get(pol) or []:
            out[str(w).lower()] = pol
    return out


@lru_cache(maxsize=4)
def load_cues(path: str | None = None) -> Cues:
    """Read the cue lexicon; raises ExtractError E303 when a section is missing or malformed."""
    p = Path(path) if path else DEFAULT_CUES
    d = _read(p, "E303")
    need = ("reporting_verbs", "stance_verbs", "condition_markers", "red_lines", "mixed", "shifts")
    if not isinstance(d, dict) or any(k not in d for k in need):
        raise ExtractError("E303", item=str(p), detail=f"expected a mapping with sections {', '.join(need)}")
    try:
        phrasal = {(a, b): pol for pol in ("support", "oppose") for a, b in (d.get("phrasal") or {}).get(pol) or []}
        conds = sorted(((c["text"].lower(), bool(c.get("keep"))) for c in d["condition_markers"]), key=lambda x: -len(x[0]))
        reds = sorted(((ph.lower(), pol) for pol in ("support", "oppose") for ph in d["red_lines"].get(pol) or []),
                      key=lambda x: -len(x[0]))
        shifts = tuple((s["text"].lower(), s.get("previous")) for s in d["shifts"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ExtractError("E303", item=str(p), detail=f"malformed entry ({exc!r})") from None
    return Cues(
        raw=d,
        reporting=frozenset(d["reporting_verbs"]),
        stance_verbs=_polar(d["stance_verbs"]),
        phrasal=phrasal,
        adjectives=_polar(d.get("stance_adjectives") or {}),
        evaluative=_polar(d.get("evaluative") or {}),
        demand_modals=frozenset(d.get("demand_modals") or ()),
        condition_markers=tuple(conds),
        question_verbs=frozenset(d.get("question_verbs") or ()),
        red_lines=tuple(reds),
        mixed=tuple(m.lower() for m in d["mixed"]),
        shifts=shifts,
        group_nouns=frozenset(d.get("group_nouns") or ()),
        relay_nouns=frozenset(d.get("relay_nouns") or ()),
        metonym_heads=frozenset(d.get("metonym_heads") or ()),
        leader_nouns=frozenset(d.get("leader_nouns") or ()),
        # capitals and seats of power: the world gazetteer, plus any the cue file adds
        metonyms={**load_places().metonyms,
                  **{str(k).lower(): str(v) for k, v in (d.get("metonyms") or {}).items()}},
        commentators=frozenset(d.get("commentators") or ()),
        party_nouns=frozenset(d.get("party_nouns") or ()),
        not_actors=frozenset(str(x).lower() for x in d.get("not_actors") or ()),
    )


@dataclass(frozen=True)
class Places:
    """The world gazetteer (lexicons/places.yaml), lower-cased keys.

    ``metonyms``: capital (and, when ``seats_stand_for_state``, seat of power) -> state;
    ``names``: any name of a state -> its canonical name; ``forms``: canonical name ->
    all its names, fullest first; ``demonyms``: nationality adjective -> state;
    ``seats``: seat of power -> state (whether or not it stands for the state).
    """

    metonyms: dict[str, str]
    names: dict[str, str]
    forms: dict[str, tuple[str, ...]]
    demonyms: dict[str, str]
    seats: dict[str, str]

    def state_of(self, name: str) -> str | None:
        """Canonical state for a name, capital, seat or nationality adjective (None when unknown)."""
        low = re.sub(r"^the\s+", "", name.strip().replace("\u2019", "'").lower())
        return self.names.get(low) or self.metonyms.get(low) or self.seats.get(low) or self.demonyms.get(low)


@lru_cache(maxsize=4)
def load_places(path: str | None = None) -> Places:
    """Read the gazetteer; raises ExtractError E303 (a lexicon file) when malformed."""
    p = Path(path) if path else DEFAULT_PLACES
    d = _read(p, "E303")
    if not isinstance(d, dict) or not isinstance(d.get("states"), dict):
        raise ExtractError("E303", item=str(p), detail="expected a mapping with a 'states' mapping")
    seats_are_state = bool(d.get("seats_stand_for_state", False))
    metonyms: dict[str, str] = {}
    names: dict[str, str] = {}
    forms: dict[str, tuple[str, ...]] = {}
    demonyms: dict[str, str] = {}
    seats: dict[str, str] = {}
    try:
        for state, spec in d["states"].items():
            state = str(state)
            spec = spec or {}
            own = [state, *(str(x) for x in spec.get("names") or ())]
            forms[state] = tuple(own)
            for n in own:
                names[n.lower()] = state
            for c in spec.get("capitals") or ():
                metonyms[str(c).lower()] = state
            for c in spec.get("seats") or ():
                seats[str(c).lower()] = state
                if seats_are_state:
                    metonyms[str(c).lower()] = state
            for c in spec.get("demonyms") or ():
                demonyms[str(c).lower()] = state
    except (TypeError, AttributeError) as exc:
        raise ExtractError("E303", item=str(p), detail=f"malformed entry ({exc!r})") from None
    return Places(metonyms=metonyms, names=names, forms=forms, demonyms=demonyms, seats=seats)
