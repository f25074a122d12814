"""A county's jurisdictions from a file: the county, its towns and streets, their villages and communities.

The file is the whole county (docs/going-live.md): re-importing adds and renames; a town or village
missing from a later file, or given a 撤销日期, is closed on that date, never deleted, so its cases and
history stay readable. All or nothing: :func:`preview_import` finds every problem (located by row and
column) before anything is written, and :func:`import_jurisdictions` writes only a clean plan.
Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.base import Base
from service_hall.core.cells import csv_bytes, keep_as_text
from service_hall.core.errors import Conflict, NotFound
from service_hall.core.problems import ImportRejected, Problem
from service_hall.core.sheets import clean_code, read_sheet
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

if TYPE_CHECKING:
    from service_hall.accounts.models import User


CHINA = ZoneInfo("Asia/Shanghai")
CODE, NAME, PARENT, KIND, CLOSED_ON, CLOSED_NOTE = "区划代码", "名称", "上级区划代码", "类型", "撤销日期", "撤销说明"
COLUMNS = [CODE, NAME, PARENT, KIND, CLOSED_ON, CLOSED_NOTE]
SYNONYMS = {
    "统计用区划代码": CODE, "行政区划代码": CODE, "代码": CODE, "区划名称": NAME, "单位名称": NAME,
    "上级代码": PARENT, "上级区划": PARENT, "上级统计用区划代码": PARENT, "区划类型": KIND,
    "撤并日期": CLOSED_ON, "撤销（撤并）日期": CLOSED_ON, "撤并说明": CLOSED_NOTE, "说明": CLOSED_NOTE,
}
MAX_ROWS = 5000  # a county has a few hundred villages; a bigger file is the wrong file

LEVEL_OF_KIND: dict[str, JurisdictionLevel] = {
    "县": JurisdictionLevel.COUNTY, "区": JurisdictionLevel.COUNTY, "县级市": JurisdictionLevel.COUNTY,
    "自治县": JurisdictionLevel.COUNTY, "旗": JurisdictionLevel.COUNTY,
    "镇": JurisdictionLevel.TOWN, "乡": JurisdictionLevel.TOWN, "民族乡": JurisdictionLevel.TOWN,
    "街道": JurisdictionLevel.TOWN, "苏木": JurisdictionLevel.TOWN,
    "村": JurisdictionLevel.VILLAGE, "社区": JurisdictionLevel.VILLAGE,
}
KIND_ALIASES = {"市辖区": "区", "县（市、区）": "县", "乡镇": "镇", "村委会": "村", "居委会": "社区",
                "村民委员会": "村", "居民委员会": "社区"}
KINDS_HELP = "县/市辖区/镇/乡/街道/村/社区"
# Longest suffix first: 民族乡 before 乡, 街道 before 道.
_NAME_SUFFIXES = ["民族乡", "自治县", "街道", "社区", "苏木", "镇", "乡", "村", "县", "区", "旗"]
LEVEL_LABELS = {JurisdictionLevel.COUNTY: "县级区划", JurisdictionLevel.TOWN: "乡镇（街道）",
                JurisdictionLevel.VILLAGE: "村（社区）"}
_DEPTH = [JurisdictionLevel.COUNTY, JurisdictionLevel.TOWN, JurisdictionLevel.VILLAGE]
ABSENT_NOTE = "导入文件中已无此区划"


def local_date(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA).date()


@dataclass(frozen=True)
class JurisdictionChange:
    """What an import does to one area. ``changes`` holds some of added, renamed, retyped, moved,
    closed, reopened."""

    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    changes: tuple[str, ...]
    row: int | None = None
    old_name: str | None = None
    old_kind: str | None = None
    old_parent_code: str | None = None
    closed_on: str | None = None
    closed_note: str | None = None


@dataclass(frozen=True)
class JurisdictionPlan:
    """The checked file compared with the database: what would change. Building it writes nothing."""

    county_code: str
    county_name: str
    changes: tuple[JurisdictionChange, ...]
    unchanged: int
    warnings: tuple[str, ...] = field(default=())

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if change in c.changes)

    @property
    def counts(self) -> dict[str, int]:
        names = ("added", "renamed", "retyped", "moved", "closed", "reopened")
        return {**{n: self.count(n) for n in names}, "unchanged": self.unchanged}

    @property
    def fingerprint(self) -> str:
        """Identifies the plan, so a confirmation can tell the database moved on since the preview."""
        body = json.dumps([asdict(c) for c in self.changes], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:32]

    def as_dict(self) -> dict[str, object]:
        return {"county": {"code": self.county_code, "name": self.county_name}, **self.counts,
                "changes": [asdict(c) for c in self.changes], "warnings": list(self.warnings), "errors": []}


@dataclass
class _Row:
    number: int
    code: str
    name: str
    parent_code: str | None
    kind: str | None
    closed_on: dt.date | None
    closed_note: str | None
    level: JurisdictionLevel | None = None


def _check_code(raw: str, column: str, number: int, problems: list[Problem]) -> str | None:
    code = clean_code(raw)
    if not code:
        if column == CODE:
            problems.append(Problem("区划代码不能为空", row=number, column=column))
        return None
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", code):
        problems.append(Problem("区划代码被 Excel 转成了科学计数法，请将该列设为“文本”格式后重新填写",
                                row=number, column=column))
    elif not code.isdigit():
        problems.append(Problem(f"区划代码只能包含数字：{raw}", row=number, column=column))
    elif len(code) != 12:
        problems.append(Problem(f"区划代码应为12位统计用区划代码，“{code}”是{len(code)}位", row=number, column=column))
    else:
        return code
    return None


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _check_date(raw: str, number: int, problems: list[Problem]) -> dt.date | None:
    if not raw:
        return None
    match = _DATE_RE.match(raw)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        problems.append(Problem(f"撤销日期“{raw}”无法识别，请写作 2026-12-31", row=number, column=CLOSED_ON))
        return None


def _kind_for(row: _Row, problems: list[Problem]) -> str | None:
    if row.kind:
        kind = KIND_ALIASES.get(row.kind, row.kind)
        if kind not in LEVEL_OF_KIND:
            problems.append(Problem(f"类型“{row.kind}”无法识别，应为{KINDS_HELP}之一", row=row.number, column=KIND))
            return None
        return kind
    for suffix in _NAME_SUFFIXES:
        if row.name.endswith(suffix):
            return suffix
    problems.append(Problem(f"无法从名称“{row.name}”判断类型，请填写“类型”列（{KINDS_HELP}）",
                            row=row.number, column=KIND))
    return None


def _read_rows(filename: str, data: bytes, max_rows: int) -> tuple[list[_Row], list[Problem]]:
    sheet = read_sheet(filename, data, required=[CODE, NAME, PARENT], optional=[KIND, CLOSED_ON, CLOSED_NOTE],
                       synonyms=SYNONYMS, max_rows=max_rows)
    problems: list[Problem] = []
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        code = _check_code(cells.get(CODE, ""), CODE, number, problems)
        parent = _check_code(cells.get(PARENT, ""), PARENT, number, problems)
        name = cells.get(NAME, "")
        if not name:
            problems.append(Problem("名称不能为空", row=number, column=NAME))
        elif len(name) > 100:
            problems.append(Problem("名称不能超过100个字", row=number, column=NAME))
        note = cells.get(CLOSED_NOTE, "") or None
        if note and len(note) > 200:
            problems.append(Problem("撤销说明不能超过200个字", row=number, column=CLOSED_NOTE))
        closed_on = _check_date(cells.get(CLOSED_ON, ""), number, problems)
        if code is None:
            continue
        if code in seen:
            problems.append(Problem(f"区划代码 {code} 重复（与第{seen[code]}行相同）", row=number, column=CODE))
            continue
        seen[code] = number
        if parent == code:
            problems.append(Problem("上级区划代码不能是本区划自己", row=number, column=PARENT))
            parent = None
        rows.append(_Row(number, code, name, parent if cells.get(PARENT) else None, cells.get(KIND, "") or None,
                         closed_on, note))
    return rows, problems


def _structure(rows: list[_Row], problems: list[Problem]) -> _Row | None:
    """Find the county, give every row its level, and check the tree; returns the county row."""
    by_code = {r.code: r for r in rows}
    kinds = {r.code: _kind_for(r, problems) for r in rows}
    roots = [r for r in rows if r.parent_code is None]
    county_roots = [r for r in roots
                    if (kind := kinds[r.code]) is None or LEVEL_OF_KIND[kind] is JurisdictionLevel.COUNTY]
    for r in roots:
        if r not in county_roots:
            problems.append(Problem("缺少上级区划代码（只有县级区划可以不填）", row=r.number, column=PARENT))
    if not county_roots:
        if rows and not roots:
            problems.append(Problem("文件中没有县级区划：须有且只有一行不填“上级区划代码”"))
        elif rows:
            problems.append(Problem("文件中没有县级区划：不填“上级区划代码”的一行应是县（市、区）"))
        county = None
    else:
        county = county_roots[0]
        for extra in county_roots[1:]:
            problems.append(Problem(f"文件中只能有一个县级区划（不填“上级区划代码”的行），第{county.number}行已是县级区划",
                                    row=extra.number, column=PARENT))
    for r in rows:
        if r.parent_code is not None and r.parent_code not in by_code:
            problems.append(Problem(f"上级区划代码 {r.parent_code} 在文件中不存在", row=r.number, column=PARENT))
    # Depth by walking up to the county; a walk that meets itself is a cycle. -1: no place in the tree.
    depth: dict[str, int] = {}
    for r in rows:
        path: list[_Row] = []
        node = r
        while True:
            if node.code in depth:
                result = depth[node.code]
                break
            if node in path:
                cycle = path[path.index(node):]
                chain = " → ".join(n.code for n in [*cycle, node])
                for member in cycle:
                    problems.append(Problem(f"上下级关系形成循环：{chain}", row=member.number, column=PARENT))
                    depth[member.code] = -1
                result = -1
                break
            parent = by_code.get(node.parent_code) if node.parent_code else None
            if parent is None:
                # The county, a second root (reported above) or a missing parent (reported above).
                result = depth[node.code] = 0 if node is county else -1
                break
            path.append(node)
            node = parent
        for member in reversed(path):
            if member.code in depth:
                result = depth[member.code]
                continue
            result = result + 1 if result >= 0 else -1
            depth[member.code] = result
    for r in rows:
        d = depth.get(r.code, -1)
        kind = kinds[r.code]
        if d < 0 or kind is None:
            continue
        if d > 2:
            problems.append(Problem("区划层级过深：村（社区）之下不能再有下级区划", row=r.number, column=PARENT))
            continue
        level = _DEPTH[d]
        r.level = level
        r.kind = kind
        want = LEVEL_OF_KIND[kind]
        if want is not level:
            if want is JurisdictionLevel.VILLAGE and level is JurisdictionLevel.TOWN:
                message = "村（社区）不能直接隶属于县，上级区划代码应为其所属乡镇（街道）"
            elif want is JurisdictionLevel.COUNTY:
                message = "县级区划不应填写上级区划代码"
            else:
                message = f"类型“{kind}”是{LEVEL_LABELS[want]}，但按上级区划它处在{LEVEL_LABELS[level]}一级"
            problems.append(Problem(message, row=r.number, column=KIND if r.kind else PARENT))
            r.level = None
            continue
        parent = by_code.get(r.parent_code) if r.parent_code else None
        if level is JurisdictionLevel.COUNTY and not r.code.endswith("000000"):
            problems.append(Problem("县级区划代码后6位应为000000", row=r.number, column=CODE))
        elif level is JurisdictionLevel.TOWN and parent is not None and (
                r.code[:6] != parent.code[:6] or not r.code.endswith("000") or r.code[6:9] == "000"):
            problems.append(Problem(f"乡镇（街道）区划代码应以所属县代码的前6位 {parent.code[:6]} 开头、以000结尾",
                                    row=r.number, column=CODE))
        elif level is JurisdictionLevel.VILLAGE and parent is not None and (
                r.code[:9] != parent.code[:9] or r.code.endswith("000")):
            problems.append(Problem(f"村（社区）区划代码应以所属乡镇（街道）代码的前9位 {parent.code[:9]} 开头、"
                                    "后3位不为000", row=r.number, column=CODE))
        if level is JurisdictionLevel.COUNTY and r.closed_on is not None:
            problems.append(Problem("县级区划不能撤销", row=r.number, column=CLOSED_ON))
        if parent is not None and parent.closed_on is not None and (
                r.closed_on is None or r.closed_on > parent.closed_on):
            problems.append(Problem(f"上级区划“{parent.name}”于 {parent.closed_on} 撤销，本区划须同日或更早撤销，"
                                    "或改隶其他区划", row=r.number, column=CLOSED_ON))
    return county if county is not None and county.level is JurisdictionLevel.COUNTY else None


def _existing(session: Session, county_code: str) -> tuple[Jurisdiction | None, dict[str, Jurisdiction]]:
    """The county already in the database with this code and every area under it, by code."""
    county = session.scalar(select(Jurisdiction).where(Jurisdiction.code == county_code))
    if county is None:
        return None, {}
    found = {county.code: county}
    frontier = [county.id]
    while frontier:
        children = list(session.scalars(select(Jurisdiction).where(Jurisdiction.parent_id.in_(frontier))))
        found.update({c.code: c for c in children})
        frontier = [c.id for c in children]
    return county, found


def _staff_placed_in(session: Session, codes: list[str]) -> list[tuple[str, str]]:
    """(place, username) of active accounts placed in ``codes``. Accounts sit above jurisdictions, so the
    accounts table is read through the shared metadata rather than by importing its model."""
    users = Base.metadata.tables["users"]
    return [(place, name) for place, name in session.execute(
        select(Jurisdiction.name, users.c.username).join(users, users.c.jurisdiction_id == Jurisdiction.id)
        .where(Jurisdiction.code.in_(codes), users.c.active.is_(True)).order_by(Jurisdiction.code, users.c.username))]


def preview_import(session: Session, filename: str, data: bytes, *, now: dt.datetime,
                   max_rows: int = MAX_ROWS) -> JurisdictionPlan:
    """Check a jurisdictions file and compare it with the database; writes nothing.

    Raises ImportRejected listing every problem (row, column, reason in Chinese).
    """
    rows, problems = _read_rows(filename, data, max_rows)
    county = _structure(rows, problems)
    if problems or county is None:
        raise ImportRejected(problems or [Problem("文件中没有县级区划")])
    today = local_date(now)
    _, existing = _existing(session, county.code)
    others = {j.code: j for j in session.scalars(select(Jurisdiction).where(
        Jurisdiction.code.in_([r.code for r in rows]))) if j.code not in existing}
    for r in rows:
        other = others.get(r.code)
        if other is not None:
            problems.append(Problem(f"区划代码 {r.code} 已属于其他县（{other.county.name}），不能导入到{county.name}",
                                    row=r.number, column=CODE))
        old = existing.get(r.code)
        if old is not None and r.level is not None and old.level is not r.level:
            problems.append(Problem(f"“{old.name}”已作为{LEVEL_LABELS[old.level]}存在，层级不能改为{LEVEL_LABELS[r.level]}"
                                    "（请为新区划使用新代码）", row=r.number, column=PARENT))
    if problems:
        raise ImportRejected(problems)
    changes: list[JurisdictionChange] = []
    unchanged = 0
    in_file = {r.code for r in rows}
    for r in sorted(rows, key=lambda r: (_DEPTH.index(r.level) if r.level is not None else 0, r.code)):
        assert r.level is not None and r.kind is not None
        old = existing.get(r.code)
        what: list[str] = []
        old_parent = old.parent.code if old is not None and old.parent is not None else None
        if old is None:
            what.append("added")
            if r.closed_on is not None:
                what.append("closed")
        else:
            if old.name != r.name:
                what.append("renamed")
            if old.kind != r.kind:
                what.append("retyped")
            if old_parent != r.parent_code:
                what.append("moved")
            if r.closed_on != old.closed_on:
                what.append("closed" if r.closed_on is not None else "reopened")
            elif r.closed_on is not None and (r.closed_note or None) != (old.closed_note or None):
                what.append("closed")
        if not what:
            unchanged += 1
            continue
        changes.append(JurisdictionChange(
            code=r.code, name=r.name, kind=r.kind, level=r.level.value, parent_code=r.parent_code,
            changes=tuple(what), row=r.number, old_name=old.name if old is not None else None,
            old_kind=old.kind if old is not None else None, old_parent_code=old_parent,
            closed_on=r.closed_on.isoformat() if r.closed_on else None, closed_note=r.closed_note))
    for code, old in sorted(existing.items()):
        if code in in_file:
            continue
        if old.closed_on is not None:
            unchanged += 1
            continue
        changes.append(JurisdictionChange(
            code=code, name=old.name, kind=old.kind, level=old.level.value,
            parent_code=old.parent.code if old.parent else None, changes=("closed",), old_name=old.name,
            closed_on=today.isoformat(), closed_note=ABSENT_NOTE))
    warnings = []
    closing = [c.code for c in changes if "closed" in c.changes]
    if closing:
        staff = _staff_placed_in(session, closing)
        by_place: dict[str, list[str]] = {}
        for place, username in staff:
            by_place.setdefault(place, []).append(username)
        warnings = [f"{place}撤销后仍有在用账号：{'、'.join(names)}，请调整其所属区划或停用"
                    for place, names in by_place.items()]
    return JurisdictionPlan(county.code, county.name, tuple(changes), unchanged, tuple(warnings))


def apply_plan(session: Session, plan: JurisdictionPlan, *, now: dt.datetime, actor: User | None = None) -> None:
    """Write a plan made by :func:`preview_import` in the caller's transaction, with an audit record.

    Raises nothing of its own (the plan was checked); call it only with a fresh plan.
    """
    _, existing = _existing(session, plan.county_code)
    for change in plan.changes:
        place = existing.get(change.code)
        parent = existing.get(change.parent_code) if change.parent_code else None
        if place is None:
            place = Jurisdiction(code=change.code, name=change.name, kind=change.kind,
                                 level=JurisdictionLevel(change.level), parent=parent)
            session.add(place)
            existing[change.code] = place
        else:
            place.name, place.kind = change.name, change.kind
            if "moved" in change.changes:
                place.parent = parent
        if "closed" in change.changes or "reopened" in change.changes:
            place.closed_on = dt.date.fromisoformat(change.closed_on) if change.closed_on else None
            place.closed_note = change.closed_note if change.closed_on else None
    session.flush()
    if plan.changes:
        record(session, actor=actor, action=AuditAction.JURISDICTIONS_IMPORT, object_type="jurisdiction",
               object_id=plan.county_code, now=now, jurisdiction_id=existing[plan.county_code].id,
               payload={**plan.counts, "changed": [c.code for c in plan.changes]})


def import_jurisdictions(session: Session, filename: str, data: bytes, *, now: dt.datetime,
                         actor: User | None = None, expected: str | None = None,
                         max_rows: int = MAX_ROWS) -> JurisdictionPlan:
    """Check the file and write it (all or nothing); returns what changed.

    ``expected`` is the fingerprint of the plan the user saw in a preview. Raises ImportRejected with
    every located problem, or Conflict when the database changed since that preview.
    """
    plan = preview_import(session, filename, data, now=now, max_rows=max_rows)
    if expected is not None and plan.fingerprint != expected:
        raise Conflict("区划数据在预览之后已发生变化，请重新上传文件并核对预览")
    apply_plan(session, plan, now=now, actor=actor)
    return plan


def export_rows(session: Session, county_code: str | None = None) -> list[list[str]]:
    """The county's areas as file rows (header first), county, then towns, then villages, each by code.

    Raises NotFound when there is no county, or several and none is named.
    """
    if county_code is None:
        counties = list(session.scalars(select(Jurisdiction).where(
            Jurisdiction.level == JurisdictionLevel.COUNTY).order_by(Jurisdiction.code)))
        if not counties:
            raise NotFound("尚无区划数据，请先导入区划文件")
        if len(counties) > 1:
            raise NotFound("系统中有多个县级区划，请指定要导出的县级区划代码：" + "、".join(c.code for c in counties))
        county_code = counties[0].code
    county, existing = _existing(session, county_code)
    if county is None or county.level is not JurisdictionLevel.COUNTY:
        raise NotFound(f"未找到县级区划 {county_code}")
    ordered = sorted(existing.values(), key=lambda j: (_DEPTH.index(j.level), j.code))
    out = [list(COLUMNS)]
    for j in ordered:
        out.append([j.code, j.name, j.parent.code if j.parent else "", j.kind,
                    j.closed_on.isoformat() if j.closed_on else "", j.closed_note or ""])
    return out


def export_jurisdictions(session: Session, fmt: str = "csv", *, county_code: str | None = None,
                         encoding: str = "utf-8-sig") -> bytes:
    """The county's areas in the import format: CSV (UTF-8 with BOM so Excel reads it; or ``gb18030``)
    or XLSX with codes stored as text. Raises NotFound (see :func:`export_rows`), ValueError for an
    unknown format."""
    rows = export_rows(session, county_code)
    if fmt == "csv":
        return csv_bytes(rows, encoding=encoding)
    if fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook has one sheet
        sheet.title = "区划"
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=1):
            for cell in cells:
                keep_as_text(cell)
        for cells in sheet.iter_rows(min_row=1):
            for cell in cells[:3]:
                cell.number_format = "@"  # keep 12-digit codes as text, not 3.30188E+11
        for letter, width in zip("ABCDEF", (16, 20, 16, 8, 12, 24), strict=True):
            sheet.column_dimensions[letter].width = width
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt}")
