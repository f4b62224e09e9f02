"""Analysis commands end to end on real SQLite databases built by ingest + extract.

The articles (tests/data/analysis/) are made up: Belmora (President Aldo Varga)
and Corvalis (Prime Minister Rena Holt). Each database holds what the rules
extractor finds plus a few hand-checked positions saved through the same store
API under the extractor name "curated" (evidence offsets checked by the store),
so that the analysis assertions do not hang on the extractor's recall.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from parley.cli import main
from parley.cli.analysis import COMMANDS
from parley.extract import get_extractor
from parley.extract.sentences import split_sentences
from parley.ingest.pipeline import ingest_into
from parley.model import Evidence, Position
from parley.store import open_store

DATA = Path(__file__).parent / "data" / "analysis"

# (title of the article, words of the sentence, actor, issue, stance, extra fields)
CURATED = [
    ("Belmora rules out talks", "rejected any talks", "Belmoran President Aldo Varga", "talks", "oppose", {}),
    ("Belmora rules out talks", "return of the Lindar coast was non-negotiable", "Varga", "territory", "support",
     {"red_line": True, "proposition": "return of the Lindar coast"}),
    ("Belmora rules out talks", "never give up the Lindar coast", "Corvalan Prime Minister Rena Holt", "territory",
     "oppose", {"red_line": True, "proposition": "giving up the Lindar coast"}),
    ("Belmora rules out talks", "supported an exchange of prisoners", "Holt", "prisoners", "support", {}),
    ("Varga backs prisoner", "Belmora supported an exchange of prisoners", "Aldo Varga", "prisoners", "support", {}),
    ("Varga backs prisoner", "would join talks only if", "Varga", "talks", "conditional",
     {"conditions": ("Corvalis withdrew its tanks from the border",)}),
    ("Varga ready for talks", "ready to hold talks", "Aldo Varga", "talks", "support",
     {"previous_stance": "oppose"}),
    ("Holt welcomes", "supported a ceasefire", "Rena Holt", "ceasefire", "support", {}),
    ("Holt welcomes", "Belmora supported a ceasefire", "Varga", "ceasefire", "support", {}),
]


def build_db(path: Path) -> str:
    """Ingest the made-up articles, run the rules extractor, add the curated positions."""
    with open_store(str(path)) as store:
        report = ingest_into(store, [str(DATA / "belmora.jsonl"), str(DATA / "holt_script.txt")])
        assert report.inserted == 4 and not report.errors
        ex = get_extractor()
        for art in list(store.pending_articles(ex.name, ex.version)):
            store.save_positions(art.id, ex.name, ex.version, ex.extract(art))
        arts = list(store.articles())
        for title, words, actor, issue, stance, extra in CURATED:
            art = next(a for a in arts if (a.title or "").startswith(title))
            s, e = next((s, e) for s, e in split_sentences(art.text) if words in art.text[s:e])
            pos = Position(actor=actor, issue=issue, stance=stance, evidence=Evidence(s, e, art.text[s:e], art.id),
                           **extra)
            old = [p for p in store.positions(article_id=art.id, extractor="curated")]
            store.save_positions(art.id, "curated", "1", old + [pos])
    return str(path)


@pytest.fixture
def db(db_path: Path) -> str:
    return build_db(db_path)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_analysis_command_has_help_with_an_example():
    cmds = list(COMMANDS)
    actors = next(c for c in COMMANDS if c.name == "actors")
    cmds += list(actors.commands.values())
    for cmd in cmds:
        assert cmd.help and "Example:" in cmd.help, cmd.name
    for args in (["actors", "--help"], ["actors", "merge", "--help"], ["timeline", "--help"],
                 ["shifts", "--help"], ["compare", "--help"], ["report", "--help"]):
        r = run(*args)
        assert r.exit_code == 0 and "Example:" in r.output and "--db" in r.output


def _actors(db: str) -> dict:
    r = run("actors", "--db", db, "--json")
    assert r.exit_code == 0, r.output
    return {a["name"]: a for a in json.loads(r.output)}


def test_actors_list_merge_split_and_undo(db):
    r = run("actors", "--db", db)
    assert r.exit_code == 0 and "Aldo Varga" in r.output and "Rena Holt" in r.output
    acts = _actors(db)
    assert {"Varga", "Belmoran President Aldo Varga"} <= set(acts["Aldo Varga"]["aliases"])
    assert "Rena Holt" in acts and acts["Aldo Varga"]["mentions"] >= 5
    # a wrong merge, undone by split, redone by merge
    assert run("actors", "merge", "Aldo Varga", "Rena Holt", "--db", db).exit_code == 0
    acts = _actors(db)
    assert "Rena Holt" not in acts and "Rena Holt" in acts["Aldo Varga"]["aliases"]
    assert run("actors", "split", "Aldo Varga", "Rena Holt", "--db", db).exit_code == 0
    acts = _actors(db)
    assert "Rena Holt" in acts and "Rena Holt" not in acts["Aldo Varga"]["aliases"]
    with open_store(db) as store:
        assert [(ln.alias, ln.canonical, ln.kind) for ln in store.actor_links()] == \
            [("Rena Holt", "Aldo Varga", "split")]
    assert run("actors", "merge", "Aldo Varga", "Rena Holt", "--db", db).exit_code == 0
    assert "Rena Holt" in _actors(db)["Aldo Varga"]["aliases"]
    # split also undoes an automatic merge
    assert run("actors", "split", "Aldo Varga", "Varga", "--db", db).exit_code == 0
    assert "Varga" in _actors(db)


def test_alias_file_export_import_round_trip(db, tmp_path):
    assert run("actors", "split", "Aldo Varga", "Varga", "--db", db).exit_code == 0
    before = _actors(db)
    f = tmp_path / "aliases.yml"
    r = run("actors", "export", str(f), "--db", db)
    assert r.exit_code == 0 and f.exists()
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    assert any(a["name"] == "Aldo Varga" and "Varga" in a.get("never", []) for a in data["actors"])
    other = build_db(tmp_path / "other.db")
    assert "Varga" not in _actors(other)                       # merged automatically there
    r = run("actors", "import", str(f), "--db", other)
    assert r.exit_code == 0 and "imported" in r.output
    after = _actors(other)
    assert {k: (sorted(v["aliases"]), v["side"], v["mentions"]) for k, v in after.items()} == \
        {k: (sorted(v["aliases"]), v["side"], v["mentions"]) for k, v in before.items()}
    # the curated file can be edited and re-imported: give Holt a side by hand
    text = f.read_text(encoding="utf-8").replace("- name: Rena Holt\n", "- name: Rena Holt\n  side: Corvalis\n", 1)
    f.write_text(text, encoding="utf-8")
    assert run("actors", "import", str(f), "--db", other).exit_code == 0
    assert _actors(other)["Rena Holt"]["side"] == "Corvalis"


def test_timeline_text_and_charts(db, tmp_path):
    png, svg = tmp_path / "v.png", tmp_path / "v.svg"
    r = run("timeline", "--actor", "Varga", "--plot", str(png), "--db", db)
    assert r.exit_code == 0, r.output
    assert "Timeline of Aldo Varga" in r.output and "talks" in r.output and "2026-01-10" in r.output
    with open_store(db) as store:
        ids = {a.id for a in store.articles()}
    assert any(i in r.output for i in ids)
    assert png.read_bytes().startswith(b"\x89PNG")
    r = run("timeline", "--actor", "Aldo Varga", "--issue", "talks", "--plot", str(svg), "--db", db)
    assert r.exit_code == 0 and b"<svg" in svg.read_bytes()
    r = run("timeline", "--actor", "Rena Holt", "--format", "json", "--db", db)
    d = json.loads(r.output)
    assert all(p["dated"] for p in d["points"]) and d["undated_left_out"] >= 1   # the .txt article has no date
    r = run("timeline", "--actor", "Rena Holt", "--format", "json", "--include-undated", "--db", db)
    pts = json.loads(r.output)["points"]
    assert any(not p["dated"] and p["date"] is None for p in pts)


def test_shifts_and_compare(db):
    r = run("shifts", "--actor", "Varga", "--issue", "talks", "--db", db)
    assert r.exit_code == 0
    assert "Aldo Varga on talks: oppose -> conditional" in r.output and "before [" in r.output
    r = run("shifts", "--since", "2026-04-01", "--json", "--db", db)
    shifts = json.loads(r.output)
    assert shifts and all(s["date_after"] >= "2026-04-01" for s in shifts)
    r = run("compare", "Aldo Varga", "Rena Holt", "--db", db)
    assert r.exit_code == 0, r.output
    assert "CLASH" in r.output and "Lindar" in r.output
    assert "common ground: both support" in r.output and "Zone of agreement on prisoners" in r.output
    r = run("compare", "Varga", "Holt", "--issue", "territory", "--json", "--db", db)
    d = json.loads(r.output)
    assert [i["issue"] for i in d["issues"]] == ["territory"] and d["issues"][0]["clashes"]


def test_report_markdown_and_self_contained_escaped_html(db, tmp_path):
    r = run("report", "--format", "md", "--db", db)
    assert r.exit_code == 0
    md = r.output
    for section in ("## Current positions", "## Shifts", "## Red-line clashes", "## Common ground",
                    "## Zone of possible agreement", "## Sources"):
        assert section in md
    assert "[^1]:" in md
    out = tmp_path / "brief.html"
    r = run("report", "--format", "html", "-o", str(out), "--since", "2026-01-01", "--db", db)
    assert r.exit_code == 0 and out.exists()
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html     # nothing fetched from elsewhere
    r = run("report", "--actor", "Holt", "--issue", "ceasefire", "--db", db)
    assert r.exit_code == 0 and "ceasefire" in r.output


@pytest.mark.parametrize("args,code", [
    (["timeline", "--actor", "Nobody Atall"], "E501"),
    (["compare", "Aldo Varga", "Nobody Atall"], "E501"),
    (["shifts", "--since", "last week"], "E900"),
    (["shifts", "--actor", "Nobody Atall"], "E501"),
    (["report", "--actor", "Nobody Atall"], "E501"),
    (["actors", "merge", "Aldo Varga", "Nobody Atall"], "E501"),
    (["actors", "show", "Nobody Atall"], "E501"),
    (["positions", "--actor", "Nobody Atall"], "E501"),
    (["export", "--actor", "Nobody Atall"], "E501"),
    (["report", "--since", "2026-05-01", "--until", "2026-01-01"], "E509"),
])
def test_errors_are_coded_on_stderr(db, args, code):
    r = CliRunner().invoke(main, args + ["--db", db])
    assert r.exit_code != 0
    assert r.stderr.startswith(f"error: [{code}]")


def test_bad_alias_file_is_E502(db, tmp_path):
    f = tmp_path / "bad.yml"
    f.write_text("actors: [\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["actors", "import", str(f), "--db", db])
    assert r.exit_code != 0 and r.stderr.startswith("error: [E502]")
    r = CliRunner().invoke(main, ["actors", "import", str(tmp_path / "missing.yml"), "--db", db])
    assert r.exit_code != 0 and r.stderr.startswith("error: [E502]")


def test_one_format_option_name_and_the_old_json_flag_still_works(db):
    for cmd in (["actors"], ["timeline", "--actor", "Varga"], ["shifts"], ["compare", "Varga", "Holt"]):
        new = run(*cmd, "--format", "json", "--db", db)
        old = run(*cmd, "--json", "--db", db)
        assert new.exit_code == old.exit_code == 0 and json.loads(new.output) == json.loads(old.output), cmd
        assert "--json" not in run(*cmd, "--help").output            # hidden, deprecated
        assert "--format" in run(*cmd, "--help").output


def test_actors_show_side_and_unlink(db):
    r = run("actors", "show", "Varga", "--db", db)
    assert r.exit_code == 0 and r.output.startswith("Aldo Varga") and "side:" in r.output
    d = json.loads(run("actors", "show", "Aldo Varga", "--format", "json", "--db", db).output)
    assert d["side"] == "Belmora" and d["side_evidence"] and d["side_evidence"][0]["how"].startswith("title")
    # a curated side wins, says so, and is undone with "-"
    assert run("actors", "side", "Aldo Varga", "Corvalis", "--db", db).exit_code == 0
    d = json.loads(run("actors", "show", "Aldo Varga", "--format", "json", "--db", db).output)
    assert d["side"] == "Corvalis" and d["side_evidence"][0]["how"] == "curated"
    assert run("actors", "side", "Aldo Varga", "-", "--db", db).exit_code == 0
    assert json.loads(run("actors", "show", "Aldo Varga", "--format", "json", "--db", db).output)["side"] == "Belmora"
    # unlink forgets a curated split: automatic resolution decides again
    assert run("actors", "split", "Aldo Varga", "Varga", "--db", db).exit_code == 0
    assert "Varga" in _actors(db)
    r = run("actors", "unlink", "Aldo Varga", "Varga", "--db", db)
    assert r.exit_code == 0 and "removed 1" in r.output
    assert "Varga" not in _actors(db)
    with open_store(db) as store:
        assert store.actor_links() == []


def test_merge_and_split_are_idempotent_and_recorded_in_the_alias_file(db, tmp_path):
    before = _actors(db)
    for _ in range(2):
        assert run("actors", "merge", "Aldo Varga", "Rena Holt", "--db", db).exit_code == 0
    with open_store(db) as store:
        assert [(ln.alias, ln.canonical, ln.kind) for ln in store.actor_links()] == \
            [("Rena Holt", "Aldo Varga", "merge")]
    merged = _actors(db)["Aldo Varga"]
    assert merged["mentions"] == before["Aldo Varga"]["mentions"] + before["Rena Holt"]["mentions"]
    assert set(before["Rena Holt"]["aliases"]) | {"Rena Holt"} <= set(merged["aliases"])
    f = tmp_path / "aliases.yml"
    run("actors", "export", str(f), "--db", db)
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    assert "Rena Holt" in next(a for a in data["actors"] if a["name"] == "Aldo Varga")["aliases"]
    for _ in range(2):
        assert run("actors", "split", "Aldo Varga", "Rena Holt", "--db", db).exit_code == 0
    after = _actors(db)
    assert {k: (v["mentions"], sorted(v["aliases"])) for k, v in after.items()} == \
        {k: (v["mentions"], sorted(v["aliases"])) for k, v in before.items()}
    run("actors", "export", str(f), "--force", "--db", db)
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    assert "Rena Holt" in next(a for a in data["actors"] if a["name"] == "Aldo Varga").get("never", [])


def test_ambiguous_actor_names_exit_nonzero_with_the_candidates(db_path):
    from parley.model import Article
    text = "Karl Voss rejected the plan. Erika Voss backed the plan."
    art = Article.create(text, title="Two Vosses")
    with open_store(str(db_path)) as store:
        store.add_article(art)
        store.save_positions(art.id, "curated", "1", [
            Position(actor="Karl Voss", issue="talks", stance="oppose", evidence=Evidence(0, 28, text[:28])),
            Position(actor="Erika Voss", issue="talks", stance="support", evidence=Evidence(29, 55, text[29:55]))])
    for args in (["timeline", "--actor", "Voss"], ["positions", "--actor", "Voss"], ["compare", "Voss", "Karl Voss"]):
        r = CliRunner().invoke(main, args + ["--db", str(db_path)])
        assert r.exit_code == 1 and r.stderr.startswith("error: [E506]"), args
        assert "Karl Voss" in r.stderr and "Erika Voss" in r.stderr
    r = CliRunner().invoke(main, ["compare", "Karl Voss", "Erika Voss", "--db", str(db_path)])
    assert r.exit_code == 0 and "(side unknown)" in r.output          # said, never hidden
