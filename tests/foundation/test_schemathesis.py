"""Schemathesis over the OpenAPI document, as every kind of caller: each operation gets a bounded number
of generated requests (valid and invalid ones, a fixed seed) and must answer without a 5xx and with a
body its schema describes. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

tests/foundation/test_api_fuzz.py adds a fixed set of hand-picked hostile values on top."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories.places import QINGSHAN
from tests.factories.power_list import publish_list
from tests.factories.web import api_token
from tests.factories.worlds import INTAKE_ITEMS

EXAMPLES = 4  # per operation, role and mode: bounded so that the suite stays quick
# username, role, jurisdiction of the callers (None: anonymous)
CALLERS = {
    "anonymous": None,
    "applicant": ("13900000001", None, None),
    "clerk": ("clerk1", "clerk", QINGSHAN),
    "decider": ("boss1", "decider", QINGSHAN),
    "legal": ("legal1", "legal", "330199000000"),
    "supervisor": ("super1", "supervisor", "330199000000"),
    "admin": ("admin1", "admin", "330199000000"),
}
# Operations that end the caller's own token (the walk would sign itself out half-way).
ENDS_THE_TOKEN = {"DELETE /api/v1/auth/token", "POST /api/v1/auth/token/refresh"}


@pytest.fixture
def world(app, factory):
    factory.demo_jurisdictions()
    publish_list(app, INTAKE_ITEMS, towns=(QINGSHAN,))
    factory.applicant(mobile="13900000001")
    for username, role, town in (c for c in CALLERS.values() if c and c[1]):
        factory.staff(username, role, town)


def _problems(app: Any, headers: dict[str, str], mode: GenerationMode) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    problems: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in ENDS_THE_TOKEN:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            nonlocal calls
            calls += 1
            try:
                response = case.call(headers=headers)
            except Exception as exc:  # the testing app re-raises what would be a 500
                problems.append(f"{case.operation.label}: {type(exc).__name__}: {str(exc)[:200]}")
                return
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except Exception as exc:
                problems.append(f"{case.operation.label} {response.status_code}: {str(exc)[:400]}")

        try:
            call()
        except Unsatisfiable:
            continue  # nothing invalid can be sent to this operation (no parameters, no body)
    return calls, problems


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_every_operation_for_every_caller(app, world, mode):
    problems: list[str] = []
    calls = 0
    for who, caller in CALLERS.items():
        headers = api_token(app.test_client(), caller[0]) if caller else {}
        made, found = _problems(app, headers, mode)
        calls += made
        problems += [f"[{who}] {p}" for p in found]
    assert calls > 100  # the run did call the operations
    assert problems == [], "\n".join(dict.fromkeys(problems))
