"""电子送达: a decision is shown to its applicant only once its notice is opened (查收) — or, unopened past
the period the deployment configures, deemed delivered by the sweep; the 送达回证 says which rule applied."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.cases.clock import CHINA
from service_hall.cases.models import Application, NoticeKind
from service_hall.cases.sweep import run_sweep
from service_hall.certificates.notices import notice_data
from service_hall.extensions import db
from service_hall.notifications.channels import configure_session
from service_hall.notifications.models import NoticeReceipt
from tests.factories.clock import at
from tests.factories.web import post_form
from tests.notifications.support import act, dispatch, staff_client, submit_case
from tests.notifications.test_delivery_and_reminders import _approve

DECIDED = at("2026-11-25")


def _decided_case(app, client, factory, world):
    factory.staff("boss", "decider", "330199101000")
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "accept")
    _approve(app, case.id, DECIDED, world)
    dispatch(app, at=DECIDED)  # the decision reaches the applicant's inbox
    with app.app_context():
        approval = next(n for n in db.session.get(Application, case.id).notices if n.kind == NoticeKind.APPROVAL)
        return case, approval.id, approval.number


def _sweep(app, moment):
    with app.app_context():
        configure_session(db.session, app.config)
        run_sweep(db.session, now=moment)
        db.session.commit()


def _receipt(app, notice_id):
    with app.app_context():
        found = db.session.scalar(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_id))
        if found is not None:
            db.session.expunge(found)
        return found


def test_a_decision_waits_until_the_applicant_opens_it(app, client, factory, world):
    case, notice_id, number = _decided_case(app, client, factory, world)
    app.config["FIXED_NOW"] = at("2026-11-26", 9)
    page = client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "您有一份决定文书待查收" in page and "已作出决定，待查收" in page
    assert "准予行政许可决定书" not in page and "准予许可" not in page and "电子证照" not in page
    assert f"决定文书（{number}）：待查收" in page
    assert "已作出决定，待查收" in client.get("/portal/").get_data(as_text=True)
    assert _receipt(app, notice_id) is None  # looking at the case page is not opening the decision
    resp = post_form(client, f"/portal/applications/{case.ref}",
                     {}, action=f"/portal/applications/{case.ref}/notices/{notice_id}/open")
    assert resp.status_code == 302
    receipt = _receipt(app, notice_id)
    assert receipt.channel == "portal" and not receipt.deemed and receipt.opened_at == at("2026-11-26", 9)
    page = client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "待查收" not in page and "准予行政许可决定书" in page and "准予许可" in page
    with app.app_context():
        assert db.session.scalar(select(AuditRecord.action).where(AuditRecord.action == "notice.open"))


def test_nobody_else_opens_an_applicants_decision(app, client, factory, world):
    case, notice_id, _ = _decided_case(app, client, factory, world)
    factory.applicant("13900000009")
    other = app.test_client()
    from tests.factories.web import login

    login(other, "13900000009")
    resp = post_form(other, "/portal/", {}, action=f"/portal/applications/{case.ref}/notices/{notice_id}/open")
    assert resp.status_code == 404
    assert _receipt(app, notice_id) is None


def test_an_unopened_decision_is_deemed_delivered_after_the_configured_period(app, client, factory, world):
    app.config["ELECTRONIC_DELIVERY_DEEMED_DAYS"] = 5
    try:
        case, notice_id, number = _decided_case(app, client, factory, world)
        _sweep(app, DECIDED + dt.timedelta(days=5) - dt.timedelta(minutes=1))
        assert _receipt(app, notice_id) is None  # not yet
        _sweep(app, at("2026-12-01"))
        receipt = _receipt(app, notice_id)
        assert receipt.deemed and receipt.user_id is None
        assert receipt.opened_at == DECIDED + dt.timedelta(days=5)  # the rule's moment, not the sweep's
        _sweep(app, at("2026-12-02"))  # once per notice
        with app.app_context():
            deemed = [p["notice"] for p in db.session.scalars(
                select(AuditRecord.payload).where(AuditRecord.action == "notice.deemed"))]
            assert number in deemed and len(deemed) == len(set(deemed)) == 2  # the 受理通知书 too, each once
        # The decision now shows, and the 送达回证 of the electronic delivery says it was deemed delivered.
        app.config["FIXED_NOW"] = at("2026-12-02", 10)
        assert "待查收" not in client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
        with app.app_context():
            version = db.session.get(Application, case.id).row_version
        resp = act(staff_client(app, "clerk1"), case, "deliver",
                   {"channel": "electronic", "recipient": "李堃", "row_version": version})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        with app.app_context():
            c = db.session.get(Application, case.id)
            record = notice_data(db.session, next(n for n in c.notices if n.kind == NoticeKind.DELIVERY)).delivery
        deemed_local = (DECIDED + dt.timedelta(days=5)).astimezone(CHINA)
        assert record.delivered_at == deemed_local.replace(tzinfo=None)
        assert record.note == ("该文书已发送至申请人网上办事账户，申请人未查阅，自发送之日起满5日，"
                               f"于{deemed_local:%Y年%m月%d日 %H:%M}视为送达")
    finally:
        app.config["ELECTRONIC_DELIVERY_DEEMED_DAYS"] = 0


def test_without_a_configured_period_only_opening_delivers(app, client, factory, world):
    _, notice_id, _ = _decided_case(app, client, factory, world)
    _sweep(app, at("2027-02-01"))
    assert _receipt(app, notice_id) is None


def _delivery_receipt(app, case_id):
    with app.app_context():
        c = db.session.get(Application, case_id)
        notice = next(n for n in c.notices if n.kind == NoticeKind.DELIVERY)
        return notice.id, dict(notice.content), c.deliveries[-1].signed_at


def test_an_electronic_delivery_recorded_before_the_opening_waits_for_it(app, client, factory, world):
    case, notice_id, _ = _decided_case(app, client, factory, world)
    app.config["FIXED_NOW"] = at("2026-11-26", 9)
    with app.app_context():
        version = db.session.get(Application, case.id).row_version
    resp = act(staff_client(app, "clerk1"), case, "deliver",
               {"channel": "electronic", "recipient": "李堃", "row_version": version})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    receipt_id, content, signed_at = _delivery_receipt(app, case.id)
    assert content["opened_at"] is None and signed_at is None  # no delivery claimed before it happened
    # The 送达回证 is not issued while the applicant has not opened the decision: a clear refusal.
    clerk = staff_client(app, "clerk1")
    resp = clerk.get(f"/workbench/cases/{case.id}/documents/notices/{receipt_id}.pdf")
    assert resp.status_code == 409 and "尚未查阅" in resp.get_data(as_text=True)
    page = client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "待查收" in page and "准予许可" not in page  # still not shown before the opening
    app.config["FIXED_NOW"] = at("2026-11-28", 15)
    resp = post_form(client, f"/portal/applications/{case.ref}",
                     {}, action=f"/portal/applications/{case.ref}/notices/{notice_id}/open")
    assert resp.status_code == 302
    _, content, signed_at = _delivery_receipt(app, case.id)
    assert content["delivery_rule"] == "opened" and signed_at == at("2026-11-28", 15)
    with app.app_context():
        c = db.session.get(Application, case.id)
        record = notice_data(db.session, next(n for n in c.notices if n.kind == NoticeKind.DELIVERY)).delivery
    assert record.delivered_at.strftime("%Y-%m-%d %H:%M") == "2026-11-28 15:00"
    assert record.signer == "李堃" and record.note.startswith("申请人于2026年11月28日 15:00")


def test_an_electronic_delivery_recorded_before_the_deemed_date_takes_that_date(app, client, factory, world):
    app.config["ELECTRONIC_DELIVERY_DEEMED_DAYS"] = 5
    try:
        case, _, _ = _decided_case(app, client, factory, world)
        app.config["FIXED_NOW"] = at("2026-11-26", 9)
        with app.app_context():
            version = db.session.get(Application, case.id).row_version
        act(staff_client(app, "clerk1"), case, "deliver",
            {"channel": "electronic", "recipient": "李堃", "row_version": version})
        _sweep(app, at("2026-12-01"))
        _, content, signed_at = _delivery_receipt(app, case.id)
        assert content["delivery_rule"] == "deemed" and signed_at is None  # a deemed delivery has no signer
        with app.app_context():
            c = db.session.get(Application, case.id)
            record = notice_data(db.session, next(n for n in c.notices if n.kind == NoticeKind.DELIVERY)).delivery
        assert record.delivered_at == (DECIDED + dt.timedelta(days=5)).astimezone(CHINA).replace(tzinfo=None)
        assert "视为送达" in record.note
    finally:
        app.config["ELECTRONIC_DELIVERY_DEEMED_DAYS"] = 0
