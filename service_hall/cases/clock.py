"""Local dates and deadlines. The law counts working days in China's calendar and time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.cases.models import Counter

CHINA = ZoneInfo("Asia/Shanghai")
INTAKE_DAYS = 5  # 行政许可法 第三十二条: accept, refuse or notify correction within 5 working days


def local_date(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA).date()


def next_number(session: Session, scope: str, year: int) -> int:
    """The next value of a gap-free counter. The row is locked until the caller's transaction ends, so
    concurrent callers queue; a rolled-back transaction gives its number back."""
    row = session.scalar(select(Counter).where(Counter.scope == scope, Counter.year == year).with_for_update())
    if row is None:
        # First use: insert, and on a race let the loser retry via the lock path.
        from sqlalchemy.exc import IntegrityError

        try:
            with session.begin_nested():
                session.add(Counter(scope=scope, year=year, value=0))
        except IntegrityError:
            pass
        row = session.scalar(select(Counter).where(Counter.scope == scope, Counter.year == year).with_for_update())
        assert row is not None
    row.value += 1
    session.flush()
    return row.value
