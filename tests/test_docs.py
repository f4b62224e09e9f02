"""The user docs stay true: docs/commands.md is generated from the CLI's own help."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_commands_doc_is_up_to_date():
    proc = subprocess.run([sys.executable, "tools/gen_commands_doc.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_scale_doc_lists_every_scale_error_and_the_commands():
    from parley.errors import Errors

    doc = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    codes = [c for c in vars(Errors) if c.startswith("E8") or c == "E240"]
    assert len(codes) >= 7 and all(f"| {c} |" in doc for c in codes), codes
    for needle in ("--workers", "--scheduler", "dask scheduler", "dask worker", "postgresql+psycopg://"):
        assert needle in doc
