"""The parts of a form definition as frozen dataclasses, and the words of the format: field types, which
keys each type takes, the defaults. See :mod:`forms.definition` for the JSON format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from forms.validators import InvalidValue

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
    # A heading that groups the fields after it (分节); it takes no input.
    SECTION = "section"


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
    FieldType.SECTION: "分节标题",
}

COMMON_KEYS = frozenset({"name", "label", "type", "required", "help", "show_if"})
TYPE_KEYS: dict[FieldType, frozenset[str]] = {
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
    FieldType.SECTION: frozenset(),
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
class Rule:
    """An eligibility or cross-field rule (see :mod:`forms.definition.rules`): when ``when`` holds (or
    there is none), ``check`` must hold, else ``message`` is shown at ``field`` (the whole form when None).
    """

    check: str
    message: str
    field: str | None = None
    when: str | None = None
    # The parsed expressions (built when the definition is loaded, so they always parse).
    check_node: Any = dataclasses.field(default=None, compare=False, repr=False)
    when_node: Any = dataclasses.field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class FormDefinition:
    title: str
    fields: tuple[FieldDef, ...]
    materials: tuple[Material, ...] = ()
    description: str | None = None
    format_version: int = FORMAT_VERSION
    rules: tuple[Rule, ...] = ()

    @property
    def input_fields(self) -> tuple[FieldDef, ...]:
        """The top-level fields that take input (every field but section headings)."""
        return tuple(f for f in self.fields if f.type != FieldType.SECTION)

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


def parse_bound(ftype: FieldType, value: Any) -> Decimal | dt.date | str | None:
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
