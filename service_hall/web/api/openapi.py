"""The OpenAPI document states what the server accepts, including what the input layer refuses in front of
every view (service_hall/web/input_guard.py; docs/architecture.md, "The API document"):

- every integer is a 32-bit signed one (``minimum``/``maximum``, intersected with the field's own Range),
  also the values of a ``Dict`` and the items of a ``List`` — apispec's own converter leaves those out;
- no text holds a NUL byte (a ``pattern``, or U+0000 added to the field's own negated character class),
  and a text that must not be blank says so;
- free JSON (``Dict`` without a value field, and the fields a schema ignores) is :data:`JSON_VALUE`: any
  JSON whose texts and integers obey the two rules above.
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_instance
from marshmallow import fields

from service_hall.cases.schemas import BeijingDateTime, NotBlank
from service_hall.web.input_guard import INT_MAX, INT_MIN, MAX_JSON_DEPTH

JSON_VALUE = "JsonValue"
JSON_VALUE_REF = {"$ref": f"#/components/schemas/{JSON_VALUE}"}
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
_NEGATED_CLASS = re.compile(r"^\^\[\^(?P<chars>.*)\]\*\$$")


def _json_value() -> dict[str, Any]:
    return {
        "description": f"任意 JSON 值：文字中不含空字符，整数在 {INT_MIN} 至 {INT_MAX} 之间，"
                       f"嵌套不超过 {MAX_JSON_DEPTH} 层",
        "nullable": True,
        "anyOf": [
            {"type": "string", "pattern": NO_NUL},
            {"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX},
            {"type": "number", "not": {"type": "integer"}},
            {"type": "boolean"},
            {"type": "array", "items": JSON_VALUE_REF},
            {"type": "object", "additionalProperties": JSON_VALUE_REF},
        ],
    }


def guarded_bounds(self: OpenAPIConverter, field: fields.Field, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """apispec attribute function: the input layer's limits on integers, texts and free JSON."""
    extra: dict[str, Any] = {}
    if isinstance(field, fields.Integer):
        extra["minimum"] = max(ret.get("minimum", INT_MIN), INT_MIN)
        extra["maximum"] = min(ret.get("maximum", INT_MAX), INT_MAX)
    elif isinstance(field, fields.String) and ret.get("type") == "string":
        blank_refused = any(isinstance(v, NotBlank) for v in field.validators)
        extra["pattern"] = NOT_BLANK if blank_refused else _without_nul(ret.get("pattern"))
    elif isinstance(field, fields.Dict) and ret.get("additionalProperties") == {}:
        extra["additionalProperties"] = JSON_VALUE_REF
    elif type(field) is fields.Raw and not field.dump_only and not {"type", "anyOf", "oneOf"} & set(ret):
        extra.update(JSON_VALUE_REF)
    return extra


def _without_nul(pattern: str | None) -> str:
    """The field's own pattern if it already excludes NUL (a positive character class), else one that does."""
    if pattern is None:
        return NO_NUL
    negated = _NEGATED_CLASS.match(pattern)
    if negated and "\\u0000" not in negated["chars"]:
        return f"^[^\\u0000{negated['chars']}]*$"
    return pattern


class GuardedConverter(OpenAPIConverter):
    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        """A schema that ignores unknown fields (EXCLUDE) still has them checked by the input layer."""
        jsonschema: dict[str, Any] = super().schema2jsonschema(schema)
        unknown = resolve_schema_instance(schema).unknown
        if "additionalProperties" not in jsonschema and unknown in (marshmallow.EXCLUDE, marshmallow.INCLUDE):
            jsonschema["additionalProperties"] = JSON_VALUE_REF
        return jsonschema


class GuardedMarshmallowPlugin(MarshmallowPlugin):
    Converter = GuardedConverter

    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        assert self.converter is not None
        self.converter.add_attribute_function(guarded_bounds)
        self.converter.map_to_openapi_type(BeijingDateTime, "string", "date-time")
        spec.components.schema(JSON_VALUE, _json_value())
