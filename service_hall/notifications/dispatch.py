"""Delivering the outbox after commit: claim, send, mark (docs/notifications.md).

:func:`claim` takes due rows (pending and due, or claimed by a dispatcher whose lease ran out) with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never take the same row, and marks
them ``sending`` until the lease ends; the caller commits the claim before sending. :func:`deliver` sends
one claimed row and marks the outcome: sent, retry later with backoff, or dead with the reason. The caller
commits after each row. A worker that dies after sending and before marking leaves the row claimed; when
the lease runs out it is sent again with the same idempotency key, which the inbox (unique per message),
the SMS gateway, webhook receivers (``event_id``) and mail systems (``Message-ID``) recognise.

Nothing here commits: :func:`service_hall.jobs.dispatch_outbox` runs the loop.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service_hall.notifications import sealing
from service_hall.notifications.channels import Channel, DeliveryError
from service_hall.notifications.models import ChannelName, DeliveryAttempt, MessageStatus, OutboxMessage
from service_hall.notifications.templates import render

LEASE = dt.timedelta(minutes=5)
# Waits before the 2nd, 3rd … attempt; after the last the message is dead.
BACKOFF = (dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=10), dt.timedelta(hours=1),
           dt.timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1


def claim(session: Session, *, now: dt.datetime, limit: int = 100,
          channels: Collection[ChannelName] | None = None) -> list[int]:
    """Claim up to ``limit`` due messages (ids, oldest first) for ``LEASE``. Raises nothing of its own."""
    due = or_((OutboxMessage.status == MessageStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
              (OutboxMessage.status == MessageStatus.SENDING) & (OutboxMessage.claimed_until < now))
    query = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if channels is not None:
        query = query.where(OutboxMessage.channel.in_(list(channels)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return []
    # The update re-checks that each row is still due, so of two dispatchers that read the same rows
    # (SQLite has no SKIP LOCKED) only the first to write gets them.
    taken = session.scalars(update(OutboxMessage).where(OutboxMessage.id.in_(ids), due)
                            .values(status=MessageStatus.SENDING, claimed_until=now + LEASE)
                            .returning(OutboxMessage.id).execution_options(synchronize_session=False))
    return sorted(taken)


def _link(message: OutboxMessage, base_url: str) -> str:
    payload = message.event.payload or {}
    if message.user is not None and not message.user.is_staff and payload.get("ref"):
        return f"{base_url}/portal/applications/{payload['ref']}"
    if message.user is not None and message.application_id:
        return f"{base_url}/workbench/cases/{message.application_id}"
    return f"{base_url}/inbox"


def deliver(session: Session, message_id: int, channels: Mapping[ChannelName, Channel], *, now: dt.datetime,
            base_url: str = "", signature: str = "") -> OutboxMessage | None:
    """Send one claimed message and mark it; None if it is no longer ours. Never raises for a channel's
    failure: that is recorded on the message (retry with backoff, or dead with the reason)."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != MessageStatus.SENDING:
        return None
    channel = channels.get(message.channel)
    if channel is None:
        message.status = MessageStatus.SKIPPED
        message.last_error = f"本系统未配置{message.channel.label}通道"
        message.claimed_until = None
        return message
    started = time.perf_counter()
    status_code: int | None = None
    error: DeliveryError | None = None
    try:
        rendered = None if message.channel == ChannelName.WEBHOOK else render(
            message.template, sealing.render_payload(message.event.payload or {}, message.channel, now=now),
            signature=signature, link=_link(message, base_url), session=session)
        status_code = channel.send(session, message, rendered or render("webhook.test", {}), _link(message, base_url))
    except DeliveryError as exc:
        error = exc
        status_code = exc.status_code
    except sealing.SecretGone:
        error = DeliveryError("授权码已过期，未发送", permanent=True)
    except Exception as exc:  # a channel's bug must not stop the others; the message keeps the reason
        error = DeliveryError(f"发送时出错：{type(exc).__name__}")
    message.attempts += 1
    session.add(DeliveryAttempt(message_id=message.id, at=now, ok=error is None, status_code=status_code,
                                error=error.reason if error else None,
                                duration_ms=int((time.perf_counter() - started) * 1000)))
    message.claimed_until = None
    if error is None:
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.last_error = None
    elif error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.DEAD
        message.last_error = error.reason if error.permanent else f"已重试 {message.attempts} 次仍失败：{error.reason}"
    else:
        message.status = MessageStatus.PENDING
        message.next_attempt_at = now + BACKOFF[message.attempts - 1]
        message.last_error = error.reason
    sealing.erase_delivered(session, message.event)
    session.flush()
    return message


def retry_now(session: Session, message: OutboxMessage, *, now: dt.datetime) -> None:
    """Staff put a dead or skipped message back in the queue. Raises nothing."""
    message.status = MessageStatus.PENDING
    message.next_attempt_at = now
    message.attempts = 0
    session.flush()
