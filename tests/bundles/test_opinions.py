"""征求意见: a reviewer asks another town for an opinion by a deadline; it is answered in that town's
workbench; a reminder before the deadline; overdue ones on the supervisor's list; the clock runs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_hall.bundles import flow, opinions, versions
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.core.errors import NotFound, PermissionDenied, ValidationFailed
from service_hall.extensions import db
from service_hall.notifications.models import ChannelName, Event, OutboxMessage
from service_hall.notifications.templates import render
from tests.factories import cases as steps
from tests.factories.accounts import user
from tests.factories.bundles import RURAL_MATERIALS, demo_world, rural_housing, rural_values
from tests.factories.clock import NOW, at
from tests.factories.context import ctx_for
from tests.factories.files import upload
from tests.factories.places import BAISHA, COUNTY, QINGSHAN, jurisdiction
from tests.factories.web import login, post_form

APPLICANT = "13800000001"


@pytest.fixture
def accepted_case_id(app, factory):
    """An accepted homestead case of 青山镇 (its id: the pages run their own app contexts)."""
    demo_world(app)
    factory.staff("rev.baisha", "reviewer", BAISHA)
    with app.app_context():
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(), actor=user("legal"), now=NOW)
        versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
        applicant = user(APPLICANT)
        files = {c: upload(applicant, now=NOW, filename=f"{c}.pdf", material_name=c) for c in RURAL_MATERIALS}
        bundle_case, _ = flow.submit(_ctx(APPLICANT), applicant=applicant, town=jurisdiction(QINGSHAN),
                                     bundle_code="rural-housing", values=rural_values(), materials=files,
                                     submission_key="op")
        case = bundle_case.cases[0]
        steps.accept(case, by="clerk", now=NOW)
        db.session.commit()
        return case.id


@pytest.fixture
def accepted_case(app, accepted_case_id):
    from service_hall.cases.models import Application

    with app.app_context():
        yield db.session.get(Application, accepted_case_id)


def _ctx(who, now=NOW):
    return ctx_for(user(who), now, calendar=WorkingCalendar())


def test_an_opinion_is_asked_answered_by_the_other_town_and_the_clock_runs_meanwhile(accepted_case):
    due_before = accepted_case.due_on
    asked = opinions.ask(_ctx("reviewer"), accepted_case, target_code=BAISHA, office_id=None,
                         question="拟建位置是否与白沙镇规划衔接", days=5)
    assert asked.due_on == dt.date(2026, 11, 30)  # five working days after Monday 23 November
    assert accepted_case.due_on == due_before and accepted_case.pauses == []  # counted within the period
    # Only the asked town sees and answers it.
    with pytest.raises(NotFound):
        opinions.request_for_answer(_ctx("reviewer"), asked.id)
    assert opinions.asked_of(_ctx("rev.baisha")) == [asked]
    with pytest.raises(NotFound):
        opinions.answer(_ctx("reviewer"), asked, text="同意")
    opinions.answer(_ctx("rev.baisha", at("2026-11-25")), asked, text="与白沙镇规划无冲突，同意")
    assert asked.state(dt.date(2026, 12, 1)) == "已答复"


def test_bad_requests_are_refused_with_the_reason(accepted_case):
    with pytest.raises(ValidationFailed) as own:
        opinions.ask(_ctx("reviewer"), accepted_case, target_code=QINGSHAN, office_id=None, question="?", days=5)
    assert own.value.details["target"] == "不能向本单位征求意见，请选择其他乡镇（街道）或县级部门"
    with pytest.raises(ValidationFailed) as bad:
        opinions.ask(_ctx("reviewer"), accepted_case, target_code=COUNTY, office_id=None, question="", days=0)
    assert set(bad.value.details) == {"target", "question", "days"}
    with pytest.raises(PermissionDenied):
        opinions.ask(_ctx("clerk"), accepted_case, target_code=BAISHA, office_id=None, question="?", days=5)


def test_a_reminder_before_the_deadline_and_the_overdue_ones_on_the_supervisors_list(accepted_case):
    asked = opinions.ask(_ctx("reviewer"), accepted_case, target_code=BAISHA, office_id=None,
                         question="是否涉及白沙镇", days=5)
    calendar = WorkingCalendar()
    assert opinions.remind_due(db.session, now=at("2026-11-24"), calendar=calendar) == []  # not near yet
    assert opinions.remind_due(db.session, now=at("2026-11-26"), calendar=calendar) == [asked]
    assert opinions.remind_due(db.session, now=at("2026-11-26", 15), calendar=calendar) == []
    assert opinions.remind_due(db.session, now=at("2026-11-27"), calendar=calendar) == []  # once per request
    # The reminder is a message to the asked town's reviewers, through the outbox, once.
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "staff.opinion_due")).all()
    assert {m.user_id for m in sent} == {user("rev.baisha").id}
    assert {m.channel for m in sent} == {ChannelName.INBOX}
    event = db.session.get(Event, sent[0].event_id)
    assert (event.kind, event.application_id) == ("opinion.due_soon", accepted_case.id)
    message = render("staff.opinion_due", event.payload)
    assert message.title == f"征求意见答复期限将至：{accepted_case.case_number}"
    assert message.text == (f"青山镇就农村村民宅基地审批（{accepted_case.case_number}）向白沙镇征求意见，"
                            "请于 2026-11-30 前在工作台答复。")
    county = {jurisdiction(COUNTY).id, jurisdiction(QINGSHAN).id, jurisdiction(BAISHA).id}
    assert opinions.overdue(db.session, county, dt.date(2026, 11, 30)) == []
    assert opinions.overdue(db.session, county, dt.date(2026, 12, 1)) == [asked]
    assert asked.state(dt.date(2026, 12, 1)) == "已逾期"


def test_the_pages_ask_answer_and_list_the_overdue(app, accepted_case_id):
    case_id = accepted_case_id
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    page = f"/workbench/bundles/cases/{case_id}/opinions"
    refused = post_form(reviewer, page, {"target": QINGSHAN, "question": "？", "days": "5"})
    assert refused.status_code == 422 and "不能向本单位征求意见" in refused.get_data(as_text=True)
    sent = post_form(reviewer, page, {"target": BAISHA, "question": "拟建位置是否与白沙镇规划衔接", "days": "1"})
    assert sent.status_code == 302
    other = app.test_client()
    login(other, "rev.baisha")
    inbox = other.get("/workbench/bundles/opinions").get_data(as_text=True)
    assert "拟建位置是否与白沙镇规划衔接" in inbox
    import re

    action = re.search(r'action="(/workbench/bundles/opinions/\d+/answer)"', inbox).group(1)
    assert post_form(other, "/workbench/bundles/opinions", {"answer": ""}, action=action).status_code == 422
    assert post_form(other, "/workbench/bundles/opinions", {"answer": "无冲突，同意"}, action=action).status_code == 302
    assert post_form(reviewer, page, {"answer": "同意"}, action=action).status_code == 404  # not asked of 青山镇
    assert "无冲突，同意" in reviewer.get(page).get_data(as_text=True)
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    listing = supervisor.get("/supervision/opinions/").get_data(as_text=True)
    # Asked today with one working day: not overdue yet.
    assert "没有逾期未答复的征求意见" in listing
