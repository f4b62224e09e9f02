"""Settings: defaults in ``defaults.toml`` beside this file, overridden by ``PARLEY_*`` env vars."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

_DEFAULTS = Path(__file__).with_name("defaults.toml")


@dataclass(frozen=True)
class Settings:
    db: str
    spacy_model: str
    taxonomy: str
    extractor: str
    max_bytes: int
    fetch_timeout: float
    fetch_max_bytes: int
    user_agent: str
    near_duplicate_threshold: float
    minhash_perm: int
    extract_chunk_chars: int
    extract_time_budget: float
    sqlite_busy_timeout: float


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read defaults.toml and apply ``PARLEY_<NAME>`` overrides from ``env`` (default os.environ)."""
    env = os.environ if env is None else env
    with _DEFAULTS.open("rb") as fh:
        values = tomllib.load(fh)
    for f in fields(Settings):
        raw = env.get(f"PARLEY_{f.name.upper()}")
        if raw is None:
            continue
        typ = type(values[f.name])
        try:
            values[f.name] = typ(raw)
        except ValueError:
            raise ConfigError("E601", name=f"PARLEY_{f.name.upper()}", detail=f"{raw!r} is not a valid {typ.__name__}") from None
    return Settings(**values)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Process-wide settings (cached; call ``settings.cache_clear()`` in tests after changing env)."""
    return load_settings()
