"""Actor resolution: pure tests on hand-built positions, and the dev+seed check (skips without ../shared)."""
from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
import yaml

from parley.analyze.actors import actor_mapping, export_aliases, parse_alias_file, resolve
from parley.analyze.names import parse_name
from parley.errors import AnalysisError
from parley.model import Evidence, Position
from parley.store.base import ActorLink

DATA = Path(__file__).parent / "data" / "analysis"


def P(actor: str, art: str, aliases=(), issue="talks", stance="support") -> Position:
    return Position(actor=actor, issue=issue, stance=stance, evidence=Evidence(0, 1, "x", art),
                    aliases=tuple(aliases), article_id=art)


def by_name(records):
    return {r.name: r for r in records}


def test_name_parsing_strips_titles_and_reads_sides():
    z = parse_name("Ukrainian President Volodymyr Zelensky")
    assert (z.key, z.kind, z.side) == ("volodymyr zelensky", "person", "Ukraine")
    p = parse_name("Kremlin spokesman Dmitry Peskov")
    assert (p.key, p.side) == ("dmitry peskov", "Russia")
    assert parse_name("the Ukrainian government").side == "Ukraine"
    assert parse_name("Kyiv").kind == "state"
    assert parse_name("Ukraine's leader").kind == "descriptor"
    assert parse_name("Donald Trump Jr.").suffix == "jr"
    assert parse_name("he").kind == "descriptor"


def test_zelensky_variants_merge_into_one_person_of_side_ukraine():
    ps = [P("Zelensky", "a1"), P("Zelenskyy", "a2"), P("Volodymyr Zelensky", "a3"),
          P("Ukrainian President Volodymyr Zelensky", "a4"), P("Ukraine", "a5"), P("Kyiv", "a6"),
          P("the Ukrainian government", "a7")]
    res = resolve(ps)
    recs = by_name(res.records)
    z = recs["Volodymyr Zelensky"]
    assert z.kind == "person" and z.side == "Ukraine" and z.mentions == 4
    assert set(z.aliases) == {"Zelensky", "Zelenskyy", "Ukrainian President Volodymyr Zelensky"}
    assert 0.5 < z.confidence < 1.0 and all(m.reason for m in z.merges)
    u = recs["Ukraine"]
    assert u.kind == "state" and set(u.aliases) == {"Kyiv"}          # a capital is the state itself
    gov = res.record(res.canonical("the Ukrainian government"))       # an institution is its own actor
    assert gov.name != "Ukraine" and gov.kind == "org" and gov.side == "Ukraine"
    assert gov.side_evidence[0].how == "title in the name"
    assert res.canonical("Zelenskyy") == "Volodymyr Zelensky"
    assert set(res.members("Ukraine")) == {"Ukraine", "Volodymyr Zelensky", gov.name}
    assert actor_mapping(res.records)["Kyiv"] == "Ukraine"


def test_distinct_people_stay_apart():
    ps = [P("Moon Jae-in", "a1", ["Moon"]), P("Moon Sang-gyun", "a1"), P("Chuck Schumer", "a2"),
          P("Chuck Grassley", "a3"), P("Trump", "a4"), P("Donald Trump", "a5"), P("Donald Trump Jr.", "a6"),
          P("Donald Tusk", "a7"), P("Sergey Lavrov", "a8"), P("Sergei Ryabkov", "a9")]
    res = resolve(ps)
    names = {r.name for r in res.records}
    assert {"Moon Jae-in", "Moon Sang-gyun", "Chuck Schumer", "Chuck Grassley", "Donald Trump",
            "Donald Trump Jr.", "Donald Tusk", "Sergey Lavrov", "Sergei Ryabkov"} <= names
    assert res.canonical("Trump") == "Donald Trump"
    assert res.canonical("Moon", "a1") == "Moon Jae-in"


def test_bare_surname_resolved_by_co_occurrence_when_ambiguous():
    ps = [P("Karl Voss", "a1"), P("Erika Voss", "a2"), P("Voss", "a2"), P("Voss", "a3")]
    res = resolve(ps, texts={"a3": "Karl Voss spoke first. Voss said no."})
    assert res.canonical("Voss", "a2") == "Erika Voss"
    assert res.canonical("Voss", "a3") == "Karl Voss"
    assert "Voss" in {r.name for r in res.records}        # globally ambiguous: kept apart


