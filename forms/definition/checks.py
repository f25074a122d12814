"""The rules of a form definition that span fields (unique names, ``show_if`` targets, the keys each
type takes, bounds, materials), checked on the raw definition. They read the input defensively: a value
with the wrong structure has already been reported by the schema and is skipped here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forms.definition.model import (
    COMMON_KEYS,
    COMPOUND_SUFFIXES,
    TODAY,
    TYPE_KEYS,
    TYPE_LABELS,
    FieldType,
    parse_bound,
)
from forms.definition.rules import (
    ADDRESS,
    BOOLEAN,
    DATE,
    MAX_EXPRESSION_LENGTH,
    NUMBER,
    RANGE,
    TABLE,
    TEXT,
    FieldType_,
    RuleSyntaxError,
    check_rule_expression,
    list_of,
)

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MATERIAL_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_CONTENT_TYPE_RE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")


class _Errors:
    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        bucket = self.by_path.setdefault(path, [])
        if message not in bucket:
            bucket.append(message)


def semantic_errors(raw: Any) -> dict[str, list[str]]:
    """Every cross-field problem of a raw definition, by location (``fields[2].show_if.field`` …).

    Raises nothing: a malformed part is skipped (the schema reports it).
    """
    errors = _Errors()
    if not isinstance(raw, Mapping):
        return errors.by_path
    fields = raw.get("fields")
    if isinstance(fields, list):
        _check_scope(fields, "fields", errors, in_table=False)
    materials = raw.get("materials")
    if isinstance(materials, list):
        _check_materials(materials, errors)
    rules = raw.get("rules")
    if isinstance(rules, list):
        _check_rules(rules, fields if isinstance(fields, list) else [], errors)
    return errors.by_path


def _field_type(raw: Mapping[str, Any]) -> FieldType | None:
    try:
        return FieldType(str(raw.get("type")))
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
    allowed = COMMON_KEYS | TYPE_KEYS[ftype]
    known = COMMON_KEYS.union(*TYPE_KEYS.values())
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
                    bounds[key] = parse_bound(ftype, f[key])
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

    if ftype == FieldType.SECTION:
        if in_table:
            errors.add(f"{path}.type", "表格内不能使用分节标题")
        if f.get("required") is True:
            errors.add(f"{path}.required", "分节标题不接受填写，不能设为必填")

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
    if ctype not in (FieldType.CHOICE, FieldType.BOOLEAN):  # a section heading takes no input either
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



# The type each field has in the rule language (see forms.definition.rules).
_EXPRESSION_TYPES: dict[FieldType, str] = {
    FieldType.TEXT: TEXT, FieldType.TEXTAREA: TEXT, FieldType.ID_NUMBER: TEXT, FieldType.CREDIT_CODE: TEXT,
    FieldType.MOBILE: TEXT, FieldType.NUMBER: NUMBER, FieldType.DATE: DATE, FieldType.BOOLEAN: BOOLEAN,
    FieldType.DATE_RANGE: RANGE, FieldType.ADDRESS: ADDRESS, FieldType.TABLE: TABLE,
}


def _expression_type(f: Mapping[str, Any], ftype: FieldType) -> FieldType_:
    label = str(f.get("label") or f.get("name"))
    if ftype == FieldType.CHOICE:
        return FieldType_(list_of(TEXT) if f.get("multiple") is True else TEXT, label)
    if ftype == FieldType.DATE_RANGE:
        return FieldType_(RANGE, label, {"start": DATE, "end": DATE})
    if ftype == FieldType.ADDRESS:
        return FieldType_(ADDRESS, label, {"village": TEXT, "detail": TEXT})
    if ftype == FieldType.TABLE:
        columns: dict[str, str] = {}
        for sub in f.get("fields") or []:
            sub_type = _field_type(sub) if isinstance(sub, Mapping) else None
            if sub_type is not None and isinstance(sub.get("name"), str) and sub_type != FieldType.TABLE:
                columns[sub["name"]] = _expression_type(sub, sub_type).type
        return FieldType_(TABLE, label, columns)
    return FieldType_(_EXPRESSION_TYPES[ftype], label)


def rule_scope(fields: list[Any]) -> dict[str, FieldType_]:
    """The fields a rule may name (top-level fields that take input), with their types. Raises nothing."""
    scope: dict[str, FieldType_] = {}
    for f in fields:
        if not isinstance(f, Mapping) or not isinstance(f.get("name"), str):
            continue
        ftype = _field_type(f)
        if ftype is None or ftype == FieldType.SECTION or f["name"] in scope:
            continue
        scope[f["name"]] = _expression_type(f, ftype)
    return scope


def _check_rules(rules: list[Any], fields: list[Any], errors: _Errors) -> None:
    scope = rule_scope(fields)
    for i, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        path = f"rules[{i}]"
        target = rule.get("field")
        if isinstance(target, str) and target not in scope:
            errors.add(f"{path}.field", f"引用了不存在的字段「{target}」")
        for key in ("when", "check"):
            text = rule.get(key)
            if not isinstance(text, str) or not text or len(text) > MAX_EXPRESSION_LENGTH:
                continue  # the schema reports it
            try:
                check_rule_expression(text, scope)
            except RuleSyntaxError as exc:
                errors.add(f"{path}.{key}", exc.located)
