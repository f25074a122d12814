"""Tables of the notifications package.

An event (:class:`Event`) is written in the transaction of the change it reports; the same transaction
writes one :class:`OutboxMessage` per (event, channel, recipient), which the dispatcher delivers after
commit. Delivered in-app messages land in :class:`InboxItem`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_hall.accounts.models import User
from service_hall.core.base import Base, UTCDateTime
from service_hall.files.models import ApplicantFile


def _enum(cls: type[enum.Enum], length: int = 16) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ChannelName(enum.StrEnum):
    INBOX = "inbox"  # 站内消息
    EMAIL = "email"  # 电子邮件
    SMS = "sms"  # 短信
    WEBHOOK = "webhook"  # 事件推送

    @property
    def label(self) -> str:
        return {"inbox": "站内消息", "email": "电子邮件", "sms": "短信", "webhook": "事件推送"}[self.value]


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by a dispatcher; back to pending when the claim expires
    SENT = "sent"
    SKIPPED = "skipped"  # the channel is not configured here, or the recipient has no address
    DEAD = "dead"  # retries exhausted or a permanent refusal; ``last_error`` says why

    @property
    def label(self) -> str:
        return {"pending": "待发送", "sending": "发送中", "sent": "已送达", "skipped": "未发送",
                "dead": "发送失败"}[self.value]


class Event(Base):
    """Something that happened, once: the payload webhooks receive and templates read."""

    __tablename__ = "notification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # public, sent to webhooks
    kind: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "case.accepted"
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                       index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """One message of one event to one recipient on one channel (the transactional outbox).

    ``(event_id, channel, recipient)`` is unique, so an event can never queue the same message twice;
    ``idempotency_key`` travels with the message to the gateway so a resend after a crash between
    sending and marking is recognised there.
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("event_id", "channel", "recipient", name="uq_outbox_event_channel_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notification_events.id", ondelete="CASCADE"), index=True)
    event: Mapped[Event] = relationship(lazy="joined")
    channel: Mapped[ChannelName] = mapped_column(_enum(ChannelName))
    recipient: Mapped[str] = mapped_column(String(40))  # "user:12" or "webhook:3"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User | None] = relationship()
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                       index=True)
    template: Mapped[str] = mapped_column(String(40))  # the template key the message is rendered from
    status: Mapped[MessageStatus] = mapped_column(_enum(MessageStatus), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    @property
    def idempotency_key(self) -> str:
        return f"{self.event.event_id}:{self.channel.value}:{self.recipient}"


class DeliveryAttempt(Base):
    """One try of one message: the delivery log (response code, error, time taken)."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class InboxItem(Base):
    """A delivered in-app message (站内消息). ``notice_id`` links a statutory notice: opening the item is
    the applicant's receipt of the notice (电子送达)."""

    __tablename__ = "inbox_items"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Preference(Base):
    """Which channels an account wants besides the inbox; statutory notices reach the inbox regardless."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NoticeReceipt(Base):
    """电子送达: the applicant opened the notice — when, and where (inbox or the case page) — or, unopened,
    the deployment's period ran out and it is ``deemed`` delivered (``opened_at`` is then that moment)."""

    __tablename__ = "notice_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None when deemed
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(16))  # "inbox" | "portal" | "deemed"
    deemed: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def channel_label(self) -> str:
        return {"inbox": "站内消息", "portal": "网上办事大厅办件页", "deemed": "期满视为送达"}.get(self.channel,
                                                                                              self.channel)


class CaseMessage(Base):
    """A message in a case's thread between the applicant and the hall; ``internal`` notes are staff-only."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship()
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("applicant_files.id"))
    file: Mapped[ApplicantFile | None] = relationship()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ThreadRead(Base):
    """How far each person has read a case's thread (unread markers)."""

    __tablename__ = "case_thread_reads"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(Integer, default=0)


class WebhookSubscription(Base):
    """An administrator's subscription of a URL to events; payloads are signed with ``secret``."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MessageTemplate(Base):
    """An administrator's version of one message template on one channel; the built-in one applies where
    none is saved (``service_hall/notifications/templates.py``). ``parts``: e.g. ``{"title", "body"}``."""

    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("key", "channel", name="uq_notification_templates_key_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    channel: Mapped[ChannelName] = mapped_column(_enum(ChannelName))
    parts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
