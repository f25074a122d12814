"""What changed between two versions of a form definition, as people read it: fields (by name, table
columns inside their table), their order, rules, materials, the title. Raises nothing anywhere."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_KEY_LABELS = {
    "label": "显示名称", "type": "类型", "required": "必填", "help": "填写说明", "show_if": "显示条件",
    "max_length": "最大长度", "pattern": "格式要求", "min": "最小值", "max": "最大值", "integer": "整数",
    "decimal_places": "小数位数", "unit": "单位", "max_span_days": "最长天数", "options": "选项",
    "multiple": "可多选", "fields": "表格列", "min_rows": "最少行数", "max_rows": "最多行数",
}


@dataclass(frozen=True)
class Change:
    kind: str  # added / removed / changed
    what: str  # 字段「申请人姓名」（applicant_name）
    details: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"added": "新增", "removed": "删除", "changed": "修改"}[self.kind]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "（无）" if value is None else str(value)


def _by_name(fields: Any) -> dict[str, Mapping[str, Any]]:
    return {f["name"]: f for f in fields or [] if isinstance(f, Mapping) and isinstance(f.get("name"), str)}


def _field_changes(old: Any, new: Any, where: str, out: list[Change]) -> None:
    before, after = _by_name(old), _by_name(new)
    for name, f in after.items():
        what = f"{where}「{f.get('label', name)}」（{name}）"
        if name not in before:
            out.append(Change("added", what))
            continue
        details = []
        for key in sorted(set(before[name]) | set(f), key=lambda k: list(_KEY_LABELS).index(k)
                          if k in _KEY_LABELS else 99):
            if key in ("name", "fields"):
                continue
            if before[name].get(key) != f.get(key):
                details.append(f"{_KEY_LABELS.get(key, key)}：{_text(before[name].get(key))} → {_text(f.get(key))}")
        if details:
            out.append(Change("changed", what, details))
        if isinstance(f.get("fields"), list) or isinstance(before[name].get("fields"), list):
            _field_changes(before[name].get("fields"), f.get("fields"), f"「{f.get('label', name)}」的列", out)
    for name, f in before.items():
        if name not in after:
            out.append(Change("removed", f"{where}「{f.get('label', name)}」（{name}）"))
    common_before = [n for n in before if n in after]
    common_after = [n for n in after if n in before]
    if common_before != common_after:
        out.append(Change("changed", f"{where}顺序", ["、".join(common_after)]))


def _rule_text(rule: Mapping[str, Any]) -> str:
    cond = f"当 {rule['when']} 时，" if rule.get("when") else ""
    return f"{cond}{rule.get('check')}（{rule.get('field') or '整张表单'}：{rule.get('message')}）"


def _rule_changes(old: Sequence[Any], new: Sequence[Any], out: list[Change]) -> None:
    before = [r for r in old if isinstance(r, Mapping)]
    after = [r for r in new if isinstance(r, Mapping)]
    for rule in after:
        if rule not in before:
            out.append(Change("added", "规则", [_rule_text(rule)]))
    for rule in before:
        if rule not in after:
            out.append(Change("removed", "规则", [_rule_text(rule)]))


def diff_definitions(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """The changes from ``old`` to ``new`` (raw JSON definitions), in reading order."""
    out: list[Change] = []
    for key, label in (("title", "表单标题"), ("description", "表单说明")):
        if old.get(key) != new.get(key):
            out.append(Change("changed", label, [f"{_text(old.get(key))} → {_text(new.get(key))}"]))
    _field_changes(old.get("fields"), new.get("fields"), "字段", out)
    _rule_changes(old.get("rules") or [], new.get("rules") or [], out)
    before = {m.get("code"): m for m in old.get("materials") or [] if isinstance(m, Mapping)}
    after = {m.get("code"): m for m in new.get("materials") or [] if isinstance(m, Mapping)}
    for code, m in after.items():
        if code not in before:
            out.append(Change("added", f"材料「{m.get('name')}」（{code}）"))
        elif before[code] != m:
            out.append(Change("changed", f"材料「{m.get('name')}」（{code}）",
                              [f"{_text(before[code])} → {_text(m)}"]))
    for code, m in before.items():
        if code not in after:
            out.append(Change("removed", f"材料「{m.get('name')}」（{code}）"))
    return out