def test_curated_split_wins_and_merge_forces():
    ps = [P("Volodymyr Zelensky", "a1"), P("Zelenskyy", "a2"), P("Aldo Varga", "a3"), P("Rena Holt", "a4")]
    assert resolve(ps).canonical("Zelenskyy") == "Volodymyr Zelensky"
    split = [ActorLink("Zelenskyy", "Volodymyr Zelensky", "split")]
    assert resolve(ps, split).canonical("Zelenskyy") == "Zelenskyy"
    merged = resolve(ps, [ActorLink("Rena Holt", "Aldo Varga", "merge")])
    assert merged.canonical("Rena Holt") == "Aldo Varga"
    both = resolve(ps, [ActorLink("Rena Holt", "Aldo Varga", "merge"), ActorLink("Rena Holt", "Aldo Varga", "split")])
    assert both.canonical("Rena Holt") == "Rena Holt"
    side = resolve(ps, [ActorLink("Rena Holt", "Corvalis", "side")])
    assert by_name(side.records)["Rena Holt"].side == "Corvalis"


def test_made_up_demonyms_find_their_side():
    ps = [P("Vardenia", "b1"), P("Vardenian Foreign Minister Ana Petrov", "b1"), P("Petrov", "b2"),
          P("the Vardenian government", "b3"), P("Kestrel Federation", "b4"), P("Kestrel", "b5"),
          P("Kestrel Federation Chancellor Ivo Renner", "b6")]
    res = resolve(ps)
    recs = by_name(res.records)
    assert recs["Ana Petrov"].side == "Vardenia" and recs["Ana Petrov"].mentions == 2
    assert recs["Vardenia"].kind == "state"
    assert res.record(res.canonical("the Vardenian government")).side == "Vardenia"
    assert recs["Kestrel Federation"].kind == "state" and "Kestrel" in recs["Kestrel Federation"].aliases
    assert recs["Ivo Renner"].side == "Kestrel Federation"


def test_alias_file_round_trip():
    ps = [P("Zelensky", "a1"), P("Ukrainian President Volodymyr Zelensky", "a2"), P("Kyiv", "a3"),
          P("Ukraine", "a4"), P("Aldo Varga", "a5"), P("Varga", "a6")]
    links = [ActorLink("Rena Holt", "Aldo Varga", "split")]
    first = resolve(ps, links)
    text = export_aliases(first.records, links)
    data = yaml.safe_load(text)
    assert {a["name"] for a in data["actors"]} >= {"Volodymyr Zelensky", "Ukraine", "Aldo Varga"}
    parsed = parse_alias_file(text)
    assert ActorLink("Zelensky", "Volodymyr Zelensky", "merge", "file") in parsed
    assert ActorLink("Volodymyr Zelensky", "Ukraine", "side", "file") in parsed
    assert ActorLink("Rena Holt", "Aldo Varga", "split", "file") in parsed
    again = resolve(ps, parsed)
    assert [(r.name, set(r.aliases), r.side) for r in again.records] == \
        [(r.name, set(r.aliases), r.side) for r in first.records]
    assert export_aliases(again.records, [ln for ln in parsed if ln.kind == "split"]) == text


@pytest.mark.parametrize("bad", ["actors: 3", "- a\n- b", "actors:\n  - {aliases: [x]}",
                                 "actors:\n  - {name: A, aliases: x}", "actors: [\n"])
def test_malformed_alias_file_is_E502(bad):
    with pytest.raises(AnalysisError) as exc:
        parse_alias_file(bad, "f.yml")
    assert exc.value.code == "E502"


def test_find_unknown_actor_is_E501():
    with pytest.raises(AnalysisError) as exc:
        resolve([P("Aldo Varga", "a1")]).find("Nobody Atall")
    assert exc.value.code == "E501"


# ---------------------------------------------------------------------------- dev + seed (../shared)

