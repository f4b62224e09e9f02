"""schemathesis over /openapi.json against a live server: whatever it sends (valid and invalid
parameters, bodies, methods), no answer is a 5xx, and every answer matches the schema and status
codes the document gives (read-only here: writes answer 401 without the token, as documented).

Driven from an ordinary test (schemathesis' lazy pytest fixture loader does not run under pytest 9):
each operation of the document gets its own Hypothesis run."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from parley.api import create_app

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
EXAMPLES = 25


def test_no_server_error_and_every_response_matches_its_schema(live_server, ledger_url):
    base = live_server.start(create_app(ledger_url, token="schema-test-token"))
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20
    tried: list[str] = []
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=op.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case) -> None:
                case.call_and_validate(base_url=base, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise       # no invalid input exists for an operation without parameters: fine
        tried.append(f"{op.method.upper()} {op.path}")
    assert "GET /api/v1/positions" in tried and "POST /api/v1/articles" in tried
