"""Canonical documents: checking a raw JSON document and turning versions and items into documents.

The canonical form is the JSON-ready dict the marshmallow schemas dump (enum codes, ISO dates, every
optional field present). It is what files are compared in, what a pending import stores and what the
diff works on, so that JSON, CSV and XLSX all meet in one shape.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import Any

from marshmallow import ValidationError

from power_lists.errors import ImportRejected, Problem
from power_lists.models import DutyStage, PowerItem, PowerListVersion
from power_lists.schemas import FORMAT_VERSION, DocumentSchema, ItemSchema

# Chinese names of the fields, used to locate problems and to label diffs.
FIELD_LABELS: dict[str, str] = {
    "code": "事项编码", "name": "事项名称", "sub_item": "子项", "power_type": "职权类型",
    "setting_basis": "设定依据", "implementing_basis": "实施依据", "original_department": "原实施部门",
    "receiving_body": "承接主体", "delegation_mode": "赋权方式", "delegations": "赋权乡镇",
    "responsibilities": "责任事项", "accountability": "追责情形", "accepts_applications": "是否受理申请",
    "two_reviewers": "两人以上审查", "separate_decider": "审查与决定分离", "guide": "办事指南", "note": "备注",
    "responsibilities.intake": "责任事项-受理", "responsibilities.review": "责任事项-审查",
    "responsibilities.decision": "责任事项-决定", "responsibilities.delivery": "责任事项-送达",
    "responsibilities.supervision": "责任事项-事后监管", "responsibilities.other": "责任事项-其他",
    "guide.conditions": "受理条件", "guide.materials": "申请材料", "guide.case_type": "办件类型",
    "guide.statutory_days": "法定办结时限（工作日）", "guide.promised_days": "承诺办结时限（工作日）",
    "guide.fee_charged": "是否收费", "guide.fee_standard": "收费标准", "guide.fee_basis": "收费依据",
    "guide.visits": "到办事现场次数", "guide.online_depth": "网上办理深度", "guide.pledge_allowed": "告知承诺制",
    "guide.result_name": "审批结果名称", "guide.result_type": "审批结果类型",
    "guide.result_validity": "审批结果有效期", "guide.consult": "咨询方式", "guide.complaint": "监督投诉方式",
}
ITEM_FIELDS = tuple(ItemSchema._declared_fields)
# Schema instances are reused: building one (and its nested schemas) costs more than loading an item.
ITEM_SCHEMA = ItemSchema()
DOCUMENT_SCHEMA = DocumentSchema()


def label_for(path: str) -> str:
    """The Chinese label of a field path such as ``guide.materials[2].name`` (falls back to its parent)."""
    parts = path.split(".")
    while parts:
        key = ".".join(p.split("[")[0] for p in parts)
        if key in FIELD_LABELS:
            return FIELD_LABELS[key]
        parts.pop()
    return path


def _walk(messages: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                yield from _walk(value, path)
            elif isinstance(key, int):
                yield from _walk(value, f"{path}[{key}]")
            else:
                yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from _walk(value, path)
    else:
        yield path, str(messages)


def item_problems(messages: Any, *, row: int | None, unit: str = "行",
                  column_for: Any = None) -> list[Problem]:
    """Turn marshmallow messages of one item into located problems."""
    problems = []
    for path, message in _walk(messages):
        column = column_for(path) if column_for else (f"{label_for(path)}（{path}）" if path else None)
        problems.append(Problem(message, row=row, column=column, unit=unit))
    return problems


def validate_document(raw: Any) -> dict[str, Any]:
    """Check a raw (already JSON-decoded) document and return its canonical form.

    Raises ImportRejected listing every problem, each located by item number and field.
    """
    if not isinstance(raw, dict):
        raise ImportRejected([Problem("文件内容应为一个 JSON 对象")])
    if raw.get("format_version") not in (FORMAT_VERSION, None) and not isinstance(raw.get("format_version"), bool):
        raise ImportRejected([Problem(f"不支持的 format_version：{raw.get('format_version')}（目前仅支持 1）",
                                      column="format_version", unit="项")])
    duplicates = _duplicate_codes(raw.get("items"))
    try:
        loaded = DOCUMENT_SCHEMA.load(raw)
    except ValidationError as exc:
        problems: list[Problem] = list(duplicates)
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        for key, value in messages.items():
            if key == "items" and isinstance(value, dict):
                for index, item_messages in sorted(value.items(), key=lambda kv: str(kv[0])):
                    if isinstance(index, int):
                        problems += item_problems(
                            item_messages, row=index + 1, unit="项",
                            column_for=lambda p, i=index: f"items[{i}].{p}" if p else f"items[{i}]")
                    else:
                        problems += item_problems(item_messages, row=None, unit="项")
            else:
                problems += item_problems(value, row=None, unit="项",
                                          column_for=lambda p, k=key: k if k != "_schema" else (p or None))
        raise ImportRejected(sorted(problems, key=lambda p: p.row or 0)) from None
    if duplicates:
        raise ImportRejected(duplicates)
    return canonical_document(loaded)


def _duplicate_codes(items: Any) -> list[Problem]:
    if not isinstance(items, list):
        return []
    seen: dict[str, int] = {}
    problems = []
    for index, item in enumerate(items):
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str):
            continue
        code = code.strip()
        if code in seen:
            problems.append(Problem(f"事项编码 {code} 与第{seen[code] + 1}项重复", row=index + 1,
                                    column=f"items[{index}].code", unit="项"))
        else:
            seen[code] = index
    return problems


def canonical_document(loaded: dict[str, Any]) -> dict[str, Any]:
    """Dump a loaded document to its canonical JSON-ready form."""
    for item in loaded["items"]:
        _fill_responsibilities(item)
    return json_ready(loaded)


def canonical_item(loaded: dict[str, Any]) -> dict[str, Any]:
    """Dump one loaded item to its canonical JSON-ready form."""
    _fill_responsibilities(loaded)
    return json_ready(loaded)


def json_ready(value: Any) -> Any:
    """Loaded data as JSON-ready values: what the schemas would dump (enum codes, ISO dates), but much
    faster for thousands of items. Loaded dicts already hold every field in declared order."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _fill_responsibilities(item: dict[str, Any]) -> None:
    duties = item.get("responsibilities") or {}
    item["responsibilities"] = {stage.value: duties.get(stage.value, "") for stage in DutyStage}


