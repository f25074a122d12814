"""What people do with notifications: read the inbox (opening a notice is its receipt, 电子送达), choose
channels, write in a case's thread, and (administrators) manage webhook subscriptions.

Every function takes the session, the acting user and ``now``; none commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from power_lists.models import PowerType
from service_hall.accounts.models import User
from service_hall.accounts.permissions import Permission
from service_hall.audit.trail import record
from service_hall.cases.models import Application, Delivery, Notice
from service_hall.cases.procedures import PROCEDURES
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.documents.kinds import DeliveryChannel, NoticeKind
from service_hall.files.models import ApplicantFile
from service_hall.files.store import FileStore, accept_upload
from service_hall.notifications.events import EVENT_KINDS, emit, forget_subscriptions, settle_delivery, town_staff
from service_hall.notifications.models import (
    CaseMessage,
    ChannelName,
    DeliveryAttempt,
    Event,
    InboxItem,
    MessageStatus,
    NoticeReceipt,
    OutboxMessage,
    Preference,
    ThreadRead,
    WebhookSubscription,
)
from service_hall.notifications.schemas import MessageIn, PreferenceIn, SubscriptionIn

INBOX_PAGE = 50


def _load(schema: type[Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Load a JSON body or an HTML form (repeated keys as lists) through ``schema``. Raises ValidationFailed."""
    raw = schema.from_form(data) if hasattr(data, "getlist") else data
    return schema.load_or_fail(raw)


# --- inbox -------------------------------------------------------------------------------------------

def inbox(session: Session, user: User, *, limit: int = INBOX_PAGE) -> list[InboxItem]:
    return list(session.scalars(select(InboxItem).where(InboxItem.user_id == user.id)
                                .order_by(InboxItem.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count(InboxItem.id)).where(InboxItem.user_id == user.id,
                                                                 InboxItem.read_at.is_(None))) or 0


def open_item(session: Session, user: User, item_id: int, *, now: dt.datetime) -> InboxItem:
    """Open one's own inbox item: marks it read; a notice opened by its applicant is thereby delivered
    (电子送达, the first opening counts). Raises NotFound for anyone else's item."""
    item = session.get(InboxItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound("未找到该消息")
    if item.read_at is None:
        item.read_at = now
    if item.notice_id is not None:
        notice = session.get(Notice, item.notice_id)
        if notice is not None:
            notice_opened(session, notice, user, now=now, channel=ChannelName.INBOX.value)
    session.flush()
    return item


def mark_all_read(session: Session, user: User, *, now: dt.datetime) -> int:
    """Mark the inbox read (notices are not thereby opened). Returns how many. Raises nothing."""
    items = list(session.scalars(select(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))))
    for item in items:
        item.read_at = now
    session.flush()
    return len(items)


def notice_opened(session: Session, notice: Notice, user: User, *, now: dt.datetime,
                  channel: str) -> NoticeReceipt | None:
    """Record the applicant's first opening of ``notice`` (time and channel) and audit it; staff opening it
    deliver nothing. Returns the receipt (the existing one after the first). Raises nothing."""
    case = notice.application
    if user.id != case.applicant_id:
        return None
    found = session.scalar(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id))
    if found is not None:
        return found
    receipt = NoticeReceipt(notice_id=notice.id, user_id=user.id, opened_at=now, channel=channel)
    session.add(receipt)
    session.flush()
    record(session, actor=user, action="notice.open", object_type="application", object_id=case.id, now=now,
           jurisdiction_id=case.town_id, payload={"notice": notice.number, "channel": channel})
    settle_delivery(session, notice)
    return receipt


# Decisions are shown to the applicant only once delivered: opened, deemed delivered, or handed over — every
# power type's decision after review (a 给付决定书 as much as a 许可), the refusal to accept, the revocation.
# A public service's 办结 or 不予办理 notice is not an administrative decision and needs no delivery.
DECISION_KINDS = frozenset(
    {kind for p in PROCEDURES.values() if p.power_type is not PowerType.PUBLIC_SERVICE for kind in (p.grant, p.refusal)}
    | {NoticeKind.REFUSAL, NoticeKind.REVOCATION})


