"""The prompt: Parley's labelling rules (``rules.md``, shipped with the package) plus the labels of
the taxonomy in use, the JSON schema the answer must follow, and the prompt's version.

Only label *names* and *descriptions* are read from a taxonomy file (keywords are for the rules
extractor), so any taxonomy written for Parley works unchanged: a label without a description is
sent by name alone. The built-in taxonomy has keywords only; its labels get the descriptions of
``default_issues.md``.

:data:`PROMPT_VERSION` is declared by hand (bump it when the meaning of the prompt changes);
:func:`prompt_version` adds a fingerprint of the rules files and of the templates below, so that
any edit, even one that forgot the bump, changes the version, the extractor version and the cache key.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...errors import ExtractError
from ...lexicon import TAXONOMY as DEFAULT_TAXONOMY
from ...model import STANCES

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules.md"
DEFAULT_ISSUES = HERE / "default_issues.md"

#: bump when the rules or the answer format change meaning
PROMPT_VERSION = "1"

_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)

_INTRO = "You label negotiating positions in news articles for Parley, following these rules exactly.\n\n"

_ISSUES_HEAD = "Issue labels: \"issue\" must be exactly one of these names."

_FORMAT = """Answer with one JSON object and nothing else, in this form:
{"positions": [{"actor": "...", "aliases": ["..."], "issue": "<label>", "proposition": "...",
  "stance": "support|oppose|conditional|mixed", "conditions": ["..."], "red_line": false,
  "previous_stance": null, "evidence": "<one sentence copied verbatim from the article text>"}]}
Every field is required. "previous_stance" is null or one of support, oppose, conditional, mixed.
When the article attributes no position, answer {"positions": []}."""

_USER = """{head}Article text (quote evidence only from here):
<<<
{text}
>>>"""


@dataclass(frozen=True)
class Label:
    name: str
    description: str = ""


@dataclass(frozen=True)
class TaxonomyLabels:
    """What the llm extractor reads of a taxonomy file: label names, descriptions, the default label."""

    labels: tuple[Label, ...]
    default: str
    source: str                   # the file, or "built-in"
    notes: str = ""               # extra guidance (built-in taxonomy only)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def fingerprint(self) -> str:
        """16 hex digits over exactly what the prompt uses of the taxonomy."""
        payload = json.dumps([[x.name, x.description] for x in self.labels] + [self.default, self.notes],
                             ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _read_text(path: Path) -> str:
    try:
        return _COMMENT.sub("", path.read_text(encoding="utf-8")).strip()
    except OSError as exc:
        raise ExtractError("E330", item=str(path), detail=exc.strerror or str(exc)) from None


def _default_descriptions() -> tuple[dict[str, str], str]:
    """Built-in label descriptions (``- label: text`` lines) and the notes after them."""
    descriptions: dict[str, str] = {}
    notes: list[str] = []
    for line in _read_text(DEFAULT_ISSUES).splitlines():
        m = re.match(r"-\s*([\w-]+):\s*(.+)", line.strip())
        if m:
            descriptions[m.group(1)] = m.group(2).strip()
        elif line.strip():
            notes.append(line.strip())
    return descriptions, " ".join(notes)


@lru_cache(maxsize=8)
def load_labels(path: str | None = None) -> TaxonomyLabels:
    """Label names and descriptions of the taxonomy file ``path`` (YAML or JSON; default built-in).

    Accepted shapes: ``labels:`` as a mapping of name -> mapping (``description`` read, everything
    else ignored) or name -> list (keywords only), or as a list of names or of mappings with
    ``name``/``label`` and ``description``. ``default:`` names the catch-all label ("other" when
    absent; added when the labels lack it). Raises ExtractError E302 naming the file."""
    builtin = not path or Path(path).resolve() == DEFAULT_TAXONOMY.resolve()
    p = Path(path) if path else DEFAULT_TAXONOMY
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExtractError("E302", item=str(p), detail=f"cannot read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw) if p.suffix == ".json" else yaml.safe_load(raw)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ExtractError("E302", item=str(p), detail=f"not valid YAML/JSON ({exc})") from None
    if not isinstance(data, dict) or not data.get("labels"):
        raise ExtractError("E302", item=str(p), detail="expected a mapping with a non-empty 'labels'")
    found: list[Label] = []
    spec = data["labels"]
    items: list[tuple[Any, Any]]
    if isinstance(spec, dict):
        items = list(spec.items())
    elif isinstance(spec, list):
        items = []
        for entry in spec:
            if isinstance(entry, dict):
                items.append((entry.get("name") or entry.get("label"), entry))
            else:
                items.append((entry, None))
    else:
        raise ExtractError("E302", item=str(p), detail="'labels' must be a mapping or a list")
    for name, body in items:
        if not isinstance(name, str) or not name.strip():
            raise ExtractError("E302", item=str(p), detail=f"label name {name!r} is not a non-empty string")
        desc = body.get("description") if isinstance(body, dict) else None
        if desc is not None and not isinstance(desc, str):
            raise ExtractError("E302", item=str(p), detail=f"label {name!r}: 'description' must be a string")
        found.append(Label(name.strip(), " ".join((desc or "").split())))
    if len({x.name for x in found}) != len(found):
        raise ExtractError("E302", item=str(p), detail="a label name appears twice")
    default = str(data.get("default") or "other").strip()
    notes = ""
    descriptions: dict[str, str] = {}
    if builtin:
        descriptions, notes = _default_descriptions()
        found = [x if x.description else Label(x.name, descriptions.get(x.name, "")) for x in found]
    if default not in {x.name for x in found}:
        found.append(Label(default, descriptions.get(default, "anything the other labels do not cover")))
    return TaxonomyLabels(labels=tuple(found), default=default, source="built-in" if builtin else str(p),
                          notes=notes)


@lru_cache(maxsize=1)
def _rules() -> str:
    return _read_text(RULES)


def system_prompt(tax: TaxonomyLabels) -> str:
    """The system message: rules, the taxonomy's labels, the answer format."""
    lines = [_ISSUES_HEAD]
    for label in tax.labels:
        lines.append(f"- {label.name}: {label.description}" if label.description else f"- {label.name}")
    lines.append(f'Use "{tax.default}" for a position on anything the other labels do not cover.')
    if tax.notes:
        lines.append(tax.notes)
    return _INTRO + _rules() + "\n\n" + "\n".join(lines) + "\n\n" + _FORMAT


