"""marshmallow schemas as JSON Schema (draft 2020-12): the one converter, for the published power-list
schema (``power_lists/jsonschema.py``) and for the schema of a form's submissions
(``forms.submission.submission_json_schema``).

Standard fields are read from their type, validators and ``metadata["description"]``. A field that knows
more than its type tells (a form field with check digits, a table of rows) describes itself with a
``json_schema(converter)`` method; a schema adds keys of its own (conditions across fields) with
``json_schema_extra()``. Nested schemas become ``$defs`` entries named after the class (``GuideSchema`` →
``Guide``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class JsonSchemaConverter:
    """Converts schemas and fields, collecting the nested schemas in :attr:`defs`."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def object(self, schema: Schema) -> dict[str, Any]:
        """The object schema of ``schema``: its fields, the required ones, no other keys allowed.

        Raises TypeError for a field type it does not know.
        """
        properties = {name: self.field(f) for name, f in schema.fields.items()}
        required = [name for name, f in schema.fields.items() if f.required]
        out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        if required:
            out["required"] = required
        doc = (type(schema).__doc__ or "").strip().split("\n")[0]
        if doc:
            out["description"] = doc
        extra = getattr(schema, "json_schema_extra", None)
        if extra is not None:
            out.update(extra())
        return out

    def field(self, f: fields.Field) -> dict[str, Any]:
        """The schema of one field. Raises TypeError for a field type it does not know."""
        describe = getattr(f, "json_schema", None)
        if describe is not None:
            return describe(self)
        out: dict[str, Any]
        if isinstance(f, fields.Nested):
            schema = f.schema
            name = type(schema).__name__.removesuffix("Schema")
            if name not in self.defs:
                self.defs[name] = {}
                self.defs[name] = self.object(schema)
            out = {"$ref": f"#/$defs/{name}"}
        elif isinstance(f, fields.List):
            out = {"type": "array", "items": self.field(f.inner)}
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
        else:
            raise TypeError(type(f))
        _apply_validators(out, f.validators)
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


def _apply_validators(out: dict[str, Any], validators: Any) -> None:
    for v in validators:
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
