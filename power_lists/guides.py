"""The 办事指南 as a layer completed after the list: a guide sheet (one row per material) or the guide
page of one item. Both change a draft version — the open draft, or a new one copied from the latest
published version — so a guide change is reviewed and published like any list change and shows in
the diff. Nothing here commits.

A guide sheet's rows are keyed by 事项编码, or by 事项名称 + 子项 when the sheet has no codes. Item-level
columns (办件类型, 时限, 收费 …) may be repeated on every material row of the item or given once; two
different values for one item are an error. See docs/power-list-format.md, "Guide sheet".
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from power_lists.document import canonical_item, dump_item, item_problems
from power_lists.errors import ImportRejected, Problem
from power_lists.files import detect_format as _detect_format
from power_lists.files import identity_key, read_csv_table, read_xlsx_tables
from power_lists.models import PowerItem, PowerListVersion
from power_lists.queries import open_version
from power_lists.schemas import GuideSchema
from power_lists.tabular import (
    COLUMNS,
    GUIDE_READERS,
    CellError,
    Table,
    header_key,
    read_bool,
    read_int,
)
from power_lists.versions import create_draft, record_change, require_draft
from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.jurisdictions.models import Jurisdiction

_GUIDE_SCHEMA = GuideSchema()

# Header words of a guide sheet → field. Item keys, then material columns, then the item-level guide
# columns of the list table (the same words, see tabular.COLUMNS).
GUIDE_SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("事项编码", "权力编码", "编码", "事项代码", "基本编码"),
    "name": ("事项名称", "赋权事项", "权力事项名称", "主项名称", "权力名称", "赋权事项名称"),
    "sub_item": ("子项", "子项名称"),
    "material.code": ("材料编码", "材料编号"),
    "material.name": ("材料名称", "申请材料", "申请材料名称"),
    "material.source": ("来源渠道", "材料来源", "来源"),
    "material.paper_copies": ("份数", "纸质份数", "纸质材料份数"),
    "material.form": ("材料形式", "材料类型"),
    "material.required": ("必要性", "是否必要", "必要性及描述"),
    "material.deferrable": ("容缺", "是否容缺", "容缺受理", "是否可容缺"),
    **{c.path: (c.header, *c.aliases) for c in COLUMNS if c.path.startswith("guide.") and c.path != "guide.materials"},
}
_HEADER_INDEX = {header_key(word): path for path, words in GUIDE_SHEET_COLUMNS.items() for word in words}
_LABELS = {path: words[0] for path, words in GUIDE_SHEET_COLUMNS.items()}
_REQUIRED_WORDS = {"必要": True, "必须": True, "必需": True, "是": True, "非必要": False, "可选": False,
                   "选填": False, "否": False}
_DEFERRABLE_WORDS = {"容缺": True, "可容缺": True, "允许容缺": True, "是": True, "": False, "不容缺": False,
                     "不可容缺": False, "否": False}


@dataclass
class GuideEntry:
    """What a sheet says about one item: the rows it spans, its materials and its item-level values."""

    key: tuple[str, str] | str
    rows: list[int] = field(default_factory=list)
    materials: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, tuple[int, Any]] = field(default_factory=dict)  # field → (row, value)


@dataclass(frozen=True)
class GuideImport:
    """The outcome: the draft changed and the codes of the items whose guide changed."""

    version: PowerListVersion
    changed: list[str]
    unchanged: list[str]


def _as_is(text: Any) -> Any:
    return text


def _locate_header(table: Table) -> tuple[int, dict[int, str]] | None:
    for index, (_, cells) in enumerate(table.rows[:30]):
        found = {i: _HEADER_INDEX[header_key(c)] for i, c in enumerate(cells) if header_key(c) in _HEADER_INDEX}
        paths = set(found.values())
        if ("code" in paths or "name" in paths) and "material.name" in paths:
            return index, found
    return None


def read_guide_sheet(filename: str, data: bytes) -> list[GuideEntry]:
    """Every item a guide sheet describes. Raises ImportRejected with every problem located (row, column)."""
    kind = _detect_format(filename, data)
    if kind == "json":
        raise ImportRejected([Problem("办事指南表应为 CSV 或 XLSX 文件")])
    tables = [read_csv_table(data)[0]] if kind == "csv" else read_xlsx_tables(data)
    for table in tables:
        located = _locate_header(table)
        if located is not None:
            break
    else:
        raise ImportRejected([Problem("未找到表头：办事指南表须有“事项编码”或“事项名称”列，以及“材料名称”列")])
    header_index, mapping = located
    problems: list[Problem] = []
    entries: dict[Any, GuideEntry] = {}
    for row, cells in table.rows[header_index + 1:]:
        if (row, 0) in table.uncached or any((row, i) in table.uncached for i in mapping):
            problems.append(Problem("单元格是没有保存计算结果的公式，请在 Excel 中打开、保存后重新导入", row=row))
            continue
        values = {path: cells[i] for i, path in mapping.items() if i < len(cells) and cells[i]}
        if not values:
            continue
        non_empty = [c for c in cells if c]
        if len(set(non_empty)) == 1 and (len(non_empty) >= 3 or non_empty[0].startswith(("注", "说明", "备注"))):
            continue  # a note under the table
        key: Any = values.get("code") or (identity_key(values["name"], values.get("sub_item", ""))
                                          if values.get("name") else None)
        if key is None:
            problems.append(Problem("请填写事项编码或事项名称", row=row, column="事项名称"))
            continue
        entry = entries.setdefault(key, GuideEntry(key))
        entry.rows.append(row)
        _read_row(entry, row, values, problems)
    if not entries and not problems:
        problems.append(Problem("办事指南表中没有任何材料行", row=table.rows[header_index][0]))
    if problems:
        raise ImportRejected(problems)
    return list(entries.values())


def _read_row(entry: GuideEntry, row: int, values: dict[str, str], problems: list[Problem]) -> None:
    def attempt(path: str, reader: Callable[[], Any]) -> Any:
        try:
            return reader()
        except CellError as exc:
            problems.append(Problem(str(exc), row=row, column=_LABELS[path]))
            return None

    name = values.get("material.name", "")
    if name:
        material: dict[str, Any] = {"code": values.get("material.code") or f"M{len(entry.materials) + 1:02d}",
                                    "name": name, "source": values.get("material.source") or "申请人自备",
                                    "form": values.get("material.form") or "原件"}
        copies = attempt("material.paper_copies", lambda: read_int(values.get("material.paper_copies") or "1",
                                                                   "纸质份数"))
        material["paper_copies"] = copies if copies is not None else 1
        needed = values.get("material.required", "")
        if needed and needed not in _REQUIRED_WORDS:
            problems.append(Problem(f"必要性应为“必要”或“非必要”，而不是“{needed}”", row=row, column="必要性"))
        material["required"] = _REQUIRED_WORDS.get(needed, True)
        deferrable = values.get("material.deferrable", "")
        if deferrable not in _DEFERRABLE_WORDS:
            problems.append(Problem(f"容缺应为“可容缺”或“不容缺”，而不是“{deferrable}”", row=row, column="容缺"))
        material["deferrable"] = _DEFERRABLE_WORDS.get(deferrable, False)
        material["_row"] = row
        entry.materials.append(material)
    for path, text in values.items():
        if not path.startswith("guide."):
            continue
        reader = GUIDE_READERS.get(path) or _as_is
        value = attempt(path, functools.partial(reader, text))
        if value is None:
            continue
        key = path.split(".", 1)[1]
        if key in entry.values and entry.values[key][1] != value:
            problems.append(Problem(f"与第{entry.values[key][0]}行填写的值不一致：同一事项的该列只能填写一个值",
                                    row=row, column=_LABELS[path]))
            continue
        entry.values.setdefault(key, (row, value))


def _find(items: list[PowerItem], key: Any) -> PowerItem | None:
    for item in items:
        if (isinstance(key, str) and item.code == key) or (
                isinstance(key, tuple) and identity_key(item.name, item.sub_item or "") == key):
            return item
    return None


def _merged_guide(item: PowerItem, entry: GuideEntry) -> dict[str, Any]:
    guide = dict(dump_item(item)["guide"] or {})
    for key, (_, value) in entry.values.items():
        guide[key] = value
    if entry.materials:
        guide["materials"] = [{k: v for k, v in m.items() if k != "_row"} for m in entry.materials]
    return guide


def check_guide(raw: dict[str, Any], *, row: int | None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Load a guide through the schema: (canonical guide, []) or (None, located problems)."""
    try:
        loaded = _GUIDE_SCHEMA.load(raw)
    except ValidationError as exc:
        return None, item_problems(exc.messages, row=row,
                                   column_for=lambda p: _LABELS.get(f"guide.{p.split('[')[0]}", p or None))
    return canonical_item({"guide": loaded, "responsibilities": {}})["guide"], []


