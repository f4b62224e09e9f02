"""The rules extractor's version: :data:`VERSION` plus a fingerprint of what decides its output.

The store keys runs and extractions by extractor name + version, so the version must change
whenever the output can change, and only then (a new version re-extracts a whole store):

* the code of this package and of ``parley/extract/sentences.py``, as its syntax tree with the
  docstrings dropped (comments, blank lines and formatting never reach the tree);
* the lexicon and gazetteer files (``lexicons/*``, ``parley/lexicon/taxonomy.yaml`` and
  ``places.yaml``) and a custom taxonomy file, as the data they parse to (YAML comments and
  layout do not count);
* the spaCy pipeline's name and installed version.
"""
from __future__ import annotations

import ast
import hashlib
import json
from functools import lru_cache
from pathlib import Path

import yaml

VERSION = "0.23.0"

_HERE = Path(__file__).resolve().parent
_EXTRACT = _HERE.parent
_LEXICON = _EXTRACT.parent / "lexicon"


def code_digest(source: str) -> str:
    """sha256 of the code's syntax tree without docstrings: comments and layout do not count."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:]
    return hashlib.sha256(ast.dump(tree, annotate_fields=True, include_attributes=False).encode()).hexdigest()


def data_digest(raw: bytes, suffix: str) -> str:
    """sha256 of what a YAML or JSON file parses to (its raw bytes when it does not parse)."""
    try:
        data = json.loads(raw) if suffix == ".json" else yaml.safe_load(raw)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    except (ValueError, yaml.YAMLError):
        blob = raw
    return hashlib.sha256(blob).hexdigest()


def _spacy_model() -> str:
    from spacy.util import get_package_version

    from ...config import settings

    name = settings().spacy_model
    return f"{name}=={get_package_version(name) or '?'}"


@lru_cache(maxsize=32)
def fingerprint(taxonomy: str | None = None, spacy_model: str | None = None) -> str:
    """8 hex digits over the rules' code, data and spaCy pipeline (see the module docstring)."""
    digest = hashlib.sha256()
    for path in sorted([*_HERE.glob("*.py"), _EXTRACT / "sentences.py"]):
        digest.update(f"{path.parent.name}/{path.name}:{code_digest(path.read_text(encoding='utf-8'))}".encode())
    data = sorted(p for p in (_HERE / "lexicons").glob("*") if p.is_file())
    data += [_LEXICON / "taxonomy.yaml", _LEXICON / "places.yaml"]
    if taxonomy:
        data.append(Path(taxonomy))
    for path in data:
        if path.is_file():
            digest.update(f"{path.name}:{data_digest(path.read_bytes(), path.suffix)}".encode())
    digest.update((spacy_model or _spacy_model()).encode())
    return digest.hexdigest()[:8]


def rules_version(taxonomy: str | None = None) -> str:
    """``VERSION+fingerprint``: the version the rules extractor stores its runs under."""
    return f"{VERSION}+{fingerprint(taxonomy)}"
