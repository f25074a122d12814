"""Entering a State Council holiday notice into the calendar table, one line per day or range:

    2027-01-01 休 元旦
    2027-02-06~2027-02-12 休 春节
    2027-02-14 班 春节调休上班
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.calendar.models import remove_calendar_day, set_calendar_day
from service_hall.core.errors import NotFound, ValidationFailed

_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*[~～至]\s*(\d{4}-\d{2}-\d{2}))?\s+(休|班)\s*(.*)$")
MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class CalendarEntry:
    day: dt.date
    is_working: bool
    name: str


def parse_calendar_lines(text: str) -> list[CalendarEntry]:
    """Parse the lines; raises ValidationFailed listing every bad line (第N行：…) — nothing half-entered."""
    entries: list[CalendarEntry] = []
    errors: dict[str, str] = {}
    for n, raw in enumerate((text or "").replace("\u3000", " ").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            errors[f"第{n}行"] = "格式应为“YYYY-MM-DD 休|班 名称”或“YYYY-MM-DD~YYYY-MM-DD 休 名称”"
            continue
        try:
            start = dt.date.fromisoformat(match.group(1))
            end = dt.date.fromisoformat(match.group(2)) if match.group(2) else start
        except ValueError:
            errors[f"第{n}行"] = "日期无效"
            continue
        if end < start:
            errors[f"第{n}行"] = "结束日期不能早于开始日期"
            continue
        if (end - start).days >= MAX_RANGE_DAYS:
            errors[f"第{n}行"] = f"一行的日期范围不能超过{MAX_RANGE_DAYS}天"
            continue
        name = match.group(4).strip()
        if len(name) > 50:
            errors[f"第{n}行"] = "名称不能超过50个字"
            continue
        day = start
        while day <= end:
            entries.append(CalendarEntry(day, match.group(3) == "班", name))
            day += dt.timedelta(days=1)
    if errors:
        raise ValidationFailed("节假日安排有误，未作任何修改", details=errors)
    if not entries:
        raise ValidationFailed("请至少填写一行", details={"lines": "请至少填写一行"})
    return entries


def enter_calendar(session: Session, text: str, *, actor: User, now: dt.datetime) -> list[CalendarEntry]:
    """Parse and store every line (all or nothing), with one audit record. Raises ValidationFailed."""
    entries = parse_calendar_lines(text)
    for e in entries:
        set_calendar_day(session, e.day, is_working=e.is_working, name=e.name, actor_id=actor.id, now=now)
    record(session, actor=actor, action=AuditAction.CALENDAR_ENTER, object_type="calendar",
           object_id=entries[0].day.year, now=now,
           payload={"days": [[e.day.isoformat(), e.is_working, e.name] for e in entries]})
    return entries


def remove_calendar_entry(session: Session, day: str, *, actor: User, now: dt.datetime) -> dt.date:
    """Delete the entered day ``day`` (``YYYY-MM-DD``), with an audit record; the official calendar or the
    weekend rule applies again. Raises NotFound for a malformed date or a day that has no entry."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound("日期无效") from None
    if not remove_calendar_day(session, date):
        raise NotFound("该日期没有录入记录")
    record(session, actor=actor, action=AuditAction.CALENDAR_REMOVE, object_type="calendar",
           object_id=date.isoformat(), now=now)
    return date
