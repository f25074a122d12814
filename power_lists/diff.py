"""What changed between two versions (or between a version and an uploaded file), field by field.

Items are matched by 事项编码. Values are shown the way the CSV cells show them, so that a legal
officer reads the same text in the diff as in the spreadsheet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from power_lists.document import FIELD_LABELS, version_items
from power_lists.models import (
    DELEGATION_MODE_LABELS,
    ONLINE_DEPTH_LABELS,
    POWER_TYPE_LABELS,
    CaseType,
    DelegationMode,
    PowerListVersion,
    PowerType,
)
from power_lists.schemas import GuideSchema
from power_lists.tabular import write_basis, write_materials

_TOP_FIELDS = ["name", "sub_item", "power_type", "setting_basis", "implementing_basis", "original_department",
               "receiving_body", "delegation_mode", "accountability", "accepts_applications", "two_reviewers",
               "separate_decider", "note"]
_GUIDE_FIELDS = list(GuideSchema._declared_fields)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class ItemChange:
    code: str
    name: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ItemSummary:
    code: str
    name: str
    power_type: str
    towns: list[str]
    reason: str = ""


@dataclass
class VersionDiff:
    old_label: str
    new_label: str
    added: list[ItemSummary] = field(default_factory=list)
    revoked: list[ItemSummary] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.revoked or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def show(path: str, value: Any) -> str:
    """A field value as text (the CSV cell form)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if path in {"setting_basis", "implementing_basis"}:
        return write_basis(value) or "—"
    if path == "accountability":
        return "\n".join(f"{a['code']}：{a['situation']}（{a['basis']}）" for a in value) or "—"
    if path == "power_type":
        return POWER_TYPE_LABELS[PowerType(value)]
    if path == "delegation_mode":
        return DELEGATION_MODE_LABELS[DelegationMode(value)]
    if path == "guide.materials":
        return write_materials(value) or "—"
    if path == "guide.case_type":
        return CaseType(value).label
    if path == "guide.online_depth":
        return ONLINE_DEPTH_LABELS.get(value, str(value))
    if value == "":
        return "—"
    return str(value)


def _period(d: dict[str, Any]) -> str:
    start, end = d.get("valid_from"), d.get("valid_until")
    if not start and not end:
        return "随清单生效，长期"
    return f"{start or '随清单生效'}至{end or '长期'}"


def _town(d: dict[str, Any]) -> str:
    return d.get("town_name") or d["town"]


def _item_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for key in _TOP_FIELDS:
        if old.get(key) != new.get(key):
            changes.append(FieldChange(key, FIELD_LABELS[key], show(key, old.get(key)), show(key, new.get(key))))
    old_towns = {d["town"]: d for d in old["delegations"]}
    new_towns = {d["town"]: d for d in new["delegations"]}
    for code in sorted(old_towns.keys() | new_towns.keys()):
        before, after = old_towns.get(code), new_towns.get(code)
        if before is None and after is not None:
            changes.append(FieldChange("delegations", "赋权乡镇", "—", f"新增 {_town(after)}（{_period(after)}）"))
        elif after is None and before is not None:
            changes.append(FieldChange("delegations", "赋权乡镇", f"{_town(before)}（{_period(before)}）",
                                       f"收回 {_town(before)}"))
        elif before is not None and after is not None and _period(before) != _period(after):
            changes.append(FieldChange("delegations", "赋权乡镇", f"{_town(before)}（{_period(before)}）",
                                       f"{_town(after)}（{_period(after)}）"))
    for stage, text in new["responsibilities"].items():
        path = f"responsibilities.{stage}"
        if old["responsibilities"].get(stage, "") != text:
            changes.append(FieldChange(path, FIELD_LABELS[path], show(path, old["responsibilities"].get(stage, "")),
                                       show(path, text)))
    old_guide, new_guide = old.get("guide"), new.get("guide")
    if (old_guide is None) != (new_guide is None):
        changes.append(FieldChange("guide", "办事指南", "无" if old_guide is None else "有",
                                   "无" if new_guide is None else "有"))
    for key in _GUIDE_FIELDS:
        path = f"guide.{key}"
        before = (old_guide or {}).get(key)
        after = (new_guide or {}).get(key)
        if before != after and (old_guide is not None and new_guide is not None):
            changes.append(FieldChange(path, FIELD_LABELS[path], show(path, before), show(path, after)))
    return changes


def _summary(item: dict[str, Any], reason: str = "") -> ItemSummary:
    name = f"{item['name']}（{item['sub_item']}）" if item.get("sub_item") else item["name"]
    return ItemSummary(item["code"], name, POWER_TYPE_LABELS[PowerType(item["power_type"])],
                       [_town(d) for d in item["delegations"]], reason)


def diff_items(old_items: list[dict[str, Any]], new_items: list[dict[str, Any]], *, old_label: str = "",
               new_label: str = "", reasons: dict[str, str] | None = None) -> VersionDiff:
    """Compare two lists of canonical items by code."""
    old_by_code = {i["code"]: i for i in old_items}
    new_by_code = {i["code"]: i for i in new_items}
    result = VersionDiff(old_label, new_label)
    for item in new_items:
        before = old_by_code.get(item["code"])
        if before is None:
            result.added.append(_summary(item))
            continue
        changes = _item_changes(before, item)
        if changes:
            name = f"{item['name']}（{item['sub_item']}）" if item.get("sub_item") else item["name"]
            result.changed.append(ItemChange(item["code"], name, changes))
    for item in old_items:
        if item["code"] not in new_by_code:
            result.revoked.append(_summary(item, (reasons or {}).get(item["code"], "")))
    return result


def diff_versions(session: Session, old: PowerListVersion | None, new: PowerListVersion) -> VersionDiff:
    """Field-by-field changes from ``old`` (None: an empty list) to ``new``."""
    reasons = {r["code"]: r["reason"] for r in new.revocations or []}
    return diff_items(version_items(old) if old else [], version_items(new),
                      old_label=old.label if old else "", new_label=new.label, reasons=reasons)


def diff_document(old: PowerListVersion | None, document: dict[str, Any]) -> VersionDiff:
    """What importing ``document`` would change compared with ``old`` (the import preview)."""
    return diff_items(version_items(old) if old else [], document["items"],
                      old_label=old.label if old else "", new_label="导入文件")
