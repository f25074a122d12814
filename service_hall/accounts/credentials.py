"""Sessions and API tokens that end when they should (docs/glossary.md: 登录会话, API 令牌).

Every signed-in browser holds a :class:`UserSession` (a random key in the signed cookie, its hash
here) and every API client an ``ApiToken``. Both carry the user's ``credential_version`` at issue; a
password change or reset raises it, so everything issued before stops working at its next request.
Logging out revokes that one session, so a copy of the cookie taken earlier is worthless. Tokens live
:data:`TOKEN_LIFETIME`, can be refreshed before they expire, listed and revoked by their owner, and a
user holds at most :data:`MAX_TOKENS` (issuing one more revokes the oldest). Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from service_hall.accounts.models import ApiToken, User
from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import NotFound

TOKEN_LIFETIME = dt.timedelta(hours=12)
SESSION_LIFETIME = dt.timedelta(hours=8)
MAX_TOKENS = 10


class UserSession(Base):
    """登录会话: one signed-in browser."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    credential_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _valid(row: UserSession | ApiToken | None, now: dt.datetime) -> bool:
    return (row is not None and row.revoked_at is None and row.expires_at > now and row.user.active
            and row.credential_version == row.user.credential_version)


# --- browser sessions --------------------------------------------------------------------------------

def open_session(session: Session, user: User, *, now: dt.datetime, lifetime: dt.timedelta = SESSION_LIFETIME) -> str:
    """A new session for ``user``; returns the key to keep in the (signed) cookie. Raises nothing."""
    key = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, key_hash=_digest(key), credential_version=user.credential_version,
                            created_at=now, expires_at=now + lifetime))
    session.flush()
    return key


def user_for_session(session: Session, user_id: int, key: str, *, now: dt.datetime) -> User | None:
    """The user of a live session (the cookie's user id and key must both match), else None."""
    row = session.execute(select(UserSession).where(UserSession.key_hash == _digest(key))
                          .options(joinedload(UserSession.user).joinedload(User.extra_roles))).unique().scalar()
    if row is None or row.user_id != user_id or not _valid(row, now):
        return None
    return row.user


def close_session(session: Session, key: str, *, now: dt.datetime) -> None:
    """Revoke one session (logout). Raises nothing; an unknown key is ignored."""
    session.execute(update(UserSession).where(UserSession.key_hash == _digest(key), UserSession.revoked_at.is_(None))
                    .values(revoked_at=now))


def sessions_of(session: Session, user: User, *, now: dt.datetime) -> list[UserSession]:
    """The user's live browser sessions, newest first."""
    rows = session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc()))
    return [r for r in rows if r.credential_version == user.credential_version]


def session_id(session: Session, key: str) -> int | None:
    """The id of the session a cookie key names (to mark "this browser" in the list), or None."""
    return session.scalar(select(UserSession.id).where(UserSession.key_hash == _digest(key)))


def revoke_session(session: Session, user: User, session_id: int, *, now: dt.datetime) -> None:
    """End one of the user's own sessions (another browser, a lost phone). Raises NotFound for anyone
    else's, an ended or an unknown one."""
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("未找到该登录会话")
    row.revoked_at = now
    session.flush()


def revoke_everything(session: Session, user: User, *, now: dt.datetime) -> None:
    """End every session and API token of ``user`` (password changed or reset, account disabled).

    Raises nothing.
    """
    user.credential_version = (user.credential_version or 0) + 1
    session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
                    .values(revoked_at=now))
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    session.flush()


# --- API tokens --------------------------------------------------------------------------------------

def issue_token(session: Session, user: User, *, now: dt.datetime) -> tuple[str, ApiToken]:
    """A new bearer token (shown once; only its hash is kept). Beyond :data:`MAX_TOKENS` live tokens the
    oldest are revoked. Raises nothing."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=now + TOKEN_LIFETIME, created_at=now,
                   credential_version=user.credential_version)
    session.add(row)
    session.flush()
    live = [t for t in tokens_of(session, user, now=now)]
    for old in live[MAX_TOKENS:]:
        old.revoked_at = now
    session.flush()
    return token, row


def token_row(session: Session, token: str, *, now: dt.datetime) -> ApiToken | None:
    """The live token row for a bearer token, or None (unknown, expired, revoked, outdated)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    return row if _valid(row, now) else None


def tokens_of(session: Session, user: User, *, now: dt.datetime) -> list[ApiToken]:
    """The user's live tokens, newest first."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                                                  ApiToken.expires_at > now)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [r for r in rows if r.credential_version == user.credential_version]


def revoke_token(session: Session, user: User, token_id: int, *, now: dt.datetime) -> None:
    """Revoke one of the user's own tokens. Raises NotFound for anyone else's or an unknown id."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("未找到该令牌")
    row.revoked_at = now
    session.flush()


def refresh_token(session: Session, row: ApiToken, *, now: dt.datetime) -> tuple[str, ApiToken]:
    """Swap a live token for a new one with a fresh lifetime; the old one stops working. Raises nothing."""
    row.revoked_at = now
    session.flush()
    return issue_token(session, row.user, now=now)
