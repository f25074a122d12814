"""Account operations. Callers pass the session and ``now``; nothing here commits."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.validators import InvalidValue, check_mobile
from service_hall.accounts.credentials import issue_token, revoke_everything, token_row
from service_hall.accounts.models import ApplicantType, User
from service_hall.accounts.permissions import Role
from service_hall.accounts.schemas import (
    RegistrationSchema,
    StaffAccountSchema,
    check_password_strength,
    flatten_errors,
)
from service_hall.core.base import utcnow
from service_hall.core.errors import NotFound, PermissionDenied, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction

# Cost is tunable for small machines (and the test suite); the defaults are argon2-cffi's RFC 9106 profile.
_hasher = PasswordHasher(
    time_cost=int(os.environ.get("ARGON2_TIME_COST", "3")),
    memory_cost=int(os.environ.get("ARGON2_MEMORY_KIB", "65536")),
    parallelism=int(os.environ.get("ARGON2_PARALLELISM", "4")),
)
# Verifying against this keeps the timing of "no such user" close to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _load(schema: Any, data: Mapping[str, Any], extra_errors: dict[str, str]) -> dict[str, Any]:
    """Validate with the schema; report its errors together with ``extra_errors`` (database checks
    done on the raw input) so the user sees every problem at once."""
    try:
        values = schema.load(dict(data))
    except ValidationError as exc:
        errors = {**extra_errors, **flatten_errors(exc.messages)}
        raise ValidationFailed("提交的信息有误，请按提示修改", details=errors) from None
    if extra_errors:
        raise ValidationFailed("提交的信息有误，请按提示修改", details=extra_errors)
    return values


def _raw(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def register_applicant(session: Session, data: Mapping[str, Any], *, now: dt.datetime) -> User:
    """Create an applicant account from registration input.

    Raises ValidationFailed (field → message) for bad input or a mobile number already registered.
    """
    extra: dict[str, str] = {}
    try:
        raw_mobile = check_mobile(_raw(data, "mobile"))
    except ValueError:
        pass
    else:
        if session.scalar(select(User.id).where((User.mobile == raw_mobile) | (User.username == raw_mobile))):
            extra["mobile"] = "该手机号码已注册，请直接登录"
    values = _load(RegistrationSchema(), data, extra)
    mobile = check_mobile(values["mobile"])
    enterprise = values["applicant_type"] is ApplicantType.ENTERPRISE
    user = User(
        username=mobile,
        role=Role.APPLICANT,
        real_name=values["real_name"],
        mobile=mobile,
        applicant_type=values["applicant_type"],
        id_number=values["id_number"].upper(),
        credit_code=values["credit_code"].upper() if enterprise else None,
        organisation_name=values["organisation_name"] if enterprise else None,
        password_hash=hash_password(values["password"]),
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def create_staff(session: Session, data: Mapping[str, Any], *, now: dt.datetime) -> User:
    """Create a staff account in a jurisdiction.

    Raises ValidationFailed for bad input, an unknown jurisdiction or a username already taken.
    """
    extra: dict[str, str] = {}
    code, username, mobile = _raw(data, "jurisdiction_code"), _raw(data, "username"), _raw(data, "mobile")
    jurisdiction = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code)) if code else None
    if code and jurisdiction is None:
        extra["jurisdiction_code"] = "未找到该区划代码对应的县、乡镇或街道"
    if username and session.scalar(select(User.id).where(User.username == username)):
        extra["username"] = "该用户名已被占用"
    if mobile and session.scalar(select(User.id).where(User.mobile == mobile)):
        extra["mobile"] = "该手机号码已被其他账号使用"
    values = _load(StaffAccountSchema(), data, extra)
    user = User(
        username=values["username"],
        role=values["role"],
        real_name=values["real_name"],
        mobile=values["mobile"],
        password_hash=hash_password(values["password"]),
        jurisdiction=jurisdiction,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


class LoginLocked(PermissionDenied):
    """Too many failed attempts from this address for this name; ``until`` says when to try again."""

    def __init__(self, until: dt.datetime, now: dt.datetime) -> None:
        wait = max(1, int((until - now).total_seconds() + 0.999))
        super().__init__(f"登录尝试过于频繁，请 {_wait_text(wait)}后再试")
        self.until = until


def _wait_text(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 60 else f"{(seconds + 59) // 60} 分钟"


def authenticate(session: Session, username: str, password: str, *, now: dt.datetime, address: str = "",
                 max_failures: int = 5, lock_minutes: int = 15) -> User:
    """Check a username (or an applicant's mobile) and password.

    Failures are counted per (name, ``address``): after ``max_failures`` each further one doubles the
    wait for that pair, up to ``lock_minutes`` (service_hall/accounts/throttle.py); no account is ever
    locked for everyone. Raises LoginLocked while the pair must wait (whether or not the name exists),
    PermissionDenied for wrong credentials or a disabled account (one message for all, so that account
    existence does not leak).
    """
    from service_hall.accounts import throttle

    wrong = PermissionDenied("用户名或密码错误")
    until = throttle.blocked_until(session, username, address, now=now)
    if until is not None:
        raise LoginLocked(until, now)
    user = session.scalar(select(User).where(User.username == username.strip()))
    try:
        if user is None:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password)
            raise wrong
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise wrong from None
    except PermissionDenied:
        throttle.record_failure(session, username, address, now=now, free=max_failures,
                                max_delay=dt.timedelta(minutes=lock_minutes))
        raise
    if not user.active:
        raise wrong
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.clear(session, username, address)
    user.last_login_at = now
    return user


def issue_api_token(session: Session, user: User, *, now: dt.datetime) -> str:
    """Create a bearer token for the API and return it (see service_hall/accounts/credentials.py)."""
    return issue_token(session, user, now=now)[0]


def user_for_token(session: Session, token: str, *, now: dt.datetime) -> User | None:
    """The active user a live bearer token belongs to, or None (unknown, expired, revoked, outdated)."""
    row = token_row(session, token, now=now)
    if row is None:
        return None
    row.last_used_at = now
    return row.user


def set_active(session: Session, user_id: int, active: bool, *, now: dt.datetime | None = None) -> User:
    """Enable or disable an account (disabling ends its sessions and tokens). Raises NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在")
    user.active = active
    if not active:
        revoke_everything(session, user, now=now or utcnow())
    return user


def reset_password(session: Session, user_id: int, *, now: dt.datetime) -> tuple[User, str]:
    """An administrator resets a staff account's password: returns (user, temporary password). Every
    session and token of the account ends, and the temporary password must be changed at the next
    sign-in. Raises NotFound (also for applicants, who reset their own)."""
    user = session.get(User, user_id)
    if user is None or user.role == Role.APPLICANT:
        raise NotFound("账号不存在")
    temporary = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    revoke_everything(session, user, now=now)
    return user, temporary


def unlock(session: Session, user_id: int) -> User:
    """An administrator clears the account's sign-in throttling from every address. Raises NotFound."""
    from service_hall.accounts import throttle

    user = session.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在")
    throttle.clear(session, user.username)
    return user


def change_password(session: Session, user: User, old: str, new: str, *, now: dt.datetime | None = None) -> None:
    """Set a new password; every session and API token of the user ends (the caller opens a new session
    for the browser that made the change). Raises PermissionDenied for a wrong old password,
    ValidationFailed for a weak new one."""
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise PermissionDenied("原密码错误") from None
    try:
        check_password_strength(new, (user.username, user.real_name, user.mobile or "", user.id_number or ""))
    except InvalidValue as exc:
        raise ValidationFailed(str(exc), details={"new_password": str(exc)}) from None
    user.password_hash = hash_password(new)
    user.must_change_password = False
    revoke_everything(session, user, now=now or utcnow())


def applicant_by_mobile(session: Session, mobile: str) -> User | None:
    """The applicant account registered with this mobile number, if any."""
    if not mobile:
        return None
    return session.scalar(select(User).where(User.mobile == mobile, User.role == Role.APPLICANT))


def staff_accounts(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role != Role.APPLICANT).order_by(User.username)))
