"""Writing events and their outbox messages, in the transaction of the change (docs/notifications.md).

Each kind of happening is hooked in one place: a status change in
:func:`service_hall.cases.transitions.apply_transition` (→ :func:`on_transition`), a written notice in
:func:`service_hall.cases.intake.issue_notice` (→ :func:`on_notice`), deadline warnings and reminders in
the sweep (→ :func:`on_triggers`, :func:`sweep_reminders`), certificates and ratings where they are
made. Nothing here sends anything: the dispatcher delivers the rows after commit.

Which channels besides the inbox this deployment offers travels with the session
(:func:`offer_channels`, set by the web layer, the worker and the CLI from the configuration), so a
deployment without SMS writes no SMS rows.
"""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from service_hall.accounts.models import User
from service_hall.accounts.permissions import Permission
from service_hall.cases import events as _case_events
from service_hall.notifications.models import (
    ChannelName,
    Event,
    MessageStatus,
    NoticeReceipt,
    OutboxMessage,
    Preference,
    WebhookSubscription,
)
from service_hall.notifications.templates import TEMPLATES

if TYPE_CHECKING:
    from service_hall.cases.models import AccountabilityTrigger, Application, Notice, Rating
    from service_hall.cases.transitions import Action
    from service_hall.certificates.models import Certificate

OFFERED_KEY = "notifications.offered"
DEEMED_KEY = "notifications.deemed_days"  # the deployment's period of deemed electronic delivery (0: none)
WRITTEN_KEY = "notifications.written"  # set when a transaction wrote outbox rows (the after-commit hook reads it)

# Status changes as the events webhooks subscribe to (several actions are one event: every way of accepting
# is ``case.accepted``, every decision ``case.decided``).
TRANSITION_EVENTS = {
    "submit": "case.submitted", "resubmit": "case.resubmitted", "accept": "case.accepted",
    "accept_with_pledge": "case.accepted", "deem_accept": "case.accepted",
    "request_correction": "case.correction_requested", "refuse": "case.refused", "withdraw": "case.withdrawn",
    "sign_pledge": "case.pledge_signed", "approve_on_pledge": "case.decided", "approve": "case.decided",
    "deny": "case.decided", "start_special": "case.special_started", "end_special": "case.special_ended",
    "record_opinion": "case.opinion_recorded", "complete_review": "case.reviewed", "extend": "case.extended",
    "deliver": "case.delivered", "pass_check": "case.checked", "notify_revocation": "case.revocation_notified",
    "submit_statement": "case.statement_submitted", "revoke": "case.revoked",
    "notify_party": "case.party_notified", "record_answer": "case.answer_recorded",
    "await_prerequisite": "case.awaiting_prerequisite", "start_after_prerequisite": "case.submitted",
    "terminate": "case.terminated",
}
OTHER_EVENTS = ("notice.issued", "certificate.issued", "certificate.revoked", "certificate.replaced",
                "rating.created", "message.posted", "deadline.warning", "deadline.near", "correction.due_soon",
                "rating.invited", "opinion.due_soon")
EVENT_KINDS = tuple(dict.fromkeys([*TRANSITION_EVENTS.values(), *OTHER_EVENTS]))

# Applicant templates of a status change; the other applicant messages come with the written notice.
_APPLICANT_TEMPLATES = {"submit": "applicant.submitted", "resubmit": "applicant.resubmitted",
                        "withdraw": "applicant.withdrawn", "start_special": "applicant.special_started",
                        "end_special": "applicant.special_ended", "await_prerequisite": "applicant.awaiting",
                        "start_after_prerequisite": "applicant.prerequisite_done",
                        "terminate": "applicant.terminated"}
# Staff templates of a status change, and who in the case's town receives them.
_STAFF_TEMPLATES = {"submit": ("staff.new_case", Permission.CASE_INTAKE),
                    "resubmit": ("staff.new_case", Permission.CASE_INTAKE),
                    "start_after_prerequisite": ("staff.new_case", Permission.CASE_INTAKE),
                    "complete_review": ("staff.to_decide", Permission.CASE_DECIDE)}
# 好差评 at two points (docs/notifications.md): acceptance invites a rating of 受理, the end of a case one of 办结.
_RATED_ACCEPTANCES = {"accept", "accept_with_pledge", "deem_accept"}
_RATED_ENDINGS = {"deliver", "deny", "refuse"}


SUBSCRIPTIONS_KEY = "notifications.subscriptions"


