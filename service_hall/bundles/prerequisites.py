"""An item that takes another item's result as input waits for it (docs/bundles.md, "Order").

At submission such an item's case enters ``awaiting_prerequisite`` (``flow.submit``). This module
listens to the case flow (``service_hall.cases.events``), in the transaction of the change:

- when every item a waiting case needs is granted, the case is received that day and its clock starts;
- when an item it needs is refused, not granted, withdrawn or itself ended, the case is ended (终止办理)
  with the reason, and the applicant is told through the outbox;
- a certificate (电子证照) an item's grant issues is attached to every item after it that is still open,
  as a reused material (``reuse.attach_result``): where the later item's form asks for that certificate
  type, as that material; otherwise as the item's input the order names.

Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.bundles.models import BundleCase, BundleCaseItem
from service_hall.bundles.reuse import attach_result
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import events, intake
from service_hall.cases.models import Application, CaseStatus

GRANTED = frozenset({CaseStatus.APPROVED, CaseStatus.DELIVERED})
FAILED = frozenset({CaseStatus.REFUSED, CaseStatus.DENIED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED,
                    CaseStatus.TERMINATED})


def _link(session: Session, case: Application) -> BundleCaseItem | None:
    with session.no_autoflush:
        return session.scalar(select(BundleCaseItem).where(BundleCaseItem.application_id == case.id))


def _later(bundle_case: BundleCase, code: str) -> list[BundleCaseItem]:
    """The bundle's item links whose item needs ``code``'s result directly."""
    return [link for link in bundle_case.links if code in bundle_case.bundle.after(link.item_code)]


def waiting_for(bundle_case: BundleCase, link: BundleCaseItem) -> list[Application]:
    """The cases of the items ``link``'s item needs that are not granted yet."""
    cases = {other.item_code: other.application for other in bundle_case.links}
    return [cases[code] for code in bundle_case.bundle.after(link.item_code)
            if code in cases and cases[code].status not in GRANTED]


def waiting_note(waiting: Iterable[str]) -> str:
    """What a case waiting for the items ``waiting`` (their names) is told."""
    return "等待“" + "”“".join(waiting) + "”办结，办结后本事项开始办理，办理期限自那时起算"


def waiting_notes(session: Session, cases: Iterable[Application]) -> dict[int, str]:
    """By case id, what each waiting case of ``cases`` waits for (“等待“宅基地审批”办结…”), for lists
    and case pages. One query, and none when no case waits."""
    ids = [c.id for c in cases if c.status is CaseStatus.AWAITING_PREREQUISITE]
    if not ids:
        return {}
    out = {}
    for link in session.scalars(select(BundleCaseItem).where(BundleCaseItem.application_id.in_(ids))):
        out[link.application_id] = waiting_note([c.item_name for c in waiting_for(link.bundle_case, link)])
    return out


def _correction_open(case: Application) -> bool:
    """The bundle's 一次性告知 named the waiting case and the applicant has not answered yet: it starts
    once they have (``start_ready``), complete, as the law receives an application."""
    return bool(case.corrections) and case.corrections[-1].answered_at is None


def _start(session: Session, case: Application, now: dt.datetime, reason: str, params: dict[str, Any]) -> None:
    intake.start_after_prerequisite(session, case, now=now, calendar=WorkingCalendar.from_session(session),
                                    reason=reason, params=params)


def start_ready(session: Session, bundle_case: BundleCase, *, now: dt.datetime) -> list[Application]:
    """Start every waiting item of the bundle whose prerequisites are granted and whose correction is
    answered (called when the applicant answers the combined notice). Returns the cases started."""
    started = []
    for link in bundle_case.links:
        case = link.application
        if (case.status is CaseStatus.AWAITING_PREREQUISITE and not waiting_for(bundle_case, link)
                and not _correction_open(case)):
            _start(session, case, now, "前置事项已准予，补正材料已提交，本事项自即日起视为收到申请",
                   {"bundle": bundle_case.number})
            started.append(case)
    return started


class PrerequisiteListener(events.Quiet):
    """Starts, ends and feeds the waiting items of a bundle as their prerequisites are decided."""

    def on_transition(self, session: Session, case: Application, action: Any, *, before: str,
                      now: dt.datetime, actor: Any) -> None:
        if case.status not in GRANTED | FAILED or before in {s.value for s in GRANTED}:
            return
        link = _link(session, case)
        if link is None:
            return
        bundle_case = link.bundle_case
        started, ended = [], []
        for later in _later(bundle_case, link.item_code):
            other = later.application
            if other.status is not CaseStatus.AWAITING_PREREQUISITE:
                continue
            params = {"prerequisite": case.case_number, "bundle": bundle_case.number}
            if case.status in FAILED:
                reason = (f"本事项需要“{case.item_name}”的办理结果，该事项{case.status.label}，本事项无法继续办理，"
                          f"依法终止办理")
                intake.terminate(session, other, now=now, reason=reason, params=params)
                ended.append(other)
            elif not waiting_for(bundle_case, later) and not _correction_open(other):
                _start(session, other, now, f"前置事项“{case.item_name}”已准予，本事项自即日起视为收到申请", params)
                started.append(other)
        if started or ended:
            record(session, actor=actor, action=AuditAction.BUNDLE_CASE_PREREQUISITE, object_type="application",
                   object_id=case.id, now=now, jurisdiction_id=case.town_id,
                   payload={"bundle": bundle_case.number, "outcome": case.status.value,
                            "started": [c.case_number for c in started], "ended": [c.case_number for c in ended]})

    def on_certificate(self, session: Session, certificate: Any, kind: str, *, now: dt.datetime) -> None:
        if kind != "certificate.issued":
            return
        case = certificate.application
        link = _link(session, case)
        if link is None:
            return
        for later in _later(link.bundle_case, link.item_code):
            if not later.application.status.is_final:
                attach_result(session, certificate, later.application, now=now)


events.subscribe(PrerequisiteListener())
