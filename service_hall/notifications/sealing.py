"""A secret a message carries for a few minutes (the 材料复用授权码) is never stored in clear: the event holds
it sealed (Fernet, with the deployment's MESSAGE_KEY, kept outside the database like the audit key), the
applicant's inbox row holds its own sealed copy in place of the code, and both are erased once the code
has expired; the event's copy also as soon as every message of it has been delivered
(docs/notifications.md, "Secrets in messages"). No function commits.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.files.consent import CODE_LIFETIME
from service_hall.notifications.models import ChannelName, Event, InboxItem, MessageStatus, OutboxMessage

SEALED_KEY = "sealed_code"  # the event payload's field: the token; None once delivered; "" once expired
EXPIRED = "（已过期）"
_SEALED = re.compile(r"\[\[sealed:([A-Za-z0-9_\-=]+)\]\]")
# Events older than this past their expiry are not looked at again (each was erased on an earlier run).
_ERASE_WINDOW = dt.timedelta(days=1)
_fernet: Fernet | None = None


class SealingUnavailable(RuntimeError):
    """No MESSAGE_KEY was set (the app sets it at start)."""


def use_key(key: str | bytes | None) -> None:
    """Set the deployment's message key (the app does at start)."""
    global _fernet
    if not key:
        _fernet = None
        return
    raw = key.encode() if isinstance(key, str) else key
    _fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"service-hall message seal\x00" + raw).digest()))


def _cipher() -> Fernet:
    if _fernet is None:
        raise SealingUnavailable("MESSAGE_KEY is not set")
    return _fernet


def seal(secret: str, *, now: dt.datetime) -> str:
    """The secret encrypted and stamped with ``now``. Raises SealingUnavailable."""
    return _cipher().encrypt_at_time(secret.encode(), int(now.timestamp())).decode()


def unseal(token: str, *, now: dt.datetime, lifetime: dt.timedelta = CODE_LIFETIME) -> str | None:
    """The secret while it is within ``lifetime`` of its sealing, else None. Raises SealingUnavailable."""
    try:
        return _cipher().decrypt_at_time(token.encode(), int(lifetime.total_seconds()), int(now.timestamp())).decode()
    except InvalidToken:
        return None


def reveal(text: str, *, now: dt.datetime) -> str:
    """An inbox text as its reader sees it: each sealed secret in clear while valid, afterwards 已过期."""
    if "[[sealed:" not in text:
        return text
    return _SEALED.sub(lambda m: unseal(m.group(1), now=now) or EXPIRED, text)


def redact(text: str) -> str:
    return _SEALED.sub(EXPIRED, text)


class SecretGone(Exception):
    """The message's secret has expired or was erased: the message is not sent."""


def render_payload(payload: dict[str, Any], channel: ChannelName, *, now: dt.datetime) -> dict[str, Any]:
    """The event payload a message is rendered from: the inbox gets a sealed copy of the code in its place,
    the other channels the code itself. Raises SecretGone (expired or erased; not for the inbox)."""
    if SEALED_KEY not in payload:
        return payload
    token = payload[SEALED_KEY]
    data = {k: v for k, v in payload.items() if k != SEALED_KEY}
    if channel is ChannelName.INBOX:
        return {**data, "code": f"[[sealed:{token}]]" if token else EXPIRED}
    code = unseal(token, now=now) if token else None
    if code is None:
        raise SecretGone()
    return {**data, "code": code}


def erase_delivered(session: Session, event: Event) -> None:
    """Drop the event's sealed secret once none of its messages waits to be sent."""
    if not (event.payload or {}).get(SEALED_KEY):
        return
    waiting = session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.event_id == event.id,
        OutboxMessage.status.in_([MessageStatus.PENDING, MessageStatus.SENDING])).limit(1))
    if waiting is None:
        event.payload = {**event.payload, SEALED_KEY: None}  # the inbox rows may still hold their copy


def erase_expired(session: Session, *, now: dt.datetime) -> int:
    """Erase the sealed secrets of expired codes from events and inbox rows; returns how many events."""
    cutoff = now - CODE_LIFETIME
    events = [e for e in session.scalars(select(Event).where(
        Event.kind == "account.reuse_code", Event.occurred_at < cutoff, Event.occurred_at >= cutoff - _ERASE_WINDOW))
        if (e.payload or {}).get(SEALED_KEY, "") != ""]
    if not events:
        return 0
    for event in events:
        event.payload = {**event.payload, SEALED_KEY: ""}
    items = session.scalars(select(InboxItem).join(OutboxMessage, OutboxMessage.id == InboxItem.message_id)
                            .where(OutboxMessage.event_id.in_([e.id for e in events])))
    for item in items:
        item.body = redact(item.body)
    session.flush()
    return len(events)
