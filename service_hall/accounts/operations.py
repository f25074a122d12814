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

from service_hall.accounts import second_factor, throttle
from service_hall.accounts.credentials import revoke_everything
from service_hall.accounts.models import ApplicantType, User
from service_hall.accounts.permissions import Permission, Role
from service_hall.accounts.placement import placement_problem
from service_hall.accounts.schemas import (
    RegistrationSchema,
    StaffAccountSchema,
    check_password_strength,
    flatten_errors,
)
from service_hall.accounts.throttle import LoginLocked
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.base import utcnow
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.core.validators import InvalidValue, check_mobile
from service_hall.jurisdictions.imports import CHINA
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


def add_staff(session: Session, data: Mapping[str, Any], *, actor: User, now: dt.datetime) -> User:
    """An administrator creates a staff account (audited; see :func:`create_staff`).

    Raises ValidationFailed for bad input, an unknown jurisdiction or a username already taken.
    """
    user = create_staff(session, data, now=now)
    record(session, actor=actor, action=AuditAction.USER_CREATE, object_type="user", object_id=user.id, now=now,
           payload={"username": user.username, "role": str(user.role)})
    return user


def create_staff(session: Session, data: Mapping[str, Any], *, now: dt.datetime) -> User:
    """Create a staff account in a jurisdiction, without an audit record: for setting up an installation
    from the command line (the first administrator has nobody to act as). In the application an
    administrator uses :func:`add_staff`.

    Raises ValidationFailed for bad input, an unknown or closed jurisdiction, a place where the role
    has no work (a clerk on a village), or a username already taken.
    """
    extra: dict[str, str] = {}
    code, username, mobile = _raw(data, "jurisdiction_code"), _raw(data, "username"), _raw(data, "mobile")
    jurisdiction = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code)) if code else None
    if code and jurisdiction is None:
        extra["jurisdiction_code"] = "未找到该区划代码对应的县、乡镇或街道"
    role = next((r for r in Role if r.value == _raw(data, "role")), None)
    if jurisdiction is not None and role is not None and role is not Role.APPLICANT:
        problem = placement_problem(role, jurisdiction, on=now.astimezone(CHINA).date())
        if problem:
            extra["jurisdiction_code"] = problem
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


def authenticate(session: Session, username: str, password: str, *, now: dt.datetime, address: str = "",
                 max_failures: int = 5, lock_minutes: int = 15) -> User:
    """Check a username (or an applicant's mobile) and password.

    Failures are counted per (name, ``address``): after ``max_failures`` each further one doubles the
    wait for that pair, up to ``lock_minutes`` (service_hall/accounts/throttle.py); no account is ever
    locked for everyone. Raises LoginLocked while the pair must wait (whether or not the name exists),
    PermissionDenied for wrong credentials or a disabled account (one message for all, so that account
    existence does not leak).
    """
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


def set_active(session: Session, user_id: int, active: bool, *, actor: User, now: dt.datetime) -> User:
    """An administrator enables or disables an account (audited). Raises NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在")
    if not active:
        _keep_an_administrator(session, user)
        revoke_everything(session, user, now=now)
    user.active = active
    record(session, actor=actor, action=AuditAction.USER_ACTIVATE if active else AuditAction.USER_DEACTIVATE,
           object_type="user", object_id=user.id, now=now)
    return user


def _keep_an_administrator(session: Session, leaving: User) -> None:
    """Raises Conflict when ``leaving`` is the last active account that can manage accounts."""
    if not (leaving.active and leaving.can(Permission.USER_MANAGE)):
        return
    others = [u for u in session.scalars(select(User).where(User.active.is_(True), User.id != leaving.id))
              if u.can(Permission.USER_MANAGE)]
    if not others:
        raise Conflict("系统至少需要保留一名在用的系统管理员，不能停用最后一名管理员")


_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def generate_password() -> str:
    """A 12-character initial password with letters and digits, free of look-alike characters."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password) and len(set(password)) > 6:
            return password


def staff_account(session: Session, user_id: int) -> User:
    """A staff account by id. Raises NotFound, also for applicants (who reset their own password)."""
    user = session.get(User, user_id)
    if user is None or user.role == Role.APPLICANT:
        raise NotFound("账号不存在")
    return user


def _staff_by_username(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"账号 {username} 不存在")
    return user


def reset_password(session: Session, username: str, *, actor: User | None, now: dt.datetime) -> str:
    """Give the account a temporary password that must be changed at the next sign-in, and lift a lock;
    returns the password (shown once). Raises NotFound."""
    user = _staff_by_username(session, username)
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    throttle.clear(session, user.username)
    revoke_everything(session, user, now=now)
    second_factor.disable(session, user, actor=actor, now=now)  # a lost phone is recovered this way
    record(session, actor=actor, action=AuditAction.USER_RESET_PASSWORD, object_type="user", object_id=user.id,
           now=now)
    return password


def enable(session: Session, username: str, *, actor: User | None, now: dt.datetime) -> User:
    """Re-enable an account and lift a lock (e.g. the only administrator, from the command line).
    Raises NotFound."""
    user = _staff_by_username(session, username)
    user.active = True
    throttle.clear(session, user.username)
    record(session, actor=actor, action=AuditAction.USER_ACTIVATE, object_type="user", object_id=user.id, now=now)
    return user


def unlock(session: Session, user_id: int, *, actor: User, now: dt.datetime) -> User:
    """An administrator clears the account's sign-in throttling from every address (audited).
    Raises NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在")
    throttle.clear(session, user.username)
    record(session, actor=actor, action=AuditAction.USER_UNLOCK, object_type="user", object_id=user.id, now=now)
    return user


def change_password(session: Session, user: User, old: str, new: str, *, now: dt.datetime | None = None) -> None:
    """Set a new password (and lift a pending "change at first login"); every session and API token of
    the user ends (the caller opens a new session for the browser that made the change).

    Raises PermissionDenied for a wrong old password, ValidationFailed for a weak new one or one equal
    to the old.
    """
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise PermissionDenied("原密码错误") from None
    try:
        check_password_strength(new, (user.username, user.real_name, user.mobile or "", user.id_number or ""))
        if new == old:
            raise InvalidValue("新密码不能与原密码相同")
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

