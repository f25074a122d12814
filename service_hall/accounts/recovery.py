"""找回密码: self-service password reset by a code sent to the account's registered mobile, offered only
when the deployment has an SMS gateway (docs/architecture.md, "找回密码").

A request answers alike whether or not the account exists. A code has :data:`CODE_DIGITS` digits, lives
:data:`CODE_LIFETIME`, is stored only as a keyed hash, works once and dies after :data:`MAX_ATTEMPTS`
wrong guesses; at most :data:`PER_ACCOUNT` codes per account and :data:`PER_ADDRESS` per address are
issued an hour. Setting the new password checks its strength, ends every session and API token, and is
audited. No function commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service_hall.accounts import throttle
from service_hall.accounts.credentials import revoke_everything
from service_hall.accounts.models import User
from service_hall.accounts.operations import hash_password
from service_hall.accounts.schemas import check_password_strength
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import ValidationFailed
from service_hall.core.validators import InvalidValue

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
PER_ACCOUNT = 3
PER_ADDRESS = 10
WINDOW = dt.timedelta(hours=1)


class PasswordResetCode(Base):
    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Issued:
    """A code to send: to ``mobile``, the account's; never stored in the clear."""

    mobile: str
    code: str
    idempotency_key: str


def _hash(user_id: int, code: str) -> str:
    return hashlib.sha256(f"reset:{user_id}:{code}".encode()).hexdigest()


def _account(session: Session, login: str) -> User | None:
    login = login.strip()
    if not login:
        return None
    return session.scalar(select(User).where((User.username == login) | (User.mobile == login),
                                             User.active.is_(True)).limit(1))


def request_code(session: Session, login: str, *, address: str, now: dt.datetime) -> Issued | None:
    """A code for the account signed in as ``login`` (username or mobile), if it exists, is active, has a
    mobile and is under its hourly limit; ``None`` otherwise — the caller answers alike either way.
    Every request counts against ``address`` (unknown accounts too). Raises nothing."""
    since = now - WINDOW
    from_here = session.scalar(select(func.count()).select_from(PasswordResetCode).where(
        PasswordResetCode.address == address[:64], PasswordResetCode.created_at > since)) or 0
    user = _account(session, login)
    row = PasswordResetCode(user_id=user.id if user else None, address=address[:64], code_hash=None,
                            created_at=now, expires_at=now + CODE_LIFETIME, failed_attempts=0)
    session.add(row)
    if from_here >= PER_ADDRESS or user is None or not user.mobile:
        row.used_at = now
        session.flush()
        return None
    for_account = session.scalar(select(func.count()).select_from(PasswordResetCode).where(
        PasswordResetCode.user_id == user.id, PasswordResetCode.code_hash.is_not(None),
        PasswordResetCode.created_at > since)) or 0
    if for_account >= PER_ACCOUNT:
        row.used_at = now
        session.flush()
        return None
    for earlier in _open(session, user, now):
        earlier.used_at = now
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row.code_hash = _hash(user.id, code)
    session.flush()
    return Issued(user.mobile, code, f"password-reset:{row.id}")


def _open(session: Session, user: User, now: dt.datetime) -> list[PasswordResetCode]:
    return list(session.scalars(select(PasswordResetCode).where(
        PasswordResetCode.user_id == user.id, PasswordResetCode.code_hash.is_not(None),
        PasswordResetCode.used_at.is_(None), PasswordResetCode.expires_at > now)))


def reset_with_code(session: Session, login: str, code: str, new_password: str, confirm: str, *,
                    now: dt.datetime) -> User:
    """Set ``new_password`` on the account ``login`` names, given its open code.

    Raises ValidationFailed: the code wrong, used, expired or guessed too often (the same answer for an
    unknown account; a wrong guess counts, so the caller commits the refusal — the ``code`` field is then
    among the errors), or the new password weak or not confirmed.
    """
    user = _account(session, login)
    code = code.strip()
    wrong = ValidationFailed("验证码有误", details={"code": "验证码不正确或已失效，请重新获取"})
    if user is None:
        raise wrong
    grants = _open(session, user, now)
    match = next((g for g in grants if len(code) == CODE_DIGITS and code.isdigit()
                  and hmac.compare_digest(g.code_hash or "", _hash(user.id, code))), None)
    if match is None:
        for grant in grants:
            grant.failed_attempts += 1
            if grant.failed_attempts >= MAX_ATTEMPTS:
                grant.used_at = now
        session.flush()
        raise wrong
    errors: dict[str, str] = {}
    try:
        check_password_strength(new_password, (user.username, user.real_name, user.mobile or "",
                                               user.id_number or ""))
    except InvalidValue as exc:
        errors["new_password"] = str(exc)
    if new_password != confirm:
        errors["new_password_confirm"] = "两次输入的密码不一致"
    if errors:
        raise ValidationFailed("新密码不符合要求", details=errors)
    match.used_at = now
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    throttle.clear(session, user.username)
    revoke_everything(session, user, now=now)
    record(session, actor=user, action=AuditAction.USER_RESET_PASSWORD_BY_SMS, object_type="user",
           object_id=user.id, now=now)
    return user
