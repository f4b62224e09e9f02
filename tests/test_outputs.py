"""Issue 9, output files: never the database or an input, never an existing file without --force,
a coded error (no traceback) for unwritable paths, and written whole or not at all."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from parley.cli import main
from parley.errors import OutputError
from parley.model import Article, Evidence, Position
from parley.outfile import atomic_write, check_output
from parley.store import open_store

TEXT = ("Vardenia said on Monday it supports talks with Kestrel if the border stays open. "
        "Kestrel rejected any talks while troops remain in the valley.")


@pytest.fixture
def ledger(tmp_path) -> Path:
    db = tmp_path / "L.db"
    art = Article.create(TEXT, title="Border talks")
    end = TEXT.index(".") + 1
    with open_store(str(db)) as store:
        store.add_article(art)
        store.save_positions(art.id, "rules", "1", [
            Position(actor="Vardenia", issue="talks", stance="conditional", conditions=("if the border stays open",),
                     evidence=Evidence(0, end, TEXT[:end]))])
    return db


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_ledger_intact(db: Path) -> None:
    with open_store(str(db)) as store:
        assert store.count_articles() == 1 and store.count_positions() == 1


@pytest.mark.parametrize("cmd", [
    ["report", "-o", "{db}"],
    ["report", "--format", "html", "-o", "{db}-wal"],
    ["export", "-o", "{db}"],
    ["export", "--format", "parquet", "-o", "{db}", "--force"],      # not even with --force
    ["actors", "export", "{db}"],
    ["timeline", "--actor", "Vardenia", "--plot", "{db}"],
])
def test_the_database_is_never_an_output(ledger, cmd):
    before = ledger.read_bytes()
    res = run(*[c.format(db=ledger) for c in cmd], "--db", str(ledger))
    assert res.exit_code == 1, res.output
    assert "error: [E211]" in res.output and "Traceback" not in res.output
    assert ledger.read_bytes() == before
    assert_ledger_intact(ledger)


def test_a_link_to_the_database_is_refused_too(ledger, tmp_path):
    link = tmp_path / "out.md"
    link.symlink_to(ledger)
    hard = tmp_path / "hard.csv"
    os.link(ledger, hard)
    for target in (link, hard):
        res = run("export", "--format", "csv", "-o", str(target), "--force", "--db", str(ledger))
        assert res.exit_code == 1 and "[E211]" in res.output
    assert_ledger_intact(ledger)


def test_extract_jsonl_never_overwrites_an_input(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Headline\n\n" + TEXT, encoding="utf-8")
    before = src.read_bytes()
    for out in (str(src), str(tmp_path / "folder" / "x.jsonl")):
        (tmp_path / "folder").mkdir(exist_ok=True)
        res = run("extract", "--jsonl", str(src), str(tmp_path / "folder"), "-o", out, "--force")
        assert res.exit_code == 1 and "error: [E212]" in res.output, res.output
    assert src.read_bytes() == before
    assert not (tmp_path / "folder" / "x.jsonl").exists()


def test_an_existing_file_needs_force_and_is_then_replaced_whole(ledger, tmp_path):
    out = tmp_path / "positions.csv"
    out.write_text("precious\n", encoding="utf-8")
    os.chmod(out, 0o640)
    res = run("export", "--format", "csv", "-o", str(out), "--db", str(ledger))
    assert res.exit_code == 1 and "error: [E213]" in res.output and "--force" in res.output
    assert out.read_text(encoding="utf-8") == "precious\n"
    res = run("export", "--format", "csv", "-o", str(out), "--force", "--db", str(ledger))
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("id,article_id")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640                       # its mode is kept
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no temp file left
    res = run("report", "-o", str(tmp_path / "b.md"), "--db", str(ledger))
    assert res.exit_code == 0 and (tmp_path / "b.md").read_text(encoding="utf-8").startswith("# Parley briefing")


@pytest.mark.parametrize("cmd", [
    ["export", "--format", "csv", "-o", "/nonexistent/x.csv"],
    ["export", "-o", "{tmp}"],                                   # a directory
    ["report", "-o", "/nonexistent/r.md"],
    ["actors", "export", "/nonexistent/a.yml"],
])
def test_unwritable_outputs_are_E214_without_traceback(ledger, tmp_path, cmd):
    res = run(*[c.format(tmp=tmp_path) for c in cmd], "--db", str(ledger))
    assert res.exit_code == 1, res.output
    assert "error: [E214]" in res.output and "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_extract_jsonl_to_a_missing_directory_is_E214_before_any_work(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Headline\n\n" + TEXT, encoding="utf-8")
    res = run("extract", "--jsonl", str(src), "-o", "/nonexistent/dir/p.jsonl")
    assert res.exit_code == 1 and "error: [E214]" in res.output and "does not exist" in res.output
    assert "extract:" not in res.output                         # refused before extracting anything


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_directory_is_E214(ledger, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        res = run("export", "-o", str(ro / "x.jsonl"), "--db", str(ledger))
        assert res.exit_code == 1 and "error: [E214]" in res.output
    finally:
        os.chmod(ro, 0o700)


def test_devices_and_stdout_are_streams_not_files(ledger):
    res = run("export", "-o", "/dev/null", "--db", str(ledger))          # exists, yet no --force needed
    assert res.exit_code == 0, res.output
    res = run("export", "-o", "-", "--db", str(ledger))
    assert res.exit_code == 0 and json.loads(res.stdout.splitlines()[0])["actor"] == "Vardenia"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    out = tmp_path / "keep.txt"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(out) as fh:
            fh.write("new, half written")
            raise RuntimeError("interrupted while writing")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_check_output_rules(tmp_path):
    db = tmp_path / "x.db"
    db.write_bytes(b"")
    with pytest.raises(OutputError) as info:
        check_output(tmp_path / "x.db-shm", database=str(db))
    assert info.value.code == "E211"
    with pytest.raises(OutputError) as info:
        check_output(tmp_path / "in" / "deep" / "o.jsonl", inputs=[str(tmp_path)])
    assert info.value.code == "E212"
    assert check_output(tmp_path / "new.jsonl", inputs=["-", "https://example.invalid/x"]) == tmp_path / "new.jsonl"