@sa_event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    """Subscriptions are cached for one transaction only; rolled-back outbox rows leave nothing to deliver."""
    if transaction.parent is not None:
        return
    session.info.pop(SUBSCRIPTIONS_KEY, None)


@sa_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(WRITTEN_KEY, None)


def offer_channels(session: Session, channels: Iterable[ChannelName]) -> None:
    """Record which channels besides the inbox this deployment delivers (for this session)."""
    session.info[OFFERED_KEY] = frozenset(channels) | {ChannelName.INBOX}


def set_deemed_delivery(session: Session, days: int) -> None:
    """Record the deployment's rule of deemed electronic delivery (for this session): an unopened notice
    is delivered ``days`` days after it reached the applicant's inbox; 0: only an opening delivers."""
    session.info[DEEMED_KEY] = max(0, int(days))


def offered_channels(session: Session) -> frozenset[ChannelName]:
    return session.info.get(OFFERED_KEY, frozenset({ChannelName.INBOX}))


def case_payload(case: Application) -> dict[str, Any]:
    """What templates and webhooks may say about a case: no names, no identity numbers."""
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {"case_number": case.case_number, "item_code": case.item_code, "item_name": case.item_name,
            "town_code": case.town.code, "town_name": case.town.name, "status": case.status.value,
            "status_label": case.status.label, "ref": case.ref, "intake_due_on": day(case.intake_due_on),
            "due_on": day(case.due_on), "statutory_due_on": day(case.statutory_due_on)}


def _preferences(session: Session, user_ids: list[int]) -> dict[int, Preference]:
    if not user_ids:
        return {}
    return {p.user_id: p for p in session.scalars(select(Preference).where(Preference.user_id.in_(user_ids)))}


def _channels_for(user: User, template: str, pref: Preference | None, offered: frozenset[ChannelName],
                  ) -> list[ChannelName]:
    wanted = [ChannelName.INBOX]
    channels = TEMPLATES[template].channels()
    if ChannelName.EMAIL in offered and ChannelName.EMAIL in channels and pref and pref.email_enabled and pref.email:
        wanted.append(ChannelName.EMAIL)
    sms_on = pref.sms_enabled if pref is not None else not user.is_staff
    if ChannelName.SMS in offered and ChannelName.SMS in channels and sms_on and user.mobile:
        wanted.append(ChannelName.SMS)
    return wanted


def emit(session: Session, kind: str, *, now: dt.datetime, case: Application | None = None,
         notice: Notice | None = None, data: dict[str, Any] | None = None,
         messages: Iterable[tuple[User, str]] = ()) -> int:
    """Write one event and its outbox rows and return the event's row id: each (recipient, template) on the
    inbox and on the channels the recipient chose and the deployment offers, and one row per active webhook
    subscribed to ``kind``.
    Raises KeyError for an unknown template."""
    payload = {**(case_payload(case) if case is not None else {}), **(data or {})}
    planned = list(messages)
    offered = offered_channels(session)
    with session.no_autoflush:
        prefs = _preferences(session, [u.id for u, _ in planned]) if len(offered) > 1 else {}
        subscribers = _subscriptions(session, kind)
    application_id = case.id if case else None
    # Core inserts, not unit-of-work objects: the outbox costs the request as little as possible.
    event_id = session.execute(insert(Event).values(
        event_id=str(uuid.uuid4()), kind=kind, application_id=application_id,
        town_id=case.town_id if case else None, notice_id=notice.id if notice else None,
        payload=payload, occurred_at=now).returning(Event.id)).scalar_one()
    common = {"event_id": event_id, "application_id": application_id, "status": MessageStatus.PENDING,
              "attempts": 0, "next_attempt_at": now, "created_at": now, "user_id": None, "subscription_id": None}
    rows: dict[tuple[ChannelName, str], dict[str, Any]] = {}
    for user, template in planned:
        for channel in _channels_for(user, template, prefs.get(user.id), offered):
            # One (channel, recipient) per event: a template named twice for one person is one message.
            rows.setdefault((channel, f"user:{user.id}"), {**common, "channel": channel, "recipient": f"user:{user.id}",
                                                            "user_id": user.id, "template": template})
    for sub in subscribers:
        rows[(ChannelName.WEBHOOK, f"webhook:{sub.id}")] = {
            **common, "channel": ChannelName.WEBHOOK, "recipient": f"webhook:{sub.id}", "subscription_id": sub.id,
            "template": kind}
    if rows:
        session.execute(insert(OutboxMessage), list(rows.values()))
        session.info[WRITTEN_KEY] = True
    return event_id


