"""The ledger CLI through click's CliRunner, against real SQLite files."""
from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from parley.cli import main
from parley.model import Article, Evidence, Position
from parley.store import open_store
from parley.store.export import read_positions

GOOD_1 = ("Harbour talks resume\n\nThe mayor of Keldon said on Tuesday that the city supports new talks "
          "with the dock workers. Union leader Mara Voss rejected the latest offer from the port operator.")
GOOD_2 = ("Border commission meets\n\nThe Ostrian government said it will join the border commission only if "
          "patrols are withdrawn first. Officials in Velm refused to discuss the northern valley.")


def runner() -> CliRunner:
    return CliRunner()


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    return runner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def table_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("articles", "positions", "extractions")}
    finally:
        con.close()


def walk(group: click.Group, prefix: str = ""):
    for name, cmd in sorted(group.commands.items()):
        yield f"{prefix}{name}", cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd, f"{prefix}{name} ")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "one.txt").write_text(GOOD_1, encoding="utf-8")
    (d / "two.txt").write_text(GOOD_2, encoding="utf-8")
    return d


# ----------------------------------------------------------------------------- help

def test_every_command_has_help_with_an_example() -> None:
    commands = list(walk(main))
    names = {n for n, _ in commands}
    assert {"ingest", "extract", "run", "positions", "articles", "show", "search", "export", "demo"} <= names
    assert "Example" in (main.help or "")
    for name, cmd in commands:
        assert cmd.help and "Example" in cmd.help, f"`parley {name}` help lacks an Example"
        res = runner().invoke(main, [*name.split(), "--help"])
        assert res.exit_code == 0, name
        assert "Example" in res.output, name


def test_every_ledger_command_has_db_option() -> None:
    from parley.cli.ledger import COMMANDS

    for cmd in COMMANDS:
        assert any(p.name == "db" and "--db" in p.opts for p in cmd.params), cmd.name


# ----------------------------------------------------------------------------- ingest

def test_ingest_twice_changes_nothing(inputs: Path, db_path: Path) -> None:
    res = invoke("ingest", "-q", "--db", str(db_path), str(inputs))
    assert res.exit_code == 0, res.output
    assert "2 new" in res.stderr
    first = table_counts(db_path)
    assert first["articles"] == 2
    con = sqlite3.connect(db_path)
    before = con.execute("select * from articles order by id").fetchall()
    con.close()
    res = invoke("ingest", "-q", "--db", str(db_path), str(inputs / "one.txt"), str(inputs))
    assert res.exit_code == 0
    assert "0 new" in res.stderr and "3 duplicates" in res.stderr
    con = sqlite3.connect(db_path)
    assert con.execute("select * from articles order by id").fetchall() == before
    con.close()


