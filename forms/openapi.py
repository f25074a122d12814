"""JSON Schema (draft 2020-12) of a submission, for the API documentation.

The schema describes the JSON shape that :func:`forms.submission.validate_submission` accepts. It is
documentation: the server-side validation is authoritative (check digits, the town's village list and
``"today"`` bounds depend on context and are only described in ``description``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from forms.definition import TODAY, FieldDef, FieldType, FormDefinition
from forms.submission import TABLE_ROW_CEILING

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def to_json_schema(definition: FormDefinition) -> dict[str, Any]:
    """The JSON Schema of a submission of ``definition``. Raises nothing."""
    schema = _object_schema(definition.fields)
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = definition.title
    if definition.description:
        schema["description"] = definition.description
    return schema


def _object_schema(fields: Sequence[FieldDef]) -> dict[str, Any]:
    properties = {spec.name: _field_schema(spec) for spec in fields}
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    required = [spec.name for spec in fields if spec.required and spec.show_if is None]
    if required:
        schema["required"] = required
    # A conditionally shown field is required only while its condition holds.
    conditionals = [_conditional(spec, fields) for spec in fields if spec.required and spec.show_if]
    if conditionals:
        schema["allOf"] = conditionals
    return schema


def _conditional(spec: FieldDef, siblings: Sequence[FieldDef]) -> dict[str, Any]:
    cond = spec.show_if
    assert cond is not None
    controller = next(f for f in siblings if f.name == cond.field)
    wanted = list(cond.in_) if cond.in_ is not None else [cond.equals]
    if controller.type == FieldType.CHOICE and controller.multiple:
        test: dict[str, Any] = {"type": "array", "contains": {"enum": wanted}}
    elif controller.type == FieldType.BOOLEAN and wanted == [False]:
        # An unticked checkbox may simply be absent.
        return {"if": {"not": {"properties": {cond.field: {"const": True}}, "required": [cond.field]}},
                "then": {"required": [spec.name]}}
    else:
        test = {"enum": wanted}
    return {"if": {"properties": {cond.field: test}, "required": [cond.field]},
            "then": {"required": [spec.name]}}


def _date_description(spec: FieldDef) -> str | None:
    parts = []
    for bound, word in ((spec.min, "不早于"), (spec.max, "不晚于")):
        if bound == TODAY:
            parts.append(f"{word}提交当天")
        elif isinstance(bound, dt.date):
            parts.append(f"{word}{bound.isoformat()}")
    return "，".join(parts) or None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _field_schema(spec: FieldDef) -> dict[str, Any]:
    out: dict[str, Any] = {"title": spec.label}
    notes = [spec.help] if spec.help else []
    match spec.type:
        case FieldType.TEXT | FieldType.TEXTAREA:
            out |= {"type": "string", "maxLength": spec.length_limit}
            if spec.pattern is not None:
                out["pattern"] = f"^(?:{spec.pattern.regex})$"
                notes.append(spec.pattern.message)
        case FieldType.NUMBER:
            number: dict[str, Any] = {"type": "integer" if spec.integer else "number"}
            if isinstance(spec.min, Decimal):
                number["minimum"] = _number(spec.min)
            if isinstance(spec.max, Decimal):
                number["maximum"] = _number(spec.max)
            # A decimal string ("120.50") is accepted too: it is exact, and it is how values are stored.
            out["anyOf"] = [number, {"type": "string", "pattern": r"^[+-]?(\d+(\.\d*)?|\.\d+)$"}]
            if spec.decimal_places is not None and not spec.integer:
                notes.append(f"最多保留{spec.decimal_places}位小数")
            if spec.unit:
                notes.append(f"单位：{spec.unit}")
        case FieldType.DATE:
            out |= {"type": "string", "format": "date"}
            if (text := _date_description(spec)) is not None:
                notes.append(text)
        case FieldType.DATE_RANGE:
            date = {"type": "string", "format": "date"}
            out |= {"type": "object", "properties": {"start": {**date, "title": "开始日期"},
                                                     "end": {**date, "title": "结束日期"}},
                    "required": ["start", "end"], "additionalProperties": False}
            notes.append("结束日期不能早于开始日期")
            if spec.max_span_days is not None:
                notes.append(f"期限不超过{spec.max_span_days}天（含起止日）")
            if (text := _date_description(spec)) is not None:
                notes.append(text)
        case FieldType.CHOICE:
            values = [o.value for o in spec.options]
            one_of = [{"const": o.value, "title": o.label} for o in spec.options]
            if spec.multiple:
                out |= {"type": "array", "items": {"type": "string", "enum": values, "oneOf": one_of},
                        "uniqueItems": True}
            else:
                out |= {"type": "string", "enum": values, "oneOf": one_of}
        case FieldType.ADDRESS:
            out |= {"type": "object", "required": ["village", "detail"], "additionalProperties": False,
                    "properties": {
                        "village": {"type": "string", "pattern": r"^\d{12}$", "title": "村（社区）代码",
                                    "description": "办理乡镇（街道）辖区内的村（社区）"},
                        "detail": {"type": "string", "maxLength": spec.length_limit, "title": "详细地址"},
                        # Filled in by the server from the code; accepted back so stored values validate.
                        "village_name": {"type": "string", "title": "村（社区）名称", "readOnly": True},
                    }}
        case FieldType.ID_NUMBER:
            out |= {"type": "string", "pattern": r"^[1-9]\d{16}[\dXx]$"}
            notes.append("18位居民身份证号码，校验位按 GB 11643 核验")
        case FieldType.CREDIT_CODE:
            out |= {"type": "string", "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"}
            notes.append("18位统一社会信用代码，校验位按 GB 32100 核验")
        case FieldType.MOBILE:
            out |= {"type": "string", "pattern": r"^(\+86|0086)?1[3-9]\d{9}$"}
        case FieldType.BOOLEAN:
            out["type"] = "boolean"
            if spec.required:
                out["const"] = True
        case FieldType.TABLE:
            out |= {"type": "array", "items": _object_schema(spec.fields),
                    "maxItems": spec.max_rows if spec.max_rows is not None else TABLE_ROW_CEILING}
            min_rows = max(spec.min_rows, 1 if spec.required else 0)
            if min_rows:
                out["minItems"] = min_rows
    if notes:
        out["description"] = "；".join(notes)
    return out