def _draft_for(session: Session, county: Jurisdiction, *, actor: User | None, now: dt.datetime) -> PowerListVersion:
    version = open_version(session, county.id)
    if version is None:
        return create_draft(session, county, actor=actor, now=now)
    require_draft(version)
    return version


def import_guide(session: Session, county: Jurisdiction, entries: list[GuideEntry], *, actor: User | None,
                 now: dt.datetime, filename: str = "") -> GuideImport:
    """Write the guides of a sheet into the county's draft (the open draft, or a new one copied from the
    latest published version). All or nothing: raises ImportRejected with every problem located (an
    item the list does not have, a guide the schema refuses such as 承诺 > 法定), Conflict when the
    county's open version is under review."""
    version = _draft_for(session, county, actor=actor, now=now)
    items = list(version.items)
    problems: list[Problem] = []
    planned: list[tuple[PowerItem, dict[str, Any]]] = []
    for entry in entries:
        item = _find(items, entry.key)
        if item is None:
            what = entry.key if isinstance(entry.key, str) else "、".join(p for p in entry.key if p)
            problems.append(Problem(f"清单中没有事项“{what}”", row=entry.rows[0],
                                    column="事项编码" if isinstance(entry.key, str) else "事项名称"))
            continue
        if not item.opens_application:
            problems.append(Problem(f"“{item.full_name}”是{item.power_type.label}事项，不受理申请，无需办事指南",
                                    row=entry.rows[0], column="事项名称"))
            continue
        guide, found = check_guide(_merged_guide(item, entry), row=entry.rows[0])
        problems += found
        if guide is not None:
            planned.append((item, guide))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row or 0))
    changed, unchanged = [], []
    for item, guide in planned:
        if item.guide == guide:
            unchanged.append(item.code)
            continue
        item.guide = guide
        changed.append(item.code)
    session.flush()
    record_change(session, version, AuditAction.POWER_LIST_GUIDE_IMPORT, actor=actor, now=now,
           payload={"filename": filename, "changed": changed})
    return GuideImport(version, changed, unchanged)


