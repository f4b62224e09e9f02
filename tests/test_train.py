"""`parley train` end to end on the invented labour set (tests/data/labour): fit, cross-validate,
save, load, extract, score; reproducible with a seed; no names in the features; bad models refused."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from parley.cli import main
from parley.errors import ExtractError
from parley.evaluate import load_gold, predict, score
from parley.extract import get_extractor
from parley.extract.labels import load_labelled
from parley.extract.taxonomy import load_taxonomy
from parley.model import Article

pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parents[1]
LABOUR = ROOT / "tests" / "data" / "labour"
TAXONOMY = ROOT / "examples" / "labour_taxonomy.yml"
#: words a phrase cut in the middle ends on ("... a sharp change of", "... as long")
DANGLING = {"of", "the", "a", "an", "to", "as", "long", "and", "or", "if", "but", "that", "with", "for", "on"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("model") / "labour"
    res = CliRunner().invoke(main, ["train", str(LABOUR), "--taxonomy", str(TAXONOMY), "--folds", "3",
                                    "-o", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    return out, json.loads(res.output)


def test_train_writes_a_model_with_cross_validated_figures(trained) -> None:
    out, summary = trained
    info = json.loads((out / "model.json").read_text())
    assert info["labels"] == list(load_taxonomy(str(TAXONOMY)).labels)
    assert info["trained_on"]["articles"] == summary["articles"] == len(list(LABOUR.glob("lab-*.json")))
    assert info["config"]["seed"] == 0 and info["config"]["folds"] == 3
    best = summary["cross_validation"]["best"]
    assert 0.0 < best["triple.f1"] <= 1.0 and 0.0 < best["pair.f1"] <= 1.0
    assert info["thresholds"]["position"] == best["threshold"]
    assert 0.5 < summary["candidate_recall"] <= 1.0
    with np.load(out / "heads.npz", allow_pickle=False) as npz:        # plain arrays, no pickle
        assert {"position.coef", "issue.coef", "stance.coef"} <= set(npz.files)


def test_the_trained_model_extracts_what_it_was_taught(trained) -> None:
    out, _ = trained
    gold = load_gold(str(LABOUR))
    ex = get_extractor("learned", taxonomy=str(TAXONOMY), model=str(out))
    rep = score(gold, predict(gold, ex))
    # its own training set: a learner that learnt nothing scores near 0 here
    assert rep.figures["pair"]["f1"] >= 0.4, rep.figures
    assert rep.figures["triple"]["f1"] >= 0.3, rep.figures
    labels = set(load_taxonomy(str(TAXONOMY)).labels)
    n = 0
    for art in gold[:8]:
        article = Article(id=art.id, text=art.text, title=art.title)
        for p in ex.extract(article):
            n += 1
            assert art.text[p.evidence.start:p.evidence.end] == p.evidence.text
            assert p.issue in labels and p.extractor == "learned"
            prop = p.proposition.strip()
            assert prop and prop in art.text                       # one stretch of the sentence
            words = prop.split()
            assert len(words) >= 2, prop                           # never a lone word ("Wednesday")
            assert words[-1].lower().strip(",;:") not in DANGLING, prop   # not cut mid-phrase
            assert len(set(p.conditions)) == len(p.conditions)     # no condition printed twice
            for c in p.conditions:
                assert c.strip() and c in art.text
                assert not any(c != o and c in o for o in p.conditions), p.conditions
    assert n > 0


def test_training_is_reproducible_with_its_seed(tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        res = CliRunner().invoke(main, ["train", str(LABOUR), "--taxonomy", str(TAXONOMY), "--folds", "0",
                                        "-o", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
        outs.append(tmp_path / name)
    with np.load(outs[0] / "heads.npz") as a, np.load(outs[1] / "heads.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            assert np.array_equal(a[k], b[k]), k


def test_features_never_name_a_holder_of_the_labelled_set(trained) -> None:
    out, _ = trained
    names: set[str] = set()
    lower: set[str] = set()       # words the texts also write in lower case are common words, not names
    for art in load_labelled(str(LABOUR), load_taxonomy(str(TAXONOMY)).labels):
        lower |= set(re.findall(r"\b[a-z][a-z]+\b", art.text))
        for p in art.positions:
            for name in [p.actor, *p.aliases]:
                names |= {w.lower() for w in re.findall(r"[A-Z][a-z]{3,}", name)}
    names -= lower | {w[:-1] for w in lower if w.endswith("s")}      # "wards" makes "ward" a common word
    with np.load(out / "heads.npz") as npz:
        vocab = {str(f).lower() for k in npz.files if k.endswith(".vocab") for f in npz[k]}
    words = {w for f in vocab for w in re.findall(r"[a-z]+", f.split("=", 1)[-1])}
    assert names and not (names & words), sorted(names & words)[:20]


def test_a_model_for_another_taxonomy_is_refused(trained) -> None:
    out, _ = trained
    with pytest.raises(ExtractError) as err:
        get_extractor("learned", model=str(out))           # built-in taxonomy: other labels
    assert err.value.code == "E312"


def test_not_a_model_directory_is_named(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text("{not json")
    (tmp_path / "heads.npz").write_bytes(b"")
    with pytest.raises(ExtractError) as err:
        get_extractor("learned", model=str(tmp_path))
    assert err.value.code == "E311" and str(tmp_path) in err.value.message
    res = CliRunner().invoke(main, ["eval", str(LABOUR), "--extractor", "learned", "--model", str(tmp_path / "nope")])
    assert res.exit_code != 0 and "E311" in res.output


def test_train_refuses_to_overwrite_and_names_bad_labels(tmp_path: Path, trained) -> None:
    out, _ = trained
    res = CliRunner().invoke(main, ["train", str(LABOUR), "--taxonomy", str(TAXONOMY), "-o", str(out)])
    assert res.exit_code != 0 and "--force" in res.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.json").write_text(json.dumps({"id": "x", "text": "Hello.", "positions": [{"actor": "A"}]}))
    res = CliRunner().invoke(main, ["train", str(bad), "-o", str(tmp_path / "m")])
    assert res.exit_code != 0 and "E310" in res.output and "x.json" in res.output


def test_run_and_extract_use_the_model_given(trained, tmp_path: Path) -> None:
    out, _ = trained
    src = tmp_path / "in"
    src.mkdir()
    texts = {}
    for art in load_gold(str(LABOUR))[:4]:
        (src / f"{art.id}.txt").write_text(art.text, encoding="utf-8")
        texts[art.id] = art.text
    db = tmp_path / "l.db"
    common = ["--extractor", "learned", "--model", str(out), "--taxonomy", str(TAXONOMY)]
    res = CliRunner().invoke(main, ["run", str(src), *common, "--db", str(db), "-q"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["positions", "--db", str(db), "--taxonomy", str(TAXONOMY), "--format", "json"])
    assert res.exit_code == 0, res.output
    stored = json.loads(res.output)
    stored = stored["positions"] if isinstance(stored, dict) else stored
    assert stored and {p["extractor"] for p in stored} == {"learned"}
    # the same model through --jsonl gives the same positions as through the database
    res = CliRunner().invoke(main, ["extract", "--jsonl", *sorted(str(p) for p in src.iterdir()), *common])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    n = sum(len(rec["positions"]) for rec in lines)
    assert n == len(stored)
    # a model directory that is not one stops the command with its code
    res = CliRunner().invoke(main, ["extract", "--jsonl", str(next(src.iterdir())), "--extractor", "learned",
                                    "--model", str(tmp_path)])
    assert res.exit_code != 0 and "E311" in res.output


@pytest.mark.timeout(300)
def test_dask_workers_extract_with_the_model_given(trained, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    out, _ = trained
    src = tmp_path / "in"
    src.mkdir()
    for art in load_gold(str(LABOUR))[:3]:
        (src / f"{art.id}.txt").write_text(art.text, encoding="utf-8")
    common = ["--extractor", "learned", "--model", str(out), "--taxonomy", str(TAXONOMY)]
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for db, extra in ((one, []), (two, ["--workers", "1"])):
        res = CliRunner().invoke(main, ["run", str(src), *common, *extra, "--db", str(db), "-q"])
        assert res.exit_code == 0, res.output

    def stored(db: Path) -> list[tuple[str, str, str, int]]:
        res = CliRunner().invoke(main, ["positions", "--db", str(db), "--taxonomy", str(TAXONOMY), "--format", "json"])
        rows = json.loads(res.output)
        rows = rows["positions"] if isinstance(rows, dict) else rows
        return sorted((p["actor"], p["issue"], p["stance"], p["evidence"]["start"]) for p in rows
                      if p["extractor"] == "learned")

    assert stored(one) and stored(one) == stored(two)      # the workers loaded the same model