def pending_decisions(session: Session, case: Application, *,
                      awaiting: dict[int, set[int]] | None = None) -> list[Notice]:
    """The case's decision notices its applicant has not received yet (see :func:`awaiting_receipt`;
    ``awaiting``: its answer already read for a page of cases that includes this one). Raises nothing."""
    if awaiting is None:
        awaiting = awaiting_receipt(session, [case.id])
    waiting = awaiting.get(case.id, set())
    return [n for n in case.notices if n.id in waiting]


def awaiting_receipt(session: Session, case_ids: Collection[int]) -> dict[int, set[int]]:
    """Per case, the ids of its decision notices the applicant has not received yet: not opened, not deemed
    delivered, not handed over (a delivery record other than 电子送达 names the document — an electronic
    delivery happens only by the opening or the deemed rule). One statement for a whole page of cases;
    cases with none are left out. Raises nothing."""
    if not case_ids:
        return {}
    received = select(NoticeReceipt.id).where(NoticeReceipt.notice_id == Notice.id)
    handed = select(Delivery.id).where(Delivery.application_id == Notice.application_id,
                                       Delivery.channel != DeliveryChannel.ELECTRONIC,
                                       Delivery.document_number == Notice.number)
    out: dict[int, set[int]] = {}
    for case_id, notice_id in session.execute(
            select(Notice.application_id, Notice.id).where(
                Notice.application_id.in_(list(case_ids)), Notice.kind.in_(DECISION_KINDS),
                ~received.exists(), ~handed.exists())):
        out.setdefault(case_id, set()).add(notice_id)
    return out


def open_notice(session: Session, case: Application, user: User, notice_id: int, *, now: dt.datetime) -> Notice:
    """The applicant opens one of the case's notices on the case page (查收): its receipt is recorded
    (电子送达). Raises NotFound (not a notice of the case)."""
    notice = next((n for n in case.notices if n.id == notice_id), None)
    if notice is None:
        raise NotFound("未找到该文书")
    notice_opened(session, notice, user, now=now, channel="portal")
    return notice


def receipts_for(session: Session, case: Application) -> dict[int, NoticeReceipt]:
    ids = [n.id for n in case.notices]
    if not ids:
        return {}
    return {r.notice_id: r for r in session.scalars(select(NoticeReceipt).where(NoticeReceipt.notice_id.in_(ids)))}


# --- channel choices ---------------------------------------------------------------------------------

def preference_of(session: Session, user: User) -> Preference:
    """The account's choices (defaults when never set: SMS on for applicants, no email)."""
    found = session.get(Preference, user.id)
    return found or Preference(user_id=user.id, email=None, email_enabled=False, sms_enabled=not user.is_staff)


def set_preferences(session: Session, user: User, data: Mapping[str, Any], *, now: dt.datetime) -> Preference:
    """Save the account's channels. Raises ValidationFailed (bad email; email chosen without an address)."""
    clean = _load(PreferenceIn, data)
    email = clean["email"].strip() or None
    if clean["email_enabled"] and not email:
        raise ValidationFailed("请填写电子邮箱地址", details={"email": "选择邮件通知须填写电子邮箱地址"})
    pref = session.get(Preference, user.id)
    if pref is None:
        pref = Preference(user_id=user.id)
        session.add(pref)
    pref.email, pref.email_enabled, pref.sms_enabled, pref.updated_at = (email, clean["email_enabled"],
                                                                         clean["sms_enabled"], now)
    session.flush()
    return pref


# --- case threads ------------------------------------------------------------------------------------

def thread(session: Session, case: Application, viewer: User) -> list[CaseMessage]:
    """The case's messages the viewer may see (internal notes only for staff), oldest first."""
    query = select(CaseMessage).where(CaseMessage.application_id == case.id).order_by(CaseMessage.id)
    if not viewer.is_staff:
        query = query.where(CaseMessage.internal.is_(False))
    return list(session.scalars(query))


