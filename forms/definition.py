"""Form definitions: the data that describes one application-type item's form.

A definition is JSON (``format_version`` 1), stored per item and versioned like the power list. It is
loaded into frozen dataclasses through :class:`FormDefinitionSchema`, which rejects a malformed
definition whole with every problem located (``fields[3].options: 选择题至少需要一个选项``).

Format (keys not listed are rejected)::

    {"format_version": 1, "title": "…", "description": "…",
     "fields": [{"name": "applicant_id", "label": "申请人身份证号码", "type": "id_number",
                 "required": true, "help": "…", "show_if": {"field": "kind", "equals": "person"}}, …],
     "materials": [{"code": "M01", "name": "居民身份证", "required": true, "deferrable": false,
                    "accept": ["application/pdf", "image/jpeg"], "max_bytes": 10485760}]}

Type-specific field keys: ``text``: max_length, pattern {regex, message}; ``textarea``: max_length;
``number``: min, max, integer, decimal_places, unit; ``date``: min, max (``YYYY-MM-DD`` or
``"today"``); ``date_range``: min, max, max_span_days; ``choice``: options [{value, label}], multiple;
``address``: max_length (of the detail line); ``table``: fields, min_rows, max_rows. ``id_number``,
``credit_code``, ``mobile`` and ``boolean`` take only the common keys. ``show_if`` may only refer to an
earlier ``choice`` or ``boolean`` field of the same scope (the form, or the same table row).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, post_dump, post_load, validate, validates_schema
from marshmallow import fields as ma

from forms._errors import collect_messages, join_messages
from forms.validators import InvalidValue
from service_hall.core.errors import ValidationFailed

FORMAT_VERSION = 1
TODAY = "today"

DEFAULT_ACCEPT: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Hard ceiling for one uploaded material, whatever a definition says.
MAX_MATERIAL_BYTES = 50 * 1024 * 1024


class FieldType(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    DATE_RANGE = "date_range"
    CHOICE = "choice"
    ADDRESS = "address"
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    MOBILE = "mobile"
    BOOLEAN = "boolean"
    TABLE = "table"


TYPE_LABELS: dict[FieldType, str] = {
    FieldType.TEXT: "文本",
    FieldType.TEXTAREA: "多行文本",
    FieldType.NUMBER: "数字",
    FieldType.DATE: "日期",
    FieldType.DATE_RANGE: "日期区间",
    FieldType.CHOICE: "选择",
    FieldType.ADDRESS: "地址",
    FieldType.ID_NUMBER: "身份证号码",
    FieldType.CREDIT_CODE: "统一社会信用代码",
    FieldType.MOBILE: "手机号码",
    FieldType.BOOLEAN: "勾选",
    FieldType.TABLE: "表格",
}

_COMMON_KEYS = frozenset({"name", "label", "type", "required", "help", "show_if"})
_TYPE_KEYS: dict[FieldType, frozenset[str]] = {
    FieldType.TEXT: frozenset({"max_length", "pattern"}),
    FieldType.TEXTAREA: frozenset({"max_length"}),
    FieldType.NUMBER: frozenset({"min", "max", "integer", "decimal_places", "unit"}),
    FieldType.DATE: frozenset({"min", "max"}),
    FieldType.DATE_RANGE: frozenset({"min", "max", "max_span_days"}),
    FieldType.CHOICE: frozenset({"options", "multiple"}),
    FieldType.ADDRESS: frozenset({"max_length"}),
    FieldType.ID_NUMBER: frozenset(),
    FieldType.CREDIT_CODE: frozenset(),
    FieldType.MOBILE: frozenset(),
    FieldType.BOOLEAN: frozenset(),
    FieldType.TABLE: frozenset({"fields", "min_rows", "max_rows"}),
}
# Applied when a definition sets no max_length, so that no free-text input is unbounded.
DEFAULT_MAX_LENGTH: dict[FieldType, int] = {
    FieldType.TEXT: 200,
    FieldType.TEXTAREA: 2000,
    FieldType.ADDRESS: 100,
}
# HTML forms post a date range and an address as several inputs named ``<name>_<suffix>``.
COMPOUND_SUFFIXES: dict[FieldType, tuple[str, ...]] = {
    FieldType.DATE_RANGE: ("start", "end"),
    FieldType.ADDRESS: ("village", "detail"),
}

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MATERIAL_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_CONTENT_TYPE_RE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---------------------------------------------------------------------------------------------------
# Dataclasses


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class ShowIf:
    """Display condition: the field shows when ``field`` equals ``equals`` or is one of ``in_``.

    For a multiple choice controller the condition holds when any selected value matches.
    """

    field: str
    equals: str | bool | None = None
    in_: tuple[str | bool, ...] | None = None

    def matches(self, value: Any) -> bool:
        """Whether the controller's cleaned ``value`` satisfies the condition. Raises nothing."""
        wanted: tuple[Any, ...] = self.in_ if self.in_ is not None else (self.equals,)
        if isinstance(value, (list, tuple)):
            return any(_same(v, w) for v in value for w in wanted)
        return any(_same(value, w) for w in wanted)


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; a boolean condition must not match a choice value or vice versa.
    return type(a) is type(b) and a == b


