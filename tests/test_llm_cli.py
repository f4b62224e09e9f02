"""Issue 13 through the CLI: the settings file, `extract --extractor llm` and `--force`, usage in
`stats`, `label --teacher llm`, and `eval --extractor llm` on labelled folders.

The stub server (tests/llm_stub.py) plays a perfect model where a test needs one: it answers with
the labelled positions of the article it is sent, read at test time from examples/gold/ (invented)
or ../shared/data/dev/ (third-party, never copied; skipped when absent)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from llm_stub import Reply, Request, StubLLM

from parley.cli import main
from parley.config import settings
from parley.evaluate import load_gold
from parley.extract.llm.anchor import normalise

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "examples" / "gold"
DEMO = ROOT / "examples" / "demo"
LABOUR = ROOT / "examples" / "labour_taxonomy.yml"
FIELDS = ("actor", "aliases", "issue", "proposition", "stance", "conditions", "red_line", "previous_stance",
          "evidence")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def echo_gold(stub: StubLLM, folders: list[Path]) -> None:
    """Make the stub answer each text with the labelled positions whose sentence it contains."""
    gold = [json.loads(f.read_text(encoding="utf-8")) for d in folders
            for f in ([d] if d.is_file() else sorted(d.glob("*.json")))]
    index = [(normalise(g["text"]), g) for g in gold]

    def respond(req: Request, seen: int) -> Reply:
        sent = normalise(req.text)
        for text, g in index:
            if sent in text:
                items = [{k: p[k] for k in FIELDS} for p in g["positions"] if normalise(p["evidence"]) in sent]
                return Reply(content=json.dumps({"positions": items}))
        return Reply(content='{"positions": []}')

    stub.respond = respond


def eval_json(*args: str) -> dict:
    res = invoke("eval", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# ----------------------------------------------------------------------------- settings file

def test_settings_file_in_the_current_directory_and_env_over_it(tmp_path: Path, monkeypatch) -> None:
    from parley.config import load_settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "parley.toml").write_text('llm_url = "http://127.0.0.1:9/v1"\nllm_model = "from-file"\n'
                                          'llm_concurrency = 2\nllm_timeout = 30\ndb = "ledger.db"\n')
    s = load_settings({})
    assert (s.llm_url, s.llm_model, s.llm_concurrency, s.llm_timeout, s.db) == \
        ("http://127.0.0.1:9/v1", "from-file", 2, 30.0, "ledger.db")
    assert load_settings({"PARLEY_LLM_MODEL": "from-env"}).llm_model == "from-env"
    other = tmp_path / "elsewhere.toml"
    other.write_text('llm_model = "named"\n')
    assert load_settings({"PARLEY_SETTINGS": str(other)}).llm_model == "named"    # named file wins over ./


@pytest.mark.parametrize("content, needle", [
    ('llm_modle = "typo"\n', "llm_modle"),
    ('llm_concurrency = "four"\n', "llm_concurrency"),
    ('llm_url = [1]\n', "llm_url"),
    ("this is = not toml\n", "not valid TOML"),
])
def test_a_bad_settings_file_is_e601_naming_file_and_key(tmp_path: Path, monkeypatch, content: str,
                                                         needle: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(content)
    monkeypatch.setenv("PARLEY_SETTINGS", str(path))
    settings.cache_clear()
    try:
        res = invoke("extract", "--extractor", "llm", "--db", str(tmp_path / "x.db"))
        assert res.exit_code == 1 and "[E601]" in res.output and needle in res.output and str(path) in res.output
    finally:
        settings.cache_clear()


def test_the_llm_is_configured_by_the_settings_file(llm_stub, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PARLEY_LLM_URL")
    monkeypatch.delenv("PARLEY_LLM_MODEL")
    conf = tmp_path / "team.toml"
    conf.write_text(f'llm_url = "{llm_stub.url}"\nllm_model = "file-model"\n')
    monkeypatch.setenv("PARLEY_SETTINGS", str(conf))
    settings.cache_clear()
    src = tmp_path / "a.txt"
    src.write_text("Port news.\n\nThe Orland envoy said Orland backs the canal treaty talks fully.\n")
    res = invoke("extract", "--jsonl", "--extractor", "llm", str(src))
    assert res.exit_code == 0, res.output
    assert llm_stub.requests[0].body["model"] == "file-model"


# ----------------------------------------------------------------------------- extract, force, stats

def test_run_extract_force_and_stats_through_the_cli(llm_stub, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    echo_gold(llm_stub, [GOLD])
    res = invoke("run", "--db", str(db), "--extractor", "llm", "-q", str(GOLD))
    assert res.exit_code == 0, res.output
    assert "10 articles" in res.output and "requests" in res.output and "prompt" in res.output
    sent = len(llm_stub.requests)
    assert sent == 10
    con = sqlite3.connect(db)
    ids = sorted(r[0] for r in con.execute("select id from positions"))
    assert len(ids) == sum(len(g.positions) for g in load_gold(GOLD))
    res = invoke("extract", "--db", str(db), "--extractor", "llm", "-q")
    assert "nothing pending" in res.output and len(llm_stub.requests) == sent
    res = invoke("extract", "--db", str(db), "--extractor", "llm", "-q", "--force")
    assert res.exit_code == 0, res.output
    new_ids = sorted(r[0] for r in con.execute("select id from positions"))
    assert len(new_ids) == len(ids) and not set(new_ids) & set(ids)          # replaced, never doubled
    assert len(llm_stub.requests) == sent                                     # from the cache
    con.close()
    st = json.loads(invoke("stats", "--db", str(db), "--format", "json").stdout)
    assert st["requests"] == {"sent": 10, "answered_from_cache": 10}
    assert st["tokens"] == {"prompt": 1000, "completion": 200}
    assert st["dropped_positions"] == {"unquoted": 0, "off_taxonomy": 0, "malformed": 0}
    text = invoke("stats", "--db", str(db)).stdout
    assert "prompt 1000, completion 200" in text and "sk-test-key" not in text


def test_force_re_extracts_with_any_extractor_replacing_positions(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert invoke("run", "--db", str(db), "-q", str(DEMO)).exit_code == 0
    con = sqlite3.connect(db)
    rows = "select actor, issue, stance, article_id, ev_start from positions order by 4, 5, 1, 2, 3"
    before = con.execute(rows).fetchall()
    assert before                                   # the demo articles state positions
    old_ids = {r[0] for r in con.execute("select id from positions")}
    res = invoke("extract", "--db", str(db), "-q", "--force")
    assert res.exit_code == 0, res.output
    after = con.execute(rows).fetchall()
    assert after == before and not old_ids & {r[0] for r in con.execute("select id from positions")}
    runs = con.execute("select articles, status from runs order by id").fetchall()
    assert runs[1] == (runs[0][0], "finished") and runs[0][0] > 0
    con.close()


def test_extract_jsonl_with_force_still_means_replace_the_output(llm_stub, tmp_path: Path) -> None:
    echo_gold(llm_stub, [GOLD])
    out = tmp_path / "p.jsonl"
    out.write_text("old\n")
    res = invoke("extract", "--jsonl", "--extractor", "llm", str(GOLD / "demo-01.json"), "-o", str(out))
    assert res.exit_code == 1 and "E213" in res.output
    res = invoke("extract", "--jsonl", "--extractor", "llm", str(GOLD / "demo-01.json"), "-o", str(out), "--force")
    assert res.exit_code == 0 and json.loads(out.read_text())["id"] == "demo-01"


# ----------------------------------------------------------------------------- eval

def test_eval_with_the_llm_extractor_on_a_labelled_folder(llm_stub) -> None:
    echo_gold(llm_stub, [GOLD])
    fig = eval_json(str(GOLD), "--extractor", "llm")["figures"]
    assert fig["triple"]["f1"] == 1.0 and fig["conditions"]["f1"] == 1.0 and fig["evidence_agreement"] == 1.0
    assert fig["triple"]["labelled"] == sum(len(g.positions) for g in load_gold(GOLD))


def test_eval_with_the_labour_taxonomy(llm_stub) -> None:
    one = GOLD / "demo-08.json"
    echo_gold(llm_stub, [one])
    fig = eval_json(str(one), "--extractor", "llm", "--taxonomy", str(LABOUR))["figures"]
    assert fig["triple"]["f1"] == 1.0           # its labels are "other", a label of the labour taxonomy too
    assert "- wages: Pay" in llm_stub.requests[0].body["messages"][0]["content"]


@pytest.mark.shared
def test_eval_llm_on_the_dev_set_anchors_every_labelled_sentence(llm_stub, shared_dir: Path) -> None:
    dev = shared_dir / "data" / "dev"
    echo_gold(llm_stub, [dev])
    fig = eval_json(str(dev), "--extractor", "llm")["figures"]
    assert fig["triple"]["f1"] == 1.0 and fig["evidence_agreement"] == 1.0


def test_eval_reports_failed_articles_and_scores_the_rest(llm_stub, caplog) -> None:
    echo_gold(llm_stub, [GOLD])
    inner = llm_stub.respond
    llm_stub.respond = lambda req, seen: (Reply(content="no JSON here") if "Vardenia" in req.text[:200]
                                          else inner(req, seen))
    d = eval_json(str(GOLD), "--extractor", "llm")
    assert 0 < d["figures"]["triple"]["recall"] < 1.0
    assert "E325" in caplog.text


# ----------------------------------------------------------------------------- label --teacher

def test_label_writes_the_training_format_and_round_trips(llm_stub, tmp_path: Path) -> None:
    echo_gold(llm_stub, [GOLD])
    out = tmp_path / "labels"
    res = invoke("label", "--teacher", "llm", str(GOLD), "-o", str(out), "-q")
    assert res.exit_code == 0, res.output
    assert "label: 10 files" in res.output
    files = sorted(out.glob("*.json"))
    assert [f.name for f in files] == sorted(f.name for f in GOLD.glob("*.json"))
    for f in files:
        got = json.loads(f.read_text(encoding="utf-8"))
        want = json.loads((GOLD / f.name).read_text(encoding="utf-8"))
        assert list(got)[:8] == ["id", "title", "url", "source", "published", "origin", "text", "positions"]
        assert got["id"] == want["id"] and got["text"] == want["text"]
        assert got["labelled_by"]["teacher"] == "llm" and "stub-model" in got["labelled_by"]["version"]
        key = lambda p: (p["actor"], p["issue"], p["stance"])  # noqa: E731
        assert sorted(map(key, got["positions"])) == sorted(set(map(key, want["positions"])))
        for p in got["positions"]:
            assert isinstance(p["evidence"], str) and p["evidence"] in got["text"]
            assert set(p) == set(FIELDS)
    relabelled = load_gold(out)                         # a reader of the format takes it
    assert sum(len(g.positions) for g in relabelled) == sum(len(g.positions) for g in load_gold(GOLD))
    assert all(p.evidence.start >= 0 for g in relabelled for p in g.positions)
    fig = eval_json(str(GOLD), "--jsonl", _as_predictions(out, tmp_path))["figures"]
    assert fig["triple"]["f1"] == 1.0


def _as_predictions(folder: Path, tmp_path: Path) -> str:
    path = tmp_path / "pred.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for g in load_gold(folder):
            fh.write(json.dumps({"id": g.id, "positions": [p.to_dict() for p in g.positions]}) + "\n")
    return str(path)


def test_label_keeps_existing_files_without_force_and_never_writes_an_input(llm_stub, tmp_path: Path) -> None:
    echo_gold(llm_stub, [GOLD])
    out = tmp_path / "labels"
    src = [str(GOLD / "demo-01.json"), str(GOLD / "demo-02.json")]
    assert invoke("label", "--teacher", "llm", *src, "-o", str(out), "-q").exit_code == 0
    (out / "demo-01.json").write_text('{"reviewed": true}')
    sent = len(llm_stub.requests)
    res = invoke("label", "--teacher", "llm", *src, "-o", str(out), "-q")
    assert res.exit_code == 1 and res.output.count("E213") == 2
    assert len(llm_stub.requests) == sent                     # refused articles are not sent
    assert json.loads((out / "demo-01.json").read_text()) == {"reviewed": True}
    res = invoke("label", "--teacher", "llm", *src, "-o", str(out), "-q", "--force")
    assert res.exit_code == 0 and "positions" in json.loads((out / "demo-01.json").read_text())
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "demo-03.json").write_text((GOLD / "demo-03.json").read_text())
    before = (inputs / "demo-03.json").read_text()
    res = invoke("label", "--teacher", "llm", str(inputs), "-o", str(inputs), "-q", "--force")
    assert res.exit_code == 1 and "E212" in res.output and (inputs / "demo-03.json").read_text() == before


def test_label_reports_failed_articles_and_writes_the_others(llm_stub, tmp_path: Path) -> None:
    echo_gold(llm_stub, [GOLD])
    inner = llm_stub.respond
    llm_stub.respond = lambda req, seen: (Reply(status=503, content="overloaded") if "Vardenia" in req.text[:200]
                                          else inner(req, seen))
    out = tmp_path / "labels"
    res = invoke("label", "--teacher", "llm", str(GOLD), "-o", str(out), "-q")
    failed = res.output.count("E324")
    assert res.exit_code == 1 and failed >= 1
    assert len(list(out.glob("*.json"))) == 10 - failed
    assert not list(out.glob(".*.tmp"))                       # no partial file left


@pytest.mark.shared
def test_label_with_the_dev_set_keeps_every_sentence(llm_stub, shared_dir: Path, tmp_path: Path) -> None:
    dev = shared_dir / "data" / "dev"
    echo_gold(llm_stub, [dev])
    out = tmp_path / "dev-labels"
    assert invoke("label", "--teacher", "llm", str(dev), "-o", str(out), "-q").exit_code == 0
    fig = eval_json(str(dev), "--jsonl", _as_predictions(out, tmp_path))["figures"]
    assert fig["triple"]["f1"] == 1.0 and fig["evidence_agreement"] == 1.0


# ----------------------------------------------------------------------------- interrupting a run

def test_sigterm_mid_run_stops_at_once_keeping_what_was_saved(llm_stub, tmp_path: Path) -> None:
    """Requests in flight never hold the process: the run is interrupted, its saved articles kept,
    its usage recorded, and the next run does the rest."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from parley.model import Article
    from parley.store import open_store

    db = tmp_path / "t.db"
    arts = sorted((Article.create(f"Harbour dispatch {i}.\n\nThe dock union said it backs talks on berth {i} "
                                  f"with the port board.") for i in range(12)), key=lambda a: a.id)
    with open_store(str(db)) as store:
        for a in arts:
            store.add_article(a)
    quick = {a.text for a in arts[:2]}      # the run goes by id: these two are answered at once, the rest
    llm_stub.respond = lambda req, seen: Reply(content='{"positions": []}',     # would take a minute each
                                               delay=0 if req.text in quick else 60)
    child = subprocess.Popen([sys.executable, "-c", "from parley.cli import main; main()", "extract", "--db",
                              str(db), "--extractor", "llm", "-q"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env={**os.environ}, cwd=ROOT)
    try:
        def saved() -> int:
            con = sqlite3.connect(db, timeout=30)
            try:
                return int(con.execute("select count(*) from extractions").fetchone()[0])
            finally:
                con.close()

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None and (saved() < 2 or llm_stub.in_flight < 2):
            time.sleep(0.05)
        assert child.poll() is None, child.stderr.read().decode()
        assert saved() == 2 and llm_stub.in_flight >= 2
        t0 = time.monotonic()
        os.kill(child.pid, signal.SIGTERM)
        child.wait(20)
        waited = time.monotonic() - t0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(20)
    assert child.returncode == 130 and waited < 15          # not the 60 s a request in flight would take
    con = sqlite3.connect(db)
    status, articles, requests = con.execute("select status, articles, requests from runs").fetchone()
    con.close()
    assert status == "interrupted" and articles == saved() == 2 and requests >= 4
    llm_stub.respond = lambda req, seen: Reply(content='{"positions": []}')
    res = invoke("extract", "--db", str(db), "--extractor", "llm", "-q")
    assert res.exit_code == 0 and "from 10 articles" in res.output