def _gold(shared: Path):
    files = sorted((shared / "data" / "dev").glob("d*.json")) + [shared / "seed" / "gold.json"]
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def merge_figures(shared: Path) -> dict:
    """Merge precision/recall over every pair of gold surface forms (see docs/analysis.md)."""
    spec = yaml.safe_load((DATA / "merge_pairs.yml").read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    positions, texts = [], {}
    form_ids: dict[str, set[str]] = {}
    for d in _gold(shared):
        texts[d["id"]] = f"{d.get('title') or ''}\n{d['text']}"
        for p in d["positions"]:
            tid = f"{d['id']}:{p['actor']}"
            union(tid, "name:" + p["actor"])            # same gold name across files = same actor
            for form in [p["actor"]] + [a for a in p["aliases"] if parse_name(a).key]:
                # every surface form is fed as its own actor, as an extractor would produce it
                positions.append(Position(actor=form, issue=p["issue"], stance=p["stance"],
                                          evidence=Evidence(-1, -1, p["evidence"], d["id"]), article_id=d["id"]))
                form_ids.setdefault(form, set()).add(tid)
    for group in spec["same"]:
        for name in group[1:]:
            union("name:" + name, "name:" + group[0])
    for i, form in enumerate(spec["variants"]["forms"]):
        art = f"variant-{i}"
        positions.append(Position(actor=form, issue="talks", stance="support", evidence=Evidence(-1, -1, "", art),
                                  article_id=art))
        form_ids.setdefault(form, set()).add("name:" + spec["variants"]["of"])
    truth = {f: {find(t) for t in ids} for f, ids in form_ids.items()}
    forms = sorted(f for f, t in truth.items() if len(t) == 1)      # a form naming two actors is left out
    res = resolve(positions, texts=texts)
    tp = fp = fn = 0
    wrong, missed = [], []
    for a, b in combinations(forms, 2):
        same = truth[a] == truth[b]
        merged = res.canonical(a) == res.canonical(b)
        tp += same and merged
        fp += merged and not same
        fn += same and not merged
        if merged and not same:
            wrong.append((a, b))
        if same and not merged:
            missed.append((a, b))
    for a, b in spec["different"]:
        assert res.canonical(a) != res.canonical(b), f"{a} and {b} must stay apart"
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "true_pairs": tp + fn, "merged_pairs": tp + fp, "forms": len(forms),
            "left_out": sorted(f for f, t in truth.items() if len(t) > 1),
            "wrong": wrong, "missed": missed, "resolution": res}


@pytest.mark.shared
def test_dev_and_seed_actors_merge_and_stay_apart(shared_dir):
    figs = merge_figures(shared_dir)
    res = figs["resolution"]
    z = res.canonical("Volodymyr Zelensky")
    for form in ("Zelensky", "Ukrainian President Volodymyr Zelensky", "Zelenskyy", "Volodymyr Zelenskyy",
                 "President Zelenskiy"):
        assert res.canonical(form) == z, form
    assert res.record(z).side == "Ukraine"
    assert res.canonical("Moon Jae-in") != res.canonical("Moon Sang-gyun")
    assert res.canonical("Donald Trump") == res.canonical("President Trump") != res.canonical("Donald Tusk")
    # floors pinned from the measured figures (docs/analysis.md); floors only go up. Re-pinned on
    # 2026-12-01 when dev was completed to labelling.md (161 -> 240 forms); raised when institutions
    # ("Iranian officials", "Syrian government") became their own actors with their state as side:
    # P 1.00 (101/101), R 0.771 (101/131).
    assert figs["precision"] >= 0.99, figs["wrong"]
    assert figs["recall"] >= 0.77, figs["missed"]


def test_a_side_named_only_through_its_people_can_be_queried():
    res = resolve([P("Belmoran President Aldo Varga", "a1"), P("Belmoran Foreign Minister Ina Dros", "a2"),
                   P("Belmora", "a3")])
    assert res.find("Belmora").name == "Belmora"
    res = resolve([P("Ukrainian President Volodymyr Zelensky", "a1"), P("Ukrainian Foreign Minister Ana Kuleba", "a2")])
    rec = res.find("Ukraine")
    assert rec.kind == "state" and set(res.members(rec.name)) == {"Ukraine", "Volodymyr Zelensky", "Ana Kuleba"}


# ---------------------------------------------------------------------------- corpus-scale chains (made-up names)

def test_no_transitive_chain_between_people_through_an_ambiguous_form():
    # "I. Marek" fits both, but Ivo and Ina Marek are two people
    ps = [P("Ivo Marek", "c1"), P("Ivo Marek", "c2"), P("I. Marek", "c3", aliases=("Ivo Marek",)),
          P("Ina Marek", "c4"), P("I. Marek", "c5", aliases=("Ina Marek",)), P("Ina Marek", "c6")]
    res = resolve(ps)
    assert res.canonical("Ivo Marek") != res.canonical("Ina Marek")