@dataclass(frozen=True)
class Pattern:
    regex: str
    message: str

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.regex, value) is not None


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: FieldType
    required: bool = False
    help: str | None = None
    show_if: ShowIf | None = None
    max_length: int | None = None
    pattern: Pattern | None = None
    # number: Decimal; date / date_range: dt.date or the string "today".
    min: Decimal | dt.date | str | None = None
    max: Decimal | dt.date | str | None = None
    integer: bool = False
    decimal_places: int | None = None
    unit: str | None = None
    max_span_days: int | None = None
    options: tuple[Option, ...] = ()
    multiple: bool = False
    fields: tuple[FieldDef, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None

    @property
    def length_limit(self) -> int | None:
        """The effective maximum length in characters (definition value or the type's default)."""
        return self.max_length if self.max_length is not None else DEFAULT_MAX_LENGTH.get(self.type)

    def option_label(self, value: Any) -> str:
        """The label of a choice option (the value itself when unknown). Raises nothing."""
        for option in self.options:
            if option.value == value:
                return option.label
        return str(value)

    def subfield(self, name: str) -> FieldDef:
        """A table column by name. Raises KeyError."""
        return _by_name(self.fields, name)

    def condition_note(self, sub: FieldDef) -> str | None:
        """「仅当…时填写」 for a table column with ``show_if`` (None when it always shows). Raises nothing."""
        return _condition_note(sub, self.fields)


@dataclass(frozen=True)
class Material:
    """A material (申请材料) the item's guide asks for; uploads are checked against it."""

    code: str
    name: str
    required: bool = True
    # 容缺: intake may proceed without it against the applicant's signed pledge.
    deferrable: bool = False
    accept: tuple[str, ...] = DEFAULT_ACCEPT
    max_bytes: int = DEFAULT_MAX_BYTES
    help: str | None = None

    def check_file(self, content_type: str, size: int) -> None:
        """Check an upload whose type was detected from its content (not its file name).

        Raises InvalidValue with a user-facing message.
        """
        if content_type not in self.accept:
            raise InvalidValue(f"「{self.name}」只接受{_accept_labels(self.accept)}格式的文件")
        if size <= 0:
            raise InvalidValue(f"「{self.name}」的文件为空")
        if size > self.max_bytes:
            raise InvalidValue(f"「{self.name}」的文件不能超过{_format_bytes(self.max_bytes)}")


_CONTENT_TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "application/ofd": "OFD",
}


def _accept_labels(accept: Sequence[str]) -> str:
    return "、".join(_CONTENT_TYPE_LABELS.get(t, t) for t in accept)


def _format_bytes(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)}MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024}KB"
    return f"{n}字节"


@dataclass(frozen=True)
class FormDefinition:
    title: str
    fields: tuple[FieldDef, ...]
    materials: tuple[Material, ...] = ()
    description: str | None = None
    format_version: int = FORMAT_VERSION

    def field(self, name: str) -> FieldDef:
        """A top-level field by name. Raises KeyError."""
        return _by_name(self.fields, name)

    def material(self, code: str) -> Material:
        """A material by code. Raises KeyError."""
        for material in self.materials:
            if material.code == code:
                return material
        raise KeyError(code)

    def condition_note(self, field: FieldDef) -> str | None:
        """「仅当…时填写」 for a top-level field with ``show_if`` (None when it always shows).

        Raises nothing.
        """
        return _condition_note(field, self.fields)


