"""Library errors speak of the library's arguments; the CLI shows its own flags; no ValueError
without a code reaches a user."""
from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from parley.errors import Arg, Errors, OutputError, ParleyError, UsageError

ROOT = Path(__file__).resolve().parent.parent

#: ``raise ValueError`` left in parley/: guards against a programming error inside Parley, never
#: reached from user input (file -> why)
INTERNAL_VALUE_ERRORS = {
    "parley/extract/bounded.py": "max_chars / chunk_chars come from validated settings",
    "parley/extract/heads.py": "a learned head fed the wrong feature width (training code)",
    "parley/outfile.py": "atomic_write's mode is chosen by the caller's code",
    "parley/ingest/dedup.py": "signatures are made by our own MinHash",
    "parley/analyze/timeline.py": "the chart's point labels are made by the timeline code",
    "parley/api/service.py": "decode_cursor's own checks, caught three lines on and answered E701",
}


def test_no_template_names_a_cli_flag() -> None:
    """Flags belong to the CLI: a template names an argument through an {..._arg} field (or an Arg
    value). Command lines quoted in backticks (`parley train ... -o DIR`) are advice, not flags."""
    for code in (c for c in vars(Errors) if re.fullmatch(r"E\d{3}", c)):
        template = re.sub(r"`[^`]*`", "", getattr(Errors, code))
        assert not re.search(r"(?<![\w-])--?[a-z]", template), f"{code}: {getattr(Errors, code)}"


def test_argument_fields_read_as_arguments_and_as_flags() -> None:
    from parley.cli._util import flag_for

    err = ParleyError("E509", since="2025-02-01", until="2025-01-01")
    assert err.message == "`until` 2025-01-01 is before `since` 2025-02-01."
    cli = err.with_flags(flag_for)
    assert cli.message == "--until 2025-01-01 is before --since 2025-02-01." and cli.code == "E509"
    assert type(cli) is ParleyError and err.message.startswith("`until`")      # the original is unchanged
    assert ParleyError("E209", url="x.db").with_flags(flag_for).message.endswith("point --db / PARLEY_DB at an existing one.")
    forced = OutputError("E213", item="out.csv", force_arg=Arg("force", "True"))
    assert "Add `force=True` to replace it" in forced.message
    assert "Add --force to replace it" in forced.with_flags(flag_for).message
    assert isinstance(forced.with_flags(flag_for), OutputError)


def test_export_format_and_stream_errors_name_the_argument(tmp_path: Path) -> None:
    import io

    from parley.store.export import read_positions, write_positions

    with pytest.raises(UsageError) as err:
        write_positions([], "xml", tmp_path / "out.xml")
    assert err.value.code == "E901" and "`fmt` 'xml'" in err.value.message and "jsonl, csv, parquet" in err.value.message
    assert isinstance(err.value, ValueError)
    with pytest.raises(UsageError) as err:
        write_positions([], "parquet", io.StringIO())
    assert err.value.code == "E902" and "`out`" in err.value.message
    (tmp_path / "p.txt").write_text("", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        read_positions(tmp_path / "p.txt")
    assert err.value.code == "E901" and "'txt'" in err.value.message


def test_a_position_with_an_unknown_stance_is_e904() -> None:
    from parley.model import Evidence, Position

    with pytest.raises(UsageError) as err:
        Position(actor="A", issue="talks", stance="maybe", evidence=Evidence(0, 1, "x"))
    assert err.value.code == "E904" and "`stance` 'maybe'" in err.value.message
    assert "support, oppose, conditional, mixed" in err.value.message


def test_dates_are_e903_and_lenient_parsing_keeps_the_article() -> None:
    from parley.ingest.dates import parse_date, parse_date_lenient
    from parley.ingest.notices import Notice

    assert parse_date("2025-03-04") == date(2025, 3, 4)
    for bad in ("not a date at all", "x" * 500, 12345):
        with pytest.raises(UsageError) as err:
            parse_date(bad)
        assert err.value.code == "E903" and err.value.message.startswith("`value`")
    seen: list[Notice] = []
    assert parse_date_lenient("soon-ish maybe", "rec.jsonl:1", seen.append) is None
    [n] = seen
    assert n.field == "published" and "soon-ish maybe" in n.detail


def test_analysis_dates_name_their_argument_and_the_cli_its_flag(tmp_path: Path) -> None:
    from parley.analyze.ledger import parse_day
    from parley.cli import main

    with pytest.raises(UsageError) as err:
        parse_day("last week", "until")
    assert err.value.code == "E900" and err.value.message.startswith("`until` 'last week'")
    db = tmp_path / "p.db"
    from parley.store import open_store

    open_store(str(db)).close()
    res = CliRunner().invoke(main, ["shifts", "--db", str(db), "--until", "last week"])
    assert res.exit_code == 1
    assert res.stderr.strip() == "error: [E900] --until 'last week' is not a date: give one as YYYY-MM-DD."


def test_no_bare_value_error_is_raised_in_parley() -> None:
    found = []
    for path in sorted((ROOT / "parley").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", None) == "ValueError" and rel not in INTERNAL_VALUE_ERRORS:
                found.append(f"{rel}:{node.lineno}")
    assert not found, "raise a coded ParleyError (UsageError E90x for a bad argument) instead: " + ", ".join(found)
    for rel in INTERNAL_VALUE_ERRORS:            # the allowances are still needed
        assert "raise ValueError" in (ROOT / rel).read_text(encoding="utf-8"), rel
