"""One lexicon of names, titles, government words, places and sides, shared by extract and analyze.

Data files beside this module, loaded once::

    places.yaml    world gazetteer: states, their other names, capitals, seats of power, demonyms
    roles.yaml     titles, government bodies, relays, collective nouns, commentators, news agencies
    taxonomy.yaml  the default issue taxonomy (labels of positions.md)

Everything here describes English and the world, never a person, place or sentence of a
labelled set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ExtractError

HERE = Path(__file__).resolve().parent
PLACES = HERE / "places.yaml"
ROLES = HERE / "roles.yaml"
TAXONOMY = HERE / "taxonomy.yaml"

__all__ = ["Places", "Roles", "places", "roles", "read_yaml", "TAXONOMY"]


def read_yaml(path: Path, code: str = "E303") -> Any:
    """A YAML file's content; ExtractError ``code`` naming the file when unreadable or malformed."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExtractError(code, item=str(path), detail=exc.strerror or str(exc)) from None
    except yaml.YAMLError as exc:
        raise ExtractError(code, item=str(path), detail=f"not valid YAML ({exc})") from None


@dataclass(frozen=True)
class Places:
    """The world gazetteer, lower-cased keys.

    ``names``: any name of a state -> its canonical name; ``forms``: canonical -> its names;
    ``capitals`` and ``seats`` (capital / seat of power -> state); ``demonyms`` (adjective -> state).
    """

    names: dict[str, str]
    forms: dict[str, tuple[str, ...]]
    capitals: dict[str, str]
    seats: dict[str, str]
    demonyms: dict[str, str]

    def state_of(self, name: str) -> str | None:
        """Canonical state for a name, capital, seat or nationality adjective (None when unknown)."""
        low = re.sub(r"^the\s+", "", name.strip().replace("\u2019", "'").lower())
        return self.names.get(low) or self.capitals.get(low) or self.seats.get(low) or self.demonyms.get(low)

    def is_metonym(self, name: str) -> bool:
        """A capital or seat of power ("Moscow", "the Kremlin", "White House")."""
        low = re.sub(r"^the\s+", "", name.strip().replace("\u2019", "'").lower())
        return low in self.capitals or low in self.seats


@lru_cache(maxsize=4)
def places(path: str | None = None) -> Places:
    p = Path(path) if path else PLACES
    d = read_yaml(p)
    if not isinstance(d, dict) or not isinstance(d.get("states"), dict):
        raise ExtractError("E303", item=str(p), detail="expected a mapping with a 'states' mapping")
    names: dict[str, str] = {}
    forms: dict[str, tuple[str, ...]] = {}
    capitals: dict[str, str] = {}
    seats: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    try:
        for state, spec in d["states"].items():
            spec = spec or {}
            own = (str(state), *(str(x) for x in spec.get("names") or ()))
            forms[str(state)] = own
            for n in own:
                names[n.lower()] = str(state)
            for key, table in (("capitals", capitals), ("seats", seats), ("demonyms", demonyms)):
                for c in spec.get(key) or ():
                    table[str(c).lower()] = str(state)
    except (TypeError, AttributeError) as exc:
        raise ExtractError("E303", item=str(p), detail=f"malformed entry ({exc!r})") from None
    return Places(names=names, forms=forms, capitals=capitals, seats=seats, demonyms=demonyms)


@dataclass(frozen=True)
class Roles:
    titles: frozenset[str]
    government: frozenset[str]
    relays: frozenset[str]
    groups: frozenset[str]
    commentators: frozenset[str]
    news_agencies: frozenset[str]
    leading_noise: frozenset[str]


@lru_cache(maxsize=4)
def roles(path: str | None = None) -> Roles:
    p = Path(path) if path else ROLES
    d = read_yaml(p)
    keys = ("titles", "government", "relays", "groups", "commentators", "news_agencies", "leading_noise")
    if not isinstance(d, dict) or any(not isinstance(d.get(k), list) for k in keys):
        raise ExtractError("E303", item=str(p), detail=f"expected lists {', '.join(keys)}")
    return Roles(**{k: frozenset(str(x).lower() for x in d[k]) for k in keys})
