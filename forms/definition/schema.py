"""The JSON format of a form definition as marshmallow schemas (structure); ``FormDefinitionSchema().load``
returns a :class:`~forms.definition.model.FormDefinition`. The rules across fields live in
:mod:`forms.definition.checks` and are reported together with the structural errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, post_dump, post_load, validate, validates_schema
from marshmallow import fields as ma
from marshmallow.types import ErrorMessages

from forms.definition.checks import semantic_errors
from forms.definition.model import (
    COMMON_KEYS,
    DEFAULT_ACCEPT,
    DEFAULT_MAX_BYTES,
    FORMAT_VERSION,
    MAX_MATERIAL_BYTES,
    TYPE_KEYS,
    FieldDef,
    FieldType,
    FormDefinition,
    Material,
    Option,
    Pattern,
    Rule,
    ShowIf,
    parse_bound,
)
from forms.definition.rules import MAX_EXPRESSION_LENGTH, parse_expression


def _msgs(invalid: str) -> ErrorMessages:
    return {"required": "必填", "null": "不能为空", "invalid": invalid, "type": invalid}


def _string(**kwargs: Any) -> ma.String:
    return ma.String(error_messages=_msgs("应为文本"), **kwargs)


def _boolean(**kwargs: Any) -> ma.Boolean:
    # truthy/falsy restricted to real booleans: "yes" in a hand-edited definition is a mistake.
    return ma.Boolean(truthy={True}, falsy={False}, error_messages=_msgs("应为 true 或 false"), **kwargs)


def _integer(minimum: int, maximum: int | None = None, **kwargs: Any) -> ma.Integer:
    rng = (f"应为不小于{minimum}的整数" if maximum is None else f"应为{minimum}到{maximum}之间的整数")
    return ma.Integer(strict=True, validate=validate.Range(min=minimum, max=maximum, error=rng),
                      error_messages=_msgs("应为整数"), **kwargs)


def _list(inner: ma.Field, **kwargs: Any) -> ma.List:
    return ma.List(inner, error_messages=_msgs("应为列表"), **kwargs)


def _nested(schema: Any, **kwargs: Any) -> ma.Nested:
    return ma.Nested(schema, error_messages=_msgs("应为对象"), **kwargs)


class _Bound(ma.Raw):
    """``min``/``max``: a number or a date depending on the field type (checked semantically)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


class _DefinitionPart(Schema):
    error_messages: dict[str, str] = {"unknown": "不支持的属性", "type": "应为对象"}  # noqa: RUF012

    class Meta:
        unknown = RAISE

    @post_dump
    def _drop_unset(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v is not None}


class OptionSchema(_DefinitionPart):
    value = _string(required=True, validate=validate.Length(min=1, max=50, error="应为1到50个字符"))
    label = _string(required=True, validate=validate.Length(min=1, max=100, error="应为1到100个字符"))


class PatternSchema(_DefinitionPart):
    regex = _string(required=True)
    message = _string(required=True, validate=validate.Length(min=1, max=100, error="应为1到100个字符"))


class ShowIfSchema(_DefinitionPart):
    field = _string(required=True)
    equals = ma.Raw()
    in_ = _list(ma.Raw(), data_key="in", attribute="in_")


