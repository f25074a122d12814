"""好差评 to GB/T 39734: ratings at 受理 and at 办结 with the indicator set of the way the case was handled,
差评 reasons, the hall's appeal decided by a supervisor, and the monthly indicators on the public statistics
page — counting the applicant's revised rating, not the first one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service_hall.cases import ratings
from service_hall.cases.models import Rating, RectificationTask
from service_hall.core.errors import PermissionDenied
from service_hall.evaluation.report import Period, evaluate, rating_indicators
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from tests.factories.accounts import user
from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.web import api_token, login, open_decisions, post_form

QINGSHAN = "330199101000"
NOVEMBER = Period(at("2026-11-01").date(), at("2026-11-30").date())


def _applicant(app):
    client = app.test_client()
    login(client, "13900000001")
    return client


def _rating(app, stage):
    with app.app_context():
        found = db.session.scalar(select(Rating).where(Rating.stage == stage))
        if found is not None:
            _ = found.rectification
            db.session.expunge(found)
        return found


def _statistics_row(page, month):
    table = page[page.index("逐月好差评指标"):]
    row = re.search(rf"<th scope=\"row\">{month}</th>(.*?)</tr>", table, re.S).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def test_the_applicant_rates_acceptance_then_completion_with_the_online_indicators(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    ref = load(app, case_id).ref
    applicant = _applicant(app)
    page = f"/portal/applications/{ref}"
    assert "服务评价（好差评）" not in applicant.get(page).get_data(as_text=True)  # nothing to rate before 受理
    drive(app, case_id, "accept")
    view = applicant.get(page).get_data(as_text=True)
    assert "评价受理环节" in view and "评价办结环节" not in view
    for label in ("整体满意度", "办事效率", "办事指南精确度", "办事便捷度", "平台操作性", "指南外增加材料"):
        assert label in view, label
    assert "<legend>服务态度" not in view  # the window's set is not offered for an online case
    form = {"stage": "accepted", "score": "4", "indicator-efficiency": "5", "indicator-guide_accuracy": "3",
            "indicator-convenience": "4", "indicator-usability": "9"}
    resp = post_form(applicant, page, form, action=f"{page}/rating")
    assert resp.status_code == 422 and "平台操作性应为1至5分的整数" in resp.get_data(as_text=True)
    resp = post_form(applicant, page, {**form, "indicator-usability": "4"}, action=f"{page}/rating")
    assert resp.status_code == 302
    first = _rating(app, "accepted")
    assert first.mode == "online" and first.indicators == {"overall": 4, "efficiency": 5, "guide_accuracy": 3,
                                                           "convenience": 4, "usability": 4}
    assert first.tags == [] and first.rectification is None
    resp = post_form(applicant, page, form | {"indicator-usability": "4"}, action=f"{page}/rating")
    assert resp.status_code == 409 and "每个环节只能评价一次" in resp.get_data(as_text=True)
    # 办结: a 差评 with its reasons opens a rectification task.
    drive(app, case_id, "opinion1", "complete", "approve", "deliver")
    open_decisions(applicant, ref)
    view = applicant.get(page).get_data(as_text=True)
    assert "受理环节" in view and "您的评价：4 分" in view and "评价办结环节" in view
    resp = post_form(applicant, page, {"stage": "finished", "score": "2", "indicator-efficiency": "1",
                                       "tags": ["overdue", "extra_materials"], "comment": "要了指南外的材料"},
                     action=f"{page}/rating")
    assert resp.status_code == 302
    poor = _rating(app, "finished")
    assert poor.tags == ["overdue", "extra_materials"] and poor.indicators == {"overall": 2, "efficiency": 1}
    with app.app_context():
        assert db.session.scalar(select(RectificationTask.rating_id)) == poor.id


def test_bad_ratings_over_the_api_are_located(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept")
    client = app.test_client()
    url = f"/api/v1/applications/{load(app, case_id).ref}/rating"
    headers = api_token(client, "13900000001")
    resp = client.post(url, headers=headers, json={"stage": "finished", "score": 5})
    assert resp.status_code == 409 and resp.get_json()["message"] == "办件办结后才能评价"
    resp = client.post(url, headers=headers, json={"stage": "accepted", "score": 5, "indicators": {"attitude": 5},
                                                   "tags": ["rude"]})
    errors = resp.get_json()["errors"]
    assert resp.status_code == 422
    assert errors["indicator-attitude"].startswith("网上办理的评价指标为：整体满意度、办事效率")
    assert errors["tags"] == "未知的差评原因：rude"
    resp = client.post(url, headers=headers, json={"stage": "later", "score": 5})
    assert resp.status_code == 422 and "评价环节应为受理" in resp.get_json()["errors"]["stage"]
    assert client.post(url, headers=headers, json={"stage": "accepted", "score": 5}).status_code == 201


def test_a_case_filed_at_the_window_is_rated_with_the_window_indicators(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, filed_by="clerk1")
    drive(app, case_id, "accept")
    applicant = _applicant(app)
    page = f"/portal/applications/{load(app, case_id).ref}"
    view = applicant.get(page).get_data(as_text=True)
    for label in ("整体满意度", "服务效率", "服务水平", "服务态度"):
        assert label in view, label
    assert "<legend>平台操作性" not in view
    resp = post_form(applicant, page, {"stage": "accepted", "score": "5", "indicator-attitude": "5",
                                       "indicator-service_level": "4"}, action=f"{page}/rating")
    assert resp.status_code == 302
    rating = _rating(app, "accepted")
    assert rating.mode == "window" and rating.indicators == {"overall": 5, "attitude": 5, "service_level": 4}


def _poor_rating(app, day="2026-11-23"):
    app.config["FIXED_NOW"] = at(day)
    case_id = new_case(app, day=day)
    drive(app, case_id, "withdraw", day=day)
    applicant = _applicant(app)
    page = f"/portal/applications/{load(app, case_id).ref}"
    post_form(applicant, page, {"score": "1", "indicator-efficiency": "1", "tags": ["overdue"]},
              action=f"{page}/rating")
    return _rating(app, "finished"), applicant, page


def test_the_hall_appeals_a_poor_rating_and_a_supervisor_decides(app, rworld):
    rating, _, _ = _poor_rating(app)
    clerk = app.test_client()
    login(clerk, "clerk1")
    listing = clerk.get("/workbench/rectification").get_data(as_text=True)
    assert "差评原因：超时办理" in listing and "申诉复核" in listing
    action = f"/workbench/ratings/{rating.id}/appeal"
    resp = post_form(clerk, "/workbench/rectification", {"reason": " "}, action=action)
    assert resp.status_code == 422 and "请写明申诉理由" in resp.get_data(as_text=True)
    resp = post_form(clerk, "/workbench/rectification", {"reason": "申请人自行撤回，与窗口服务无关"}, action=action)
    assert resp.status_code == 302
    assert post_form(clerk, "/workbench/rectification", {"reason": "再申诉"}, action=action).status_code == 409
    foreign = app.test_client()
    login(foreign, "clerk.baisha")
    assert post_form(foreign, "/workbench/rectification", {"reason": "x"}, action=action).status_code == 404
    # The clerk cannot decide; a supervisor does.
    decide = f"/supervision/ratings/{rating.id}/appeal"
    assert post_form(clerk, "/workbench/rectification", {"note": "成立", "result": "uphold"},
                     action=decide).status_code == 403
    supervisor = app.test_client()
    login(supervisor, "super")
    listing = supervisor.get("/supervision/ratings").get_data(as_text=True)
    assert "待复核的差评申诉" in listing and "申请人自行撤回，与窗口服务无关" in listing
    resp = post_form(supervisor, "/supervision/ratings", {"note": "", "result": "uphold"}, action=decide)
    assert resp.status_code == 422 and "请填写复核意见" in resp.get_data(as_text=True)
    resp = post_form(supervisor, "/supervision/ratings", {"note": "经核实与服务无关", "result": "uphold"},
                     action=decide)
    assert resp.status_code == 302
    decided = _rating(app, "finished")
    assert decided.appeal_upheld is True and not decided.counted
    with app.app_context():
        assert db.session.get(RectificationTask, decided.rectification.id).verification_note.startswith("申诉成立")
        town = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == QINGSHAN))
        assert evaluate(db.session, [town], NOVEMBER).total.ratings == 0  # an upheld appeal is not counted
        assert rating_indicators(db.session, [town], NOVEMBER).total.ratings == 0
    assert "申诉成立，不计入统计" in clerk.get("/workbench/rectification").get_data(as_text=True)


def test_the_appellant_cannot_decide_their_own_appeal(app, rworld):
    rating, _, _ = _poor_rating(app)
    with app.app_context():
        row = db.session.get(Rating, rating.id)
        supervisor = user("super")  # a supervisor who appealed (as the hall) cannot also decide
        ratings.appeal(ctx_for(supervisor, at("2026-11-24")), row, reason="恶意差评")
        with pytest.raises(PermissionDenied, match="申诉人不能复核自己的申诉"):
            ratings.decide_appeal(ctx_for(supervisor, at("2026-11-24")), row, upheld=True, note="成立")
        db.session.rollback()


def test_the_public_statistics_show_the_monthly_indicators_of_the_revised_rating(app, rworld):
    rating, applicant, page = _poor_rating(app)
    public = app.test_client()
    url = f"/catalog/towns/{QINGSHAN}/statistics?year=2026"
    app.config["FIXED_NOW"] = at("2026-11-30")
    cells = _statistics_row(public.get(url).get_data(as_text=True), "11月")
    # 评价数, 整体满意度, 办事效率, 办事指南精确度, 办事便捷度, 平台操作性, 服务效率, 服务水平, 服务态度, 差评, 差评率
    assert cells == ["1", "1.00", "1.00", "—", "—", "—", "—", "—", "—", "1", "100.0%"]
    assert "全年差评原因：超时办理 1 次" in public.get(url).get_data(as_text=True)
    # The town calls back, a supervisor verifies, the applicant rates again: the statistics use the new rating.
    clerk = app.test_client()
    login(clerk, "clerk1")
    post_form(clerk, "/workbench/rectification", {"outcome": "已回访致歉"},
              action=f"/workbench/rectification/{rating.rectification.id}/callback")
    supervisor = app.test_client()
    login(supervisor, "super")
    post_form(supervisor, "/supervision/ratings", {"note": "属实", "result": "accept"},
              action=f"/supervision/ratings/tasks/{rating.rectification.id}/verify")
    resp = post_form(applicant, page, {"stage": "finished", "score": "5", "indicator-efficiency": "4"},
                     action=f"{page}/rating/again")
    assert resp.status_code == 302
    cells = _statistics_row(public.get(url).get_data(as_text=True), "11月")
    assert cells == ["1", "5.00", "4.00", "—", "—", "—", "—", "—", "—", "0", "0.0%"]
    with app.app_context():
        town = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == QINGSHAN))
        total = evaluate(db.session, [town], NOVEMBER).total
        assert (total.ratings, total.rating_sum, total.poor_ratings) == (1, 5, 0)
    assert "平均 5.0 分" in supervisor.get("/supervision/ratings").get_data(as_text=True)


def _invitations(app, applicant_id):
    from service_hall.notifications.models import ChannelName, Event, OutboxMessage
    from service_hall.notifications.operations import inbox

    with app.app_context():
        kinds = list(db.session.scalars(select(Event.payload["stage"].as_string()).join(
            OutboxMessage, OutboxMessage.event_id == Event.id).where(
            Event.kind == "rating.invited", OutboxMessage.channel == ChannelName.INBOX,
            OutboxMessage.user_id == applicant_id).order_by(Event.id)))
        return kinds, [(i.title, i.body) for i in inbox(db.session, user("13900000001")) if "评价" in i.title]


@pytest.mark.parametrize(("filed_by", "shown", "not_shown"), [
    (None, "整体满意度、办事效率、办事指南精确度、办事便捷度、平台操作性", "服务态度"),
    ("clerk1", "整体满意度、服务效率、服务水平、服务态度", "平台操作性")])
def test_the_rating_is_invited_at_acceptance_and_at_completion_with_the_set_of_the_channel(
        app, rworld, filed_by, shown, not_shown):
    from tests.notifications.support import dispatch

    case_id = new_case(app, filed_by=filed_by)
    drive(app, case_id, "accept")
    dispatch(app, at=at("2026-11-23", 12))
    with app.app_context():
        applicant_id = user("13900000001").id
    stages, items = _invitations(app, applicant_id)
    assert stages == ["accepted"]
    (title, body), = items
    assert title.startswith("请评价受理服务：") and shown in body and not_shown not in body
    drive(app, case_id, "opinion1", "complete", "deny")
    dispatch(app, at=at("2026-11-23", 13))
    stages, items = _invitations(app, applicant_id)
    assert stages == ["accepted", "finished"]
    finished = next(b for t, b in items if t.startswith("请评价本次办事："))
    assert "已办结" in finished and shown in finished and not_shown not in finished
