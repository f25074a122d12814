"""Creating, importing and editing offices and service windows. Nothing here commits.

Errors are located the way list imports locate them: ``ValidationFailed.details`` is a list of
``{"row", "column", "message"}`` for files and a field → message dict for single records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from service_hall.offices.models import Office, ServiceWindow

# Header words of an offices file → field (one table; docs/power-list-format.md repeats it).
OFFICE_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "部门名称", "单位名称", "机关名称", "部门"),
    "short_name": ("简称", "文号简称", "部门简称"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码"),
    "seal_text": ("印章文字", "印章名称", "公章文字", "印章"),
}
OFFICE_LABELS = {"name": "名称", "short_name": "简称", "credit_code": "统一社会信用代码", "seal_text": "印章文字"}


def _one_line(value: str) -> bool:
    return "\n" not in value and "\r" not in value


class OfficeSchema(Schema):
    """One office as entered on the page or read from a file row."""

    name = fields.String(required=True, validate=validate.Length(max=200, error="名称不能超过200个字符"),
                         error_messages={"required": "请填写名称"})
    short_name = fields.String(load_default="", validate=validate.Length(max=50, error="简称不能超过50个字符"))
    credit_code = fields.String(load_default="")
    seal_text = fields.String(load_default="", validate=validate.Length(max=200, error="印章文字不能超过200个字符"))

    @validates("credit_code")
    def _credit_code(self, value: str, **_: Any) -> None:
        if value:
            from service_hall.core.validators import InvalidValue, check_credit_code

            try:
                check_credit_code(value)
            except InvalidValue as exc:
                raise ValidationError(str(exc)) from None

    @validates("name")
    def _name(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("请填写名称")
        if not _one_line(value):
            raise ValidationError("名称不能包含换行")


_SCHEMA = OfficeSchema()


def _clean(raw: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for key in OFFICE_LABELS:
        value = raw.get(key)
        out[key] = re.sub(r"\s+", " ", str(value).replace("\u3000", " ")).strip() if value is not None else ""
    out["credit_code"] = out["credit_code"].replace(" ", "").upper()
    return out


def _load(raw: Mapping[str, Any]) -> dict[str, str]:
    """Raises ValidationError (marshmallow) with field → messages."""
    data = _SCHEMA.load(_clean(raw))
    data["short_name"] = data["short_name"] or default_short_name(data["name"])
    data["seal_text"] = data["seal_text"] or data["name"]
    return data


def default_short_name(name: str) -> str:
    """A first guess for the number prefix: the name itself (an administrator shortens it)."""
    return name[:50]


def offices_of(session: Session, county: Jurisdiction) -> list[Office]:
    """The county's offices by name. Raises nothing."""
    return list(session.scalars(select(Office).where(Office.county_id == county.id).order_by(Office.name)))


def office_by_name(session: Session, county_id: int, name: str) -> Office | None:
    """The county's office with exactly this name, or None. Raises nothing."""
    return session.scalar(select(Office).where(Office.county_id == county_id, Office.name == name.strip()))


def get_office(session: Session, county: Jurisdiction, office_id: int) -> Office:
    """An office loaded through its county, so an id from another county cannot reach it. Raises NotFound."""
    office = session.get(Office, office_id)
    if office is None or office.county_id != county.id:
        raise NotFound("未找到该部门")
    return office


def save_office(session: Session, county: Jurisdiction, raw: Mapping[str, Any], *, actor: Any, now: dt.datetime,
                office: Office | None = None) -> Office:
    """Create an office, or change ``office``. Raises ValidationFailed (field → message), also for a name
    another office of the county already has."""
    try:
        data = _load(raw)
    except ValidationError as exc:
        raise ValidationFailed("部门信息有误，请按提示修改",
                               details={k: v[0] if isinstance(v, list) else str(v)
                                        for k, v in exc.messages_dict.items()}) from None
    other = office_by_name(session, county.id, data["name"])
    if other is not None and other is not office:
        raise ValidationFailed("部门信息有误，请按提示修改", details={"name": f"已有名为“{data['name']}”的部门"})
    action = AuditAction.OFFICE_UPDATE if office is not None else AuditAction.OFFICE_CREATE
    if office is None:
        office = Office(county_id=county.id, created_at=now, **data)
        session.add(office)
    else:
        for key, value in data.items():
            setattr(office, key, value)
        office.updated_at = now
    session.flush()
    record(session, actor=actor, action=action, object_type="office", object_id=office.id, now=now,
           jurisdiction_id=county.id, payload=data)
    return office


def header_field(header: str) -> str | None:
    """The office field a header word names, or None."""
    key = re.sub(r"\s+", "", header.replace("\u3000", ""))
    for field, words in OFFICE_HEADERS.items():
        if key in words:
            return field
    return None


