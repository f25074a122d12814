"""Supervisor pages: overdue and near-due cases across the county's towns with both limits, 追责情形 open
and resolved, ratings and rectification tasks. Read-only except resolving a trigger with a note."""

from __future__ import annotations

import re

from service_hall.cases.models import AccountabilityTrigger, Application
from service_hall.extensions import db
from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.places import BAISHA
from tests.factories.web import login, post_form, signed_in


def test_county_supervisor_sees_overdue_and_near_due_cases_of_all_towns(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    overdue = new_case(app, day="2026-10-26")
    drive(app, overdue, "accept", day="2026-10-26")  # promised 9 Nov, statutory 23 Nov
    near = new_case(app, town=BAISHA, applicant="13900000002", day="2026-11-09")
    drive(app, near, "accept", day="2026-11-09")  # promised 23 Nov (today), statutory 7 Dec
    calm = new_case(app)
    drive(app, calm, "accept")
    page = signed_in(app).get("/supervision/").get_data(as_text=True)
    assert load(app, overdue).case_number in page and load(app, near).case_number in page
    assert load(app, calm).case_number not in page
    assert "青山镇" in page and "白沙镇" in page
    assert "已超期 10 个工作日" in page and "今日到期" in page  # promised, per case
    assert "2026-11-23" in page and "2026-12-07" in page  # statutory limits shown beside the promised ones

    town_only = signed_in(app, "super.baisha").get("/supervision/").get_data(as_text=True)
    assert load(app, near).case_number in town_only and load(app, overdue).case_number not in town_only


def test_triggers_are_listed_and_resolved_with_a_note(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, day="2026-10-12")
    drive(app, case_id, "accept", day="2026-10-12")
    supervisor = signed_in(app)
    supervisor.get("/supervision/")  # staff traffic runs the sweep
    listing = supervisor.get("/supervision/triggers").get_data(as_text=True)
    assert "超过法定期限未作出宅基地审批决定" in listing and "行政许可法 第七十四条" in listing
    assert "超过承诺办结时限仍未作出决定" in listing and "本事项清单未列明此情形，按通用依据提示" in listing
    with app.app_context():
        trigger = db.session.query(AccountabilityTrigger).filter_by(kind="late_decision").one()
        trigger_id = trigger.id
    action = f"/supervision/triggers/{trigger_id}/resolve"
    resp = post_form(supervisor, "/supervision/triggers", {"note": "  "}, action=action)
    assert resp.status_code == 422 and "请填写处理意见" in resp.get_data(as_text=True)
    foreign = signed_in(app, "super.baisha")
    assert post_form(foreign, "/supervision/triggers", {"note": "越权处理"}, action=action).status_code == 404
    resp = post_form(supervisor, "/supervision/triggers", {"note": "已约谈经办人，责令三日内办结"}, action=action)
    assert resp.status_code == 302
    with app.app_context():
        trigger = db.session.get(AccountabilityTrigger, trigger_id)
        assert trigger.resolved_by_id == rworld["super"] and trigger.note == "已约谈经办人，责令三日内办结"
    open_list = supervisor.get("/supervision/triggers").get_data(as_text=True)
    assert "超过法定期限未作出宅基地审批决定" not in open_list
    resolved = supervisor.get("/supervision/triggers?show=resolved").get_data(as_text=True)
    assert "已约谈经办人" in resolved
    assert post_form(supervisor, "/supervision/triggers", {"note": "再处理"}, action=action).status_code == 409


def test_ratings_and_rectification_tasks_are_visible_to_the_supervisor(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "withdraw")
    from service_hall.cases.models import Application
    from tests.factories import cases

    with app.app_context():
        case = db.session.get(Application, case_id)
        cases.rate(case, now=at("2026-11-23"), score=1, comment="没人接电话", rectification_days=5)
        db.session.commit()
    page = signed_in(app).get("/supervision/ratings").get_data(as_text=True)
    assert "没人接电话" in page and "未回访" in page and "差评 1 条" in page


def test_supervision_is_read_only_for_other_roles(app, rworld):
    clerk = app.test_client()
    login(clerk, "clerk1")
    assert clerk.get("/supervision/").status_code == 403


def test_a_case_in_a_special_procedure_shows_its_limits_moved_by_the_pause(app, rworld):
    """While a hearing runs the clock stands: the supervisor sees the earliest limits the case can have,
    later than the stored ones, marked as paused; the pauses of every such case read in one statement."""
    from tests.factories.cases import start_special_procedure
    from tests.scale.test_statement_counts import statements

    app.config["FIXED_NOW"] = at("2026-11-23")

    def paused_case(applicant: str) -> int:
        case_id = new_case(app, applicant=applicant, day="2026-10-26")
        drive(app, case_id, "accept", day="2026-10-26")  # promised 9 Nov, statutory 23 Nov
        with app.app_context():
            start_special_procedure(db.session.get(Application, case_id), now=at("2026-11-06"))
            db.session.commit()
        return case_id

    first = paused_case("13900000001")
    supervisor = signed_in(app)
    supervisor.get("/supervision/")
    with statements() as few:
        page = supervisor.get("/supervision/").get_data(as_text=True)
    row = re.search(rf"<tr><td><a [^>]*>{load(app, first).case_number}</a>.*?</tr>", page, re.S).group(0)
    assert "（暂停计时）" in row and "2026-11-09" not in row and "2026-11-23" not in row
    later = [paused_case("13900000002") for _ in range(2)]
    with statements() as many:
        page = supervisor.get("/supervision/").get_data(as_text=True)
    assert all(load(app, case_id).case_number in page for case_id in later)
    assert len(many) == len(few)
