"""Generate the published JSON Schema from the marshmallow schemas (one source of truth).

``python -m power_lists.jsonschema`` rewrites ``schema/power-list-v1.schema.json``; a test fails when the
file and the schemas drift apart. Rules that compare fields (promised ≤ statutory days, unique codes)
are stated in descriptions: JSON Schema cannot express them, the importer checks them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, validate

from power_lists.schemas import DocumentSchema

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "power-list-v1.schema.json"
SCHEMA_ID = "/power-lists/schema.json"


def _field(f: fields.Field, defs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(f, fields.Nested):
        schema = f.schema
        name = type(schema).__name__.removesuffix("Schema")
        if name not in defs:
            defs[name] = {}
            defs[name] = _schema(schema, defs)
        out = {"$ref": f"#/$defs/{name}"}
    elif isinstance(f, fields.List):
        out = {"type": "array", "items": _field(f.inner, defs)}
    elif isinstance(f, fields.Enum):
        out = {"type": "string", "enum": [m.value for m in f.enum]}
    elif isinstance(f, fields.Date):
        out = {"type": "string", "format": "date"}
    elif isinstance(f, fields.Boolean):
        out = {"type": "boolean"}
    elif isinstance(f, fields.Integer):
        out = {"type": "integer"}
    elif isinstance(f, fields.String):
        out = {"type": "string"}
    else:  # pragma: no cover - every field type used is handled above
        raise TypeError(type(f))
    for v in f.validators:
        if isinstance(v, validate.Length):
            key = ("minItems", "maxItems") if out.get("type") == "array" else ("minLength", "maxLength")
            if v.min is not None:
                out[key[0]] = v.min
            if v.max is not None:
                out[key[1]] = v.max
        elif isinstance(v, validate.Range):
            if v.min is not None:
                out["minimum"] = v.min
            if v.max is not None:
                out["maximum"] = v.max
        elif isinstance(v, validate.OneOf):
            out["enum"] = list(v.choices)
        elif isinstance(v, validate.Regexp):
            out.setdefault("allOf", []).append({"pattern": v.regex.pattern})
    if "allOf" in out and len(out["allOf"]) == 1:
        out["pattern"] = out.pop("allOf")[0]["pattern"]
    if f.allow_none:
        if "$ref" in out:
            out = {"anyOf": [out, {"type": "null"}]}
        else:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
    description = f.metadata.get("description")
    if description:
        out["description"] = description
    return out


def _schema(schema: Schema, defs: dict[str, Any]) -> dict[str, Any]:
    properties = {name: _field(f, defs) for name, f in schema.fields.items()}
    required = [name for name, f in schema.fields.items() if f.required]
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    doc = (type(schema).__doc__ or "").strip().split("\n")[0]
    if doc:
        out["description"] = doc
    return out


def generate() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a power-list document."""
    defs: dict[str, Any] = {}
    root = _schema(DocumentSchema(), defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "乡镇（街道）赋权事项清单（format_version 1）",
        **root,
        "$comment": ("承诺办结时限不得超过法定办结时限；即办件承诺时限为0；事项编码在一个版本内唯一；"
                     "收费事项须有收费标准和依据。这些跨字段规则由导入程序校验。"),
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(generate(), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(SCHEMA_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