def last_read(session: Session, case: Application, viewer: User) -> int:
    found = session.get(ThreadRead, (case.id, viewer.id))
    return found.last_read_id if found else 0


def mark_thread_read(session: Session, case: Application, viewer: User, messages: list[CaseMessage]) -> None:
    """Remember that ``viewer`` has seen ``messages``. Raises nothing."""
    if not messages:
        return
    found = session.get(ThreadRead, (case.id, viewer.id))
    if found is None:
        found = ThreadRead(application_id=case.id, user_id=viewer.id, last_read_id=0)
        session.add(found)
    found.last_read_id = max(found.last_read_id, messages[-1].id)
    session.flush()


ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    content: bytes
    filename: str


def post_message(session: Session, case: Application, author: User, data: Mapping[str, Any], *,
                 now: dt.datetime, attachment: Attachment | None = None, store: FileStore | None = None) -> CaseMessage:
    """Write in the case's thread (the applicant, or staff of the case's town — the caller loaded the case
    through them) and audit it; tell the other side. Only staff write internal notes. An attachment is
    checked by its content like any upload (PDF, JPG or PNG, at most 10 MB) and kept in the file store.
    Raises ValidationFailed (empty or too long text; an empty, oversized or disallowed file)."""
    clean = _load(MessageIn, data)
    internal = bool(clean["internal"]) and author.is_staff
    file_id = None
    if attachment is not None and attachment.content:
        assert store is not None, "an attachment needs the file store"
        kept = accept_upload(session, store, author, content=attachment.content, filename=attachment.filename,
                             material_name=f"办件留言附件（{case.case_number}）", field="file", now=now,
                             accept=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES)
        file_id = kept.id
    message = CaseMessage(application_id=case.id, author_id=author.id, internal=internal,
                          body=clean["body"].strip(), created_at=now, file_id=file_id)
    session.add(message)
    session.flush()
    record(session, actor=author, action="message.post", object_type="application", object_id=case.id, now=now,
           jurisdiction_id=case.town_id, payload={"message": message.id, "internal": internal,
                                                  "length": len(message.body), "file": file_id})
    mark_thread_read(session, case, author, [message])
    if not internal:
        excerpt = message.body if len(message.body) <= 120 else message.body[:120] + "…"
        if author.is_staff:
            recipients = [(case.applicant, "applicant.message")]
        else:
            recipients = [(u, "staff.message") for u in town_staff(session, case.town_id, Permission.CASE_INTAKE)]
        emit(session, "message.posted", now=now, case=case, messages=recipients,
             data={"excerpt": excerpt, "message_id": message.id})
    return message


# --- delivery status, for staff ----------------------------------------------------------------------

@dataclass(frozen=True)
class DeliveryRow:
    message: OutboxMessage
    recipient_label: str
    kind: str


def deliveries_for(session: Session, case: Application) -> list[DeliveryRow]:
    """Every outbox message about the case with its state (newest first), as staff see it."""
    rows = []
    for message in session.scalars(select(OutboxMessage).where(OutboxMessage.application_id == case.id)
                                   .options(joinedload(OutboxMessage.user).lazyload(User.extra_roles))
                                   .order_by(OutboxMessage.id.desc())):
        if message.user is not None:
            who = "申请人" if message.user_id == case.applicant_id else message.user.real_name
        else:
            who = f"订阅 #{message.subscription_id}"
        rows.append(DeliveryRow(message, who, message.event.kind))
    return rows


def message_attachment(session: Session, case: Application, viewer: User, message_id: int) -> ApplicantFile:
    """The file attached to one of the case's messages the viewer may see. Raises NotFound."""
    found = session.get(CaseMessage, message_id)
    if (found is None or found.application_id != case.id or found.file_id is None
            or (found.internal and not viewer.is_staff)):
        raise NotFound("未找到该附件")
    file = session.get(ApplicantFile, found.file_id)
    assert file is not None
    return file