def test_a_state_does_not_absorb_other_states_through_governments_and_officials():
    ps = [P("Vardenia", "s1"), P("Vardenian Foreign Minister Ana Petrov", "s1"),
          P("Kestrel Federation", "s2"), P("Kestrel Federation Chancellor Ivo Renner", "s2"),
          P("Tolmar", "s3"), P("Tolmaran President Eda Sorn", "s3"),
          # noisy aliases: each article calls two sides "the same actor"
          P("the Vardenian government", "s4", aliases=("Kestrel Federation", "Vardenia")),
          P("Kestrel Federation", "s5", aliases=("Tolmaran officials", "Tolmar")),
          P("Tolmar", "s6", aliases=("Vardenian officials",))]
    res = resolve(ps)
    sides = {res.canonical(n) for n in ("Vardenia", "Kestrel Federation", "Tolmar")}
    assert len(sides) == 3
    # institutions stay their own actors, each with its own side; none merges with another side's
    gov = res.record(res.canonical("the Vardenian government"))
    assert gov.name != res.canonical("Vardenia") and gov.side == res.canonical("Vardenia")
    assert res.record(res.canonical("Tolmaran officials")).side == res.canonical("Tolmar")
    assert res.canonical("Tolmaran officials") != res.canonical("Vardenian officials")
    assert res.record(res.canonical("Vardenia")).kind == "state"


def test_group_nouns_never_join_a_person_or_another_group():
    ps = [P("Aldo Varga", "g1", aliases=("Corvalan leaders",)), P("Corvalan leaders", "g2", aliases=("Democrats",)),
          P("Democrats", "g3", aliases=("Republicans",)), P("Republicans", "g4"), P("Aldo Varga", "g5"),
          P("Democrats", "g6")]
    res = resolve(ps)
    names = [res.canonical(n) for n in ("Aldo Varga", "Corvalan leaders", "Democrats", "Republicans")]
    assert len(set(names)) == 4
    assert res.record(res.canonical("Aldo Varga")).kind == "person"


def test_canonical_name_is_the_most_used_clean_full_form():
    ps = [P("Now Aldo Varga", "n1"), P("Add Aldo Varga", "n2"), P("Aldo Varga", "n3"), P("Aldo Varga", "n4"),
          P("Aldo Varga Varga", "n5"), P("Varga", "n6"), P("Corvalan President Aldo Varga", "n7"),
          P("Why Ina Dros", "n8"), P("Ina Dros", "n9")]
    res = resolve(ps)
    rec = res.record(res.canonical("Now Aldo Varga"))
    assert rec.name == "Aldo Varga" and rec.kind == "person"
    assert {"Now Aldo Varga", "Add Aldo Varga", "Varga"} <= set(rec.aliases)
    assert res.canonical("Why Ina Dros") == "Ina Dros"
    assert parse_name("Now Republicans").key == "republicans"
    assert parse_name("Can Dundar").key == "can dundar"        # a first name, not a glued verb


# ---------------------------------------------------------------------------- the one resolver

def test_lookup_is_exact_first_case_and_diacritic_insensitive():
    res = resolve([P("Volodymyr Zelensky", "a1", ["Zelensky"]), P("Andrés Manuel López Obrador", "a2"),
                   P("Ukraine", "a3")])
    for q, how in (("volodymyr zelensky", "name"), ("ZELENSKY", "alias"), ("Andres Manuel Lopez Obrador", "name")):
        m = res.lookup(q)
        assert m.how == how and m.notice() is None, q
    assert res.lookup("Andres Manuel Lopez Obrador").record.name == "Andrés Manuel López Obrador"


def test_lookup_reports_a_fuzzy_match_and_never_a_partial_one():
    res = resolve([P("Volodymyr Zelensky", "a1"), P("Kestrel Federation Chancellor Ivo Renner", "a2")])
    m = res.lookup("Volodymyr Zelenskiy")
    assert m.how == "fuzzy" and m.record.name == "Volodymyr Zelensky"
    assert "no actor is called 'Volodymyr Zelenskiy'" in m.notice()
    # a name that is only part of another's ("Kestrel Federation" inside Renner's title) is no match for him
    m = res.lookup("Kestrel Federation")
    assert m.record.name == "Kestrel Federation" and m.record.kind == "state"      # his side, named by his title
    with pytest.raises(AnalysisError) as exc:
        res.lookup("Kestrel")
    assert exc.value.code == "E501"