def import_offices(session: Session, county: Jurisdiction, rows: Sequence[tuple[int, Sequence[str]]], *,
                   actor: Any, now: dt.datetime) -> tuple[list[Office], list[Office]]:
    """Create or update the offices of a table (header row first, then one office per row); returns
    (created, updated). All or nothing: raises ValidationFailed whose details list every problem as
    ``{"row", "column", "message"}`` (nothing is written)."""
    problems: list[dict[str, Any]] = []
    rows = [(n, [str(c or "").strip() for c in cells]) for n, cells in rows]
    rows = [(n, cells) for n, cells in rows if any(cells)]
    header_at = next((i for i, (_, cells) in enumerate(rows[:10])
                      if "name" in {header_field(c) for c in cells}), None)
    if header_at is None:
        raise ValidationFailed("文件未导入：未找到表头（须有“名称”列）",
                               details=[{"row": None, "column": "名称", "message": "未找到表头（须有“名称”列）"}])
    header_row, headers = rows[header_at]
    columns = {i: header_field(h) for i, h in enumerate(headers) if header_field(h)}
    loaded: list[tuple[int, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for number, cells in rows[header_at + 1:]:
        raw = {str(field): cells[i] if i < len(cells) else "" for i, field in columns.items()}
        name = _clean(raw)["name"]
        if name and name in seen:
            problems.append({"row": number, "column": "名称", "message": f"部门“{name}”与第{seen[name]}行重复"})
            continue
        if name:
            seen[name] = number
        try:
            data = _load(raw)
        except ValidationError as exc:
            for key, messages in sorted(exc.messages_dict.items()):
                text = messages[0] if isinstance(messages, list) else str(messages)
                problems.append({"row": number, "column": OFFICE_LABELS.get(key, key), "message": text})
            continue
        loaded.append((number, data))
    if not loaded and not problems:
        problems.append({"row": header_row, "column": None, "message": "表格中没有任何部门"})
    if problems:
        raise ValidationFailed(f"文件未导入：发现{len(problems)}处问题，请修改后重新导入", details=problems)
    created, updated = [], []
    for _, data in loaded:
        office = office_by_name(session, county.id, data["name"])
        if office is None:
            office = Office(county_id=county.id, created_at=now, **data)
            session.add(office)
            created.append(office)
        else:
            for key, value in data.items():
                setattr(office, key, value)
            office.updated_at = now
            updated.append(office)
    session.flush()
    record(session, actor=actor, action=AuditAction.OFFICE_IMPORT, object_type="county", object_id=county.id, now=now,
           jurisdiction_id=county.id, payload={"created": [o.name for o in created],
                                               "updated": [o.name for o in updated]})
    return created, updated


def ensure_offices(session: Session, county: Jurisdiction, names: Iterable[str], *, actor: Any,
                   now: dt.datetime) -> list[Office]:
    """Create the offices a list names (原实施部门) that the county does not have yet, with the name as
    short name and seal text and no 统一社会信用代码; returns those created. Raises nothing."""
    have = {o.name for o in offices_of(session, county)}
    created = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        if name in have or len(name) > 200:
            continue
        office = Office(county_id=county.id, name=name, short_name=default_short_name(name), credit_code="",
                        seal_text=name, created_at=now)
        session.add(office)
        created.append(office)
    if created:
        session.flush()
        record(session, actor=actor, action=AuditAction.OFFICE_CREATE_FROM_LIST, object_type="county",
               object_id=county.id, now=now, jurisdiction_id=county.id, payload={"created": [o.name for o in created]})
    return created


# --- service windows ----------------------------------------------------------------------------

def window_of(session: Session, town_id: int) -> ServiceWindow | None:
    """The town's service window, or None when none is recorded. Raises nothing."""
    return session.scalar(select(ServiceWindow).where(ServiceWindow.town_id == town_id))


def windows_of(session: Session, towns: Iterable[Jurisdiction]) -> dict[int, ServiceWindow]:
    """Service windows of several towns by town id. Raises nothing."""
    ids = [t.id for t in towns]
    return {w.town_id: w for w in session.scalars(select(ServiceWindow).where(ServiceWindow.town_id.in_(ids)))}


def save_window(session: Session, town: Jurisdiction, raw: Mapping[str, Any], *, actor: Any,
                now: dt.datetime) -> ServiceWindow:
    """Record where the town's window is. Raises ValidationFailed (no address, too long, not a town)."""
    if town.level is not JurisdictionLevel.TOWN:
        raise ValidationFailed("只有乡镇（街道）设有便民服务窗口", details={"town": "只有乡镇（街道）设有便民服务窗口"})
    values = {k: re.sub(r"\s+", " ", str(raw.get(k) or "")).strip() for k in ("address", "phone", "hours")}
    errors = {}
    if not values["address"]:
        errors["address"] = "请填写窗口地址"
    for key, limit in (("address", 300), ("phone", 50), ("hours", 200)):
        if len(values[key]) > limit:
            errors[key] = f"不能超过{limit}个字符"
    if errors:
        raise ValidationFailed("窗口信息有误，请按提示修改", details=errors)
    window = window_of(session, town.id)
    if window is None:
        window = ServiceWindow(town_id=town.id, **values)
        session.add(window)
    else:
        for key, value in values.items():
            setattr(window, key, value)
    session.flush()
    record(session, actor=actor, action=AuditAction.SERVICE_WINDOW_SAVE, object_type="jurisdiction", object_id=town.id,
           now=now, jurisdiction_id=town.id, payload=values)
    return window