class FieldSchema(_DefinitionPart):
    name = _string(required=True)
    label = _string(required=True, validate=validate.Length(min=1, max=100, error="应为1到100个字符"))
    type = _string(required=True, validate=validate.OneOf([t.value for t in FieldType],
                                                           error="不支持的字段类型：{input}"))
    required = _boolean(load_default=False)
    help = _string(validate=validate.Length(max=500, error="不能超过500个字符"))
    show_if = _nested(ShowIfSchema)
    max_length = _integer(1, 10000)
    pattern = _nested(PatternSchema)
    min = _Bound()
    max = _Bound()
    integer = _boolean()
    decimal_places = _integer(0, 6)
    unit = _string(validate=validate.Length(max=10, error="不能超过10个字符"))
    max_span_days = _integer(1)
    options = _list(_nested(OptionSchema))
    multiple = _boolean()
    fields = _list(_nested(lambda: FieldSchema()))  # type: ignore[assignment]  # the format's key
    min_rows = _integer(0, 1000)
    max_rows = _integer(1, 1000)

    @post_dump
    def _drop_inapplicable(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # A FieldDef carries every attribute; the JSON keeps only those its type accepts.
        allowed = COMMON_KEYS | TYPE_KEYS.get(FieldType(data["type"]), frozenset())
        return {k: v for k, v in data.items() if k in allowed and v is not None}


class MaterialSchema(_DefinitionPart):
    code = _string(required=True)
    name = _string(required=True, validate=validate.Length(min=1, max=100, error="应为1到100个字符"))
    required = _boolean(load_default=True)
    deferrable = _boolean(load_default=False)
    accept = _list(_string(), load_default=lambda: list(DEFAULT_ACCEPT),
                   validate=validate.Length(min=1, error="至少需要一种文件类型"))
    max_bytes = _integer(1, MAX_MATERIAL_BYTES, load_default=DEFAULT_MAX_BYTES)
    help = _string(validate=validate.Length(max=500, error="不能超过500个字符"))


class RuleSchema(_DefinitionPart):
    field = _string()
    check = _string(required=True, validate=validate.Length(min=1, max=MAX_EXPRESSION_LENGTH,
                                                            error=f"应为1到{MAX_EXPRESSION_LENGTH}个字符"))
    when = _string(validate=validate.Length(min=1, max=MAX_EXPRESSION_LENGTH,
                                            error=f"应为1到{MAX_EXPRESSION_LENGTH}个字符"))
    message = _string(required=True, validate=validate.Length(min=1, max=200, error="应为1到200个字符"))


class FormDefinitionSchema(_DefinitionPart):
    """The JSON format of a form definition; ``load`` returns a :class:`FormDefinition`.

    Structural errors come from the fields below; cross-field rules (unique names, show_if targets,
    type-specific keys) from :func:`semantic_errors`. Both are reported together.
    """

    format_version = ma.Integer(strict=True, required=True, error_messages=_msgs("应为整数"),
                                validate=validate.Equal(FORMAT_VERSION, error="不支持的格式版本，当前为 1"))
    title = _string(required=True, validate=validate.Length(min=1, max=100, error="应为1到100个字符"))
    description = _string(validate=validate.Length(max=2000, error="不能超过2000个字符"))
    fields = _list(_nested(FieldSchema), required=True)  # type: ignore[assignment]  # the format's key
    materials = _list(_nested(MaterialSchema), load_default=list)
    rules = _list(_nested(RuleSchema), load_default=list)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _check_semantics(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        errors = semantic_errors(original_data)
        if errors:
            raise ValidationError(errors)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> FormDefinition:
        return FormDefinition(
            title=data["title"],
            fields=tuple(_build_field(f) for f in data["fields"]),
            materials=tuple(_build_material(m) for m in data["materials"]),
            description=data.get("description"),
            format_version=data["format_version"],
            rules=tuple(_build_rule(r) for r in data["rules"]),
        )

    @post_dump
    def _drop_no_rules(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # A definition without rules dumps as it did before rules existed.
        return {k: v for k, v in data.items() if k != "rules" or v}


def _build_field(d: Mapping[str, Any]) -> FieldDef:
    ftype = FieldType(d["type"])
    show_if = None
    if (s := d.get("show_if")) is not None:
        show_if = ShowIf(field=s["field"], equals=s.get("equals"),
                         in_=tuple(s["in_"]) if s.get("in_") is not None else None)
    pattern = Pattern(**d["pattern"]) if d.get("pattern") else None
    return FieldDef(
        name=d["name"],
        label=d["label"],
        type=ftype,
        required=d.get("required", False),
        help=d.get("help"),
        show_if=show_if,
        max_length=d.get("max_length"),
        pattern=pattern,
        min=parse_bound(ftype, d.get("min")),
        max=parse_bound(ftype, d.get("max")),
        integer=d.get("integer") or False,
        decimal_places=d.get("decimal_places"),
        unit=d.get("unit"),
        max_span_days=d.get("max_span_days"),
        options=tuple(Option(**o) for o in d.get("options") or ()),
        multiple=d.get("multiple") or False,
        fields=tuple(_build_field(sub) for sub in d.get("fields") or ()),
        min_rows=d.get("min_rows") or 0,
        max_rows=d.get("max_rows"),
    )


def _build_material(d: Mapping[str, Any]) -> Material:
    return Material(code=d["code"], name=d["name"], required=d["required"], deferrable=d["deferrable"],
                    accept=tuple(d["accept"]), max_bytes=d["max_bytes"], help=d.get("help"))


def _build_rule(d: Mapping[str, Any]) -> Rule:
    # The semantic checks have parsed both expressions already; this cannot fail.
    when = d.get("when")
    return Rule(check=d["check"], message=d["message"], field=d.get("field"), when=when,
                check_node=parse_expression(d["check"]), when_node=parse_expression(when) if when else None)