def _by_name(fields: Sequence[FieldDef], name: str) -> FieldDef:
    for f in fields:
        if f.name == name:
            return f
    raise KeyError(name)


def _condition_note(field: FieldDef, siblings: Sequence[FieldDef]) -> str | None:
    cond = field.show_if
    if cond is None:
        return None
    try:
        controller = _by_name(siblings, cond.field)
    except KeyError:
        return None
    wanted = cond.in_ if cond.in_ is not None else (cond.equals,)
    if controller.type == FieldType.BOOLEAN:
        if all(w is True for w in wanted):
            return f"仅当勾选「{controller.label}」时填写"
        if all(w is False for w in wanted):
            return f"仅当未勾选「{controller.label}」时填写"
        return None  # true or false: always shown
    labels = "或".join(f"「{controller.option_label(w)}」" for w in wanted)
    verb = "包括" if controller.multiple else "为"
    return f"仅当「{controller.label}」{verb}{labels}时填写"


# ---------------------------------------------------------------------------------------------------
# marshmallow schemas (structure); semantic checks follow below


def _msgs(invalid: str) -> dict[str, str]:
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
    error_messages: ClassVar[dict[str, str]] = {"unknown": "不支持的属性", "type": "应为对象"}

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
    fields = _list(_nested(lambda: FieldSchema()))
    min_rows = _integer(0, 1000)
    max_rows = _integer(1, 1000)

    @post_dump
    def _drop_inapplicable(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # A FieldDef carries every attribute; the JSON keeps only those its type accepts.
        allowed = _COMMON_KEYS | _TYPE_KEYS.get(FieldType(data["type"]), frozenset())
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


class FormDefinitionSchema(_DefinitionPart):
    """The JSON format of a form definition; ``load`` returns a :class:`FormDefinition`.

    Structural errors come from the fields below; cross-field rules (unique names, show_if targets,
    type-specific keys) from :func:`_semantic_errors`. Both are reported together.
    """

    format_version = ma.Integer(strict=True, required=True, error_messages=_msgs("应为整数"),
                                validate=validate.Equal(FORMAT_VERSION, error="不支持的格式版本，当前为 1"))
    title = _string(required=True, validate=validate.Length(min=1, max=100, error="应为1到100个字符"))
    description = _string(validate=validate.Length(max=2000, error="不能超过2000个字符"))
    fields = _list(_nested(FieldSchema), required=True)
    materials = _list(_nested(MaterialSchema), load_default=list)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _check_semantics(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        errors = _semantic_errors(original_data)
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
        )


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
        min=_parse_bound(ftype, d.get("min")),
        max=_parse_bound(ftype, d.get("max")),
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


def _parse_bound(ftype: FieldType, value: Any) -> Decimal | dt.date | str | None:
    """A ``min``/``max`` value for ``ftype``. Raises ValueError when it does not fit the type."""
    if value is None:
        return None
    if ftype == FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("应为数字")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("应为数字") from None
        if not number.is_finite():
            raise ValueError("应为数字")
        return number
    if value == TODAY:
        return TODAY
    if not isinstance(value, str) or not _ISO_DATE_RE.match(value):
        raise ValueError("应为YYYY-MM-DD格式的日期或 today")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("应为YYYY-MM-DD格式的日期或 today") from None


# ---------------------------------------------------------------------------------------------------
# Semantic checks on the raw definition. They read the input defensively: a value with the wrong
# structure has already been reported by the schema and is skipped here.


class _Errors:
    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        bucket = self.by_path.setdefault(path, [])
        if message not in bucket:
            bucket.append(message)


def _semantic_errors(raw: Any) -> dict[str, list[str]]:
    errors = _Errors()
    if not isinstance(raw, Mapping):
        return errors.by_path
    fields = raw.get("fields")
    if isinstance(fields, list):
        _check_scope(fields, "fields", errors, in_table=False)
    materials = raw.get("materials")
    if isinstance(materials, list):
        _check_materials(materials, errors)
    return errors.by_path


def _field_type(raw: Mapping[str, Any]) -> FieldType | None:
    try:
        return FieldType(raw.get("type"))
    except ValueError:
        return None


def _check_scope(items: list[Any], prefix: str, errors: _Errors, *, in_table: bool) -> None:
    if not items:
        errors.add(prefix, "表格至少需要一列" if in_table else "表单至少需要一个字段")
    entries = [(i, f) for i, f in enumerate(items) if isinstance(f, Mapping)]
    all_names = {f.get("name") for _, f in entries if isinstance(f.get("name"), str)}
    # Derived HTML input names (period_start, site_village …) must not clash with real fields.
    derived: dict[str, str] = {}
    for _, f in entries:
        ftype = _field_type(f)
        if ftype in COMPOUND_SUFFIXES and isinstance(f.get("name"), str):
            for suffix in COMPOUND_SUFFIXES[ftype]:
                derived[f"{f['name']}_{suffix}"] = f["name"]
    seen: dict[str, int] = {}
    earlier: dict[str, Mapping[str, Any]] = {}
    for i, f in entries:
        path = f"{prefix}[{i}]"
        name = f.get("name")
        ftype = _field_type(f)
        if isinstance(name, str):
            if not _NAME_RE.match(name):
                errors.add(f"{path}.name",
                           "字段名只能由小写字母、数字和下划线组成，以字母开头，不超过40个字符")
            elif name in seen:
                errors.add(f"{path}.name", f"字段名「{name}」与 {prefix}[{seen[name]}] 重复")
            elif name in derived:
                errors.add(f"{path}.name", f"字段名「{name}」与「{derived[name]}」字段的输入项重名")
        if ftype is not None:
            _check_field(f, ftype, path, errors, in_table=in_table)
        show_if = f.get("show_if")
        if isinstance(show_if, Mapping):
            _check_show_if(show_if, f"{path}.show_if", name, earlier, all_names, errors)
        if isinstance(name, str) and name not in seen:
            seen[name] = i
            earlier[name] = f


def _check_field(f: Mapping[str, Any], ftype: FieldType, path: str, errors: _Errors, *,
                 in_table: bool) -> None:
    allowed = _COMMON_KEYS | _TYPE_KEYS[ftype]
    known = _COMMON_KEYS.union(*_TYPE_KEYS.values())
    for key in f:
        if key in known and key not in allowed:
            errors.add(f"{path}.{key}", f"{TYPE_LABELS[ftype]}字段不支持该属性")

    if ftype == FieldType.CHOICE:
        options = f.get("options")
        if not options:
            errors.add(f"{path}.options", "选择题至少需要一个选项")
        elif isinstance(options, list):
            values_seen: set[str] = set()
            for j, option in enumerate(options):
                value = option.get("value") if isinstance(option, Mapping) else None
                if isinstance(value, str):
                    if value in values_seen:
                        errors.add(f"{path}.options[{j}].value", f"选项值「{value}」重复")
                    values_seen.add(value)

    if ftype in (FieldType.NUMBER, FieldType.DATE, FieldType.DATE_RANGE):
        bounds: dict[str, Any] = {}
        for key in ("min", "max"):
            if f.get(key) is not None:
                try:
                    bounds[key] = _parse_bound(ftype, f[key])
                except ValueError as exc:
                    errors.add(f"{path}.{key}", str(exc))
        lo, hi = bounds.get("min"), bounds.get("max")
        if lo is not None and hi is not None and lo != TODAY and hi != TODAY and lo > hi:
            errors.add(f"{path}.min", "最小值不能大于最大值" if ftype == FieldType.NUMBER
                       else "最早日期不能晚于最晚日期")

    if ftype == FieldType.NUMBER and f.get("integer") is True and f.get("decimal_places"):
        errors.add(f"{path}.decimal_places", "整数字段不能设置小数位数")

    pattern = f.get("pattern")
    if ftype == FieldType.TEXT and isinstance(pattern, Mapping) and isinstance(pattern.get("regex"), str):
        try:
            re.compile(pattern["regex"])
        except re.error as exc:
            errors.add(f"{path}.pattern.regex", f"正则表达式无效：{exc}")

    if ftype == FieldType.TABLE:
        if in_table:
            errors.add(f"{path}.type", "表格内不能再嵌套表格")
        sub = f.get("fields")
        if sub is None:
            errors.add(f"{path}.fields", "表格至少需要一列")
        elif isinstance(sub, list):
            _check_scope(sub, f"{path}.fields", errors, in_table=True)
        lo, hi = f.get("min_rows"), f.get("max_rows")
        if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            errors.add(f"{path}.min_rows", "最少行数不能大于最多行数")


def _check_show_if(show_if: Mapping[str, Any], path: str, own_name: Any,
                   earlier: Mapping[str, Mapping[str, Any]], all_names: set[Any], errors: _Errors) -> None:
    has_equals, has_in = "equals" in show_if, "in" in show_if
    if has_equals == has_in:
        errors.add(path, "equals 与 in 须设置且只能设置其一")
    if has_in and not (isinstance(show_if["in"], list) and show_if["in"]):
        errors.add(f"{path}.in", "至少需要一个值")
    target = show_if.get("field")
    if not isinstance(target, str):
        return
    if target not in earlier:
        if target == own_name:
            errors.add(f"{path}.field", "不能引用字段自身")
        elif target in all_names:
            errors.add(f"{path}.field", f"只能引用排在前面的字段，「{target}」在本字段之后")
        else:
            errors.add(f"{path}.field", f"引用了不存在的字段「{target}」")
        return
    controller = earlier[target]
    ctype = _field_type(controller)
    if ctype not in (FieldType.CHOICE, FieldType.BOOLEAN):
        errors.add(f"{path}.field", "只能依据选择题或勾选项显示")
        return
    wanted: list[Any] = []
    if has_equals:
        wanted.append(show_if["equals"])
    if has_in and isinstance(show_if["in"], list):
        wanted.extend(show_if["in"])
    key = "equals" if has_equals else "in"
    if ctype == FieldType.BOOLEAN:
        if any(not isinstance(w, bool) for w in wanted):
            errors.add(f"{path}.{key}", "勾选项的条件值应为 true 或 false")
        return
    options = controller.get("options")
    values = {o.get("value") for o in options if isinstance(o, Mapping)} if isinstance(options, list) \
        else set()
    for w in wanted:
        if not isinstance(w, str) or w not in values:
            errors.add(f"{path}.{key}", f"「{target}」没有选项值「{w}」")


def _check_materials(items: list[Any], errors: _Errors) -> None:
    seen: dict[str, int] = {}
    for i, m in enumerate(items):
        if not isinstance(m, Mapping):
            continue
        path = f"materials[{i}]"
        code = m.get("code")
        if isinstance(code, str):
            if not _MATERIAL_CODE_RE.match(code):
                errors.add(f"{path}.code", "材料编码只能由字母、数字、下划线和连字符组成，不超过32个字符")
            elif code in seen:
                errors.add(f"{path}.code", f"材料编码「{code}」与 materials[{seen[code]}] 重复")
            else:
                seen[code] = i
        if m.get("deferrable") is True and m.get("required") is False:
            errors.add(f"{path}.deferrable", "非必要材料无需设置容缺")
        accept = m.get("accept")
        if isinstance(accept, list):
            for j, ctype in enumerate(accept):
                if isinstance(ctype, str) and not _CONTENT_TYPE_RE.match(ctype):
                    errors.add(f"{path}.accept[{j}]", f"「{ctype}」不是有效的文件类型（如 application/pdf）")


# ---------------------------------------------------------------------------------------------------
# Public entry points


def load_form_definition(data: Any) -> FormDefinition:
    """Load and check a definition in the JSON format.

    Raises ValidationFailed whose ``details`` maps each location (``fields[3].options``,
    ``materials[0].code`` …) to a Chinese message; every problem is reported at once.
    """
    try:
        loaded = FormDefinitionSchema().load(data)
    except ValidationError as err:
        details = join_messages(collect_messages(err.messages))
        raise ValidationFailed("表单定义有误", details=details) from None
    assert isinstance(loaded, FormDefinition)
    return loaded


def dump_form_definition(definition: FormDefinition) -> dict[str, Any]:
    """The JSON form of a definition; ``load_form_definition`` of the result gives it back unchanged.

    Raises nothing.
    """
    return FormDefinitionSchema().dump(definition)


__all__ = [
    "DEFAULT_ACCEPT",
    "DEFAULT_MAX_BYTES",
    "FORMAT_VERSION",
    "TODAY",
    "FieldDef",
    "FieldType",
    "FormDefinition",
    "FormDefinitionSchema",
    "Material",
    "Option",
    "Pattern",
    "ShowIf",
    "dump_form_definition",
    "load_form_definition",
]