def user_prompt(text: str, title: str | None = None, part: int = 1, parts: int = 1) -> str:
    """The user message for one article text (or one part of a long article)."""
    head = ""
    if title:
        head += f"Title (context only, never evidence): {' '.join(title.split())}\n"
    if parts > 1:
        head += (f"This is part {part} of {parts} of a long article; list the positions stated in this part."
                 "\n")
    return _USER.format(head=head, text=text)


def answer_schema(tax: TaxonomyLabels) -> dict[str, Any]:
    """The JSON schema of the answer, in the subset that strict structured-output modes accept
    (every property required, no additional properties, nullable through ``anyOf``)."""
    item = {
        "type": "object",
        "properties": {
            "actor": {"type": "string"},
            "aliases": {"type": "array", "items": {"type": "string"}},
            "issue": {"type": "string", "enum": list(tax.names)},
            "proposition": {"type": "string"},
            "stance": {"type": "string", "enum": list(STANCES)},
            "conditions": {"type": "array", "items": {"type": "string"}},
            "red_line": {"type": "boolean"},
            "previous_stance": {"anyOf": [{"type": "string", "enum": list(STANCES)}, {"type": "null"}]},
            "evidence": {"type": "string"},
        },
        "required": ["actor", "aliases", "issue", "proposition", "stance", "conditions", "red_line",
                     "previous_stance", "evidence"],
        "additionalProperties": False,
    }
    return {"type": "object", "properties": {"positions": {"type": "array", "items": item}},
            "required": ["positions"], "additionalProperties": False}


@lru_cache(maxsize=1)
def prompt_version() -> str:
    """``PROMPT_VERSION`` plus 6 hex digits over the rules files and the prompt templates."""
    h = hashlib.sha256()
    for part in (_rules(), _read_text(DEFAULT_ISSUES), _INTRO, _ISSUES_HEAD, _FORMAT, _USER,
                 json.dumps(answer_schema(TaxonomyLabels((Label("x"),), "x", "")), sort_keys=True)):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return f"{PROMPT_VERSION}.{h.hexdigest()[:6]}"


def messages(tax: TaxonomyLabels, text: str, title: str | None = None, part: int = 1,
             parts: int = 1) -> list[dict[str, str]]:
    """The chat messages for one request."""
    return [{"role": "system", "content": system_prompt(tax)},
            {"role": "user", "content": user_prompt(text, title, part, parts)}]


__all__ = ["PROMPT_VERSION", "Label", "TaxonomyLabels", "load_labels", "system_prompt", "user_prompt",
           "answer_schema", "prompt_version", "messages"]
