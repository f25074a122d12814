"""Calendar days entered by an administrator: the State Council's holiday notice for years the
``chinese_calendar`` package does not know yet, and corrections to the package."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import ValidationFailed

NAME_MAX_LENGTH = 50


class CalendarDay(Base):
    """One day whose status the administrator fixed (e.g. 2027-02-06 春节 rest, 2027-02-14 调休上班).

    Entering any day of a year declares that year's notice entered: the other days of that year then
    follow the weekend rule without being provisional (see :class:`WorkingCalendar`).
    """

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'working' if self.is_working else 'rest'} {self.name}>"


def set_calendar_day(session: Session, day: dt.date, *, is_working: bool, name: str, actor_id: int | None,
                     now: dt.datetime) -> CalendarDay:
    """Create or change the entry for ``day``.

    Raises ValidationFailed (name too long) and TypeError (``day`` is a datetime, not a date).
    """
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError("day must be a date")
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed("名称过长", details={"name": f"不能超过{NAME_MAX_LENGTH}个字"})
    row = session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        session.add(row)
    row.is_working = is_working
    row.name = name
    row.updated_by_id = actor_id
    row.updated_at = now
    session.flush()
    return row


def remove_calendar_day(session: Session, day: dt.date) -> bool:
    """Delete the entry for ``day`` (the package or the weekend rule applies again); False if none.

    Raises nothing.
    """
    row = session.get(CalendarDay, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def calendar_days(session: Session) -> list[CalendarDay]:
    """Every entered day, in date order. Raises nothing."""
    return list(session.scalars(select(CalendarDay).order_by(CalendarDay.day)))