def load_item(raw: dict[str, Any]) -> dict[str, Any]:
    """Check one item (the edit form, the API) and return it canonical.

    Raises ImportRejected with every problem, located by field.
    """
    try:
        loaded = ITEM_SCHEMA.load(raw)
    except ValidationError as exc:
        raise ImportRejected(item_problems(exc.messages, row=None, column_for=lambda p: p or None),
                             message="事项信息有误，请按提示修改") from None
    return canonical_item(loaded)


class _WithDelegations:
    """A stored item whose delegations were read beforehand as plain rows (see :func:`version_items`)."""

    def __init__(self, item: PowerItem, delegations: list[dict[str, Any]]) -> None:
        self._item = item
        self.delegations = delegations

    def __getattr__(self, name: str) -> Any:
        return getattr(self._item, name)


def dump_item(item: PowerItem, delegations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The canonical form of a stored item, as :class:`ItemSchema` dumps it (``delegations`` pre-read as
    rows, or loaded from the item). Raises nothing for stored items."""
    return ITEM_SCHEMA.dump(item if delegations is None else _WithDelegations(item, delegations))


def version_document(version: PowerListVersion) -> dict[str, Any]:
    """The whole version as a canonical document (``format_version`` 1)."""
    return {
        "format_version": FORMAT_VERSION,
        "county": {"code": version.county.code, "name": version.county.name},
        "version": {"number": version.number, "title": version.title, "status": version.status.value,
                    "effective_from": version.effective_from.isoformat() if version.effective_from else None,
                    "note": version.note or ""},
        "items": version_items(version),
    }


def version_items(version: PowerListVersion) -> list[dict[str, Any]]:
    """Every item of a version in canonical form, read in two queries; the delegations are read as plain
    rows because building thousands of ORM objects costs more than the rest of an export."""
    from collections import defaultdict

    from sqlalchemy import select
    from sqlalchemy.orm import object_session

    from power_lists.models import ItemDelegation
    from service_hall.jurisdictions.models import Jurisdiction

    session = object_session(version)
    if session is None:
        return [dump_item(item) for item in version.items]
    items = session.scalars(select(PowerItem).where(PowerItem.version_id == version.id)
                            .order_by(PowerItem.position)).all()
    rows = session.execute(
        select(ItemDelegation.item_id, Jurisdiction.code, Jurisdiction.name, ItemDelegation.valid_from,
               ItemDelegation.valid_until)
        .join(Jurisdiction, ItemDelegation.town_id == Jurisdiction.id)
        .join(PowerItem, ItemDelegation.item_id == PowerItem.id)
        .where(PowerItem.version_id == version.id).order_by(ItemDelegation.item_id, Jurisdiction.code))
    by_item: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item_id, code, name, start, end in rows:
        by_item[item_id].append({"town": code, "town_name": name, "valid_from": start, "valid_until": end})
    return [dump_item(item, by_item.get(item.id, [])) for item in items]


def comparable_items(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Items without the read-only town names, for equality checks between documents."""
    out = []
    for item in document["items"]:
        copy = dict(item)
        copy["delegations"] = sorted(({k: v for k, v in d.items() if k != "town_name"} for d in item["delegations"]),
                                     key=lambda d: d["town"])
        out.append(copy)
    return out