def _subscriptions(session: Session, kind: str) -> list[WebhookSubscription]:
    # Subscriptions are few and read on every event: cached for the transaction.
    cache = session.info.get(SUBSCRIPTIONS_KEY)
    if cache is None:
        cache = session.info[SUBSCRIPTIONS_KEY] = list(
            session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))))
    return [s for s in cache if kind in (s.events or [])]


def forget_subscriptions(session: Session) -> None:
    """Drop the per-transaction cache after subscriptions changed."""
    session.info.pop(SUBSCRIPTIONS_KEY, None)


def town_staff(session: Session, town_id: int, permission: Permission) -> list[User]:
    """Active staff of the town who hold ``permission``."""
    users = session.scalars(select(User).where(User.jurisdiction_id == town_id, User.active.is_(True)))
    return [u for u in users if u.is_staff and u.can(permission)]


def on_transition(session: Session, case: Application, action: Action, *, before: str, now: dt.datetime,
                  actor: User | None) -> int:
    """The event of a status change (called by ``apply_transition`` only). Raises nothing of its own."""
    name = action.value
    messages: list[tuple[User, str]] = []
    if name in _APPLICANT_TEMPLATES:
        messages.append((case.applicant, _APPLICANT_TEMPLATES[name]))
    if name in _STAFF_TEMPLATES:
        template, permission = _STAFF_TEMPLATES[name]
        messages += [(u, template) for u in town_staff(session, case.town_id, permission)
                     if actor is None or u.id != actor.id]
    what = "补正后重新提交" if name == "resubmit" else "提交"
    event = emit(session, TRANSITION_EVENTS[name], now=now, case=case, messages=messages,
                 data={"action": name, "from_status": before, "what": what})
    if name in _RATED_ACCEPTANCES:
        _invite_rating(session, case, "accepted", "applicant.rate_accepted", now=now)
    if name in _RATED_ENDINGS:
        _invite_rating(session, case, "finished", "applicant.rate", now=now)
    return event


def _invite_rating(session: Session, case: Application, stage: str, template: str, *, now: dt.datetime) -> None:
    """The applicant's invitation to rate ``stage``, naming the GB/T 39734 indicators of the way the case is
    handled (网上 or 窗口)."""
    from service_hall.cases.ratings import INDICATORS, STAGES, mode_of

    indicators = "、".join(label for _, label in INDICATORS[mode_of(case)])
    emit(session, "rating.invited", now=now, case=case, messages=[(case.applicant, template)],
         data={"stage": stage, "stage_label": STAGES[stage], "indicators": indicators})


def on_notice(session: Session, notice: Notice, *, now: dt.datetime) -> int:
    """A written notice reaches the applicant's inbox always (statutory), and the chosen channels."""
    case = notice.application
    content = notice.content or {}
    data = {"notice_kind": notice.kind.value, "notice_label": notice.kind.label, "notice_number": notice.number,
            "issued_on": notice.issued_on.isoformat(), "respond_by": content.get("respond_by"),
            "channel_label": content.get("channel_label")}
    template = f"notice.{notice.kind.value}"
    messages = [(case.applicant, template)] if template in TEMPLATES else []
    return emit(session, "notice.issued", now=now, case=case, notice=notice, data=data, messages=messages)


def on_certificate(session: Session, certificate: Certificate, kind: str, *, now: dt.datetime) -> int:
    """``certificate.issued`` / ``certificate.revoked`` / ``certificate.replaced`` (webhooks only)."""
    case = certificate.application
    return emit(session, kind, now=now, case=case, data={
        "certificate_number": certificate.number, "certificate_status": certificate.status.value})


def on_rating(session: Session, rating: Rating, *, now: dt.datetime) -> int:
    """``rating.created``; a poor rating (1–2) tells the town's callback staff."""
    case = rating.application
    messages = []
    if rating.is_poor:
        messages = [(u, "staff.rated") for u in town_staff(session, case.town_id, Permission.RECTIFICATION_CALLBACK)]
    return emit(session, "rating.created", now=now, case=case, data={"score": rating.score}, messages=messages)


