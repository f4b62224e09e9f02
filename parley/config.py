"""Settings: defaults in ``defaults.toml`` beside this file, then a settings file, then ``PARLEY_*``
environment variables (each layer overrides the one before; command-line options override all).

The settings file is the TOML file named by ``PARLEY_SETTINGS``, else ``parley.toml`` in the current
directory when there is one. It holds any of the keys of ``defaults.toml`` (``db = "ledger.db"``,
``llm_url = "http://127.0.0.1:11434/v1"``...); an unknown key or a value of the wrong type is E601
naming the file and the key, so that a typo is never silently ignored.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ConfigError

_DEFAULTS = Path(__file__).with_name("defaults.toml")
#: the settings file read from the current directory when PARLEY_SETTINGS is not set
LOCAL_SETTINGS = "parley.toml"


@dataclass(frozen=True)
class Settings:
    db: str
    spacy_model: str
    taxonomy: str
    extractor: str
    model: str
    max_bytes: int
    fetch_timeout: float
    fetch_max_bytes: int
    user_agent: str
    near_duplicate_threshold: float
    minhash_perm: int
    extract_chunk_chars: int
    extract_time_budget: float
    sqlite_busy_timeout: float
    llm_url: str
    llm_model: str
    llm_api_key: str
    llm_concurrency: int
    llm_timeout: float
    llm_retries: int
    llm_backoff: float
    llm_response_format: str
    llm_temperature: float
    llm_max_tokens: int
    llm_seed: int
    llm_chunk_chars: int
    llm_overlap_chars: int
    llm_max_chars: int
    llm_cache: str
    api_token: str


def settings_file(env: Mapping[str, str] | None = None) -> Path | None:
    """The settings file in force: ``$PARLEY_SETTINGS``, else ``./parley.toml`` when it exists, else None."""
    env = os.environ if env is None else env
    named = env.get("PARLEY_SETTINGS")
    if named:
        return Path(named).expanduser()
    local = Path(LOCAL_SETTINGS)
    return local if local.is_file() else None


def _coerce(value: Any, default: Any, name: str) -> Any:
    """``value`` as the type of ``default`` (int -> float allowed; bool is never a number)."""
    typ = type(default)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError("E601", name=name, detail=f"{value!r} is not a valid {typ.__name__}")
    if typ is float and isinstance(value, int):
        return float(value)
    if not isinstance(value, typ):
        raise ConfigError("E601", name=name, detail=f"{value!r} is not a valid {typ.__name__}")
    return value


def _read_file(path: Path, values: dict[str, Any]) -> None:
    shown = str(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("E601", name=f"file {shown}", detail="no such file (PARLEY_SETTINGS names it)") from None
    except OSError as exc:
        raise ConfigError("E601", name=f"file {shown}", detail=exc.strerror or str(exc)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("E601", name=f"file {shown}", detail=f"not valid TOML ({exc})") from None
    for key, value in data.items():
        if key not in values:
            raise ConfigError("E601", name=f"{key} in {shown}",
                              detail=f"unknown setting; known: {', '.join(sorted(values))}")
        values[key] = _coerce(value, values[key], f"{key} in {shown}")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read defaults.toml, the settings file (:func:`settings_file`), then apply ``PARLEY_<NAME>``
    overrides from ``env`` (default os.environ)."""
    env = os.environ if env is None else env
    with _DEFAULTS.open("rb") as fh:
        values = tomllib.load(fh)
    path = settings_file(env)
    if path is not None:
        _read_file(path, values)
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
