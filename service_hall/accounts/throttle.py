"""Sign-in throttling per (account name, address): a progressive delay instead of an account lock.

Locking an account after a few wrong passwords let anyone lock anyone out — the administrator
included — and told them which names exist. Here failures are counted per account name *and* client
address: after ``free`` failures each further one makes that pair wait twice as long as the last
(1 s, 2 s, 4 s … up to ``max_delay``), while the owner signing in from elsewhere is not slowed down.
Names that do not exist are throttled exactly like real ones. An administrator can clear an
account's counters. Nothing here commits; callers keep a failure by committing the refusal.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import PermissionDenied

FORGET_AFTER = dt.timedelta(hours=24)


class LoginLocked(PermissionDenied):
    """Too many failed attempts from this address for this name; ``until`` says when to try again."""

    def __init__(self, until: dt.datetime, now: dt.datetime) -> None:
        wait = max(1, int((until - now).total_seconds() + 0.999))
        super().__init__(f"登录尝试过于频繁，请 {_wait_text(wait)}后再试")
        self.until = until


def _wait_text(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 60 else f"{(seconds + 59) // 60} 分钟"


class LoginThrottle(Base):
    """Failed sign-ins of one account name from one address."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("account", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


def _key(account: str, address: str) -> tuple[str, str]:
    return account.strip().lower()[:64], (address or "unknown")[:64]


def _row(session: Session, account: str, address: str) -> LoginThrottle | None:
    name, where = _key(account, address)
    return session.scalar(select(LoginThrottle).where(LoginThrottle.account == name, LoginThrottle.address == where))


def blocked_until(session: Session, account: str, address: str, *, now: dt.datetime) -> dt.datetime | None:
    """When the pair may try again, if it must wait now; else None."""
    row = _row(session, account, address)
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return None
    return row.blocked_until


def record_failure(session: Session, account: str, address: str, *, now: dt.datetime, free: int,
                   max_delay: dt.timedelta) -> None:
    """Count a failed sign-in and set the next delay. Raises nothing."""
    row = _row(session, account, address)
    if row is None:
        name, where = _key(account, address)
        row = LoginThrottle(account=name, address=where, failures=0, last_failure_at=now)
        session.add(row)
    elif now - row.last_failure_at > FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    over = row.failures - free
    if over > 0:
        row.blocked_until = now + min(dt.timedelta(seconds=2 ** min(over - 1, 20)), max_delay)
    session.flush()


def clear(session: Session, account: str, address: str | None = None) -> None:
    """Forget the failures of an account name (from one address, or from all: an administrator's unlock).

    Raises nothing.
    """
    name = account.strip().lower()[:64]
    query = delete(LoginThrottle).where(LoginThrottle.account == name)
    if address is not None:
        query = query.where(LoginThrottle.address == _key(account, address)[1])
    session.execute(query)
