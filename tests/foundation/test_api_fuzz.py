"""Every operation of the OpenAPI document, called by every kind of caller with hostile values in its
path, query and JSON body (NUL bytes, out-of-range integers, deep nesting, wrong types, formula text),
answers with a 4xx or success — never a 5xx. A small, deterministic stand-in for a schemathesis run."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.factories.places import QINGSHAN
from tests.factories.power_list import publish_list
from tests.factories.web import api_token
from tests.factories.worlds import INTAKE_ITEMS

PATH_VALUES = ["1", "0", str(2**31), str(2**64), "x" * 300, "%00", "-1", "330199101000"]
STRINGS = ["\x00", "=HYPERLINK(\"http://x\")", "x" * 10_000, "", " ", "1" * 5000]
NUMBERS = [2**31, 2**63, -(2**63) - 1, 1e308, -1, 0]


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def _bodies(schema: dict[str, Any], components: dict[str, Any]) -> list[str]:
    """Raw JSON texts: wrong shapes, nesting too deep to parse, every field at once set to one hostile value."""
    ref = schema.get("$ref")
    if ref:
        schema = components[ref.rsplit("/", 1)[1]]
    properties = schema.get("properties") or {}
    bodies = ["{}", "[]", '"x"', "7", "null", json.dumps({"x": _deep(40)}), "[" * 3000 + "]" * 3000, "{", "NaN"]
    for values in (STRINGS, NUMBERS, [{"a": "\x00"}, [None], True]):
        for value in values:
            bodies.append(json.dumps({name: value for name in properties}))
    return bodies


@pytest.fixture
def callers(app, factory):
    factory.demo_jurisdictions()
    publish_list(app, INTAKE_ITEMS, towns=(QINGSHAN,))
    factory.applicant(mobile="13900000001")
    factory.staff("clerk1", "clerk", "330199101000")
    factory.staff("legal1", "legal", "330199000000")
    factory.staff("super1", "supervisor", "330199000000")
    factory.staff("admin1", "admin", "330199000000")
    client = app.test_client()
    return {"anonymous": {}, "applicant": api_token(client, "13900000001"), "clerk": api_token(client, "clerk1"),
            "legal": api_token(client, "legal1"), "supervisor": api_token(client, "super1"),
            "admin": api_token(client, "admin1")}


def test_no_operation_answers_5xx_to_hostile_input(app, callers):
    client = app.test_client()
    spec = client.get("/api/openapi.json").get_json()
    components = spec["components"]["schemas"]
    failures = []
    for path, operations in sorted(spec["paths"].items()):
        for method, operation in sorted(operations.items()):
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if path.startswith("/api/v1/auth/token") and method in {"delete", "post"} and path != "/api/v1/auth/token":
                continue  # would end the caller's token half-way through the walk
            names = re.findall(r"{(\w+)}", path)
            urls = [re.sub(r"{\w+}", value, path) for value in PATH_VALUES] if names else [path]
            query = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            body_schema = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                           .get("schema"))
            bodies: list[str | None] = list(_bodies(body_schema, components)) if body_schema else [None]
            for who, headers in callers.items():
                for url in urls:
                    for value in ["\x00", str(2**64), "x" * 3000, "2026-02-30"] if query else [None]:
                        full = url + ("?" + "&".join(f"{q}={value}" for q in query) if value is not None else "")
                        for body in bodies if method != "get" else [None]:
                            try:
                                kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
                                resp = client.open(full, method=method.upper(), headers=headers, **kwargs)
                                status = resp.status_code
                            except Exception as exc:  # the testing app re-raises what would be a 500
                                status = f"{type(exc).__name__}: {str(exc)[:120]}"
                            if not isinstance(status, int) or status >= 500:
                                failures.append(f"{who} {method.upper()} {full[:120]} {str(body)[:60]} -> {status}")
    assert failures == [], "\n".join(failures[:40])
