"""材料复用授权码: the applicant's consent, given in person, to the window clerk reusing their stored
materials when filing on their behalf (帮办代办).

Staff alone can never open an applicant's stored files: the applicant signs in, asks for a code on their
own portal page and shows (or reads out) the six digits to the clerk. A code is valid for
:data:`CODE_LIFETIME`, works once, and dies after :data:`MAX_ATTEMPTS` wrong guesses. No function commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.core.errors import ValidationFailed
from service_hall.files.models import ReuseGrant

CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
CODE_DIGITS = 6


def _hash(user: User, code: str) -> str:
    return hashlib.sha256(f"{user.id}:{code}".encode()).hexdigest()


def _open_grants(session: Session, user: User, now: dt.datetime) -> list[ReuseGrant]:
    return list(session.scalars(select(ReuseGrant).where(
        ReuseGrant.user_id == user.id, ReuseGrant.used_at.is_(None), ReuseGrant.expires_at > now)))


def issue_reuse_code(session: Session, applicant: User, *, now: dt.datetime) -> tuple[str, dt.datetime]:
    """A fresh code for ``applicant`` (earlier unused codes stop working); returns (code, expires at).

    Raises nothing.
    """
    for grant in _open_grants(session, applicant, now):
        grant.used_at = now
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = now + CODE_LIFETIME
    session.add(ReuseGrant(user_id=applicant.id, code_hash=_hash(applicant, code), created_at=now,
                           expires_at=expires, failed_attempts=0))
    session.flush()
    return code, expires


def redeem_reuse_code(session: Session, applicant: User, code: str, *, now: dt.datetime, field: str) -> None:
    """Use up the applicant's code.

    Raises ValidationFailed (message under ``field``) when it is wrong, used, expired or guessed too often;
    a wrong guess counts against the open code, and the caller keeps that count by committing the refusal.
    """
    code = code.strip()
    grants = _open_grants(session, applicant, now)
    for grant in grants:
        if len(code) == CODE_DIGITS and code.isdigit() and hmac.compare_digest(grant.code_hash,
                                                                              _hash(applicant, code)):
            grant.used_at = now
            session.flush()
            return
    for grant in grants:
        grant.failed_attempts += 1
        if grant.failed_attempts >= MAX_ATTEMPTS:
            grant.used_at = now
    session.flush()
    raise ValidationFailed("授权码有误", details={
        field: "授权码不正确或已失效，请申请人在“我的办件”页面重新生成"})
