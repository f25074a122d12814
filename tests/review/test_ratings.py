"""好差评: one rating per finished case by its own applicant; a poor rating opens a rectification task
with the configured deadline, closed by the town's recorded callback."""

from __future__ import annotations

import datetime as dt

from service_hall.cases.models import Rating, RectificationTask
from service_hall.extensions import db
from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.database import count_rows
from tests.factories.web import api_token, login, post_form


def test_rating_rules_over_the_api(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    ref = load(app, case_id).ref
    client = app.test_client()
    mine, theirs = api_token(client, "13900000001"), api_token(client, "13900000002")
    url = f"/api/v1/applications/{ref}/rating"
    resp = client.post(url, headers=mine, json={"score": 5})
    assert resp.status_code == 409 and resp.get_json()["message"] == "办件办结后才能评价"
    drive(app, case_id, "accept", "opinion1", "complete", "approve", "deliver")
    assert client.post(url, headers=theirs, json={"score": 5}).status_code == 404
    for bad in (0, 6, -1):
        resp = client.post(url, headers=mine, json={"score": bad})
        assert resp.status_code == 422 and resp.get_json()["errors"]["score"] == "评分应为1至5分的整数"
    resp = client.post(url, headers=mine, json={"score": "五"})
    assert resp.status_code == 422 and "评分应为1至5分的整数" in str(resp.get_json())
    assert count_rows(app, Rating) == 0
    resp = client.post(url, headers=mine, json={"score": 4, "comment": "办事顺利"})
    assert resp.status_code == 201 and resp.get_json()["rectification_due_on"] is None
    resp = client.post(url, headers=mine, json={"score": 1})
    assert resp.status_code == 409 and "每件只能评价一次" in resp.get_json()["message"]
    assert count_rows(app, Rating) == 1 and count_rows(app, RectificationTask) == 0
    clerk = app.test_client()
    resp = clerk.post(url, headers=api_token(clerk, "clerk1"), json={"score": 5})
    assert resp.status_code == 403


def test_poor_rating_opens_rectification_and_the_town_calls_back(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "refuse")
    applicant = app.test_client()
    login(applicant, "13900000001")
    page = f"/portal/applications/{load(app, case_id).ref}"
    assert "服务评价（好差评）" in applicant.get(page).get_data(as_text=True)
    resp = post_form(applicant, page, {"score": "9"}, action=f"{page}/rating")
    assert resp.status_code == 422 and "评分应为1至5分的整数" in resp.get_data(as_text=True)
    resp = post_form(applicant, page, {"score": "2", "comment": "窗口让我跑了两趟"}, action=f"{page}/rating")
    assert resp.status_code == 302
    assert "您的评价：2 分" in applicant.get(page).get_data(as_text=True)
    with app.app_context():
        task = db.session.query(RectificationTask).one()
        assert task.due_on == dt.date(2026, 11, 30)  # RECTIFICATION_DAYS = 5 working days
        task_id = task.id

    clerk = app.test_client()
    login(clerk, "clerk1")
    listing = clerk.get("/workbench/rectification").get_data(as_text=True)
    assert "窗口让我跑了两趟" in listing and "2026-11-30" in listing
    action = f"/workbench/rectification/{task_id}/callback"
    resp = post_form(clerk, "/workbench/rectification", {"outcome": ""}, action=action)
    assert resp.status_code == 422 and "请填写回访及整改情况" in resp.get_data(as_text=True)
    app.config["FIXED_NOW"] = at("2026-11-25")
    resp = post_form(clerk, "/workbench/rectification", {"outcome": "已电话回访，致歉并改进一次性告知"}, action=action)
    assert resp.status_code == 302
    with app.app_context():
        task = db.session.get(RectificationTask, task_id)
        assert task.callback_by_id == rworld["clerk1"] and task.callback_outcome.startswith("已电话回访")
        assert task.callback_at == at("2026-11-25")
    resp = post_form(clerk, "/workbench/rectification", {"outcome": "再次回访"}, action=action)
    assert resp.status_code == 409
    foreign = app.test_client()
    login(foreign, "clerk.baisha")
    assert post_form(foreign, "/workbench/rectification", {"outcome": "x"}, action=action).status_code == 404


def test_rectification_deadline_is_configurable(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    app.config["RECTIFICATION_DAYS"] = 2
    try:
        case_id = new_case(app)
        drive(app, case_id, "withdraw")
        client = app.test_client()
        resp = client.post(f"/api/v1/applications/{load(app, case_id).ref}/rating",
                           headers=api_token(client, "13900000001"), json={"score": 1, "comment": "差"})
        assert resp.status_code == 201 and resp.get_json()["rectification_due_on"] == "2026-11-25"
    finally:
        app.config["RECTIFICATION_DAYS"] = 5


def test_a_supervisor_verifies_the_rectification_and_the_applicant_may_rate_once_more(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "withdraw")
    applicant = app.test_client()
    login(applicant, "13900000001")
    page = f"/portal/applications/{load(app, case_id).ref}"
    post_form(applicant, page, {"score": "1", "comment": "没人接电话"}, action=f"{page}/rating")
    with app.app_context():
        task_id = db.session.query(RectificationTask).one().id
    clerk = app.test_client()
    login(clerk, "clerk1")
    post_form(clerk, "/workbench/rectification", {"outcome": "已回访致歉"},
              action=f"/workbench/rectification/{task_id}/callback")
    # The callback alone does not close the task, and the applicant cannot rate again yet.
    assert "再次评价" not in applicant.get(page).get_data(as_text=True)
    supervisor = app.test_client()
    login(supervisor, "super")
    listing = supervisor.get("/supervision/ratings").get_data(as_text=True)
    assert "提交核实意见" in listing
    verify = f"/supervision/ratings/tasks/{task_id}/verify"
    resp = post_form(supervisor, "/supervision/ratings", {"note": "", "result": "accept"}, action=verify)
    assert resp.status_code == 422 and "请填写核实意见" in resp.get_data(as_text=True)
    resp = post_form(supervisor, "/supervision/ratings", {"note": "电话抽查属实", "result": "accept"}, action=verify)
    assert resp.status_code == 302
    assert post_form(supervisor, "/supervision/ratings", {"note": "再核", "result": "accept"},
                     action=verify).status_code == 409
    assert "已核实" in supervisor.get("/supervision/ratings").get_data(as_text=True)
    assert "监督人员已核实办结" in clerk.get("/workbench/rectification").get_data(as_text=True)
    view = applicant.get(page).get_data(as_text=True)
    assert "您可以再次评价一次" in view
    resp = post_form(applicant, page, {"score": "4", "comment": "改进了"}, action=f"{page}/rating/again")
    assert resp.status_code == 302
    assert "整改后您再次评价：4 分" in applicant.get(page).get_data(as_text=True)
    resp = post_form(applicant, page, {"score": "5"}, action=f"{page}/rating/again")
    assert resp.status_code == 409  # once only
    with app.app_context():
        rating = db.session.query(RectificationTask).one().rating
        assert rating.score == 1 and rating.revised_score == 4  # the first rating stays on record


def test_the_one_who_called_back_cannot_verify(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "withdraw")
    applicant = app.test_client()
    login(applicant, "13900000001")
    page = f"/portal/applications/{load(app, case_id).ref}"
    post_form(applicant, page, {"score": "2"}, action=f"{page}/rating")
    with app.app_context():
        task = db.session.query(RectificationTask).one()
        task.callback_at, task.callback_by_id, task.callback_outcome = at("2026-11-24"), rworld["super"], "回访"
        db.session.commit()
        task_id = task.id
    supervisor = app.test_client()
    login(supervisor, "super")
    resp = post_form(supervisor, "/supervision/ratings", {"note": "属实", "result": "accept"},
                     action=f"/supervision/ratings/tasks/{task_id}/verify")
    assert resp.status_code == 403 and "回访人不能核实自己的整改" in resp.get_data(as_text=True)