def outbox_message(session: Session, case: Application, message_id: int) -> OutboxMessage:
    """One of the case's messages. Raises NotFound."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.application_id != case.id:
        raise NotFound("未找到该消息")
    return message


def retry_message(session: Session, message: OutboxMessage, *, actor: User, now: dt.datetime) -> None:
    """Put a failed or unsent message back in the queue (audited). Raises ValidationFailed if it was sent."""
    if message.status not in {MessageStatus.DEAD, MessageStatus.SKIPPED}:
        raise ValidationFailed("只有发送失败或未发送的消息可以重新发送")
    message.status = MessageStatus.PENDING
    message.next_attempt_at = now
    message.attempts = 0
    session.info["notifications.written"] = True
    record(session, actor=actor, action="notification.retry", object_type="application",
           object_id=message.application_id, now=now, payload={"message": message.id})
    session.flush()


# --- webhooks ----------------------------------------------------------------------------------------

def subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    """Raises NotFound."""
    found = session.get(WebhookSubscription, subscription_id)
    if found is None:
        raise NotFound("未找到该订阅")
    return found


def subscribe(session: Session, data: Mapping[str, Any], *, actor: User, now: dt.datetime) -> WebhookSubscription:
    """Subscribe a URL to events; the signing secret is generated here and shown once to the administrator.
    Raises ValidationFailed (not an http(s) URL, unknown events)."""
    clean = _load(SubscriptionIn, data)
    url = clean["url"].strip()
    errors = {}
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
        errors["url"] = "推送地址须为 http:// 或 https:// 开头的完整网址，且不含用户名密码"
    unknown = [e for e in clean["events"] if e not in EVENT_KINDS]
    if unknown:
        errors["events"] = f"未知的事件类型：{'、'.join(unknown)}"
    if errors:
        raise ValidationFailed("订阅信息有误", details=errors)
    sub = WebhookSubscription(url=url, description=clean["description"].strip(), events=sorted(set(clean["events"])),
                              secret=secrets.token_hex(32), active=True, created_at=now, created_by_id=actor.id)
    session.add(sub)
    session.flush()
    forget_subscriptions(session)
    record(session, actor=actor, action="webhook.subscribe", object_type="webhook", object_id=sub.id, now=now,
           payload={"url": url, "events": sub.events})
    return sub


def set_active(session: Session, sub: WebhookSubscription, active: bool, *, actor: User, now: dt.datetime) -> None:
    """Pause or resume a subscription (audited). Raises nothing."""
    sub.active = active
    forget_subscriptions(session)
    record(session, actor=actor, action="webhook.resume" if active else "webhook.pause", object_type="webhook",
           object_id=sub.id, now=now)
    session.flush()


def send_test(session: Session, sub: WebhookSubscription, *, actor: User, now: dt.datetime) -> OutboxMessage:
    """Queue a ``webhook.test`` event to this subscription only. Raises nothing."""
    event = Event(event_id=str(uuid.uuid4()), kind="webhook.test", payload={}, occurred_at=now)
    message = OutboxMessage(event=event, channel=ChannelName.WEBHOOK, recipient=f"webhook:{sub.id}",
                            subscription_id=sub.id, template="webhook.test", status=MessageStatus.PENDING,
                            attempts=0, next_attempt_at=now, created_at=now)
    session.add_all([event, message])
    session.info["notifications.written"] = True
    record(session, actor=actor, action="webhook.test", object_type="webhook", object_id=sub.id, now=now)
    session.flush()
    return message


def webhook_log(session: Session, sub: WebhookSubscription, *, limit: int = 50) -> list[tuple[OutboxMessage,
                                                                                               list[DeliveryAttempt]]]:
    """The subscription's latest messages with their attempts (response codes, errors)."""
    messages = list(session.scalars(select(OutboxMessage).where(OutboxMessage.subscription_id == sub.id)
                                    .order_by(OutboxMessage.id.desc()).limit(limit)))
    attempts: dict[int, list[DeliveryAttempt]] = {m.id: [] for m in messages}
    if messages:
        for a in session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(list(attempts)))
                                 .order_by(DeliveryAttempt.id)):
            attempts[a.message_id].append(a)
    return [(m, attempts[m.id]) for m in messages]
