"""Editing a form definition one step at a time, as the form designer does: add, change, move and remove
fields (and table columns) and rules. Every operation takes the raw JSON definition and returns a new
one; nothing here checks the result — :func:`forms.definition.load_form_definition` does, and reports
each problem at its place (``fields[3].show_if.field``) so that the page can show it next to the input.

A field is addressed by its position: ``"3"`` is the fourth field of the form, ``"3.1"`` the second
column of that table. See docs/forms.md, "The designer".
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from forms.definition.model import COMMON_KEYS, TYPE_KEYS, FieldType
from service_hall.core.errors import NotFound, ValidationFailed

# The inputs of the field form, by the definition key they fill (type-specific ones only where they apply).
_INT_KEYS = ("max_length", "decimal_places", "max_span_days", "min_rows", "max_rows")
_FLAG_KEYS = ("required", "integer", "multiple")
_TRUE_WORDS = {"true", "是", "勾选", "1", "yes"}
_FALSE_WORDS = {"false", "否", "未勾选", "0", "no"}


def _path_parts(path: str) -> list[int]:
    if not re.fullmatch(r"\d{1,3}(\.\d{1,3})?", path or ""):
        raise NotFound("未找到该字段")
    return [int(p) for p in path.split(".")]


def _container(raw: dict[str, Any], path: str) -> tuple[list[Any], int]:
    """The list holding the field at ``path`` and its index there. Raises NotFound."""
    parts = _path_parts(path)
    fields = raw.get("fields")
    if not isinstance(fields, list):
        raise NotFound("未找到该字段")
    if len(parts) == 2:
        if parts[0] >= len(fields) or not isinstance(fields[parts[0]], dict) \
                or not isinstance(fields[parts[0]].get("fields"), list):
            raise NotFound("未找到该字段")
        fields = fields[parts[0]]["fields"]
    if parts[-1] >= len(fields):
        raise NotFound("未找到该字段")
    return fields, parts[-1]


def error_prefix(path: str) -> str:
    """The location prefix of the field at ``path`` in definition errors (``fields[3].fields[1]``)."""
    parts = _path_parts(path)
    return "".join(f"{'.' if i else ''}fields[{p}]" for i, p in enumerate(parts))


def get_field(raw: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A copy of the field at ``path``. Raises NotFound."""
    fields, index = _container(copy.deepcopy(dict(raw)), path)
    return dict(fields[index])


def _starter(ftype: FieldType, name: str, label: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "label": label, "type": ftype.value}
    if ftype == FieldType.CHOICE:
        field["options"] = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
    if ftype == FieldType.TABLE:
        field["fields"] = [{"name": "content", "label": "内容", "type": "text"}]
    return field


def add_field(raw: Mapping[str, Any], *, ftype: str, name: str, label: str, table: str | None = None,
              position: int | None = None) -> tuple[dict[str, Any], str]:
    """Insert a new field (a column of the table at ``table`` when given) at ``position`` (the end by
    default); returns the new definition and the new field's path. Raises ValidationFailed (unknown type,
    no name or label) and NotFound (no such table)."""
    errors = {}
    try:
        kind = FieldType(ftype)
    except ValueError:
        kind = None
        errors["type"] = "请选择字段类型"
    if not name.strip():
        errors["name"] = "请填写字段名"
    if not label.strip():
        errors["label"] = "请填写显示名称"
    if errors or kind is None:
        raise ValidationFailed("新字段有误，请按提示修改", details=errors)
    out = copy.deepcopy(dict(raw))
    fields = out.setdefault("fields", [])
    prefix = ""
    if table is not None:
        container, index = _container(out, table)
        target = container[index]
        if not isinstance(target.get("fields"), list):
            raise NotFound("未找到该表格")
        fields, prefix = target["fields"], f"{index}."
    at = len(fields) if position is None else max(0, min(position, len(fields)))
    fields.insert(at, _starter(kind, name.strip(), label.strip()))
    return out, f"{prefix}{at}"


