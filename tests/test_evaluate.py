"""Unit tests of the scorer (parley/evaluate.py) on hand-written, made-up examples."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.cli import main
from parley.errors import EvalError
from parley.evaluate import (
    GoldArticle,
    actor_matches,
    load_gold,
    load_predictions,
    locate_sentence,
    name_tokens,
    normalise_name,
    predict,
    score,
    token_f1,
)
from parley.model import Evidence, Position

S1 = "Foreign Minister Mira Talor said Vardenia would join talks only if the blockade ends."
S2 = "Kestrel rejected any transfer of the Brell islands."
S3 = "Talor insisted that the Brell border is not negotiable."
S4 = "Kestrel's envoy previously backed a truce but now opposes one."
TEXT = "Harbour dispute\n" + " ".join([S1, S2, S3, S4])


def lab(actor, issue, stance, evidence, aliases=(), conditions=(), red_line=False, previous_stance=None):
    """A labelled position as in ../shared/data/dev (evidence = the sentence)."""
    return {"actor": actor, "aliases": list(aliases), "issue": issue, "proposition": "",
            "stance": stance, "conditions": list(conditions), "red_line": red_line,
            "previous_stance": previous_stance, "evidence": evidence}


def prod(actor, issue, stance, sentence=None, text=TEXT, conditions=(), red_line=False, previous_stance=None):
    """A produced position with offsets of ``sentence`` in ``text``."""
    if sentence is None:
        ev = {"start": 0, "end": 5, "text": text[:5]}
    else:
        s = text.index(sentence)
        ev = {"start": s, "end": s + len(sentence), "text": sentence}
    return {"actor": actor, "aliases": [], "issue": issue, "stance": stance, "conditions": list(conditions),
            "red_line": red_line, "previous_stance": previous_stance, "evidence": ev}


def gold_article(positions, text=TEXT, aid="a1", title="Harbour dispute") -> GoldArticle:
    from parley.evaluate import _gold_from_dict

    return _gold_from_dict({"id": aid, "title": title, "text": text, "positions": positions}, aid)


def fig(gold, predicted):
    return score(gold, predicted).figures


# --- names -------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Vardenia\u2019s Government", "vardenia government"),
    ("Kestrel's", "kestrel"),
    ("U.S. envoy", "us envoy"),
    ("the U.K.", "the uk"),
    ("U.N. Security Council", "un security council"),
    ("\u201cBrell\u201d Port-Authority", "brell port authority"),
    ("López Obrador", "lópez obrador"),
])
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


def test_name_tokens_strip_titles_and_fall_back_to_all_words():
    assert name_tokens("Foreign Minister Mira Talor") == {"mira", "talor"}
    assert name_tokens("the Prime Minister of Vardenia") == {"vardenia"}
    assert name_tokens("Mr. Talor") == {"talor"}
    assert name_tokens("Government officials") == {"government", "officials"}  # nothing left: all words
    assert name_tokens("the President") == {"the", "president"}


def test_pronouns_have_no_tokens_but_the_country_us_does():
    assert name_tokens("he") == frozenset() and name_tokens("They") == frozenset()
    assert name_tokens("US") == {"us"}
    assert name_tokens("U.S.") == {"us"}


@pytest.mark.parametrize("produced, actor, aliases, ok", [
    ("Talor", "Mira Talor", (), True),                                    # subset
    ("Foreign Minister Mira Talor of Vardenia", "Mira Talor", (), True),  # superset
    ("Mira Talor", "Foreign Minister Mira Talor", (), True),              # titles stripped
    ("Kestrel\u2019s government", "Kestrel", (), True),                   # possessive, curly quote, title
    ("Brell", "Kestrel", ("Brell",), True),                               # alias
    ("Talorr", "Mira Talor", (), False),                                  # spelling variant: extractor's job
    ("Mira Tallor", "Mira Talor", (), False),                             # neither subset nor superset
    ("He", "Mira Talor", ("he",), False),                                 # pronoun alias ignored
    ("she", "Mira Talor", ("Talor", "she"), False),
    ("US", "United States", ("U.S.",), True),
    ("Vardenian officials", "Vardenia", (), False),
    ("", "Vardenia", (), False),
])
def test_actor_matches(produced, actor, aliases, ok):
    assert actor_matches(produced, actor, aliases) is ok


def test_locate_sentence_tolerates_quotes_and_whitespace():
    text = "Title\nKestrel said \u201cnever\u201d.  Then   it left."
    assert locate_sentence(text, 'Kestrel said "never".') == (6, 27)
    s, e = locate_sentence(text, "Then it left.")
    assert text[s:e] == "Then   it left."
    assert locate_sentence(text, "Not there.") is None


# --- triple / pair matching --------------------------------------------------

def test_perfect_prediction_and_actor_variants():
    g = [gold_article([lab("Mira Talor", "talks", "conditional", S1, conditions=["the blockade ends"]),
                       lab("Kestrel", "territory", "oppose", S2)])]
    p = {"a1": [prod("Foreign Minister Talor", "talks", "conditional", S1, conditions=["blockade ends"]),
                prod("Kestrel", "territory", "oppose", S2)]}
    f = fig(g, p)
    assert f["triple"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "produced": 2, "labelled": 2}
    assert f["conditions"]["f1"] == 1.0
    assert f["evidence_agreement"] == 1.0


def test_wrong_stance_is_pair_match_only():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    f = fig(g, {"a1": [prod("Kestrel", "territory", "support", S2)]})
    assert f["triple"]["tp"] == 0 and f["pair"]["tp"] == 1
    assert f["pair"]["f1"] == 1.0 and f["triple"]["f1"] == 0.0


def test_wrong_issue_matches_nothing():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    f = fig(g, {"a1": [prod("Kestrel", "talks", "oppose", S2)]})
    assert f["pair"]["tp"] == 0 and f["triple"]["precision"] == 0.0


def test_one_to_one():
    g = [gold_article([lab("Mira Talor", "territory", "oppose", S3),
                       lab("Mira Talor", "territory", "oppose", S1)])]
    f = fig(g, {"a1": [prod("Talor", "territory", "oppose", S3)]})
    assert f["triple"]["tp"] == 1 and f["triple"]["recall"] == 0.5 and f["triple"]["precision"] == 1.0
    f = fig(g, {"a1": [prod("Talor", "territory", "oppose", S3)] * 3})
    assert f["triple"]["tp"] == 2 and f["triple"]["produced"] == 3


def test_prefers_produced_position_whose_evidence_overlaps():
    g = [gold_article([lab("Mira Talor", "territory", "oppose", S3, red_line=True),
                       lab("Mira Talor", "territory", "oppose", S1)])]
    # produced in the "wrong" order: the first candidate has the second label's sentence
    p = {"a1": [prod("Talor", "territory", "oppose", S1),
                prod("Talor", "territory", "oppose", S3, red_line=True)]}
    report = score(g, p)
    assert report.figures["triple"]["tp"] == 2
    assert report.figures["evidence_agreement"] == 1.0
    assert report.figures["red_lines"]["tp"] == 1  # the red line went to the label it overlaps


def test_without_overlap_the_first_candidate_is_taken():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    p = {"a1": [prod("Kestrel", "territory", "oppose", S4), prod("Kestrel", "territory", "oppose", S1)]}
    r = score(g, p)
    assert r.figures["triple"]["tp"] == 1 and r.figures["evidence_agreement"] == 0.0
    spurious = [e for e in r.errors if e["kind"] == "spurious"]
    assert [e["sentence"] for e in spurious] == [S1]


def test_produced_evidence_as_a_sentence_string_is_located():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    p = {"a1": [{**prod("Kestrel", "territory", "oppose"), "evidence": S2}]}
    assert fig(g, p)["evidence_agreement"] == 1.0


def test_position_objects_are_accepted():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    s = TEXT.index(S2)
    pos = Position(actor="Kestrel", issue="territory", stance="oppose", evidence=Evidence(s, s + len(S2), S2))
    assert fig(g, {"a1": [pos]})["triple"]["f1"] == 1.0


# --- conditions --------------------------------------------------------------

def test_token_f1_ignores_function_words():
    assert token_f1("the blockade ends", "blockade ends") == 1.0
    assert token_f1("fleet withdraws", "the fleet returns") == 0.5
    assert token_f1("fleet withdraws from harbour", "fleet returns") == pytest.approx(0.4)


@pytest.mark.parametrize("produced, tp", [
    (["if the fleet returns"], 1),          # F1 exactly 0.5: found
    (["fleet sails north"], 0),             # F1 0.4: not found
    (["the fleet withdraws"], 1),
])
def test_conditions_threshold(produced, tp):
    g = [gold_article([lab("Vardenia", "talks", "conditional", S1, conditions=["fleet withdraws"])])]
    f = fig(g, {"a1": [prod("Vardenia", "talks", "conditional", S1, conditions=produced)]})
    assert f["conditions"]["tp"] == tp
    assert f["conditions"]["labelled"] == 1 and f["conditions"]["produced"] == 1


def test_conditions_one_to_one_and_precision_over_produced_conditions():
    g = [gold_article([lab("Vardenia", "talks", "conditional", S1,
                           conditions=["blockade ends", "the blockade ends soon"])])]
    f = fig(g, {"a1": [prod("Vardenia", "talks", "conditional", S1, conditions=["blockade ends"])]})
    assert f["conditions"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                               "tp": 1, "produced": 1, "labelled": 2}
    f = fig(g, {"a1": [prod("Vardenia", "talks", "conditional", S1,
                            conditions=["blockade ends", "fleet leaves", "ships sail"])]})
    assert f["conditions"]["tp"] == 1 and f["conditions"]["precision"] == pytest.approx(1 / 3)


def test_each_labelled_condition_takes_its_best_produced_condition():
    g = [gold_article([lab("Vardenia", "talks", "conditional", S1, conditions=["blockade ends", "talks resume"])])]
    # "blockade talks" reaches 0.5 with both labels; taking it for the first would starve the second
    f = fig(g, {"a1": [prod("Vardenia", "talks", "conditional", S1, conditions=["blockade talks", "blockade ends"])]})
    assert f["conditions"]["tp"] == 2


def test_conditions_only_over_triple_matched_conditional_positions():
    g = [gold_article([lab("Vardenia", "talks", "conditional", S1, conditions=["blockade ends"]),
                       lab("Kestrel", "territory", "conditional", S2, conditions=["islands demilitarised"])])]
    # Kestrel is produced as 'oppose': no triple match, so its conditions are not counted either side
    f = fig(g, {"a1": [prod("Vardenia", "talks", "conditional", S1, conditions=["blockade ends"]),
                       prod("Kestrel", "territory", "oppose", S2, conditions=["unrelated words"])]})
    assert (f["conditions"]["tp"], f["conditions"]["produced"], f["conditions"]["labelled"]) == (1, 1, 1)


# --- red lines, shifts, empty output ----------------------------------------

def test_red_lines_recall_by_pair_match_and_precision_over_all_produced_red_lines():
    g = [gold_article([lab("Mira Talor", "territory", "support", S3, red_line=True),
                       lab("Kestrel", "territory", "oppose", S2, red_line=True),
                       lab("Vardenia", "talks", "conditional", S1, conditions=["blockade ends"])])]
    p = {"a1": [prod("Talor", "territory", "oppose", S3, red_line=True),   # stance wrong: pair match counts
                prod("Kestrel", "territory", "oppose", S2, red_line=False),
                prod("Vardenia", "talks", "conditional", S1, red_line=True),  # not a labelled red line
                prod("Brell", "trade", "support", S4, red_line=True)]}       # spurious
    f = fig(g, p)["red_lines"]
    assert (f["tp"], f["produced"], f["labelled"]) == (1, 3, 2)
    assert f["recall"] == 0.5 and f["precision"] == pytest.approx(1 / 3)


def test_shifts_recall():
    g = [gold_article([lab("Kestrel", "ceasefire", "oppose", S4, previous_stance="support"),
                       lab("Mira Talor", "territory", "oppose", S3, previous_stance="support"),
                       lab("Vardenia", "talks", "support", S1)])]
    p = {"a1": [prod("Kestrel", "ceasefire", "mixed", S4, previous_stance="support"),  # pair match suffices
                prod("Talor", "territory", "oppose", S3, previous_stance="conditional"),
                prod("Vardenia", "talks", "support", S1, previous_stance="oppose")]}
    f = fig(g, p)
    assert f["shifts"] == {"tp": 1, "labelled": 2} and f["shifts_recall"] == 0.5


def test_article_without_output_counts_with_zero_produced():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)], aid="a1"),
         gold_article([lab("Vardenia", "talks", "support", S1), lab("Talor", "territory", "oppose", S3)], aid="a2")]
    r = score(g, {"a1": [prod("Kestrel", "territory", "oppose", S2)], "zz": [prod("X", "talks", "oppose", S2)]})
    t = r.figures["triple"]
    assert (t["tp"], t["produced"], t["labelled"]) == (1, 1, 3)
    assert t["precision"] == 1.0 and t["recall"] == pytest.approx(1 / 3)
    row = {x["id"]: x for x in r.per_article}
    assert row["a2"]["produced"] == 0 and row["a2"]["triple_recall"] == 0.0 and row["a2"]["triple_precision"] == 0.0
    assert r.unknown_ids == ["zz"]
    assert sum(e["kind"] == "missed" for e in r.errors) == 2


def test_predictions_keyed_by_parley_article_id():
    from parley.model import article_id_for

    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    r = score(g, {article_id_for(TEXT): [prod("Kestrel", "territory", "oppose", S2)]})
    assert r.figures["triple"]["tp"] == 1 and r.unknown_ids == []


def test_errors_carry_sentences_and_near_miss_notes():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    r = score(g, {"a1": [prod("Kestrel", "territory", "support", S2), prod("Brell", "trade", "support", S4)]})
    missed = [e for e in r.errors if e["kind"] == "missed"]
    assert missed[0]["sentence"] == S2 and "support" in missed[0]["note"]
    table = r.format_table(errors=True)
    assert "MISSED" in table and "SPURIOUS" in table and S4 in table
    assert json.loads(json.dumps(r.to_dict()))["figures"]["pair"]["tp"] == 1
    assert "Harbour dispute" in r.format_table() and "Harbour dispute" not in r.format_table(titles=False)


# --- loading -----------------------------------------------------------------

def _write(path: Path, obj) -> Path:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_load_gold_folder_file_and_list(tmp_path):
    art = {"id": "x1", "title": "T", "text": TEXT, "positions": [lab("Kestrel", "territory", "oppose", S2)]}
    d = tmp_path / "gold"
    d.mkdir()
    _write(d / "b.json", {**art, "id": "x2"})
    _write(d / "a.json", art)
    (d / "notes.txt").write_text("ignored")
    gold = load_gold(d)
    assert [g.id for g in gold] == ["x1", "x2"]
    ev = gold[0].positions[0].evidence
    assert TEXT[ev.start:ev.end] == S2
    assert [g.id for g in load_gold(_write(tmp_path / "one.json", art))] == ["x1"]
    assert len(load_gold(_write(tmp_path / "many.json", [art, {**art, "id": "x3"}]))) == 2


@pytest.mark.parametrize("content, code", [
    ("{not json", "E401"),
    (json.dumps({"id": "x", "text": "t"}), "E401"),
    (json.dumps([1, 2]), "E401"),
    (json.dumps({"id": "x", "text": "t", "positions": [{"actor": "A", "issue": "talks", "stance": "maybe",
                                                          "evidence": "t"}]}), "E401"),
])
def test_load_gold_bad_file(tmp_path, content, code):
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(EvalError) as exc:
        load_gold(tmp_path / "bad.json")
    assert exc.value.code == code


def test_load_gold_empty_folder_and_missing_path(tmp_path):
    with pytest.raises(EvalError) as exc:
        load_gold(tmp_path)
    assert exc.value.code == "E403"
    with pytest.raises(EvalError) as exc:
        load_gold(tmp_path / "absent")
    assert exc.value.code == "E401"


def test_load_predictions(tmp_path):
    f = tmp_path / "pred.jsonl"
    lines = [{"id": "a1", "title": "T", "positions": [prod("Kestrel", "territory", "oppose", S2)]},
             {"id": "a1", "title": "T", "positions": [prod("Talor", "territory", "oppose", S3)]},
             {"id": "a2", "title": "U", "positions": []}]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    pred = load_predictions(f)
    assert len(pred["a1"]) == 2 and pred["a2"] == []


@pytest.mark.parametrize("bad", ["{oops", json.dumps({"id": "a1"}), json.dumps({"id": "a1", "positions": [{"actor": "A"}]})])
def test_load_predictions_bad_line_names_it(tmp_path, bad):
    f = tmp_path / "pred.jsonl"
    f.write_text(json.dumps({"id": "a0", "positions": []}) + "\n" + bad + "\n")
    with pytest.raises(EvalError) as exc:
        load_predictions(f)
    assert exc.value.code == "E402" and "line 2" in exc.value.message


def test_load_predictions_missing_file(tmp_path):
    with pytest.raises(EvalError) as exc:
        load_predictions(tmp_path / "absent.jsonl")
    assert exc.value.code == "E404"


def test_score_rejects_a_malformed_produced_position():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)])]
    with pytest.raises(EvalError) as exc:
        score(g, {"a1": [{"actor": "Kestrel", "issue": "territory", "stance": "against", "evidence": S2}]})
    assert exc.value.code == "E405"


class _EchoExtractor:
    """A tiny real Extractor: Kestrel opposes (territory) wherever the text names it."""

    name, version = "echo", "0"

    def extract(self, article):
        s = article.text.find("Kestrel")
        return [] if s < 0 else [Position(actor="Kestrel", issue="territory", stance="oppose",
                                          evidence=Evidence(s, s + 7, "Kestrel", article.id))]

    def extract_many(self, articles):
        for a in articles:
            yield a, self.extract(a)


def test_predict_keys_by_gold_id():
    g = [gold_article([lab("Kestrel", "territory", "oppose", S2)], aid="a1"),
         gold_article([], text="Nothing here.", aid="a2")]
    pred = predict(g, _EchoExtractor())
    assert set(pred) == {"a1", "a2"} and pred["a2"] == []
    assert score(g, pred).figures["triple"]["tp"] == 1


# --- CLI ---------------------------------------------------------------------

def test_cli_eval_with_jsonl(tmp_path):
    gold = _write(tmp_path / "g.json", {"id": "a1", "title": "T", "text": TEXT,
                                        "positions": [lab("Kestrel", "territory", "oppose", S2)]})
    pred = tmp_path / "p.jsonl"
    pred.write_text(json.dumps({"id": "a1", "title": "T", "positions": [prod("Kestrel", "territory", "support", S2)]}))
    r = CliRunner().invoke(main, ["eval", str(gold), "--jsonl", str(pred), "--errors"])
    assert r.exit_code == 0, r.output
    assert "triple" in r.output and "shifts_recall" in r.output and "MISSED" in r.output and S2 in r.output
    r = CliRunner().invoke(main, ["eval", str(gold), "--jsonl", str(pred), "--format", "json"])
    d = json.loads(r.output)
    assert d["figures"]["pair"]["tp"] == 1 and d["per_article"][0]["id"] == "a1" and "errors" not in d
    r = CliRunner().invoke(main, ["eval", str(gold), "--jsonl", str(pred), "--no-titles"])
    assert r.exit_code == 0 and "a1" in r.output and "  T\n" not in r.output + "\n"


def test_cli_eval_errors_exit_2(tmp_path):
    r = CliRunner().invoke(main, ["eval", str(tmp_path / "absent")])
    assert r.exit_code == 2 and "error: [E401]" in r.output
    gold = _write(tmp_path / "g.json", {"id": "a1", "text": TEXT, "positions": []})
    (tmp_path / "p.jsonl").write_text("{bad\n")
    r = CliRunner().invoke(main, ["eval", str(gold), "--jsonl", str(tmp_path / "p.jsonl")])
    assert r.exit_code == 2 and "error: [E402]" in r.output


def test_cli_eval_runs_the_extractor_without_jsonl(tmp_path):
    gold = _write(tmp_path / "g.json", {"id": "a1", "title": "T", "text": TEXT,
                                        "positions": [lab("Kestrel", "territory", "oppose", S2)]})
    r = CliRunner().invoke(main, ["eval", str(gold), "--format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["per_article"][0]["id"] == "a1" and d["figures"]["triple"]["labelled"] == 1
    assert d["figures"]["triple"]["produced"] >= 1          # the extractor ran on the text and found something
    r = CliRunner().invoke(main, ["eval", str(gold), "--extractor", "no-such-extractor"])
    assert r.exit_code == 2 and "error: [E304]" in r.output


def test_cli_eval_help_has_example():
    r = CliRunner().invoke(main, ["eval", "--help"])
    assert r.exit_code == 0 and "Example:" in r.output


# --- properties --------------------------------------------------------------

ACTORS = ["Vardenia", "Kestrel Union", "Mira Talor", "Port Authority of Brell", "U.N. mission"]
ISSUES = ["talks", "territory", "trade", "other"]
STANCES = ["support", "oppose", "conditional", "mixed"]
WORDS = ["fleet", "returns", "blockade", "ends", "islands", "harbour", "tariffs", "fall", "vote", "held"]

_sentence = st.builds(lambda a, ws: f"{a} wants {' '.join(ws)}.", st.sampled_from(ACTORS),
                      st.lists(st.sampled_from(WORDS), min_size=1, max_size=5))


@st.composite
def _article(draw, aid):
    sents = draw(st.lists(_sentence, min_size=1, max_size=5))
    text = "Title\n" + " ".join(sents)
    positions = []
    for _ in range(draw(st.integers(0, 6))):
        stance = draw(st.sampled_from(STANCES))
        conds = draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
                              min_size=1, max_size=3)) if stance == "conditional" else []
        positions.append(lab(draw(st.sampled_from(ACTORS)), draw(st.sampled_from(ISSUES)), stance,
                             draw(st.sampled_from(sents)), conditions=conds, red_line=draw(st.booleans()),
                             previous_stance=draw(st.sampled_from([None, *STANCES]))))
    return {"id": aid, "title": "Title", "text": text, "positions": positions}


_articles = st.integers(1, 4).flatmap(lambda n: st.tuples(*[_article(f"g{i}") for i in range(n)]))


def _all_ratios(f):
    for k in ("triple", "pair", "conditions", "red_lines"):
        yield from (f[k][m] for m in ("precision", "recall", "f1"))
    yield f["shifts_recall"]
    yield f["evidence_agreement"]


@settings(max_examples=60, deadline=None)
@given(_articles)
def test_gold_scored_against_itself_is_perfect(arts):
    gold = [gold_article(a["positions"], text=a["text"], aid=a["id"]) for a in arts]
    f = score(gold, {a["id"]: a["positions"] for a in arts}).figures
    assert all(x == 1.0 for x in _all_ratios(f))


@settings(max_examples=60, deadline=None)
@given(_articles, _articles)
def test_figures_are_bounded_and_consistent(gold_arts, pred_arts):
    gold = [gold_article(a["positions"], text=a["text"], aid=a["id"]) for a in gold_arts]
    # predictions: the other draw's positions, evidence re-pointed at the gold texts' start
    pred = {a["id"]: [{**p, "evidence": {"start": 0, "end": 3, "text": "xxx"}} for p in a["positions"]]
            for a in pred_arts}
    r = score(gold, pred)
    f = r.figures
    assert all(0.0 <= x <= 1.0 for x in _all_ratios(f))
    for k in ("triple", "pair", "conditions", "red_lines"):
        assert f[k]["tp"] <= min(f[k]["produced"], f[k]["labelled"])
    assert f["triple"]["labelled"] == sum(len(g.positions) for g in gold)
    assert sum(row["triple_tp"] for row in r.per_article) == f["triple"]["tp"]
    assert len([e for e in r.errors if e["kind"] == "missed"]) == f["triple"]["labelled"] - f["triple"]["tp"]


@settings(max_examples=30, deadline=None)
@given(_articles)
def test_empty_output_scores_zero_recall(arts):
    gold = [gold_article(a["positions"], text=a["text"], aid=a["id"]) for a in arts]
    f = score(gold, {}).figures
    assert f["triple"]["produced"] == 0 and f["triple"]["tp"] == 0
    if f["triple"]["labelled"]:
        assert f["triple"]["recall"] == 0.0 and f["triple"]["precision"] == 0.0
