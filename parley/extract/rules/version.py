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


@lru_cache(maxsize=256)
def _file_digest(path: str, suffix: str, code: bool, mtime_ns: int, size: int) -> str:
    """The digest of one file, cached while the file's mtime and size stay the same."""
    raw = Path(path).read_bytes()
    return code_digest(raw.decode("utf-8")) if code else data_digest(raw, suffix)


def file_digest(path: Path, code: bool) -> str:
    """The digest of a code file (``code``) or a data file, as :func:`code_digest` / :func:`data_digest`."""
    st = path.stat()
    return _file_digest(str(path), path.suffix, code, st.st_mtime_ns, st.st_size)


def fingerprint(taxonomy: str | None = None, spacy_model: str | None = None) -> str:
    """8 hex digits over the rules' code, data and spaCy pipeline (see the module docstring).
    Files are read again whenever they change (a taxonomy edited between two runs counts)."""
    digest = hashlib.sha256()
    for path in sorted([*_HERE.glob("*.py"), _EXTRACT / "sentences.py"]):
        digest.update(f"{path.parent.name}/{path.name}:{file_digest(path, code=True)}".encode())
    data = sorted(p for p in (_HERE / "lexicons").glob("*") if p.is_file())
    data += [_LEXICON / "taxonomy.yaml", _LEXICON / "places.yaml"]
    if taxonomy:
        data.append(Path(taxonomy))
    for path in data:
        if path.is_file():
            digest.update(f"{path.name}:{file_digest(path, code=False)}".encode())
    digest.update((spacy_model or _spacy_model()).encode())
    return digest.hexdigest()[:8]


def rules_version(taxonomy: str | None = None) -> str:
    """``VERSION+fingerprint``: the version the rules extractor stores its runs under."""
    return f"{VERSION}+{fingerprint(taxonomy)}"
