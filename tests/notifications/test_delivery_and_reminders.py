"""电子送达 on the 送达回证, the end-of-case rating invitation, and the sweep's reminders and warnings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_hall.accounts.models import User
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import review
from service_hall.cases.models import Application, NoticeKind
from service_hall.cases.sweep import run_sweep
from service_hall.certificates.notices import notice_data
from service_hall.extensions import db
from service_hall.notifications.events import offer_channels
from service_hall.notifications.models import ChannelName, InboxItem
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.notifications.support import act, dispatch, inbox_titles, outbox, staff_client, submit_case


def _approve(app, case_id, moment, world):
    with app.app_context():
        case = db.session.get(Application, case_id)
        reviewer = db.session.get(User, world["reviewer"])
        decider = db.session.query(User).filter_by(username="boss").one()
        review.record_opinion(ctx_for(reviewer, moment), case, opinion="符合条件", recommendation="approve")
        review.complete_review(ctx_for(reviewer, moment), case)
        review.approve(ctx_for(decider, moment, calendar=WorkingCalendar()), case)
        db.session.commit()


def test_the_delivery_receipt_records_the_opening(app, client, factory, world):
    factory.staff("boss", "decider", "330199101000")
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    clerk = staff_client(app, "clerk1")
    act(clerk, case, "accept")
    _approve(app, case.id, at("2026-11-25"), world)
    dispatch(app, at=at("2026-11-25"))
    assert "待决定：" + case.case_number in inbox_titles(app, db_id(app, "boss"))
    with app.app_context():
        item = db.session.scalars(select(InboxItem).where(InboxItem.user_id == world["applicant"],
                                                          InboxItem.title.like("办理结果%"))).one()
        item_id = item.id
    app.config["FIXED_NOW"] = at("2026-11-26", 9)
    client.get(f"/inbox/{item_id}")
    app.config["FIXED_NOW"] = at("2026-11-27", 16)
    with app.app_context():
        version = db.session.get(Application, case.id).row_version
    resp = act(clerk, case, "deliver", {"channel": "electronic", "recipient": "李堃", "row_version": version})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    with app.app_context():
        c = db.session.get(Application, case.id)
        receipt = next(n for n in c.notices if n.kind == NoticeKind.DELIVERY)
        record = notice_data(db.session, receipt).delivery
        assert record.delivered_at.strftime("%Y-%m-%d %H:%M") == "2026-11-26 09:00"  # the opening, not the entry
        assert record.note == "申请人于2026年11月26日 09:00经站内消息查阅，以查阅时间为送达时间"
    # The end of the case invites a rating.
    assert "请评价本次办事：农村村民宅基地审批" in inbox_titles(app, world["applicant"])[-2:]


def db_id(app, username):
    with app.app_context():
        return db.session.query(User).filter_by(username=username).one().id


def test_the_sweep_reminds_of_a_correction_due_in_two_days(app, client, world, sms_gateway):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "correction", {"target": ["M02"], "problem": ["不清晰"],
                                                          "respond_days": "3"})
    dispatch(app)
    with app.app_context():
        respond_by = db.session.get(Application, case.id).corrections[0].respond_by
    assert respond_by.isoformat() == "2026-11-26"
    sent_before = len(sms_gateway.requests)
    for moment in (at("2026-11-24"), at("2026-11-24", 15), at("2026-11-25")):
        with app.app_context():
            offer_channels(db.session, {ChannelName.SMS})
            run_sweep(db.session, now=moment)
            db.session.commit()
    dispatch(app, at=at("2026-11-25"))
    reminders = [m for m in outbox(app, channel=ChannelName.SMS) if m.template == "applicant.correction_due"]
    assert len(reminders) == 1  # once per deadline, however often the sweep runs
    texts = [r.json()["text"] for r in sms_gateway.requests[sent_before:]]
    assert texts == ["【清溪县政务服务】您申请的农村村民宅基地审批补正期限为2026-11-26，还剩两天，请尽快提交补正材料。"]


def test_warnings_of_the_sweep_reach_the_heads(app, client, factory, world):
    factory.staff("boss", "decider", "330199101000")
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "accept")
    with app.app_context():
        due_on = db.session.get(Application, case.id).due_on
    day_before = at((due_on - dt.timedelta(days=1)).isoformat())
    with app.app_context():
        run_sweep(db.session, now=day_before)
        db.session.commit()
    dispatch(app, at=day_before)
    assert f"办结期限将至：{case.case_number}" in inbox_titles(app, world["reviewer"])
    late = at((due_on + dt.timedelta(days=3)).isoformat())
    with app.app_context():
        run_sweep(db.session, now=late)
        db.session.commit()
    dispatch(app, at=late)
    assert f"预警：{case.case_number}" in inbox_titles(app, db_id(app, "boss"))
