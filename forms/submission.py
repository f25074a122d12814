"""Validating what applicants submit against a form definition.

One definition drives both the JSON API and the HTML form: :func:`build_submission_schema` turns it
into a marshmallow schema, :func:`validate_submission` runs it and reports every problem at once as
``{path: message}`` (``applicant_id``, ``members[2].id_number``), and :func:`parse_html_form` turns a
flat HTML post (``members-0-name``, ``period_start``, repeated checkbox values) into the JSON shape.

JSON shape of the values, per field type: text/textarea/id_number/credit_code/mobile → string;
number → number (or numeric string); date → ``"YYYY-MM-DD"``; date_range → ``{"start", "end"}``;
choice → string, or a list of strings when ``multiple``; address → ``{"village", "detail"}``;
boolean → true/false; table → list of row objects.

Cleaned values are Python objects (``Decimal``/``int``, ``datetime.date``, …). Empty inputs are left
out; fields hidden by ``show_if`` are left out whatever was sent; a visible optional boolean that was
not sent is ``False`` (an unticked HTML checkbox sends nothing). Use :func:`dump_submission` for the
JSON-safe form to store, which validates again to the same cleaned values.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from marshmallow import RAISE, Schema, ValidationError, post_load, pre_load, validates_schema
from marshmallow import fields as ma
from marshmallow.types import ErrorMessages

from forms._errors import flatten_errors
from forms.definition import COMPOUND_SUFFIXES, TODAY, FieldDef, FieldType, FormDefinition
from forms.definition.rules import Environment, RuleEvaluationError, holds
from forms.validators import InvalidValue, check_credit_code, check_id_number, check_mobile
from service_hall.core.errors import ValidationFailed
from service_hall.core.jsonschema import DIALECT, JsonSchemaConverter

REQUIRED = "必填项"
CHECK_REQUIRED = "请勾选此项"
# A table without max_rows is still bounded: nobody lists 200 household members.
TABLE_ROW_CEILING = 200


@dataclass(frozen=True)
class SubmissionContext:
    """What validation needs besides the definition.

    ``today`` resolves ``"today"`` date bounds (the caller's local China date); ``villages`` maps the
    codes of the villages/communities of the town handling the application to their names.
    """

    today: dt.date
    villages: Mapping[str, str] = field(default_factory=dict)


class MultiDictLike(Protocol):
    def getlist(self, key: str) -> list[Any]: ...

    def keys(self) -> Any: ...


# ---------------------------------------------------------------------------------------------------
# Input normalisation helpers

# Full-width digits and letters (typed with a Chinese IME) become ASCII; the ideographic space a space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    if isinstance(value, Mapping):
        return all(_is_empty(v) for v in value.values())
    return False


def _strip_empty(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not _is_empty(v)}


def _expect_str(value: Any, message: str = "应为文本") -> str:
    if not isinstance(value, str):
        raise ValidationError(message)
    return value


_TRUE_WORDS = frozenset({"true", "on", "1", "yes", "y", "是"})
_FALSE_WORDS = frozenset({"false", "off", "0", "no", "n", "否"})


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _choice_values(value: Any) -> list[str] | None:
    """A choice input as a list of strings (numbers from lenient clients become strings)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            return None
        out.append(str(item).strip())
    return out


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _parse_date(value: Any, what: str = "日期") -> dt.date:
    """Accepts ``YYYY-MM-DD`` (and the 2026/3/1, 2026年3月1日 forms people type). Raises ValidationError."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    message = f"{what}格式应为YYYY-MM-DD"
    if not isinstance(value, str):
        raise ValidationError(message)
    m = _DATE_RE.match(_halfwidth(value).strip())
    if not m:
        raise ValidationError(message)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValidationError(f"{what}不存在，请核对") from None


def _format_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)


# ---------------------------------------------------------------------------------------------------
# marshmallow fields, one per field type


def _required_message(spec: FieldDef) -> str:
    if spec.type == FieldType.BOOLEAN:
        return CHECK_REQUIRED
    if spec.type == FieldType.TABLE:
        return f"至少填写{max(spec.min_rows, 1)}行"
    return REQUIRED


class FormField(ma.Field):
    """Base of the submission fields: carries its :class:`FieldDef` and the validation context."""

    # marshmallow declares the messages as instance attributes with class defaults, so ClassVar would
    # contradict its types; the dicts are never mutated.
    default_error_messages: ErrorMessages = {  # noqa: RUF012
        "required": REQUIRED, "null": REQUIRED, "validator_failed": "填写内容无效",
    }

    def __init__(self, spec: FieldDef, context: SubmissionContext, **kwargs: Any) -> None:
        self.spec = spec
        self.ctx = context
        super().__init__(
            # Conditionally shown fields are checked by the schema once visibility is known.
            required=spec.required and spec.show_if is None,
            error_messages={"required": _required_message(spec)},
            metadata={"label": spec.label, "field_type": spec.type.value},
            **kwargs,
        )

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value

    def _resolve(self, bound: Any) -> Any:
        return self.ctx.today if bound == TODAY else bound

    def json_schema(self, converter: JsonSchemaConverter) -> dict[str, Any]:
        """The JSON Schema of this field's value (see :mod:`service_hall.core.jsonschema`). Raises nothing."""
        out: dict[str, Any] = {"title": self.spec.label}
        notes = [self.spec.help] if self.spec.help else []
        self._describe(out, notes, converter)
        if notes:
            out["description"] = "；".join(notes)
        return out

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        """Add the type and the rules to ``out``; rules JSON Schema cannot state go to ``notes``."""
        raise NotImplementedError


class TextField(FormField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _expect_str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if self.spec.type != FieldType.TEXTAREA:
            text = " ".join(text.split("\n"))
        errors = []
        if _has_control_chars(text):
            errors.append("不能包含控制字符")
        limit = self.spec.length_limit
        if limit is not None and len(text) > limit:
            errors.append(f"超过最大长度{limit}个字")
        if self.spec.pattern is not None and not self.spec.pattern.matches(text):
            errors.append(self.spec.pattern.message)
        if errors:
            raise ValidationError(errors)
        return text

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        out |= {"type": "string", "maxLength": self.spec.length_limit}
        if self.spec.pattern is not None:
            out["pattern"] = f"^(?:{self.spec.pattern.regex})$"
            notes.append(self.spec.pattern.message)


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class NumberField(FormField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal | int:
        spec = self.spec
        number = self._to_decimal(value)
        if spec.integer:
            if number != number.to_integral_value():
                raise ValidationError("请输入整数")
        elif spec.decimal_places is not None:
            exponent = number.normalize().as_tuple().exponent
            if isinstance(exponent, int) and -exponent > spec.decimal_places:
                raise ValidationError("请输入整数" if spec.decimal_places == 0
                                      else f"最多保留{spec.decimal_places}位小数")
        unit = spec.unit or ""
        if isinstance(spec.min, Decimal) and number < spec.min:
            raise ValidationError(f"不能小于{_format_decimal(spec.min)}{unit}")
        if isinstance(spec.max, Decimal) and number > spec.max:
            raise ValidationError(f"不能大于{_format_decimal(spec.max)}{unit}")
        return int(number) if spec.integer else number

    @staticmethod
    def _to_decimal(value: Any) -> Decimal:
        if isinstance(value, bool):
            raise ValidationError("请输入数字")
        if isinstance(value, (int, Decimal)):
            number = Decimal(value)
        elif isinstance(value, float):
            # repr() gives the shortest string that round-trips: 0.1, not 0.1000000000000000055…
            number = Decimal(repr(value))
        elif isinstance(value, str):
            text = _halfwidth(value).strip().replace(",", "").replace(" ", "")
            if not _NUMBER_RE.match(text):
                raise ValidationError("请输入数字")
            number = Decimal(text)
        else:
            raise ValidationError("请输入数字")
        if not number.is_finite():
            raise ValidationError("请输入数字")
        return number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        # Decimals are stored as strings so that 0.1 stays 0.1 in JSON columns.
        if isinstance(value, Decimal):
            return format(value, "f")
        return value

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        spec = self.spec
        number: dict[str, Any] = {"type": "integer" if spec.integer else "number"}
        if isinstance(spec.min, Decimal):
            number["minimum"] = _json_number(spec.min)
        if isinstance(spec.max, Decimal):
            number["maximum"] = _json_number(spec.max)
        # A decimal string ("120.50") is accepted too: it is exact, and it is how values are stored.
        out["anyOf"] = [number, {"type": "string", "pattern": _NUMBER_RE.pattern}]
        if spec.decimal_places is not None and not spec.integer:
            notes.append(f"最多保留{spec.decimal_places}位小数")
        if spec.unit:
            notes.append(f"单位：{spec.unit}")


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _check_date_bounds(field: FormField, day: dt.date, what: str = "") -> list[str]:
    errors = []
    lo, hi = field._resolve(field.spec.min), field._resolve(field.spec.max)
    if isinstance(lo, dt.date) and day < lo:
        errors.append(f"{what}不能早于{_bound_text(field.spec.min, lo)}")
    if isinstance(hi, dt.date) and day > hi:
        errors.append(f"{what}不能晚于{_bound_text(field.spec.max, hi)}")
    return errors


def _bound_text(bound: Any, resolved: dt.date) -> str:
    return f"今天（{resolved.isoformat()}）" if bound == TODAY else resolved.isoformat()


def _date_bounds_note(spec: FieldDef) -> str | None:
    parts = []
    for bound, word in ((spec.min, "不早于"), (spec.max, "不晚于")):
        if bound == TODAY:
            parts.append(f"{word}提交当天")
        elif isinstance(bound, dt.date):
            parts.append(f"{word}{bound.isoformat()}")
    return "，".join(parts) or None


class DateField(FormField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        day = _parse_date(value)
        errors = _check_date_bounds(self, day, "日期")
        if errors:
            raise ValidationError(errors)
        return day

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        out |= {"type": "string", "format": "date"}
        if (text := _date_bounds_note(self.spec)) is not None:
            notes.append(text)


class DateRangeField(FormField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, dt.date]:
        if not isinstance(value, Mapping) or set(value) - {"start", "end"}:
            raise ValidationError("应为包含开始日期（start）和结束日期（end）的对象")
        errors: list[str] = []
        parsed: dict[str, dt.date] = {}
        for key, what in (("start", "开始日期"), ("end", "结束日期")):
            raw = value.get(key)
            if _is_empty(raw):
                errors.append(f"请填写{what}")
                continue
            try:
                parsed[key] = _parse_date(raw, what)
            except ValidationError as exc:
                errors.extend(exc.messages if isinstance(exc.messages, list) else [str(exc.messages)])
                continue
            errors.extend(_check_date_bounds(self, parsed[key], what))
        if errors:
            raise ValidationError(errors)
        start, end = parsed["start"], parsed["end"]
        if end < start:
            raise ValidationError("结束日期不能早于开始日期")
        span = self.spec.max_span_days
        if span is not None and (end - start).days + 1 > span:
            raise ValidationError(f"期限不能超过{span}天（含起止日）")
        return {"start": start, "end": end}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in value.items()}
        return value

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        date = {"type": "string", "format": "date"}
        out |= {"type": "object", "properties": {"start": {**date, "title": "开始日期"},
                                                 "end": {**date, "title": "结束日期"}},
                "required": ["start", "end"], "additionalProperties": False}
        notes.append("结束日期不能早于开始日期")
        if self.spec.max_span_days is not None:
            notes.append(f"期限不超过{self.spec.max_span_days}天（含起止日）")
        if (text := _date_bounds_note(self.spec)) is not None:
            notes.append(text)


class ChoiceField(FormField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | list[str]:
        spec = self.spec
        if not spec.multiple and isinstance(value, (list, tuple)):
            raise ValidationError("只能选择一项")
        chosen = _choice_values(value)
        allowed = [o.value for o in spec.options]
        if chosen is None or any(c not in allowed for c in chosen):
            raise ValidationError("请从给定选项中选择")
        if not spec.multiple:
            return chosen[0]
        # Option order, without repeats: the stored value does not depend on click order.
        return [v for v in allowed if v in chosen]

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        values = [o.value for o in self.spec.options]
        one_of = [{"const": o.value, "title": o.label} for o in self.spec.options]
        if self.spec.multiple:
            out |= {"type": "array", "items": {"type": "string", "enum": values, "oneOf": one_of},
                    "uniqueItems": True}
        else:
            out |= {"type": "string", "enum": values, "oneOf": one_of}


class AddressField(FormField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, str]:
        # village_name is accepted (and recomputed) so that stored values validate again.
        if not isinstance(value, Mapping) or set(value) - {"village", "detail", "village_name"}:
            raise ValidationError("应为包含村（社区）代码（village）和详细地址（detail）的对象")
        errors = []
        village = value.get("village")
        if _is_empty(village):
            errors.append("请选择村（社区）")
        elif not isinstance(village, str) or village.strip() not in self.ctx.villages:
            errors.append("请选择本镇（街道）范围内的村（社区）")
        detail = value.get("detail")
        if _is_empty(detail):
            errors.append("请填写详细地址")
        elif not isinstance(detail, str):
            errors.append("详细地址应为文本")
        else:
            detail = " ".join(detail.split())
            limit = self.spec.length_limit
            if limit is not None and len(detail) > limit:
                errors.append(f"详细地址超过最大长度{limit}个字")
            if _has_control_chars(detail):
                errors.append("详细地址不能包含控制字符")
        if errors:
            raise ValidationError(errors)
        assert isinstance(village, str) and isinstance(detail, str)
        code = village.strip()
        return {"village": code, "village_name": self.ctx.villages[code], "detail": detail}

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        out |= {"type": "object", "required": ["village", "detail"], "additionalProperties": False,
                "properties": {
                    "village": {"type": "string", "pattern": r"^\d{12}$", "title": "村（社区）代码",
                                "description": "办理乡镇（街道）辖区内的村（社区）"},
                    "detail": {"type": "string", "maxLength": self.spec.length_limit, "title": "详细地址"},
                    # Filled in by the server from the code; accepted back so stored values validate.
                    "village_name": {"type": "string", "title": "村（社区）名称", "readOnly": True},
                }}


class _CheckedStringField(FormField):
    #: The shape JSON Schema can check, and what it cannot (the check digit).
    json_pattern: ClassVar[str] = ""
    json_note: ClassVar[str] = ""

    def _check(self, value: str) -> str:
        raise NotImplementedError

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        out |= {"type": "string", "pattern": self.json_pattern}
        if self.json_note:
            notes.append(self.json_note)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _halfwidth(_expect_str(value))
        try:
            return self._check(text)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from None


class IdNumberField(_CheckedStringField):
    json_pattern = r"^[1-9]\d{16}[\dXx]$"
    json_note = "18位居民身份证号码，校验位按 GB 11643 核验"

    def _check(self, value: str) -> str:
        return check_id_number(value.replace(" ", ""))


class CreditCodeField(_CheckedStringField):
    json_pattern = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
    json_note = "18位统一社会信用代码，校验位按 GB 32100 核验"

    def _check(self, value: str) -> str:
        return check_credit_code(value.replace(" ", ""))


class MobileField(_CheckedStringField):
    json_pattern = r"^(\+86|0086)?1[3-9]\d{9}$"

    def _check(self, value: str) -> str:
        return check_mobile(value)


class BooleanField(FormField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        parsed = _parse_bool(value)
        if parsed is None:
            raise ValidationError("应为“是”或“否”")
        if self.spec.required and not parsed:
            raise ValidationError(CHECK_REQUIRED)
        return parsed

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        out["type"] = "boolean"
        if self.spec.required:
            out["const"] = True


class TableField(FormField):
    def __init__(self, spec: FieldDef, context: SubmissionContext, **kwargs: Any) -> None:
        super().__init__(spec, context, **kwargs)
        self.row_schema = _schema_class(spec.fields, context, f"{spec.name.title()}RowSchema")()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[dict[str, Any]]:
        if isinstance(value, (str, Mapping)) or not isinstance(value, Sequence):
            raise ValidationError("应为由各行组成的列表")
        spec = self.spec
        errors: dict[Any, Any] = {}
        rows: list[dict[str, Any]] = []
        min_rows = max(spec.min_rows, 1 if spec.required else 0)
        max_rows = spec.max_rows if spec.max_rows is not None else TABLE_ROW_CEILING
        if len(value) < min_rows:
            errors["_schema"] = [f"至少填写{min_rows}行"]
        elif len(value) > max_rows:
            # Rows beyond the limit are not validated: the applicant has to remove some anyway.
            raise ValidationError(f"最多填写{max_rows}行")
        for index, row in enumerate(value):
            if not isinstance(row, Mapping):
                errors[index] = ["每一行应为对象"]
                continue
            try:
                rows.append(self.row_schema.load(row))
            except ValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise ValidationError(errors)
        return rows

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, list):
            return [self.row_schema.dump(row) for row in value]
        return value

    def _describe(self, out: dict[str, Any], notes: list[str], converter: JsonSchemaConverter) -> None:
        spec = self.spec
        out |= {"type": "array", "items": converter.object(self.row_schema),
                "maxItems": spec.max_rows if spec.max_rows is not None else TABLE_ROW_CEILING}
        min_rows = max(spec.min_rows, 1 if spec.required else 0)
        if min_rows:
            out["minItems"] = min_rows


_FIELD_CLASSES: dict[FieldType, type[FormField]] = {
    FieldType.TEXT: TextField,
    FieldType.TEXTAREA: TextField,
    FieldType.NUMBER: NumberField,
    FieldType.DATE: DateField,
    FieldType.DATE_RANGE: DateRangeField,
    FieldType.CHOICE: ChoiceField,
    FieldType.ADDRESS: AddressField,
    FieldType.ID_NUMBER: IdNumberField,
    FieldType.CREDIT_CODE: CreditCodeField,
    FieldType.MOBILE: MobileField,
    FieldType.BOOLEAN: BooleanField,
    FieldType.TABLE: TableField,
}


# ---------------------------------------------------------------------------------------------------
# The schema


def _controller_value(spec: FieldDef, raw: Any) -> Any:
    """A show_if controller's value as the condition sees it (lenient: invalid input matches nothing)."""
    if spec.type == FieldType.BOOLEAN:
        return False if raw is None else _parse_bool(raw)
    if raw is None:
        return None
    values = _choice_values(raw)
    if values is None:
        return None
    return values if spec.multiple else (values[0] if len(values) == 1 else None)


class SubmissionSchema(Schema):
    """Base of the schemas that :func:`build_submission_schema` generates (one per scope: the form
    and each table's rows). Holds no per-call state, so an instance may be reused."""

    error_messages: dict[str, str] = {"unknown": "不是本表单的字段", "type": "提交的数据应为对象"}  # noqa: RUF012
    form_fields: tuple[FieldDef, ...] = ()

    class Meta:
        unknown = RAISE

    @classmethod
    def visible_names(cls, present: Mapping[str, Any]) -> set[str]:
        """Names of the fields shown for these (non-empty) input values. Raises nothing."""
        visible: set[str] = set()
        for spec in cls.form_fields:
            cond = spec.show_if
            if cond is None:
                visible.add(spec.name)
            elif cond.field in visible:
                controller = next(f for f in cls.form_fields if f.name == cond.field)
                if cond.matches(_controller_value(controller, present.get(cond.field))):
                    visible.add(spec.name)
        return visible

    def json_schema_extra(self) -> dict[str, Any]:
        """JSON Schema of the conditions: a conditionally shown field is required only while its condition
        holds (``if``/``then``). Raises nothing."""
        conditionals = [_conditional(spec, self.form_fields) for spec in self.form_fields
                        if spec.required and spec.show_if]
        return {"allOf": conditionals} if conditionals else {}

    @pre_load
    def _drop_empty_and_hidden(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        present = _strip_empty(data)
        visible = self.visible_names(present)
        names = {f.name for f in self.form_fields}
        return {k: v for k, v in present.items() if k not in names or k in visible}

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _require_shown_fields(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        if not isinstance(original_data, Mapping):
            return
        present = _strip_empty(original_data)
        visible = self.visible_names(present)
        errors = {
            spec.name: [_required_message(spec)]
            for spec in self.form_fields
            if spec.required and spec.show_if is not None and spec.name in visible
            and spec.name not in present
        }
        if errors:
            raise ValidationError(errors)

    @post_load(pass_original=True)
    def _fill_unticked(self, data: dict[str, Any], original_data: Any, **kwargs: Any) -> dict[str, Any]:
        visible = self.visible_names(_strip_empty(original_data))
        out: dict[str, Any] = {}
        for spec in self.form_fields:
            if spec.name in data:
                out[spec.name] = data[spec.name]
            elif spec.type == FieldType.BOOLEAN and spec.name in visible:
                out[spec.name] = False
        return out


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


def _schema_class(fields: Sequence[FieldDef], context: SubmissionContext,
                  name: str) -> type[SubmissionSchema]:
    fields = [spec for spec in fields if spec.type != FieldType.SECTION]  # headings take no input
    declared = {spec.name: _FIELD_CLASSES[spec.type](spec, context) for spec in fields}
    cls = SubmissionSchema.from_dict(declared, name=name)  # type: ignore[arg-type]
    cls.form_fields = tuple(fields)  # type: ignore[attr-defined]
    return cls  # type: ignore[return-value]


def build_submission_schema(definition: FormDefinition, *, context: SubmissionContext) -> SubmissionSchema:
    """A marshmallow schema for submissions of ``definition``.

    ``load`` returns cleaned values or raises marshmallow's ValidationError (nested messages; use
    :func:`validate_submission` for flat paths). ``dump`` gives the JSON-safe form. Raises nothing itself.
    """
    return _schema_class(definition.fields, context, "SubmissionSchema")()


def submission_json_schema(definition: FormDefinition) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a submission of ``definition``, for the API documentation.

    It is documentation: the server-side validation is authoritative (check digits, the town's village
    list and ``"today"`` bounds depend on context and are only described in ``description``). Raises nothing.
    """
    # The schema does not depend on the day or the town: "today" bounds and villages are only described.
    schema = build_submission_schema(definition, context=SubmissionContext(today=dt.date.min))
    out = JsonSchemaConverter().object(schema)
    out["$schema"] = DIALECT
    out["title"] = definition.title
    notes = [definition.description] if definition.description else []
    # The rules are checked by the server only; JSON Schema states them in words.
    notes += [f"{rule.message}（{'当 ' + rule.when + ' 时，' if rule.when else ''}须满足 {rule.check}）"
              for rule in definition.rules]
    if notes:
        out["description"] = "\n".join(notes)
    return out


def validate_submission(definition: FormDefinition, data: Mapping[str, Any] | MultiDictLike, *,
                        context: SubmissionContext) -> dict[str, Any]:
    """Validate a submission and return the cleaned values.

    ``data`` is either JSON (a dict with typed values) or a flat HTML post (anything with ``getlist``,
    such as werkzeug's MultiDict), which is parsed with :func:`parse_html_form` first.

    Raises ValidationFailed whose ``details`` maps every failing path (``applicant_id``,
    ``members[2].id_number``, ``_schema`` for the whole submission) to a Chinese message.
    """
    if hasattr(data, "getlist"):
        data = parse_html_form(definition, data)
    schema = build_submission_schema(definition, context=context)
    try:
        clean = schema.load(data)
    except ValidationError as err:
        details = flatten_errors(err.messages)
        # The rules whose fields are valid are checked too, so that every problem shows at once.
        valid = err.valid_data if isinstance(err.valid_data, Mapping) else {}
        for path, message in rule_failures(definition, valid, today=context.today).items():
            details[path] = f"{details[path]}；{message}" if path in details else message
        raise ValidationFailed("填写的内容有误，请按提示修改", details=details) from None
    failures = rule_failures(definition, clean, today=context.today)
    if failures:
        raise ValidationFailed("填写的内容不符合办理条件，请按提示修改", details=failures)
    return clean


def rule_failures(definition: FormDefinition, clean: Mapping[str, Any], *, today: dt.date) -> dict[str, str]:
    """The definition's rules that the cleaned values break, as ``{field: message}`` (``_schema`` for a rule
    without a field; several messages at one field are joined). A rule whose fields are empty does not
    apply; one that cannot be computed (a division by zero, a number out of range) is broken.
    Raises nothing."""
    env = Environment(clean, today)
    out: dict[str, list[str]] = {}
    for rule in definition.rules:
        try:
            if rule.when_node is not None and not holds(rule.when_node, env):
                continue
            ok = holds(rule.check_node, env) is not False
        except RuleEvaluationError:
            ok = False
        if not ok:
            bucket = out.setdefault(rule.field or "_schema", [])
            if rule.message not in bucket:
                bucket.append(rule.message)
    return {path: "；".join(messages) for path, messages in out.items()}


def dump_submission(definition: FormDefinition, values: Mapping[str, Any] | MultiDictLike, *,
                    context: SubmissionContext | None = None) -> dict[str, Any]:
    """The JSON-safe form of a submission (dates as ISO strings, decimals as strings), to store.

    Without ``context``, ``values`` must already be cleaned (the result of :func:`validate_submission`).
    With ``context``, ``values`` is raw input that is validated first, so hidden fields and unparsed
    strings can never reach storage. Raises ValidationFailed (only when validating).
    """
    if context is not None:
        values = validate_submission(definition, values, context=context)
    # Dumping needs neither today nor the village list.
    schema = build_submission_schema(definition, context=context or SubmissionContext(today=dt.date.min))
    return schema.dump(values)


# ---------------------------------------------------------------------------------------------------
# Flat HTML forms


def html_input_name(prefix: str, spec: FieldDef, suffix: str | None = None) -> str:
    """The ``name`` attribute the HTML form uses (``members-0-id_number``, ``period_start``).

    Raises nothing.
    """
    return f"{prefix}{spec.name}" + (f"_{suffix}" if suffix else "")


def _getlist(form: Any, key: str) -> list[Any]:
    if hasattr(form, "getlist"):
        return list(form.getlist(key))
    value = form.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _first(form: Any, key: str) -> Any:
    values = _getlist(form, key)
    return values[0] if values else None


def parse_html_form(definition: FormDefinition, form: MultiDictLike | Mapping[str, Any]) -> dict[str, Any]:
    """Turn a flat HTML post into the JSON shape that :func:`validate_submission` takes.

    Values are kept exactly as typed so that the page can show them again next to the errors. Table
    rows come from ``<table>-<i>-<column>`` inputs; wholly empty rows (the spare rows the page offers)
    are dropped and the rest renumbered from 0, so error paths match the redisplayed rows. Inputs that
    the definition does not name (CSRF token, buttons) are ignored. Raises nothing.
    """
    return _parse_scope(definition.fields, form, "")


def _parse_scope(fields: Sequence[FieldDef], form: Any, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields:
        if spec.type == FieldType.SECTION:
            continue
        if spec.type in COMPOUND_SUFFIXES:
            parts = {s: _first(form, html_input_name(prefix, spec, s)) for s in COMPOUND_SUFFIXES[spec.type]}
            if any(v is not None for v in parts.values()):
                out[spec.name] = {k: ("" if v is None else v) for k, v in parts.items()}
        elif spec.type == FieldType.TABLE:
            rows = _parse_rows(spec, form, html_input_name(prefix, spec))
            if rows:
                out[spec.name] = rows
        elif spec.type == FieldType.CHOICE and spec.multiple:
            values = _getlist(form, html_input_name(prefix, spec))
            if values:
                out[spec.name] = values
        else:
            value = _first(form, html_input_name(prefix, spec))
            if value is not None:
                out[spec.name] = value
    return out


def _parse_rows(spec: FieldDef, form: Any, table_name: str) -> list[dict[str, Any]]:
    pattern = re.compile(rf"^{re.escape(table_name)}-(\d{{1,4}})-")
    indices = sorted({int(m[1]) for key in form if (m := pattern.match(key))})
    rows = []
    for index in indices:
        row = _parse_scope(spec.fields, form, f"{table_name}-{index}-")
        if not _is_empty(row):
            rows.append(row)
    return rows


__all__ = [
    "CHECK_REQUIRED",
    "REQUIRED",
    "SubmissionContext",
    "SubmissionSchema",
    "build_submission_schema",
    "dump_submission",
    "html_input_name",
    "parse_html_form",
    "rule_failures",
    "validate_submission",
]
