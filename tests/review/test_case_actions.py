"""The case-action registry: every action has its page and API routes with the permission the status
table names, and ``allowed_actions`` answers what the person looking at a case may do now."""

from __future__ import annotations

from service_hall.accounts.models import User
from service_hall.cases.actions import ACTIONS, Audience, allowed_actions
from service_hall.cases.models import Application
from service_hall.cases.transitions import TABLES
from service_hall.extensions import db
from service_hall.web.access import declared_access
from tests.factories.cases import drive, new_case
from tests.factories.clock import at
from tests.factories.power_list import TWO


def test_every_action_is_routed_on_its_pages_and_in_the_api_with_the_tables_permission(app):
    endpoints = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for entry in ACTIONS.values():
        page = "workbench" if entry.audience is Audience.STAFF else "portal"
        for endpoint in (f"{page}.{entry.name}", f"api_cases.{entry.name}"):
            assert endpoint in endpoints, endpoint
            assert endpoints[endpoint].methods >= {"POST"}
            assert declared_access(app.view_functions[endpoint]) is entry.permission, endpoint
        if entry.transition is not None and entry.audience is Audience.STAFF:
            assert any(action is entry.transition and entry.permission in t.who
                       for table in TABLES.values() for (_, action), t in table.items())


def _can(app, case_id, username):
    with app.app_context():
        case = db.session.get(Application, case_id)
        actor = db.session.query(User).filter_by(username=username).one() if username else case.applicant
        return {name: (a.allowed, a.reason) for name, a in allowed_actions(case, actor, at("2026-11-24")).items()}


def test_allowed_actions_answer_for_the_person_looking(app, rworld):
    case_id = new_case(app, TWO)
    assert set(_can(app, case_id, "clerk1")) >= {"accept", "correction", "refuse"}
    assert "opinion" not in _can(app, case_id, "clerk1")
    assert set(_can(app, case_id, None)) == {"withdraw"}  # the applicant
    drive(app, case_id, "accept")
    reviewer = _can(app, case_id, "rev1")
    assert reviewer["opinion"] == (True, None) and "accept" not in reviewer
    # Two reviewers are needed: completing is offered with the reason why it can't be done yet.
    allowed, reason = reviewer["complete_review"]
    assert not allowed and "两名不同的审查人员" in reason
    drive(app, case_id, "opinion1")
    allowed, reason = _can(app, case_id, "rev1")["opinion"]
    assert not allowed and "另一名审查人员" in reason
    assert _can(app, case_id, "rev2")["opinion"] == (True, None)
    assert "approve" not in _can(app, case_id, "clerk1")


def test_a_case_page_shows_only_what_the_person_may_do(app, rworld, client):
    from tests.factories.web import login

    case_id = new_case(app, TWO)
    drive(app, case_id, "accept")
    login(client, "clerk1")
    page = client.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert "提交审查意见" not in page and "准予许可" not in page
    client.post("/logout")
    login(client, "rev1")
    page = client.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert "提交审查意见" in page and "目前仅有 0 份" in page


def test_a_refused_action_shows_the_case_page_with_the_reason(app, rworld, client):
    from tests.factories.web import login, post_form

    case_id = new_case(app, TWO)
    drive(app, case_id, "accept", "opinion1")
    login(client, "rev1")
    page = f"/workbench/cases/{case_id}"
    resp = post_form(client, page, {}, action=f"{page}/complete-review")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "两名不同的审查人员" in body and "乡村建设规划许可" in body  # the case page, not a bare error page
    assert "错误代码" not in body


def test_an_error_page_offers_the_way_back(app, rworld, client):
    from tests.factories.web import login

    login(client, "clerk1")
    resp = client.get("/legal/", headers={"Referer": "http://localhost/workbench/"})
    assert resp.status_code == 403
    body = resp.get_data(as_text=True)
    assert '<a href="/workbench/">返回上一页</a>' in body and "联系本单位系统管理员" in body


def test_a_signed_pledge_can_still_be_approved_after_the_window_accepted(app, rworld, client):
    from tests.factories.power_list import PLEDGE
    from tests.factories.web import login, post_form

    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, PLEDGE)
    drive(app, case_id, "sign")
    login(client, "clerk1")
    page = f"/workbench/cases/{case_id}"
    assert "请受理后转负责人依承诺当场作出决定" in client.get(page).get_data(as_text=True)
    assert post_form(client, page, {}, action=f"{page}/accept").status_code == 302
    client.post("/logout")
    login(client, "boss2")
    assert "依承诺当场准予许可" in client.get(page).get_data(as_text=True)
    assert post_form(client, page, {"terms.validity.until": "2028-11-22"},
                     action=f"{page}/pledge-approve").status_code == 302
    with app.app_context():
        case = db.session.get(Application, case_id)
        assert case.status.value == "approved" and case.checks and str(case.accepted_on) == "2026-11-23"


def test_a_revocation_hears_the_holder_first(app, rworld, client):
    from tests.factories.power_list import ITEM
    from tests.factories.web import login, post_form

    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, ITEM)
    drive(app, case_id, "accept", "opinion1", "complete", "approve", "deliver")
    login(client, "boss2")
    page = f"/workbench/cases/{case_id}"
    resp = post_form(client, page, {"reason": "以欺骗手段取得"}, action=f"{page}/revoke")
    assert resp.status_code == 409 and "听取申请人的陈述申辩" in resp.get_data(as_text=True)
    resp = post_form(client, page, {"reason": "申请材料中的户籍证明系伪造", "answer_days": "5"},
                     action=f"{page}/revocation-notice")
    assert resp.status_code == 302
    body = client.get(page).get_data(as_text=True)
    assert "陈述申辩期限至 2026-11-30" in body and "作出撤销决定</button>" not in body
    applicant = app.test_client()
    login(applicant, "13900000001")
    with app.app_context():
        ref = db.session.get(Application, case_id).ref
    mine = applicant.get(f"/portal/applications/{ref}").get_data(as_text=True)
    assert "拟撤销行政许可告知" in mine and "户籍证明系伪造" in mine
    resp = post_form(applicant, f"/portal/applications/{ref}", {"statement": "户籍证明由派出所出具，真实有效"},
                     action=f"/portal/applications/{ref}/statement")
    assert resp.status_code == 302
    body = client.get(page).get_data(as_text=True)
    assert "户籍证明由派出所出具，真实有效" in body and "作出撤销决定</button>" in body
    resp = post_form(client, page, {"reason": "经核实户籍证明确系伪造"}, action=f"{page}/revoke")
    assert resp.status_code == 302
    with app.app_context():
        case = db.session.get(Application, case_id)
        assert case.status.value == "revoked"
        assert [n.kind.value for n in case.notices][-2:] == ["revocation_intent", "revocation"]