def test_ambiguous_names_list_the_candidates():
    res = resolve([P("Karl Voss", "a1"), P("Erika Voss", "a2"), P("Ana Petro", "a3"), P("Ana Petra", "a4")])
    with pytest.raises(AnalysisError) as exc:
        res.lookup("Voss")                       # the end of two people's names
    assert exc.value.code == "E506" and "Karl Voss" in exc.value.message and "Erika Voss" in exc.value.message
    with pytest.raises(AnalysisError) as exc:
        res.lookup("Ana Petr")                   # as close to both spellings
    assert exc.value.code == "E506" and "Ana Petro" in exc.value.message and "Ana Petra" in exc.value.message


def test_substring_match_only_when_asked():
    res = resolve([P("United States", "a1"), P("Russian President Vladimir Putin", "a2"), P("Justin Trudeau", "a3"),
                   P("House Speaker Nancy Pelosi", "a4")])
    with pytest.raises(AnalysisError) as exc:
        res.lookup("US President")
    assert exc.value.code == "E501"
    assert res.lookup("US").record.name == "United States"              # an alias of the state: exact
    # the old "--actor US" substring filter matched Russia, Putin (RUSsian), Pelosi (HoUSe) and JUStin Trudeau
    m = res.lookup("us", match="substring")
    assert {r.name for r in m.records} == {"Russia", "Vladimir Putin", "Justin Trudeau", "Nancy Pelosi"}
    assert m.how == "substring" and "4 actors contain 'us'" in m.notice()


# ---------------------------------------------------------------------------- curated merges and splits

def _toren_positions():
    return [P("Mila Toren", "t1", ["Toren"]), P("Mila Toren", "t2", ["Vardenian leader"]),
            P("Vardenian President Mila Toren", "t3", ["the Vardenian leader"]), P("Vardenia", "t4"),
            P("Ivo Renner", "t5")]


def test_merging_a_description_keeps_every_alias_and_mention_on_the_record():
    ps = _toren_positions()
    before = resolve(ps)
    rec = before.record("Mila Toren")
    assert rec.mentions == 3 and "Toren" in rec.aliases
    assert not [r for r in before.records if "leader" in r.name]       # a description is no actor
    links = [ActorLink("Vardenian leader", "Mila Toren", "merge")]
    after = resolve(ps, links)
    rec = after.record("Mila Toren")
    assert rec.mentions == 3 and {"Toren", "Vardenian leader"} <= set(rec.aliases)
    assert after.lookup("Toren").record.name == "Mila Toren"            # "Toren" did not split off
    assert after.lookup("Vardenian leader").record.name == "Mila Toren"
    assert resolve(ps, links + links).records == after.records          # idempotent
    assert resolve(ps).records == before.records                        # undone by dropping the link


def test_split_keeps_each_side_its_own_mentions_and_hides_empty_names():
    ps = _toren_positions() + [P("Toren", "t6")]
    res = resolve(ps, [ActorLink("Toren", "Mila Toren", "split")])
    assert res.record("Mila Toren").mentions == 3 and "Toren" not in res.record("Mila Toren").aliases
    assert res.record("Toren").mentions == 1
    # an alias that names no position of its own, once split, is not listed as an actor
    res = resolve(_toren_positions(), [ActorLink("Toren", "Mila Toren", "split")])
    assert all(r.mentions > 0 or r.kind == "state" for r in res.records)
    with pytest.raises(AnalysisError) as exc:
        res.lookup("Toren")
    assert exc.value.code == "E507"
    names = [r.name for r in res.records]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------------------- sides only with evidence

ART = {
    "s1": "Anton Brask, Vardenia's foreign minister, said Vardenia would reopen the border. Vardenia agreed.",
    "s2": "Vardenia's foreign minister, Anton Brask, rejected the plan.",
    "s3": "Dana Keld, a spokeswoman for Chancellor Ivo Renner, said talks could start. "
          "Kestrel Federation Chancellor Ivo Renner agreed.",
    "s4": "Ruth Okafor, leader of the Harbour Workers' Union, backed the deal.",
    "s5": "Foreign Minister Ina Dros said Tolmar would sign. Later Dros said Tolmar would wait. Tolmar is small.",
    "s6": "Foreign Minister Ola Brim said Tolmar would sign.",
    "s7": "Ilse Varn, a former ambassador to Vardenia, said the deal was close.",
    "s8": "Chad Wolf said the plan was fine. Jordan Peterson agreed. The Washington Post reported it.",
    "s9": "Tolmaran President Eda Sorn spoke. Vardenian President Eda Sorn spoke again.",
}


