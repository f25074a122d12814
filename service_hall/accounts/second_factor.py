"""动态验证码: a second factor (TOTP, RFC 6238) for staff accounts, without CAPTCHAs.

A staff member turns it on from their account page: the page shows a fresh secret (and its QR code) for
an authenticator app, and the secret is kept only once a code made from it has been typed back. From then
on signing in — on the web and for an API token — needs the password *and* a current six-digit code.
A code is accepted once (the step it belongs to is remembered, so a code seen over a shoulder cannot be
replayed), one step of clock drift either way is allowed, and wrong codes count against the same
(account, address) delay as wrong passwords (service_hall/accounts/throttle.py). An administrator's
password reset also removes the second factor, which is how a lost phone is recovered
(docs/glossary.md: 动态验证码). Applicants sign in with their mobile and password only. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt

import pyotp
from sqlalchemy.orm import Session

from service_hall.accounts import throttle
from service_hall.accounts.models import User
from service_hall.accounts.permissions import Role
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.errors import PermissionDenied, ValidationFailed

ISSUER = "乡镇政务服务"
STEP_SECONDS = 30
DRIFT_STEPS = 1


def offered_to(user: User) -> bool:
    """Staff may turn the second factor on; applicants do not have it."""
    return user.role != Role.APPLICANT


def required(user: User) -> bool:
    """Whether signing in as ``user`` needs a code."""
    return user.totp_secret is not None


def new_secret() -> str:
    """A fresh base-32 secret (160 bits) for enrolment."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=user.username, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: dt.datetime, after: int | None) -> int | None:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (after is None or step > after) and pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def enable(session: Session, user: User, secret: str, code: str, *, now: dt.datetime) -> None:
    """Keep ``secret`` as the account's second factor once ``code`` proves the app has it (audited).

    Raises PermissionDenied for applicants, ValidationFailed (under ``code``) for a wrong code.
    """
    if not offered_to(user):
        raise PermissionDenied("申请人账号不使用动态验证码")
    step = _matching_step(secret, code, now, None)
    if step is None:
        raise ValidationFailed("动态验证码不正确", details={
            "code": "动态验证码不正确：请核对手机时间，并输入验证器应用中当前显示的 6 位数字"})
    user.totp_secret, user.totp_last_step = secret, step
    record(session, actor=user, action=AuditAction.USER_SECOND_FACTOR_ENABLE, object_type="user", object_id=user.id,
           now=now)
    session.flush()


def disable(session: Session, user: User, *, actor: User | None, now: dt.datetime) -> None:
    """Remove the account's second factor (its owner, or an administrator's password reset; audited).
    Raises nothing."""
    if user.totp_secret is None:
        return
    user.totp_secret, user.totp_last_step = None, None
    record(session, actor=actor, action=AuditAction.USER_SECOND_FACTOR_DISABLE, object_type="user",
           object_id=user.id, now=now)
    session.flush()


def check_code(session: Session, user: User, code: str, *, now: dt.datetime, address: str, free: int,
               max_delay: dt.timedelta) -> None:
    """Accept a current, unused code of the account's second factor.

    Raises LoginLocked while the (account, address) pair must wait, PermissionDenied for a wrong, stale or
    reused code (counted like a wrong password: the caller commits the refusal).
    """
    until = throttle.blocked_until(session, user.username, address, now=now)
    if until is not None:
        raise throttle.LoginLocked(until, now)
    step = _matching_step(user.totp_secret or "", code, now, user.totp_last_step)
    if step is None:
        throttle.record_failure(session, user.username, address, now=now, free=free, max_delay=max_delay)
        raise PermissionDenied("动态验证码不正确或已使用，请输入验证器应用中当前显示的 6 位数字")
    user.totp_last_step = step
    throttle.clear(session, user.username, address)
    session.flush()
