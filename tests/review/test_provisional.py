"""A notice never states a date resting on guessed days without saying so; entering a year's calendar
recomputes the open deadlines and lists the notices affected."""

from __future__ import annotations

from service_hall.cases.models import Application, NoticeKind
from service_hall.extensions import db
from tests.factories.cases import drive, new_case
from tests.factories.pdf import pdf_text
from tests.factories.power_list import ITEM
from tests.factories.web import login, post_form


def test_a_provisional_deadline_is_flagged_in_the_notice_and_restated_when_the_calendar_is_entered(
        app, rworld, factory, client):
    case_id = new_case(app, ITEM, day="2026-12-21")
    drive(app, case_id, "accept", day="2026-12-21")  # 20 working days reach into 2027, not yet published
    with app.app_context():
        case = db.session.get(Application, case_id)
        before = case.statutory_due_on
        notice = next(n for n in case.notices if n.kind == NoticeKind.ACCEPTANCE)
        number, notice_id = notice.number, notice.id
        assert case.deadline_provisional and notice.content["provisional"] is True
    login(client, "clerk1")
    pdf = client.get(f"/workbench/cases/{case_id}/documents/notices/{notice_id}.pdf").get_data()
    assert "该日期按现行工作日安排推算" in pdf_text(pdf).replace("\n", "")

    factory.staff("admin1", "admin", "330199000000")
    admin = app.test_client()
    login(admin, "admin1")
    resp = post_form(admin, "/admin/calendar", {"lines": "2027-01-01~2027-01-03 休 元旦\n2027-01-04 班 元旦调休"},
                     follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "重新计算 1 件办件的期限" in page and number in page
    with app.app_context():
        case = db.session.get(Application, case_id)
        assert case.statutory_due_on != before