def test_ingest_bad_items_exit_nonzero_and_keep_good(tmp_path: Path, db_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD_1, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n", encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"text": "unterminated', encoding="utf-8")
    res = invoke("ingest", "-q", "--db", str(db_path), str(empty), str(good), str(broken),
                 str(tmp_path / "missing.txt"))
    assert res.exit_code == 1
    err_lines = [x for x in res.stderr.splitlines() if x.startswith("error: [")]
    assert len(err_lines) == 3
    assert any("E101" in x and "empty.txt" in x for x in err_lines)
    assert any("E106" in x and "broken.json" in x for x in err_lines)
    assert any("E110" in x and "missing.txt" in x for x in err_lines)
    assert "Traceback" not in res.output
    with open_store(str(db_path)) as s:
        assert [a.origin for a in s.articles()] == [str(good)]


def test_ingest_stdin(db_path: Path) -> None:
    res = invoke("ingest", "-q", "--db", str(db_path), "-", input=GOOD_2)
    assert res.exit_code == 0, res.output
    assert table_counts(db_path)["articles"] == 1


def test_parley_db_env_is_the_default(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "from-env.db"
    res = invoke("ingest", "-q", str(inputs / "one.txt"), env={"PARLEY_DB": str(db)})
    assert res.exit_code == 0
    assert table_counts(db)["articles"] == 1


@pytest.mark.parametrize("url,code", [("mysql://u@h/x", "E206"), ("/no/such/dir/x.db", "E201")])
def test_bad_database_is_a_clean_error(url: str, code: str) -> None:
    res = invoke("positions", "--db", url)
    assert res.exit_code == 1
    assert res.stderr.startswith(f"error: [{code}]")
    assert "Traceback" not in res.output


def test_newer_database_is_a_clean_error(db_path: Path) -> None:
    open_store(str(db_path)).close()
    con = sqlite3.connect(db_path)
    con.execute("insert into schema_version values (999, 'future', '2030-01-01 00:00:00')")
    con.commit()
    con.close()
    res = invoke("articles", "--db", str(db_path))
    assert res.exit_code == 1 and "error: [E205]" in res.stderr


# ----------------------------------------------------------------------------- extract / run

def test_run_then_rerun_stores_nothing_new(inputs: Path, db_path: Path) -> None:
    res = invoke("run", "-q", "--db", str(db_path), str(inputs))
    assert res.exit_code == 0, res.output
    after_first = table_counts(db_path)
    assert after_first["articles"] == 2 and after_first["extractions"] == 2 and after_first["positions"] >= 2
    res = invoke("run", "-q", "--db", str(db_path), str(inputs))
    assert res.exit_code == 0
    assert table_counts(db_path) == after_first
    assert "nothing pending" in res.stderr
    con = sqlite3.connect(db_path)
    runs = con.execute("select articles, positions, finished_at is not null from runs").fetchall()
    con.close()
    assert runs == [(2, after_first["positions"], 1)]


def test_extract_only_does_pending(inputs: Path, db_path: Path) -> None:
    invoke("ingest", "-q", "--db", str(db_path), str(inputs / "one.txt"))
    assert invoke("extract", "-q", "--db", str(db_path)).exit_code == 0
    first = table_counts(db_path)["positions"]
    invoke("ingest", "-q", "--db", str(db_path), str(inputs / "two.txt"))
    res = invoke("extract", "-q", "--db", str(db_path))
    assert res.exit_code == 0
    assert "from 1 articles" in res.stderr
    counts = table_counts(db_path)
    assert counts["extractions"] == 2
    assert 0 < first < counts["positions"]          # the second run added the new article's positions only


def test_unknown_extractor_is_a_clean_error(inputs: Path, db_path: Path) -> None:
    res = invoke("run", "-q", "--db", str(db_path), "--extractor", "no-such-engine", str(inputs))
    assert res.exit_code == 1 and "error: [E304]" in res.stderr
    assert table_counts(db_path)["articles"] == 2           # ingested before the extractor was needed


def test_extract_paths_need_jsonl(inputs: Path) -> None:
    res = runner().invoke(main, ["extract", str(inputs / "one.txt")])
    assert res.exit_code == 2 and "--jsonl" in res.output


def test_extract_jsonl_keeps_json_ids(tmp_path: Path, inputs: Path) -> None:
    rec = tmp_path / "rec.json"
    rec.write_text(json.dumps({"id": "my-article-7", "title": "Ports", "text": GOOD_2}), encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    res = invoke("extract", "--jsonl", str(rec), str(inputs / "one.txt"), "-o", str(out))
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["my-article-7", Article.create(GOOD_1).id]
    assert lines[0]["title"] == "Ports"
    assert all(line["positions"] for line in lines)       # each article states a position
    for line, text in zip(lines, (GOOD_2, GOOD_1)):
        for p in line["positions"]:
            assert {"actor", "aliases", "issue", "proposition", "stance", "conditions", "red_line",
                    "previous_stance", "evidence"} <= p.keys()
            ev = p["evidence"]
            assert text[ev["start"]:ev["end"]] == ev["text"]
    assert not (tmp_path / "parley.db").exists()


def test_extract_jsonl_to_stdout_reports_bad_files(tmp_path: Path, inputs: Path) -> None:
    res = invoke("extract", "--jsonl", str(inputs / "two.txt"), str(tmp_path / "nope.txt"))
    assert res.exit_code == 1
    assert "error: [E110]" in res.stderr and "nope.txt" in res.stderr
    assert len(res.stdout.splitlines()) == 1
    [p] = json.loads(res.stdout)["positions"]              # "will join ... only if patrols are withdrawn"
    assert GOOD_2[p["evidence"]["start"]:p["evidence"]["end"]] == p["evidence"]["text"]


def test_run_seed_twice_exact_offsets(shared_dir: Path, db_path: Path) -> None:
    seed = shared_dir / "seed" / "article.txt"
    for _ in range(2):
        res = invoke("run", "-q", "--db", str(db_path), str(seed))
        assert res.exit_code == 0, res.output
    assert table_counts(db_path)["articles"] == 1
    res = invoke("positions", "--db", str(db_path), "--format", "json")
    assert res.exit_code == 0
    found = json.loads(res.stdout)
    assert found, "the seed article holds positions"
    with open_store(str(db_path)) as s:
        text = s.get_article(found[0]["article_id"]).text
    assert len({p["id"] for p in found}) == len(found)
    for p in found:
        ev = p["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]
        assert p["stance"] in ("support", "oppose", "conditional", "mixed")
        assert p["article_id"] == found[0]["article_id"] and p["extractor"]


# ----------------------------------------------------------------------------- reading the ledger

TEXT_X = ("Negotiators from Arvel said they support a ceasefire along the canal. "
          "The Brannish cabinet will never accept any change to the river border. "
          "Arvel's envoy Tomas Reyl said talks can start if prisoners are released.")


@pytest.fixture
def ledger(db_path: Path) -> Path:
    """A database with one article and three hand-made positions (no extractor involved)."""
    art = Article.create(TEXT_X, title="Canal truce", published=date(2024, 5, 6), source="Testwire")

    def ev(needle: str) -> Evidence:
        start = TEXT_X.index(needle)
        end = TEXT_X.index(".", start) + 1
        return Evidence(start, end, TEXT_X[start:end])

    with open_store(str(db_path)) as s:
        s.add_article(art)
        s.save_positions(art.id, "rules", "1", [
            Position(actor="Arvel", issue="ceasefire", stance="support", evidence=ev("Negotiators"),
                     proposition="a ceasefire along the canal", aliases=("Negotiators from Arvel",)),
            Position(actor="Brannish cabinet", issue="territory", stance="oppose", red_line=True,
                     evidence=ev("The Brannish"), proposition="change to the river border"),
            Position(actor="Tomas Reyl", issue="talks", stance="conditional", evidence=ev("Arvel's envoy"),
                     conditions=("prisoners are released",), aliases=("Reyl",), speaker="Tomas Reyl",
                     previous_stance="oppose", confidence=0.75),
        ])
    return db_path


def test_positions_filters_and_json_shape(ledger: Path) -> None:
    res = invoke("positions", "--db", str(ledger), "--format", "json", "--actor", "REYL")
    data = json.loads(res.stdout)
    assert [p["actor"] for p in data] == ["Tomas Reyl"]
    p = data[0]
    assert p["conditions"] == ["prisoners are released"] and p["previous_stance"] == "oppose"
    assert p["published"] == "2024-05-06" and p["article_id"] == Article.create(TEXT_X).id
    assert TEXT_X[p["evidence"]["start"]:p["evidence"]["end"]] == p["evidence"]["text"]
    assert json.loads(invoke("positions", "--db", str(ledger), "--format", "json",
                             "--since", "2024-05-07").stdout) == []
    assert len(json.loads(invoke("positions", "--db", str(ledger), "--format", "json",
                                 "--stance", "oppose").stdout)) == 1
    table = invoke("positions", "--db", str(ledger)).stdout
    assert "Brannish cabinet" in table and "RED LINE" in table and "if prisoners are released" in table
    res = runner().invoke(main, ["positions", "--db", str(ledger), "--since", "last week"])
    assert res.exit_code == 2 and "last week" in res.output


def test_articles_listing(ledger: Path) -> None:
    res = invoke("articles", "--db", str(ledger))
    assert res.exit_code == 0
    assert Article.create(TEXT_X).id in res.stdout and "Canal truce" in res.stdout and "2024-05-06" in res.stdout


def test_show_highlights_evidence(ledger: Path) -> None:
    aid = Article.create(TEXT_X).id
    res = invoke("show", "--db", str(ledger), aid[:6])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "[[The Brannish cabinet will never accept any change to the river border.]][2]" in out
    assert out.count("[[") == 3
    assert "3 positions" in out and "Tomas Reyl | talks | conditional" in out
    assert "\x1b[" not in out
    colored = invoke("show", "--db", str(ledger), "--color", aid)
    assert "\x1b[" in colored.stdout and "[[" not in colored.stdout


def test_show_unknown_article(ledger: Path) -> None:
    res = invoke("show", "--db", str(ledger), "ffff-nope")
    assert res.exit_code == 1
    assert res.stderr.startswith("error: [E203]") and "ffff-nope" in res.stderr
    assert "Traceback" not in res.output


def test_search_cli(ledger: Path) -> None:
    res = invoke("search", "--db", str(ledger), "river border")
    assert res.exit_code == 0
    assert "[[river]] [[border]]" in res.stdout
    assert "position" in res.stdout and "article" in res.stdout
    hits = json.loads(invoke("search", "--db", str(ledger), "--format", "json", "--kind", "evidence",
                             "canal").stdout)
    assert [h["kind"] for h in hits] == ["evidence"] and hits[0]["position_id"]
    res = invoke("search", "--db", str(ledger), "zeppelin")
    assert res.exit_code == 0 and res.stdout == ""


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_round_trips(ledger: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"positions.{fmt}"
    res = invoke("export", "--db", str(ledger), "--format", fmt, "-o", str(out))
    assert res.exit_code == 0, res.output
    with open_store(str(ledger)) as s:
        stored = s.positions()
    assert read_positions(out) == stored
    assert len(stored) == 3


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_to_stdout_round_trips(ledger: Path, tmp_path: Path, fmt: str) -> None:
    res = invoke("export", "--db", str(ledger), "--format", fmt, "--issue", "talks")
    out = tmp_path / f"p.{fmt}"
    out.write_text(res.stdout, encoding="utf-8")
    got = read_positions(out)
    assert [p.actor for p in got] == ["Tomas Reyl"]
    assert got[0].conditions == ("prisoners are released",) and got[0].confidence == 0.75


def test_export_parquet_needs_output(ledger: Path) -> None:
    res = runner().invoke(main, ["export", "--db", str(ledger), "--format", "parquet"])
    assert res.exit_code == 2


def test_stats(ledger: Path) -> None:
    st = json.loads(invoke("stats", "--db", str(ledger), "--format", "json").stdout)
    assert st["articles"] == 1 and st["positions"] == 3 and st["positions_by_stance"]["conditional"] == 1


def test_demo_runs_on_the_examples_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    from parley.cli import ledger

    ex = tmp_path / "examples"
    ex.mkdir()
    (ex / "a.txt").write_text(GOOD_1, encoding="utf-8")
    (ex / "b.txt").write_text(GOOD_2, encoding="utf-8")
    monkeypatch.setattr(ledger, "EXAMPLES_DIR", ex)
    res = invoke("demo", "-q", "--db", str(db_path))
    assert res.exit_code == 0, res.output
    counts = table_counts(db_path)
    assert counts["articles"] == 2 and counts["extractions"] == 2
    assert counts["positions"] >= 2          # each article states a position ("rejected", "only if")
    assert f"{counts['positions']} positions from 2 demo articles" in res.stderr
    assert invoke("demo", "-q", "--db", str(db_path)).exit_code == 0
    assert table_counts(db_path) == counts


def test_demo_without_examples_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    from parley.cli import ledger

    monkeypatch.setattr(ledger, "EXAMPLES_DIR", tmp_path / "gone")
    res = invoke("demo", "--db", str(db_path))
    assert res.exit_code == 1 and "error: [E110]" in res.stderr


def test_ingest_url(http_root, db_path: Path) -> None:
    root, base = http_root
    (root / "story.txt").write_text(GOOD_2, encoding="utf-8")
    res = invoke("ingest", "-q", "--db", str(db_path), f"{base}/story.txt", f"{base}/missing.txt")
    assert res.exit_code == 1
    assert "missing.txt" in res.stderr and "error: [E123]" in res.stderr
    with open_store(str(db_path)) as s:
        (art,) = list(s.articles())
    assert art.id == Article.create(GOOD_2).id and art.url == f"{base}/story.txt"


@pytest.mark.parametrize("args", [["positions"], ["articles"], ["search", "ceasefire"], ["stats"], ["extract"],
                                  ["actors"], ["shifts"]])
def test_reading_commands_refuse_a_missing_database_and_create_nothing(tmp_path, args):
    from click.testing import CliRunner

    from parley.cli import main

    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(main, [*args, "--db", str(missing)])
    assert result.exit_code != 0
    assert "E209" in result.output and str(missing) in result.output
    assert not missing.exists()


def test_ingest_creates_the_database(tmp_path):
    from click.testing import CliRunner

    from parley.cli import main

    src = tmp_path / "a.txt"
    src.write_text("Guild rejects offer\n\nThe Dockworkers' Guild rejected the port's pay offer on Monday.\n")
    db = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["ingest", str(src), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert db.exists()


# ----------------------------------------------------------------------------- actors, dates, ids, taxonomies

def test_positions_actor_goes_through_the_resolver(ledger: Path) -> None:
    got = json.loads(invoke("positions", "--db", str(ledger), "--format", "json", "--actor", "tomas reyl").stdout)
    assert [p["actor"] for p in got] == ["Tomas Reyl"]
    # a substring is no actor name: E501, exit 1 (as in every command) ...
    res = runner().invoke(main, ["positions", "--db", str(ledger), "--actor", "rel"])
    assert res.exit_code == 1 and res.stderr.startswith("error: [E501]")
    res = runner().invoke(main, ["export", "--db", str(ledger), "--actor", "Nobody Here"])
    assert res.exit_code == 1 and res.stderr.startswith("error: [E501]")
    # ... unless asked for, and then said
    res = runner().invoke(main, ["positions", "--db", str(ledger), "--format", "json", "--actor", "ar",
                                 "--match", "substring"])
    assert res.exit_code == 0 and "actors contain 'ar'" in res.stderr
    assert {p["actor"] for p in json.loads(res.stdout)} == {"Arvel", "Tomas Reyl"}   # a side and its member
    res = runner().invoke(main, ["positions", "--db", str(ledger), "--actor", "Tomas Reil"])
    assert res.exit_code == 0 and "closest spelling 'Tomas Reyl'" in res.stderr


def test_undated_articles_stay_undated_everywhere(ledger: Path) -> None:
    undated = "Officials of Quessa said they support the canal ceasefire. Quessa rejected new tolls."
    art = Article.create(undated, title="Quessa backs truce")
    with open_store(str(ledger)) as s:
        s.add_article(art)
        s.save_positions(art.id, "rules", "1", [Position(
            actor="Quessa", issue="ceasefire", stance="support", evidence=Evidence(0, 58, undated[:58]))])
    since = ["--since", "2024-01-01"]
    got = json.loads(invoke("positions", "--db", str(ledger), "--format", "json", *since).stdout)
    assert "Quessa" not in {p["actor"] for p in got}
    got = json.loads(invoke("positions", "--db", str(ledger), "--format", "json", *since,
                            "--include-undated").stdout)
    assert "Quessa" in {p["actor"] for p in got}
    assert "undated" in invoke("positions", "--db", str(ledger)).stdout
    arts = json.loads(invoke("articles", "--db", str(ledger), "--format", "json").stdout)
    q = next(a for a in arts if a["id"] == art.id)
    assert q["date"] is None and q["date_source"] is None and q["published"] is None and "text" not in q
    assert [a["id"] for a in json.loads(invoke("articles", "--db", str(ledger), "--format", "json",
                                               "--until", "2024-12-31").stdout)] == [Article.create(TEXT_X).id]
    md = invoke("report", "--db", str(ledger), *since).stdout
    assert "Quessa" not in md.split("## New conditions")[1].split("## Red-line")[0]
    res = runner().invoke(main, ["positions", "--db", str(ledger), "--since", "2024-06-01", "--until", "2024-01-01"])
    assert res.exit_code == 1 and res.stderr.startswith("error: [E509]")


def test_show_json_and_position_ids_that_survive_reextraction(ledger: Path) -> None:
    aid = Article.create(TEXT_X).id
    shown = json.loads(invoke("show", "--db", str(ledger), aid[:8], "--format", "json").stdout)
    assert shown["id"] == aid and shown["text"] == TEXT_X and shown["date"] == "2024-05-06"
    assert shown["date_source"] == "published" and len(shown["positions"]) == 3
    pid = next(p["id"] for p in shown["positions"] if p["actor"] == "Tomas Reyl")
    with open_store(str(ledger)) as s:         # a new extractor version rewords the proposition only
        again = [p.with_(proposition="talks", extractor_version="2") for p in s.positions(article_id=aid)]
        s.save_positions(aid, "rules", "2", again)
    assert invoke("show", "--db", str(ledger), pid[:7]).exit_code == 0      # the quoted id still resolves
    res = invoke("show", "--db", str(ledger), pid, "--format", "json")
    assert pid in {p["id"] for p in json.loads(res.stdout)["positions"]}
    hit = json.loads(invoke("search", "--db", str(ledger), "--format", "json", "--kind", "evidence",
                            "prisoners").stdout)[0]
    assert hit["position_id"] == pid


TAXONOMY = """default: other
labels:
  canal: {lemmas: [canal, ceasefire, truce]}
  border: {lemmas: [border, river]}
"""


def test_positions_of_two_taxonomies_side_by_side(inputs: Path, db_path: Path, tmp_path: Path) -> None:
    tax = tmp_path / "waterways.yaml"
    tax.write_text(TAXONOMY, encoding="utf-8")
    assert invoke("run", "--db", str(db_path), "-q", str(inputs)).exit_code == 0
    before = json.loads(invoke("positions", "--db", str(db_path), "--format", "json").stdout)
    assert invoke("extract", "--db", str(db_path), "-q", "--taxonomy", str(tax)).exit_code == 0
    with open_store(str(db_path)) as s:
        stored = s.taxonomies()
        assert s.runs()[0]["taxonomy"] == "waterways"
    assert set(stored) <= {"default", "waterways"} and stored.get("default", 0) == len(before)
    # each command chooses one: the default ids are untouched by the other taxonomy's run
    again = json.loads(invoke("positions", "--db", str(db_path), "--format", "json", "--taxonomy",
                              "default").stdout)
    assert [p["id"] for p in again] == [p["id"] for p in before]
    # without --taxonomy: the configured one (the built-in "default" here)
    plain = json.loads(invoke("positions", "--db", str(db_path), "--format", "json").stdout)
    assert [p["id"] for p in plain] == [p["id"] for p in before]
    if "waterways" in stored:
        other = json.loads(invoke("positions", "--db", str(db_path), "--format", "json", "--taxonomy",
                                  str(tax)).stdout)
        assert {p["issue"] for p in other} <= {"canal", "border", "other"}
    res = runner().invoke(main, ["positions", "--db", str(db_path), "--taxonomy", "nope"])
    assert res.exit_code == 1 and res.stderr.startswith("error: [E222]")
    listed = json.loads(invoke("issues", "--db", str(db_path), "--taxonomy", str(tax), "--format", "json").stdout)
    assert listed["taxonomy"] == "waterways" and [x["label"] for x in listed["labels"]] == ["canal", "border", "other"]
    assert listed["default"] == "other"


def test_issues_lists_the_taxonomy_in_use(ledger: Path, tmp_path: Path) -> None:
    out = invoke("issues", "--db", str(ledger)).stdout
    assert out.startswith("taxonomy: default (built-in)")
    for label in ("talks", "ceasefire", "territory", "aid", "other (default)"):
        assert label in out
    d = json.loads(invoke("issues", "--db", str(ledger), "--format", "json").stdout)
    counts = {x["label"]: x["positions"] for x in d["labels"]}
    assert counts["ceasefire"] == 1 and counts["territory"] == 1 and counts["talks"] == 1
    # without a database it still lists the taxonomy
    assert "ceasefire" in invoke("issues", "--db", str(tmp_path / "none.db")).stdout
    assert not (tmp_path / "none.db").exists()


def test_several_taxonomies_and_none_configured_is_E223(db_path: Path) -> None:
    from parley.errors import StoreError

    art = Article.create(TEXT_X)
    with open_store(str(db_path)) as s:
        s.add_article(art)
        p = Position(actor="Arvel", issue="canal", stance="support", evidence=Evidence(0, 10, TEXT_X[:10]))
        s.save_positions(art.id, "rules", "1", [p], taxonomy="waterways")
        assert s.choose_taxonomy(None) == "waterways"          # the only one stored
        s.save_positions(art.id, "rules", "1", [p.with_(issue="quay")], taxonomy="harbours")
        with pytest.raises(StoreError) as err:
            s.choose_taxonomy(None)
        assert err.value.code == "E223" and "harbours" in err.value.message
    res = runner().invoke(main, ["actors", "--db", str(db_path)])
    assert res.exit_code == 1 and res.stderr.startswith("error: [E223]")
    res = runner().invoke(main, ["actors", "--db", str(db_path), "--taxonomy", "harbours", "--format", "json"])
    assert res.exit_code == 0 and [a["name"] for a in json.loads(res.stdout)] == ["Arvel"]
