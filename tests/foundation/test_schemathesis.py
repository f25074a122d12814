"""Schemathesis over the OpenAPI document, as every kind of caller: each operation gets a bounded number
of generated requests (valid and invalid ones, a fixed seed) and must answer without a 5xx and with a
body its schema describes; a request valid per the document is not refused as malformed (400/422)
(positive_data_acceptance — before the document stated the input layer's limits, 27 operations failed it;
docs/architecture.md, "The API document"). Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

tests/foundation/test_api_fuzz.py adds a fixed set of hand-picked hostile values on top."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance, response_schema_conformance

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
# What a schema cannot state: whether a file id names one of the caller's own uploads, and what an uploaded
# file's bytes are (a power list; a PDF, JPG or PNG) or its name holds. Those answers name the material or
# the file's problems.
NOT_IN_A_SCHEMA = {"所选材料不存在"}
CONTENT_CHECKED = {"POST /api/v1/power-lists/imports", "POST /api/v1/files", "POST /api/v1/cases/{case_id}/messages",
                   "POST /api/v1/applications/{ref}/messages"}


def _beyond_the_schema(case: Any, response: Any) -> bool:
    if case.operation.label in CONTENT_CHECKED and case.media_type == "multipart/form-data":
        return response.status_code in (400, 413, 422)
    if response.status_code != 422:
        return False
    errors = (response.json() or {}).get("errors")
    return isinstance(errors, dict) and bool(errors) and all(isinstance(m, str) and m in NOT_IN_A_SCHEMA
                                                           for m in errors.values())


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
    checks = [not_a_server_error, response_schema_conformance]
    if mode is GenerationMode.POSITIVE:
        checks.append(positive_data_acceptance)
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
            if mode is GenerationMode.POSITIVE and _beyond_the_schema(case, response):
                return
            try:
                case.validate_response(response, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:  # a FailureGroup is a BaseExceptionGroup
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
