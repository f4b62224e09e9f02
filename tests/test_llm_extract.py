"""Issue 13: the llm extractor against a real local OpenAI-compatible server (tests/llm_stub.py).

Every reply the issue lists is crafted here: a correct answer, an invented quote, a label outside
the taxonomy, malformed JSON, a 429 then success, a response slower than the timeout, a truncated
body. Each must get its behaviour, the batch must go on, nothing stored is lost or doubled, and a
cache hit sends no request (the stub counts them). The articles are invented.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from llm_stub import Reply, Request, answer, free_port

from parley.config import settings
from parley.errors import ConfigError, ExtractError
from parley.extract import get_extractor
from parley.extract.bounded import bounded
from parley.extract.llm.anchor import Anchorer
from parley.extract.llm.answer import BadAnswer, parse_answer
from parley.extract.llm.extractor import plan_parts
from parley.extract.llm.prompt import answer_schema, load_labels, system_prompt
from parley.model import Article
from parley.store import open_store
from parley.store.runner import extract_into

ROOT = Path(__file__).resolve().parent.parent
LABOUR = ROOT / "examples" / "labour_taxonomy.yml"


def text_for(tag: str) -> str:
    """An invented article about a made-up trade dispute; ``tag`` makes each one distinct."""
    return (f"Officials of Orland and Vesk met in the port of {tag} on Monday.\n\n"
            f"The Orland trade envoy, Mira Dask, said Orland would sign the {tag} grain accord only if "
            f"Vesk lifts its tariffs. Dask added that Orland will never accept a quota on {tag} wheat.\n\n"
            f"Observers in {tag} were unsure what would follow.")


def good(tag: str) -> dict[str, object]:
    return {"actor": "Mira Dask", "aliases": ["Dask"], "issue": "trade", "stance": "conditional",
            "conditions": ["Vesk lifts its tariffs"], "proposition": f"the {tag} grain accord",
            "evidence": f"The Orland trade envoy, Mira Dask, said Orland would sign the {tag} grain accord only "
                        f"if Vesk lifts its tariffs."}


def red_line(tag: str) -> dict[str, object]:
    return {"actor": "Mira Dask", "aliases": ["Dask"], "issue": "trade", "stance": "oppose", "red_line": True,
            "proposition": "a wheat quota",
            "evidence": f"Dask added that Orland will never accept a quota on {tag} wheat."}


def correct(tag: str) -> str:
    return answer(good(tag), red_line(tag))


def tag_of(req: Request) -> str:
    import re

    m = re.search(r"the port of (\w+)", req.text)
    return m.group(1) if m else ""


def store_with(db_path: Path, tags: list[str]):
    store = open_store(str(db_path))
    for t in tags:
        store.add_article(Article.create(text_for(t), title=f"Port of {t}"))
    return store


def run_row(db_path: Path, run_id: int) -> dict[str, object]:
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    row = dict(con.execute("select * from runs where id = ?", (run_id,)).fetchone())
    con.close()
    return row


# ----------------------------------------------------------------------------- anchoring

def test_anchor_exact_sentence_and_offsets() -> None:
    text = text_for("Alba")
    a = Anchorer(text)
    quote = "Dask added that Orland will never accept a quota on Alba wheat."
    got = a.anchor(quote)
    assert got is not None and got.exact and text[got.start:got.end] == quote


def test_anchor_normalises_whitespace_and_quotes_inside_one_sentence() -> None:
    text = "Intro line here.\n\nThe union leader said: \u201cWe  will not\u00a0sign this offer.\u201d Then she left."
    a = Anchorer(text)
    got = a.anchor('The union leader said: "We will not sign this offer."')
    assert got is not None and not got.exact
    assert text[got.start:got.end] == "The union leader said: \u201cWe  will not\u00a0sign this offer.\u201d"


def test_anchor_clause_stands_for_its_sentence_but_a_stray_phrase_does_not() -> None:
    text = text_for("Brill")
    a = Anchorer(text)
    got = a.anchor("Orland would sign the Brill grain accord only if Vesk lifts its tariffs")
    assert got is not None
    assert text[got.start:got.end].startswith("The Orland trade envoy") and text[got.end - 1] == "."
    assert a.anchor("said Orland") is None                 # too short to be evidence
    assert a.anchor("Vesk lifts its tariffs. Dask added") is None   # a clause across two sentences, no sentence


def test_anchor_refuses_invented_and_cross_paragraph_quotes() -> None:
    text = text_for("Cobb")
    a = Anchorer(text)
    assert a.anchor("Mira Dask said Orland would happily sign any accord at all.") is None
    assert a.anchor("Officials of Orland and Vesk met in the port of Cobb on Monday. The Orland trade envoy, "
                    "Mira Dask, said Orland") is None


def test_anchor_keeps_a_sentence_the_splitter_missed_and_prefers_the_actor() -> None:
    text = "Talks stalled. \u2026 Envoy Tam Oru said the offer \u201cchanges nothing at all.\u201d \u2026 Later news."
    a = Anchorer(text)
    q = "Envoy Tam Oru said the offer \u201cchanges nothing at all.\u201d"
    got = a.anchor(q)
    assert got is not None and text[got.start:got.end] == q
    twice = "Lee Sun said the plan must go.\nKim Ara said the plan must go."
    got = Anchorer(twice).anchor("said the plan must go.", ["Kim Ara"])
    assert got is not None and twice[got.start:got.end] == "Kim Ara said the plan must go."


# ----------------------------------------------------------------------------- answers, prompt

def test_parse_answer_tolerates_fences_and_prose_but_not_garbage() -> None:
    assert parse_answer('```json\n{"positions": [{"actor": "A"}]}\n```') == [{"actor": "A"}]
    assert parse_answer('Here you go: {"positions": []} Hope it helps.') == []
    assert parse_answer('[{"actor": "A"}]') == [{"actor": "A"}]
    assert parse_answer('<think>they want {"positions"} so</think>{"positions": [{"actor": "B"}]}') == [{"actor": "B"}]
    assert parse_answer('As noted [above] and {here}: {"positions": [{"actor": "C"}]}') == [{"actor": "C"}]
    for bad in ('{"positions": [{"actor": "A"', "", "positions: none", '{"items": []}', "[1, 2]", "see [] above"):
        with pytest.raises(BadAnswer):
            parse_answer(bad)


def test_prompt_reads_only_names_and_descriptions_of_any_taxonomy(tmp_path: Path) -> None:
    labour = load_labels(str(LABOUR))
    assert labour.names == ("wages", "pensions", "strike", "hours", "jobs", "other")
    prompt = system_prompt(labour)
    assert "- wages: Pay, pay rises" in prompt and "talks:" not in prompt
    assert "keywords" not in prompt and "pay claim" not in prompt            # keywords are not sent
    item = answer_schema(labour)["properties"]["positions"]["items"]
    assert item["properties"]["issue"]["enum"] == list(labour.names)
    default = load_labels(None)
    assert "- ceasefire: truce" in system_prompt(default)                  # built-in descriptions
    listed = tmp_path / "tax.json"
    listed.write_text(json.dumps({"labels": [{"name": "fees", "description": "tuition fees"}, "housing"]}))
    mine = load_labels(str(listed))
    assert mine.names == ("fees", "housing", "other") and "- housing\n" in system_prompt(mine)
    bad = tmp_path / "bad.yaml"
    bad.write_text("labels: 3\n")
    with pytest.raises(ExtractError) as err:
        load_labels(str(bad))
    assert err.value.code == "E302" and str(bad) in err.value.message


def test_version_names_prompt_taxonomy_and_model(llm_stub, monkeypatch: pytest.MonkeyPatch) -> None:
    ex = get_extractor("llm")
    lab = get_extractor("llm", taxonomy=str(LABOUR))
    assert ex.version.endswith("+stub-model") and f"+p{ex.prompt_version}+" in ex.version
    assert ex.version != lab.version
    monkeypatch.setenv("PARLEY_LLM_MODEL", "other-model")
    settings.cache_clear()
    assert get_extractor("llm").version.replace("other-model", "stub-model") == ex.version


def test_any_edit_of_the_rules_changes_the_prompt_and_extractor_version(llm_stub, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from parley.extract.llm import prompt

    before = get_extractor("llm").version
    edited = tmp_path / "rules.md"
    edited.write_text(prompt.RULES.read_text(encoding="utf-8").replace("never a pronoun", "never a pronoun, ever"))
    monkeypatch.setattr(prompt, "RULES", edited)
    prompt._rules.cache_clear()
    prompt.prompt_version.cache_clear()
    try:
        ex = get_extractor("llm")
        assert ex.version != before and ex.prompt_version.startswith(prompt.PROMPT_VERSION + ".")
        assert "never a pronoun, ever" in prompt.system_prompt(ex.labels)
        assert "Bump" not in prompt.system_prompt(ex.labels)            # the file's comment is not sent
    finally:
        monkeypatch.undo()
        prompt._rules.cache_clear()
        prompt.prompt_version.cache_clear()


def test_missing_settings_are_e320(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLEY_LLM_URL", raising=False)
    monkeypatch.setenv("PARLEY_SETTINGS", "/nonexistent/parley.toml")
    settings.cache_clear()
    try:
        with pytest.raises(ConfigError):
            get_extractor("llm")          # a named settings file that is missing is an error too
        monkeypatch.delenv("PARLEY_SETTINGS")
        monkeypatch.setenv("PARLEY_LLM_MODEL", "m")
        settings.cache_clear()
        with pytest.raises(ExtractError) as err:
            get_extractor("llm")
        assert err.value.code == "E320" and "llm_url" in err.value.message
    finally:
        settings.cache_clear()


# ----------------------------------------------------------------------------- the issue's replies

CASES = ["good", "invented", "offtax", "badjson", "badtwice", "busy", "slow", "cut", "cutalways"]


def crafted(req: Request, seen: int) -> Reply:
    tag = tag_of(req)
    if tag == "invented":
        return Reply(content=answer(good(tag), {**red_line(tag), "evidence": "Dask said Orland loves every quota."}))
    if tag == "offtax":
        return Reply(content=answer(good(tag), {**red_line(tag), "issue": "agriculture"}))
    if tag == "badjson" and seen == 0:
        return Reply(content='{"positions": [{"actor": "Mira Dask", "issue": ')
    if tag == "badtwice":
        return Reply(content="Sorry, I cannot help with that.")
    if tag == "busy" and seen == 0:
        return Reply(status=429, content="rate limited", headers={"Retry-After": "0"})
    if tag == "slow":
        return Reply(content=correct(tag), delay=2.5)
    if (tag == "cut" and seen == 0) or tag == "cutalways":
        return Reply(content=correct(tag), truncate=True)
    return Reply(content=correct(tag))


def test_each_crafted_reply_gets_its_behaviour_and_the_batch_goes_on(llm_stub, db_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_TIMEOUT", "1")
    monkeypatch.setenv("PARLEY_LLM_RETRIES", "1")
    settings.cache_clear()
    llm_stub.respond = crafted
    errors: list[ExtractError] = []
    with store_with(db_path, CASES) as store:
        report = extract_into(store, get_extractor("llm"), on_error=errors.append)
        by_tag = {t: store.positions(article_id=Article.create(text_for(t)).id) for t in CASES}
        failed = {e.fields["item"]: e.code for e in report.failures}
        assert report.status == "finished"
        ids = {t: Article.create(text_for(t)).id for t in CASES}
        assert failed == {ids["badtwice"]: "E325", ids["slow"]: "E324", ids["cutalways"]: "E324"}
        assert [e.code for e in errors] and len(errors) == 3
        for t in ("good", "badjson", "busy", "cut"):
            assert sorted((p.stance, p.red_line) for p in by_tag[t]) == [("conditional", False), ("oppose", True)], t
        assert [p.stance for p in by_tag["invented"]] == ["conditional"]      # the invented quote dropped
        assert [p.stance for p in by_tag["offtax"]] == ["conditional"]        # the off-taxonomy label dropped
        for t in ("badtwice", "slow", "cutalways"):
            assert by_tag[t] == []
        text = text_for("good")
        for p in by_tag["good"]:
            assert text[p.evidence.start:p.evidence.end] == p.evidence.text
            assert p.extractor == "llm" and p.aliases == ("Dask",)
        assert next(p for p in by_tag["good"] if p.stance == "conditional").conditions == ("Vesk lifts its tariffs",)
        assert store.count_pending("llm", report.version) == 3                 # the failed ones stay pending
        row = run_row(db_path, report.run_id)
    assert llm_stub.count("port of badjson") == 2          # one retry of the malformed answer
    assert llm_stub.count("port of badtwice") == 2         # then reported as failed
    assert llm_stub.count("port of busy") == 2             # 429, then success
    assert llm_stub.count("port of slow") == 2             # timed out twice (retries = 1)
    assert llm_stub.count("port of cutalways") == 2
    assert llm_stub.count("port of good") == 1
    assert row["articles"] == 6 and row["failed"] == 3 and row["positions"] == 10
    assert row["dropped_unquoted"] == 1 and row["dropped_off_taxonomy"] == 1
    assert row["requests"] == len(llm_stub.requests)
    answered = [r for r in llm_stub.requests if tag_of(r) in ("good", "invented", "offtax", "badjson", "busy", "cut")]
    assert row["prompt_tokens"] >= 100 * 6 and row["prompt_tokens"] <= 100 * len(answered)
    assert row["cache_hits"] == 0


def test_next_run_does_the_failed_rest_then_force_replaces_from_the_cache(llm_stub, db_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_TIMEOUT", "1")
    monkeypatch.setenv("PARLEY_LLM_RETRIES", "0")
    settings.cache_clear()
    llm_stub.respond = crafted
    tags = ["good", "badtwice", "slow", "offtax"]
    with store_with(db_path, tags) as store:
        first = extract_into(store, get_extractor("llm"))
        assert len(first.failures) == 2
        stored = {p.id: p for p in store.positions()}
        sent = len(llm_stub.requests)
        llm_stub.respond = lambda req, seen: Reply(content=correct(tag_of(req)))
        second = extract_into(store, get_extractor("llm"))
        assert second.articles == 2 and not second.failures
        assert len(llm_stub.requests) == sent + 2                # only the two pending articles were asked
        assert set(stored) <= {p.id for p in store.positions()}   # nothing stored earlier was lost
        before = sorted((p.article_id, p.actor, p.issue, p.stance, p.evidence.start) for p in store.positions())
        sent = len(llm_stub.requests)
        forced = extract_into(store, get_extractor("llm"), force=True)
        after = sorted((p.article_id, p.actor, p.issue, p.stance, p.evidence.start) for p in store.positions())
        assert forced.articles == 4 and after == before              # replaced, never doubled
        assert len(llm_stub.requests) == sent                       # every answer came from the cache
        row = run_row(db_path, forced.run_id)
        assert row["cache_hits"] == 4 and row["requests"] == 0 and row["prompt_tokens"] == 0
        assert store.count_positions() == 7
        assert extract_into(store, get_extractor("llm")).run_id is None      # nothing pending


def test_two_taxonomies_side_by_side_and_force_keeps_ids(llm_stub, db_path: Path) -> None:
    """The llm extractor's taxonomy is recorded with its run and its positions (issue 8); --force
    replaces one taxonomy's positions, never doubling them, never touching the other's, and the
    content-derived ids stay."""
    def respond(req: Request, seen: int) -> Reply:
        tag = tag_of(req)
        if "- strike:" in req.body["messages"][0]["content"]:           # the labour taxonomy's prompt
            return Reply(content=answer({**good(tag), "issue": "wages"}))
        return Reply(content=correct(tag))

    llm_stub.respond = respond
    with store_with(db_path, ["Alba", "Brill"]) as store:
        default = extract_into(store, get_extractor("llm"))
        labour = extract_into(store, get_extractor("llm", taxonomy=str(LABOUR)))
        assert (default.taxonomy, labour.taxonomy) == ("default", "labour_taxonomy")
        assert store.taxonomies() == {"default": 4, "labour_taxonomy": 2}
        assert {r["id"]: r["taxonomy"] for r in store.runs()} == {default.run_id: "default",
                                                                   labour.run_id: "labour_taxonomy"}
        assert {p.issue for p in store.positions(taxonomy="labour_taxonomy")} == {"wages"}
        ids = {p.id for p in store.positions()}
        sent = llm_stub.count()
        forced = extract_into(store, get_extractor("llm", taxonomy=str(LABOUR)), force=True)
        assert forced.articles == 2 and forced.taxonomy == "labour_taxonomy" and llm_stub.count() == sent
        assert store.taxonomies() == {"default": 4, "labour_taxonomy": 2}
        assert {p.id for p in store.positions()} == ids
        assert run_row(db_path, forced.run_id)["cache_hits"] == 2
        assert extract_into(store, get_extractor("llm")).run_id is None      # nothing pending


def test_cache_key_is_text_model_prompt_and_taxonomy(llm_stub, monkeypatch: pytest.MonkeyPatch) -> None:
    llm_stub.respond = lambda req, seen: Reply(content=correct(tag_of(req)))
    art = Article.create(text_for("Dorn"))
    assert len(get_extractor("llm").extract(art)) == 2
    assert len(get_extractor("llm").extract(art)) == 2 and llm_stub.count() == 1      # hit: no request
    get_extractor("llm", taxonomy=str(LABOUR)).extract(art)
    assert llm_stub.count() == 2                                                     # another taxonomy
    ex = get_extractor("llm")
    ex.prompt_version = "999.test"
    ex.extract(art)
    assert llm_stub.count() == 3                                                     # another prompt
    monkeypatch.setenv("PARLEY_LLM_MODEL", "bigger-model")
    settings.cache_clear()
    get_extractor("llm").extract(art)
    assert llm_stub.count() == 4                                                     # another model
    get_extractor("llm").extract(Article.create(text_for("Dorn") + " One more line."))
    assert llm_stub.count() == 5                                                     # another text
    monkeypatch.setenv("PARLEY_LLM_CACHE", "off")
    settings.cache_clear()
    get_extractor("llm").extract(art)
    assert llm_stub.count() == 6


def test_the_labour_taxonomy_works_unchanged(llm_stub) -> None:
    text = ("Shift talks resumed at the Halden depot.\n\nThe drivers' union said it would suspend the strike "
            "only if the company restores the night-shift premium. The union also rejected the new rosters.")
    llm_stub.respond = lambda req, seen: Reply(content=answer(
        {"actor": "drivers' union", "issue": "strike", "stance": "conditional",
         "conditions": ["the company restores the night-shift premium"],
         "evidence": "The drivers' union said it would suspend the strike only if the company restores the "
                     "night-shift premium."},
        {"actor": "drivers' union", "issue": "hours", "stance": "oppose",
         "evidence": "The union also rejected the new rosters."},
        {"actor": "drivers' union", "issue": "talks", "stance": "support",
         "evidence": "Shift talks resumed at the Halden depot."}))
    ex = get_extractor("llm", taxonomy=str(LABOUR))
    found = ex.extract(Article.create(text))
    assert sorted(p.issue for p in found) == ["hours", "strike"]
    assert ex.usage.dropped_off_taxonomy == 1                     # "talks" is not a labour label
    sent = llm_stub.requests[0].body
    assert "- strike: Strikes and other industrial action" in sent["messages"][0]["content"]
    enum = sent["response_format"]["json_schema"]["schema"]["properties"]["positions"]["items"]["properties"]
    assert enum["issue"]["enum"] == ["wages", "pensions", "strike", "hours", "jobs", "other"]


def test_repairs_and_drops_of_malformed_items(llm_stub) -> None:
    text = text_for("Enns")
    ev = good("Enns")["evidence"]
    items = [
        {"actor": "Mira Dask", "issue": "Trade", "stance": "support", "conditions": ["x"], "evidence": ev,
         "previous_stance": "support", "aliases": ["Dask", "Somebody Else"]},
        {"actor": "", "issue": "trade", "stance": "support", "evidence": ev},
        {"actor": "Mira Dask", "issue": "trade", "stance": "hopeful", "evidence": ev},
        {"actor": "Mira Dask", "issue": "trade", "stance": "conditional", "conditions": [], "evidence": ev},
        "not an object"]
    llm_stub.respond = lambda req, seen: Reply(content=json.dumps({"positions": items}))
    ex = get_extractor("llm")
    [p] = ex.extract(Article.create(text))
    assert (p.issue, p.stance, p.conditions, p.previous_stance, p.aliases) == ("trade", "support", (), None, ("Dask",))
    assert ex.usage.dropped_malformed == 4


# ----------------------------------------------------------------------------- request forms, setup errors

def test_falls_back_from_json_schema_to_json_object_to_plain(llm_stub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_CONCURRENCY", "1")
    settings.cache_clear()

    def respond(req: Request, seen: int) -> Reply:
        if req.form == "json_schema":       # llama.cpp's message for a schema it cannot take
            return Reply(status=400, content='Either "json_schema" or "grammar" can be specified, but not both')
        if req.form == "json_object":
            return Reply(status=400, content="response_format json_object is not supported by this model")
        return Reply(content="Sure! Here is the JSON:\n```json\n" + correct(tag_of(req)) + "\n```")

    llm_stub.respond = respond
    ex = get_extractor("llm")
    out = list(ex.extract_many([Article.create(text_for("Fenn")), Article.create(text_for("Gale"))]))
    assert [len(ps) for _, ps in out] == [2, 2]
    assert [r.form for r in llm_stub.requests] == ["json_schema", "json_object", "none", "none"]
    assert ex.usage.requests == 4                  # every HTTP request counts, refused ones too
    assert "response_format" not in llm_stub.requests[-1].body


def test_a_400_about_something_else_fails_only_that_article(llm_stub) -> None:
    def respond(req: Request, seen: int) -> Reply:
        if tag_of(req) == "Hale":
            return Reply(status=400, content="This model's maximum context length is 4096 tokens.")
        return Reply(content=correct(tag_of(req)))

    llm_stub.respond = respond
    errors: list[ExtractError] = []
    ex = get_extractor("llm")
    ex.on_error = lambda art, err: errors.append(err)
    got = list(ex.extract_many([Article.create(text_for(t)) for t in ("Hale", "Inch", "Jura")]))
    assert len(got) == 2 and [e.code for e in errors] == ["E326"] and "context length" in errors[0].message
    assert {r.form for r in llm_stub.requests} == {"json_schema"}       # no fallback for that


@pytest.mark.parametrize("status, code", [(401, "E322"), (403, "E322"), (404, "E323")])
def test_refused_key_or_unknown_model_stops_the_run_keeping_what_was_done(llm_stub, db_path: Path, status: int,
                                                                          code: str, monkeypatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_CONCURRENCY", "1")
    settings.cache_clear()
    tags = ["Kiln", "Lark", "Moss", "Nook", "Oban", "Pike"]
    first = sorted(Article.create(text_for(t)).id for t in tags)[0]

    def respond(req: Request, seen: int) -> Reply:
        if Article.create(text_for(tag_of(req))).id == first:
            return Reply(content=correct(tag_of(req)))
        return Reply(status=status, content='model "stub-model" not found' if status == 404 else "bad key")

    llm_stub.respond = respond
    with store_with(db_path, tags) as store:
        with pytest.raises(ExtractError) as err:
            extract_into(store, get_extractor("llm"))
        assert err.value.code == code and "sk-test-key" not in err.value.message
        assert [p.article_id for p in store.positions()] == [first, first]     # the article done before is kept
        run = store.runs()[0]
        assert run["status"] == "failed" and run["articles"] == 1
    assert llm_stub.requests[0].headers.get("Authorization") == "Bearer sk-test-key"
    assert len(llm_stub.requests) < 6          # stopped, not asked once per article


def test_unreachable_server_is_e321_and_stops(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PARLEY_LLM_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("PARLEY_LLM_MODEL", "m")
    monkeypatch.setenv("PARLEY_LLM_BACKOFF", "0.01")
    monkeypatch.setenv("PARLEY_LLM_RETRIES", "2")
    monkeypatch.setenv("PARLEY_LLM_CACHE", str(tmp_path / "c.sqlite"))
    settings.cache_clear()
    try:
        ex = get_extractor("llm")
        with pytest.raises(ExtractError) as err:
            list(ex.extract_many(Article.create(text_for(t)) for t in ("Quay", "Rook", "Sark")))
        assert err.value.code == "E321" and "3 attempts" in err.value.message
    finally:
        settings.cache_clear()


# ----------------------------------------------------------------------------- long articles, concurrency

def test_long_article_goes_in_overlapping_parts_merged_without_doubles(llm_stub, monkeypatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_CHUNK_CHARS", "400")
    monkeypatch.setenv("PARLEY_LLM_OVERLAP_CHARS", "250")
    settings.cache_clear()
    paras = [f"Paragraph {i:02d} gives some background on the harbour of Tarn and on its old cranes."
             for i in range(20)]
    spans = plan_parts("\n\n".join(paras), 400, 250)
    starts = [sum(len(x) + 2 for x in paras[:k]) for k in range(len(paras))]
    shared = next(k for k, st in enumerate(starts) if spans[1][0] <= st and st + len(paras[k]) <= spans[0][1])
    dask = "The Orland trade envoy, Mira Dask, said Orland rejects the harbour levy outright today."
    lund = "Vesk minister Ott Lund said Vesk would cut the levy only if Orland reopens the canal."
    paras[shared], paras[15] = dask[: len(paras[0])], lund
    text = "\n\n".join(paras)

    def respond(req: Request, seen: int) -> Reply:
        items = []
        if paras[shared] in req.text:
            items.append({"actor": "Mira Dask", "issue": "trade", "stance": "oppose", "evidence": paras[shared]})
        if lund in req.text:
            items.append({"actor": "Ott Lund", "issue": "trade", "stance": "conditional",
                          "conditions": ["Orland reopens the canal"], "evidence": lund})
        return Reply(content=answer(*items))

    llm_stub.respond = respond
    art = Article.create(text)
    parts = plan_parts(text, 400, 250)
    assert len(parts) > 3 and all(text[s - 2:s] == "\n\n" for s, _ in parts[1:])          # cut at paragraphs
    assert all(parts[k][0] < parts[k - 1][1] for k in range(1, len(parts)))              # with overlap
    assert sum(1 for s, e in parts if paras[shared] in text[s:e]) == 2                     # sent twice
    found = get_extractor("llm").extract(art)
    assert sorted((p.actor, p.stance) for p in found) == [("Mira Dask", "oppose"), ("Ott Lund", "conditional")]
    for p in found:
        assert text[p.evidence.start:p.evidence.end] == p.evidence.text
    assert llm_stub.count() == len(parts)
    assert all(f"of {len(parts)} of a long article" in r.body["messages"][1]["content"] for r in llm_stub.requests)


def test_concurrent_requests_stay_within_the_setting_and_results_keep_order(llm_stub, monkeypatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_CONCURRENCY", "3")
    settings.cache_clear()
    llm_stub.respond = lambda req, seen: Reply(content=correct(tag_of(req)), delay=0.3)
    tags = [f"Tarn{i}" for i in range(8)]
    arts = [Article.create(text_for(t)) for t in tags]
    got = [a.id for a, _ in bounded(get_extractor("llm")).extract_many(arts)]
    assert got == [a.id for a in arts]
    assert 2 <= llm_stub.max_in_flight <= 3


def test_article_over_llm_max_chars_is_not_sent(llm_stub, monkeypatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_MAX_CHARS", "100")
    settings.cache_clear()
    with pytest.raises(ExtractError) as err:
        get_extractor("llm").extract(Article.create(text_for("Uist")))
    assert err.value.code == "E327" and llm_stub.count() == 0


def test_a_broken_cache_file_is_reported_and_the_run_goes_on(llm_stub, monkeypatch, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("PARLEY_LLM_CACHE", str(bad))
    settings.cache_clear()
    llm_stub.respond = lambda req, seen: Reply(content=correct(tag_of(req)))
    assert len(get_extractor("llm").extract(Article.create(text_for("Vale")))) == 2
    assert "E328" in caplog.text