def update_guide(session: Session, item: PowerItem, raw: dict[str, Any] | None, *, actor: User | None,
                 now: dt.datetime) -> PowerItem:
    """Replace one draft item's guide (None removes it). Raises Conflict (not a draft) or ImportRejected
    (located by field)."""
    version = item.version
    require_draft(version)
    guide = None
    if raw is not None:
        guide, problems = check_guide(raw, row=None)
        if problems:
            raise ImportRejected(problems, message="办事指南有误，请按提示修改")
    item.guide = guide
    session.flush()
    record_change(session, version, AuditAction.POWER_LIST_GUIDE_UPDATE, actor=actor, now=now,
                  payload={"code": item.code})
    return item


def guide_from_cells(cells: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """The guide page's inputs (named like the list columns' paths, materials one per line in the
    ``编码｜名称｜来源渠道｜纸质份数｜材料形式｜必要性｜容缺`` form) as a raw guide."""
    problems: list[Problem] = []
    guide: dict[str, Any] = {}
    for column in COLUMNS:
        if not column.path.startswith("guide.") or not cells.get(column.path, "").strip():
            continue
        key = column.path.split(".", 1)[1]
        reader = GUIDE_READERS.get(column.path)
        try:
            guide[key] = reader(cells[column.path]) if reader else cells[column.path].strip()
        except CellError as exc:
            problems.append(Problem(str(exc), column=key))
    for flag in ("fee_charged", "pledge_allowed"):
        if f"guide.{flag}" in cells:
            guide[flag] = read_bool(cells[f"guide.{flag}"])
    return guide, problems