def _sides(ps, links=()):
    res = resolve(ps, links, texts=ART, text_starts={k: 0 for k in ART})
    return res, {r.name: r for r in res.records}


def test_sides_from_the_text_keep_their_evidence():
    ps = [P("Anton Brask", "s1"), P("Anton Brask", "s2"), P("Vardenia", "s1"), P("Dana Keld", "s3"),
          P("Ivo Renner", "s3"), P("Ruth Okafor", "s4")]
    res, recs = _sides(ps)
    brask = recs["Anton Brask"]
    assert brask.side == "Vardenia" and {e.how for e in brask.side_evidence} == {"apposition"}
    for e in brask.side_evidence:
        assert ART[e.article_id][e.start:e.end] == e.text and "foreign minister" in e.text
    assert recs["Ivo Renner"].side == "Kestrel Federation"
    assert recs["Kestrel Federation"].kind == "state" and recs["Kestrel Federation"].mentions == 0
    keld = recs["Dana Keld"]
    assert keld.side == "Kestrel Federation" and keld.side_evidence[0].how == "spokesperson"
    assert recs["Ruth Okafor"].side == "Harbour Workers' Union"
    assert set(res.members("Kestrel Federation")) == {"Kestrel Federation", "Ivo Renner", "Dana Keld"}


def test_no_side_without_evidence_and_none_from_guesses():
    ps = [P("Ina Dros", "s5"), P("Ola Brim", "s6"), P("Ilse Varn", "s7"), P("Chad Wolf", "s8"),
          P("Jordan Peterson", "s8"), P("Washington Post", "s8"), P("Tolmar", "s5"),
          P("Vardenia", "s7"), P("Eda Sorn", "s9"),
          P("Milo Hart", "s1", aliases=("Russian President", "the Vardenian leader"))]
    _res, recs = _sides(ps)
    # "said Tolmar would ..." twice, never otherwise: speaks for Tolmar; once is not enough
    assert recs["Ina Dros"].side == "Tolmar" and recs["Ina Dros"].side_evidence[0].how == "speaks for"
    assert recs["Ola Brim"].side is None and "too few" in recs["Ola Brim"].side_note
    assert recs["Ilse Varn"].side is None                  # an ambassador *to* Vardenia is not Vardenia's
    for name in ("Chad Wolf", "Jordan Peterson", "Washington Post"):   # a state's name is no title
        assert recs[name].side is None, name
    assert recs["Eda Sorn"].side is None and "conflicting" in recs["Eda Sorn"].side_note
    assert recs["Milo Hart"].side is None                  # extractor aliases that are descriptions: no evidence


def test_a_curated_side_wins_and_says_so():
    _res, recs = _sides([P("Ola Brim", "s6")], [ActorLink("Ola Brim", "Tolmar", "side", "manual")])
    assert recs["Ola Brim"].side == "Tolmar" and recs["Ola Brim"].side_evidence[0].how == "curated"


def test_same_side_says_who_shares_one():
    res, _recs = _sides([P("Anton Brask", "s1"), P("Vardenia", "s1"), P("Ivo Renner", "s3"),
                        P("Dana Keld", "s3")])
    assert res.same_side("Anton Brask", "Vardenia") == "Vardenia"
    assert res.same_side("Dana Keld", "Ivo Renner") == "Kestrel Federation"
    assert res.same_side("Anton Brask", "Ivo Renner") is None


def test_a_name_exactly_as_listed_finds_its_record_beside_a_case_variant():
    res = resolve([P("lawmakers", "a1"), P("Lawmakers", "a2")])
    names = sorted(r.name for r in res.records)
    if names != ["Lawmakers", "lawmakers"]:
        pytest.skip(f"the resolver now keeps one record for the two spellings: {names}")
    assert res.lookup("lawmakers").record.name == "lawmakers"
    assert res.lookup("Lawmakers").record.name == "Lawmakers"
    with pytest.raises(AnalysisError) as exc:
        res.lookup("LAWMAKERS")                  # neither as listed: both candidates named
    assert exc.value.code == "E506" and "lawmakers" in exc.value.message and "Lawmakers" in exc.value.message