def on_triggers(session: Session, triggers: Iterable[AccountabilityTrigger], *, now: dt.datetime) -> list[int]:
    """Warnings the sweep raised go to the heads (负责人) of the case's town."""
    events = []
    for trigger in triggers:
        case = trigger.application
        heads = town_staff(session, case.town_id, Permission.CASE_DECIDE)
        events.append(emit(session, "deadline.warning", now=now, case=case,
                           messages=[(u, "staff.warning") for u in heads],
                           data={"situation": trigger.situation, "detail": trigger.detail,
                                 "trigger_kind": trigger.kind}))
    return events


def _already(session: Session, kind: str, case_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(case id, marker) of the events ``kind`` already emitted for ``case_ids``, in one query."""
    ids = sorted(set(case_ids))
    if not ids:
        return set()
    rows = session.execute(select(Event.application_id, Event.payload).where(Event.kind == kind,
                                                                            Event.application_id.in_(ids)))
    return {(case_id, str(payload.get("marker"))) for case_id, payload in rows if case_id is not None and payload}


def sweep_reminders(session: Session, *, now: dt.datetime) -> list[int]:
    """Daily: a correction due in two days reminds the applicant; a promised limit in two days reminds the
    case's window staff. Once per case and deadline. Raises nothing of its own."""
    from service_hall.cases.clock import local_date
    from service_hall.cases.models import Application, CaseStatus, CorrectionNotice

    deem_deliveries(session, now=now)
    today = local_date(now)
    soon = today + dt.timedelta(days=2)
    events = []
    # Only what falls due in the next two days is loaded, in SQL (docs/architecture.md, "Lists at scale"):
    # a case's latest correction notice, a running case's promised limit (its partial index).
    latest = (select(func.max(CorrectionNotice.id)).where(CorrectionNotice.application_id == Application.id)
              .correlate(Application).scalar_subquery())
    waiting = session.execute(
        select(Application, CorrectionNotice).join(CorrectionNotice, CorrectionNotice.id == latest)
        .where(Application.status == CaseStatus.CORRECTION_REQUESTED,
               CorrectionNotice.respond_by > today, CorrectionNotice.respond_by <= soon)
        .order_by(Application.id)).all()
    reminded = _already(session, "correction.due_soon", (case.id for case, _ in waiting))
    for case, notice in waiting:
        marker = notice.respond_by.isoformat()
        if (case.id, marker) not in reminded:
            events.append(emit(session, "correction.due_soon", now=now, case=case,
                               messages=[(case.applicant, "applicant.correction_due")],
                               data={"respond_by": marker, "marker": marker}))
    running = list(session.scalars(select(Application).where(Application.status.in_(
        [CaseStatus.ACCEPTED, CaseStatus.REVIEWED]), Application.due_on > today, Application.due_on <= soon)
        .order_by(Application.id)))
    reminded = _already(session, "deadline.near", (case.id for case in running))
    for case in running:
        assert case.due_on is not None
        marker = case.due_on.isoformat()
        if (case.id, marker) not in reminded:
            staff = town_staff(session, case.town_id, Permission.CASE_READ)
            events.append(emit(session, "deadline.near", now=now, case=case, data={"marker": marker},
                               messages=[(u, "staff.deadline_near") for u in staff if u.can(Permission.CASE_REVIEW)
                                         or u.can(Permission.CASE_DECIDE)]))
    return events


def on_opinion_due(session: Session, case: Application, *, asked_id: int, data: dict[str, Any],
                   now: dt.datetime) -> int:
    """A 征求意见 due soon: a message to the reviewers of the asked town (or of the county, for a county
    office), who answer it. The caller sends it once per request."""
    staff = town_staff(session, asked_id, Permission.CASE_REVIEW)
    return emit(session, "opinion.due_soon", now=now, case=case, data=data,
                messages=[(u, "staff.opinion_due") for u in staff])


def deem_deliveries(session: Session, *, now: dt.datetime) -> list[NoticeReceipt]:
    """The deployment's rule of deemed electronic delivery (``set_deemed_delivery``): a notice that reached
    its applicant's inbox ``days`` days ago and is still unopened is deemed delivered at that moment,
    recorded as its receipt and audited. Once per notice; nothing when no period is configured.
    Raises nothing of its own."""
    from service_hall.audit.trail import record
    from service_hall.cases.models import Application
    from service_hall.cases.models import Notice as NoticeRow
    from service_hall.notifications.models import InboxItem

    days = int(session.info.get(DEEMED_KEY) or 0)
    if days <= 0:
        return []
    period = dt.timedelta(days=days)
    reached = (select(InboxItem.notice_id, func.min(InboxItem.created_at).label("at"))
               .join(Application, Application.id == InboxItem.application_id)
               .where(InboxItem.notice_id.is_not(None), InboxItem.user_id == Application.applicant_id)
               .group_by(InboxItem.notice_id).subquery())
    due = session.execute(select(NoticeRow, reached.c.at).join(reached, reached.c.notice_id == NoticeRow.id)
                          .outerjoin(NoticeReceipt, NoticeReceipt.notice_id == NoticeRow.id)
                          .where(NoticeReceipt.id.is_(None), reached.c.at <= now - period)
                          .order_by(NoticeRow.id)).all()
    made = []
    for notice, at in due:
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        receipt = NoticeReceipt(notice_id=notice.id, user_id=None, opened_at=at + period, channel="deemed",
                                deemed=True)
        session.add(receipt)
        case = notice.application
        record(session, actor=None, action="notice.deemed", object_type="application", object_id=case.id,
               now=now, jurisdiction_id=case.town_id,
               payload={"notice": notice.number, "days": days, "deemed_at": receipt.opened_at.isoformat()})
        made.append((notice, receipt))
    session.flush()
    for notice, _ in made:
        settle_delivery(session, notice)
    return [receipt for _, receipt in made]


def settle_delivery(session: Session, notice: Notice) -> None:
    """``notice`` has just been received (opened or deemed delivered): an electronic delivery of it the
    hall recorded earlier, still waiting, now takes that moment — its record is signed by the opening
    (a deemed delivery has no signer) and its 送达回证 says which rule applied. Raises nothing."""
    from service_hall.documents.kinds import DeliveryChannel, NoticeKind

    case = notice.application
    opened = receipt_content(session, notice)
    if not opened.get("opened_at"):
        return
    signed_at = dt.datetime.fromisoformat(opened["opened_at"])
    by_applicant = opened["delivery_rule"] == "opened"
    waiting = [d for d in case.deliveries if d.channel is DeliveryChannel.ELECTRONIC
               and d.document_number == notice.number and d.signed_at is None]
    for delivery in waiting:
        delivery.signed_at = signed_at if by_applicant else None
        if by_applicant:
            delivery.signer_name, delivery.signer_relation = delivery.recipient, "self"
    for row in case.notices:
        content = row.content or {}
        if (row.kind is NoticeKind.DELIVERY and content.get("channel") == DeliveryChannel.ELECTRONIC.value
                and content.get("document") == notice.number and not content.get("opened_at")):
            signer = content.get("recipient") if by_applicant else ""
            row.content = {**content, **opened, "signer_name": signer,
                           "signer_relation": "本人" if by_applicant else "",
                           "signed_at": opened["opened_at"] if by_applicant else None}
    session.flush()


def receipt_content(session: Session, notice: Notice) -> dict[str, Any]:
    """What the 送达回证 of an electronic delivery records about ``notice``'s delivery, and by which rule:
    the time and channel of the applicant's first opening; or, unopened past the deployment's period, the
    moment it was deemed delivered; or that it has not been opened yet. Raises nothing."""
    from service_hall.cases.clock import CHINA

    found = session.scalar(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id))
    if found is None:
        return {"opened_at": None, "delivery_rule": None,
                "receipt_note": "已发送至申请人网上办事账户，申请人尚未查阅；"
                                "以申请人查阅或依规定视为送达的时间为送达时间"}
    local = found.opened_at.astimezone(CHINA).strftime("%Y年%m月%d日 %H:%M")
    if found.deemed:
        days = int(session.info.get(DEEMED_KEY) or 0)
        period = f"满{days}日" if days else "期满"
        return {"opened_at": found.opened_at.isoformat(), "opened_channel": found.channel, "delivery_rule": "deemed",
                "receipt_note": f"该文书已发送至申请人网上办事账户，申请人未查阅，自发送之日起{period}，"
                                f"于{local}视为送达"}
    return {"opened_at": found.opened_at.isoformat(), "opened_channel": found.channel, "delivery_rule": "opened",
            "receipt_note": f"申请人于{local}经{found.channel_label}查阅，以查阅时间为送达时间"}


# The case flow tells its listeners what happened (service_hall/cases/events.py); this module is one.
_case_events.subscribe(sys.modules[__name__])  # a module with the listener functions
