"""pytest plugin: sabotaged extractors (sabotage.py), the running test's id in the environment, and a
JSON report of each test's outcome and how often the test's body called an extractor. A fixture that
extracts (a ledger built from made-up articles) is the test's set-up: the tests that read it test
what is done with a ledger, not extraction; such fixtures are listed under "fixtures" in the report."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import sabotage

sabotage.install()
_results: dict[str, dict[str, Any]] = {}
_extracting_fixtures: set[str] = set()


def _calls() -> int:
    path = os.environ.get("PARLEY_SABOTAGE_LOG")
    if not path or not Path(path).exists():
        return 0
    return sum(1 for _ in open(path, encoding="utf-8"))


_own_calls: dict[str, int] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Any:
    before = _calls()
    yield
    made = _calls() - before
    if made:
        _extracting_fixtures.add(fixturedef.argname)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    before = _calls()
    yield
    _own_calls[item.nodeid] = _own_calls.get(item.nodeid, 0) + _calls() - before


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Any) -> Any:
    os.environ["PARLEY_SABOTAGE_TEST"] = item.nodeid
    _results[item.nodeid] = {"outcome": "passed", "calls": 0}
    yield
    rec = _results[item.nodeid]
    rec["calls"] = _own_calls.get(item.nodeid, 0)
    rec["fixtures"] = sorted(set(getattr(item, "fixturenames", ())) & _extracting_fixtures)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    rec = _results.setdefault(report.nodeid, {"outcome": "passed", "calls": 0})
    if report.failed:
        rec["outcome"] = "failed"
    elif report.skipped and rec["outcome"] == "passed":
        rec["outcome"] = "skipped"


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("PARLEY_SABOTAGE_REPORT")
    if out:
        Path(out).write_text(json.dumps(_results, indent=1, sort_keys=True), encoding="utf-8")