def replace_field(raw: Mapping[str, Any], path: str, field: Mapping[str, Any]) -> dict[str, Any]:
    """The definition with the field at ``path`` replaced. Raises NotFound."""
    out = copy.deepcopy(dict(raw))
    fields, index = _container(out, path)
    fields[index] = dict(field)
    return out


def move_field(raw: Mapping[str, Any], path: str, to: int) -> dict[str, Any]:
    """The definition with the field at ``path`` moved to position ``to`` of the same list. Raises NotFound."""
    out = copy.deepcopy(dict(raw))
    fields, index = _container(out, path)
    item = fields.pop(index)
    fields.insert(max(0, min(to, len(fields))), item)
    return out


def reorder_fields(raw: Mapping[str, Any], order: list[int]) -> dict[str, Any]:
    """The definition with its top-level fields in ``order`` (a permutation of their positions).

    Raises ValidationFailed when ``order`` is not a permutation.
    """
    out = copy.deepcopy(dict(raw))
    fields = out.get("fields") or []
    if sorted(order) != list(range(len(fields))):
        raise ValidationFailed("字段顺序无效，请刷新页面后重试")
    out["fields"] = [fields[i] for i in order]
    return out


def remove_field(raw: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The definition without the field at ``path``. Raises NotFound."""
    out = copy.deepcopy(dict(raw))
    fields, index = _container(out, path)
    fields.pop(index)
    return out


def _int(value: str, key: str, errors: dict[str, str]) -> int | None:
    text = value.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors[key] = "应为整数"
        return None


def _number_or_text(value: str) -> Any:
    text = value.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.\d+", text):
        return float(text)
    return text


def _options(text: str) -> list[dict[str, str]]:
    """One option a line: ``值=显示名称``, or just the name (which is then the value too)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        value, sep, label = line.partition("=")
        out.append({"value": value.strip(), "label": label.strip()} if sep
                   else {"value": line, "label": line})
    return out


def _condition_values(text: str) -> list[Any]:
    values: list[Any] = []
    for word in re.split(r"[,，、\s]+", text.strip()):
        if not word:
            continue
        low = word.lower()
        values.append(True if low in _TRUE_WORDS else False if low in _FALSE_WORDS else word)
    return values


def field_from_inputs(inputs: Mapping[str, str], current: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The field the designer's field form describes, and the inputs that are not even well-formed
    (``{"max_length": "应为整数"}``). Keys the chosen type does not take are dropped; a table keeps its
    columns. Raises nothing."""
    errors: dict[str, str] = {}
    try:
        ftype = FieldType(str(inputs.get("type") or current.get("type")))
    except ValueError:
        return dict(current), {"type": "请选择字段类型"}
    allowed = COMMON_KEYS | TYPE_KEYS[ftype]
    field: dict[str, Any] = {"name": inputs.get("name", "").strip(), "label": inputs.get("label", "").strip(),
                             "type": ftype.value}
    for key in _FLAG_KEYS:
        if key in allowed and inputs.get(key):
            field[key] = True
    if (help_text := inputs.get("help", "").strip()):
        field["help"] = help_text
    controller = inputs.get("show_if_field", "").strip()
    if controller:
        values = _condition_values(inputs.get("show_if_values", ""))
        if not values:
            errors["show_if"] = "请填写显示条件的取值"
        field["show_if"] = {"field": controller, **({"equals": values[0]} if len(values) == 1 else {"in": values})}
    for key in _INT_KEYS:
        if key in allowed and (number := _int(inputs.get(key, ""), key, errors)) is not None:
            field[key] = number
    for key in ("min", "max"):
        if key in allowed and inputs.get(key, "").strip():
            field[key] = _number_or_text(inputs[key])
    if "unit" in allowed and inputs.get("unit", "").strip():
        field["unit"] = inputs["unit"].strip()
    if "pattern" in allowed and (inputs.get("pattern_regex", "").strip() or inputs.get("pattern_message", "").strip()):
        field["pattern"] = {"regex": inputs.get("pattern_regex", "").strip(),
                            "message": inputs.get("pattern_message", "").strip()}
    if "options" in allowed:
        field["options"] = _options(inputs.get("options", ""))
    if "fields" in allowed:
        columns = current.get("fields")
        field["fields"] = list(columns) if isinstance(columns, list) and columns else \
            [{"name": "content", "label": "内容", "type": "text"}]
    return field, errors


def field_inputs(field: Mapping[str, Any]) -> dict[str, str]:
    """The field form's inputs for an existing field (the inverse of :func:`field_from_inputs`)."""
    out = {k: str(v) for k, v in field.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    for key in _FLAG_KEYS:
        out[key] = "1" if field.get(key) is True else ""
    show_if = field.get("show_if")
    if isinstance(show_if, Mapping):
        out["show_if_field"] = str(show_if.get("field", ""))
        wanted = show_if["in"] if isinstance(show_if.get("in"), list) else [show_if.get("equals")]
        out["show_if_values"] = "、".join("是" if w is True else "否" if w is False else str(w) for w in wanted)
    pattern = field.get("pattern")
    if isinstance(pattern, Mapping):
        out["pattern_regex"], out["pattern_message"] = str(pattern.get("regex", "")), str(pattern.get("message", ""))
    options = field.get("options")
    if isinstance(options, list):
        out["options"] = "\n".join(f"{o.get('value')}={o.get('label')}" for o in options if isinstance(o, Mapping))
    return out


def field_errors(details: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Definition errors under ``prefix`` (``fields[3]``), keyed by the field form's input
    (``show_if.field`` → ``show_if``, ``options[1].value`` → ``options``). Raises nothing."""
    out: dict[str, str] = {}
    for path, message in details.items():
        if not path.startswith(prefix + ".") and path != prefix:
            continue
        rest = path[len(prefix) + 1:] if path != prefix else "_schema"
        key = re.split(r"[.\[]", rest)[0] or "_schema"
        key = "_schema" if key == "fields" else key
        out[key] = f"{out[key]}；{message}" if key in out else message
    return out


# --- rules ---------------------------------------------------------------------------------------------

def rule_from_inputs(inputs: Mapping[str, str]) -> dict[str, Any]:
    """The rule the designer's rule form describes. Raises nothing."""
    rule: dict[str, Any] = {"check": inputs.get("check", "").strip(), "message": inputs.get("message", "").strip()}
    if (field := inputs.get("field", "").strip()):
        rule["field"] = field
    if (when := inputs.get("when", "").strip()):
        rule["when"] = when
    return rule


def set_rule(raw: Mapping[str, Any], index: int | None, rule: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The definition with rule ``index`` replaced (a new rule appended when None); returns it and the
    rule's index. Raises NotFound."""
    out = copy.deepcopy(dict(raw))
    rules = out.setdefault("rules", [])
    if index is None:
        rules.append(dict(rule))
        return out, len(rules) - 1
    if not 0 <= index < len(rules):
        raise NotFound("未找到该规则")
    rules[index] = dict(rule)
    return out, index


def remove_rule(raw: Mapping[str, Any], index: int) -> dict[str, Any]:
    """The definition without rule ``index``. Raises NotFound."""
    out = copy.deepcopy(dict(raw))
    rules = out.get("rules") or []
    if not 0 <= index < len(rules):
        raise NotFound("未找到该规则")
    rules.pop(index)
    if not rules:
        out.pop("rules", None)
    return out


def set_meta(raw: Mapping[str, Any], *, title: str, description: str) -> dict[str, Any]:
    """The definition with its title and description (an empty description removes it). Raises nothing."""
    out = copy.deepcopy(dict(raw))
    out["title"] = title.strip()
    if description.strip():
        out["description"] = description.strip()
    else:
        out.pop("description", None)
    return out
