"""The JSON Schema of a submission documents the same rules the server applies."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from forms.definition import load_form_definition
from forms.demo import DEMO_FORMS, DEMO_SUBMISSIONS
from forms.submission import submission_json_schema
from tests.factories.forms import choice, definition, field


def errors(schema, instance) -> list[str]:
    return sorted(e.message for e in Draft202012Validator(schema).iter_errors(instance))


def test_schema_shape_per_field_type():
    form = definition(
        field("name", "text", required=True, max_length=20, pattern={"regex": "[a-z]+", "message": "小写"}),
        field("area", "number", min=0, max=125.5, unit="平方米"),
        field("floors", "number", integer=True, min=1, max=3),
        field("born", "date", max="today"),
        field("period", "date_range", max_span_days=90),
        choice("kind", ["a", "b"]),
        choice("scope", ["x", "y"], multiple=True),
        field("site", "address"),
        field("pid", "id_number"),
        field("code", "credit_code"),
        field("mobile", "mobile"),
        field("agree", "boolean", required=True),
        field("rows", "table", required=True, max_rows=4, fields=[field("x", "text", required=True)]),
    )
    schema = submission_json_schema(form)
    Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert schema["required"] == ["name", "agree", "rows"]
    assert schema["additionalProperties"] is False
    assert props["name"] == {"title": "字段name", "type": "string", "maxLength": 20,
                             "pattern": "^(?:[a-z]+)$", "description": "小写"}
    assert props["area"]["anyOf"][0] == {"type": "number", "minimum": 0, "maximum": 125.5}
    assert props["floors"]["anyOf"][0] == {"type": "integer", "minimum": 1, "maximum": 3}
    assert props["born"]["format"] == "date" and "不晚于提交当天" in props["born"]["description"]
    assert props["period"]["required"] == ["start", "end"]
    assert props["kind"]["enum"] == ["a", "b"]
    assert props["scope"]["items"]["enum"] == ["x", "y"]
    assert props["agree"] == {"title": "字段agree", "type": "boolean", "const": True}
    assert (props["rows"]["minItems"], props["rows"]["maxItems"]) == (1, 4)
    assert props["rows"]["items"]["required"] == ["x"]
    assert errors(schema, {"name": "abc", "agree": True, "rows": [{"x": "1"}], "area": "12.50"}) == []
    assert errors(schema, {"name": "ABC", "agree": False, "rows": [], "kind": "c", "extra": 1}) != []


def test_conditional_requirement_is_expressed_with_if_then():
    form = definition(
        choice("kind", ["person", "org"], required=True),
        field("pid", "id_number", required=True, show_if={"field": "kind", "equals": "person"}),
        field("lit", "boolean"),
        field("hours", "text", required=True, show_if={"field": "lit", "equals": True}),
        field("why", "text", required=True, show_if={"field": "lit", "equals": False}),
        choice("scope", ["a", "other"], multiple=True),
        field("scope_detail", "text", required=True, show_if={"field": "scope", "in": ["other"]}),
    )
    schema = submission_json_schema(form)
    Draft202012Validator.check_schema(schema)
    assert errors(schema, {"kind": "org", "why": "x"}) == []
    assert errors(schema, {"kind": "person", "why": "x"}) == ["'pid' is a required property"]
    assert errors(schema, {"kind": "org", "lit": True}) == ["'hours' is a required property"]
    assert errors(schema, {"kind": "org"}) == ["'why' is a required property"]
    assert errors(schema, {"kind": "org", "why": "x", "scope": ["other"]}) == [
        "'scope_detail' is a required property"]


@pytest.mark.parametrize("key", sorted(DEMO_FORMS))
def test_demo_schemas_are_valid_and_accept_the_examples(key):
    schema = submission_json_schema(load_form_definition(DEMO_FORMS[key]))
    Draft202012Validator.check_schema(schema)
    assert schema["title"] == DEMO_FORMS[key]["title"]
    json.dumps(schema, ensure_ascii=False)
    assert errors(schema, json.loads(json.dumps(DEMO_SUBMISSIONS[key]))) == []
