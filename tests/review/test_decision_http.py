"""Review and decision journeys through the workbench pages (post_form) and the API, with the bad input
the law forbids: refused with a clear Chinese message, nothing changed, the refusal itself recorded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.cases.models import Application, CaseStatus, CheckResult, NoticeKind
from service_hall.extensions import db
from tests.factories.cases import drive, load, new_case
from tests.factories.certificates import certificate_of
from tests.factories.clock import at
from tests.factories.power_list import ITEM, PLEDGE, QUICK, TWO
from tests.factories.web import api_token, login, open_decisions, post_form


def _page(case_id: int) -> str:
    return f"/workbench/cases/{case_id}"


def _act(client, case_id: int, what: str, data: dict | None = None):
    return post_form(client, _page(case_id), data or {}, action=f"{_page(case_id)}/{what}")


def _staff(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def _refusals(app, case_id: int) -> list[AuditRecord]:
    with app.app_context():
        return list(db.session.scalars(select(AuditRecord).where(
            AuditRecord.action == "case.refused_attempt", AuditRecord.object_id == str(case_id))
            .order_by(AuditRecord.seq)))


def test_two_reviewers_then_decision_then_delivery(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, TWO)
    drive(app, case_id, "accept")
    rev1, rev2, boss = _staff(app, "rev1"), _staff(app, "rev2"), _staff(app, "boss2")
    page = rev1.get(_page(case_id)).get_data(as_text=True)
    assert "本环节责任事项" in page and "审查申请材料，组织实地踏勘" in page  # the review stage's duties
    assert "须两名审查人员分别审查" in page

    resp = _act(rev1, case_id, "opinion", {"opinion": "宅基地面积符合标准", "recommendation": "approve"})
    assert resp.status_code == 302
    # One reviewer cannot finish a review that needs two, nor count twice.
    resp = _act(rev1, case_id, "complete-review")
    assert resp.status_code == 409 and "两名不同的审查人员" in resp.get_data(as_text=True)
    resp = _act(rev1, case_id, "opinion", {"opinion": "再次审查", "recommendation": "approve"})
    assert resp.status_code == 409 and "须由另一名审查人员审查" in resp.get_data(as_text=True)
    # … and a decider cannot decide before the review is complete.
    resp = _act(boss, case_id, "approve")
    assert resp.status_code == 409 and "两名不同的审查人员" in resp.get_data(as_text=True)
    case = load(app, case_id)
    assert case.status == CaseStatus.ACCEPTED and len(case.reviews) == 1
    refused = _refusals(app, case_id)
    assert [r.payload["attempted"] for r in refused] == ["complete_review", "record_opinion", "approve"]
    assert "两名不同的审查人员" in refused[0].reason and refused[2].actor_id == rworld["boss2"]

    # Bad input is 422 and keeps the page.
    resp = _act(rev2, case_id, "opinion", {"opinion": "", "recommendation": "maybe"})
    assert resp.status_code == 422 and "请填写审查意见" in resp.get_data(as_text=True)
    assert _act(rev2, case_id, "opinion", {"opinion": "同意", "recommendation": "approve"}).status_code == 302
    assert _act(rev2, case_id, "complete-review").status_code == 302
    assert load(app, case_id).status == CaseStatus.REVIEWED

    page = boss.get(_page(case_id)).get_data(as_text=True)
    assert "依法作出决定并说明理由" in page  # the decision stage's duties
    # The guide names no 审批结果有效期 and the item issues a certificate: the decider fixes the end
    # (no 长期 on offer); an end before the start is refused in place.
    assert "截止日期" in page and "长期有效" not in page
    resp = _act(boss, case_id, "approve", {"opinion": "同意"})
    assert resp.status_code == 422 and "请填写有效期截止日期" in resp.get_data(as_text=True)
    resp = _act(boss, case_id, "approve", {"opinion": "同意", "terms.validity.from": "2026-11-23",
                                           "terms.validity.until": "2026-11-01"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="e-terms.validity.until"' in body
    assert "有效期截止日期（2026-11-01）须晚于起始日期（2026-11-23）" in body
    resp = _act(boss, case_id, "approve", {"opinion": "同意", "terms.validity.until": "2028-11-22"})
    assert resp.status_code == 302
    case = load(app, case_id)
    assert case.status == CaseStatus.APPROVED and case.decided_at is not None
    assert certificate_of(app, case_id).valid_until == dt.date(2028, 11, 22)
    approval = next(n for n in case.notices if n.kind == NoticeKind.APPROVAL)
    assert approval.content["authority"] == "青山镇人民政府"
    assert approval.content["delivery_due_on"] == "2026-12-07"  # 10 working days (第四十四条)

    clerk = _staff(app, "clerk1")
    resp = _act(clerk, case_id, "deliver", {"channel": "post", "recipient": "李堃", "address": ""})
    assert resp.status_code == 422 and "邮寄送达须填写邮寄地址" in resp.get_data(as_text=True)
    resp = _act(clerk, case_id, "deliver", {"channel": "post", "recipient": "李堃", "address": "青山村3组12号",
                                            "signer_name": "李母", "signer_relation": "agent"})
    assert resp.status_code == 302
    case = load(app, case_id)
    assert case.status == CaseStatus.DELIVERED and case.closed_at is not None
    delivery = case.deliveries[0]
    assert delivery.channel.value == "post" and delivery.document_number == approval.number
    assert delivery.recorded_by_id == rworld["clerk1"]

    # The history names who discharged which duty when.
    page = boss.get(_page(case_id)).get_data(as_text=True)
    assert "履行责任事项：审查申请材料，组织实地踏勘" in page
    assert "履行责任事项：依法作出决定并说明理由" in page
    assert "履行责任事项：在法定期限内送达决定书" in page
    assert "被拒绝的操作" in page and "邮寄送达" in page


def test_the_accepting_decider_may_not_decide_where_the_item_separates_them(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, TWO)
    drive(app, case_id, "accept_by_boss1", "opinion1", "opinion2", "complete")
    boss1 = _staff(app, "boss1")
    resp = _act(boss1, case_id, "deny", {"reasons": "不符合规划"})
    assert resp.status_code == 409 and "受理与决定分离" in resp.get_data(as_text=True)
    assert load(app, case_id).status == CaseStatus.REVIEWED
    assert _refusals(app, case_id)[0].payload["attempted"] == "deny"
    assert _act(_staff(app, "boss2"), case_id, "approve", {"terms.validity.until": "2028-11-22"}).status_code == 302


def test_denial_states_reasons_and_remedies_to_the_applicant(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept", "opinion1", "complete")
    boss = _staff(app, "boss2")
    resp = _act(boss, case_id, "deny", {"reasons": " "})
    assert resp.status_code == 422 and "请写明不予许可的理由" in resp.get_data(as_text=True)
    assert _act(boss, case_id, "deny", {"reasons": "申请人已有宅基地，不符合一户一宅规定"}).status_code == 302
    case = load(app, case_id)
    assert case.status == CaseStatus.DENIED and case.closed_at is not None
    denial = next(n for n in case.notices if n.kind == NoticeKind.DENIAL)
    assert denial.content["reconsideration_body"] == "清溪县人民政府"
    applicant = app.test_client()
    login(applicant, "13900000001")
    assert open_decisions(applicant, case.ref)
    page = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "不予行政许可决定书" in page and "一户一宅" in page
    assert "六十日内向清溪县人民政府申请行政复议" in page and "六个月内依法向人民法院提起行政诉讼" in page


def test_extension_once_with_a_reason_the_applicant_sees(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept")
    before = load(app, case_id)
    assert (before.due_on, before.statutory_due_on) == (dt.date(2026, 12, 7), dt.date(2026, 12, 21))
    boss = _staff(app, "boss1")
    app.config["FIXED_NOW"] = at("2026-12-15")
    assert _act(boss, case_id, "extend", {"reason": ""}).status_code == 422
    assert _act(boss, case_id, "extend", {"reason": "须征求相邻权利人意见"}).status_code == 302
    case = load(app, case_id)
    assert case.extension_days == 10
    # 30 working days; 2027 has no State Council notice yet, so 1 Jan (a Friday) counts — provisional.
    assert case.statutory_due_on == dt.date(2027, 1, 4) and case.deadline_provisional
    assert case.due_on == before.due_on  # the promised limit is the office's own; it does not move
    notice = next(n for n in case.notices if n.kind == NoticeKind.EXTENSION)
    assert notice.content["previous_due_on"] == "2026-12-21" and notice.content["statutory_due_on"] == "2027-01-04"
    applicant = app.test_client()
    login(applicant, "13900000001")
    page = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "延长期限告知书" in page and "须征求相邻权利人意见" in page and "2027-01-04" in page

    resp = _act(boss, case_id, "extend", {"reason": "再延一次"})
    assert resp.status_code == 409 and "已延长过一次办理期限" in resp.get_data(as_text=True)
    assert load(app, case_id).statutory_due_on == dt.date(2027, 1, 4)
    assert _refusals(app, case_id)[-1].payload == {"attempted": "extend", "status": 409}


def test_extension_after_the_statutory_limit_is_refused(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept")
    app.config["FIXED_NOW"] = at("2026-12-22")
    resp = _act(_staff(app, "boss1"), case_id, "extend", {"reason": "来不及了"})
    assert resp.status_code == 409 and "法定办理期限已于 2026-12-21 届满" in resp.get_data(as_text=True)


def test_deciding_another_towns_case_is_404_and_recorded(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept", "opinion1", "complete")
    foreign = app.test_client()
    resp = foreign.post(f"/api/v1/cases/{case_id}/approve", json={}, headers=api_token(foreign, "boss.baisha"))
    assert resp.status_code == 404 and resp.get_json()["message"] == "未找到该办件"
    assert load(app, case_id).status == CaseStatus.REVIEWED
    refused = _refusals(app, case_id)
    assert len(refused) == 1 and refused[0].actor_id == rworld["boss.baisha"]
    with app.app_context():
        baisha = db.session.get(Application, case_id)  # recorded under the actor's own town, revealing nothing
        assert refused[0].jurisdiction_id != baisha.town_id and refused[0].from_state is None


def test_approving_a_withdrawn_case_is_409_and_recorded(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept", "opinion1", "complete", "withdraw")
    client = app.test_client()
    resp = client.post(f"/api/v1/cases/{case_id}/approve", json={}, headers=api_token(client, "boss2"))
    assert resp.status_code == 409 and "已撤回" in resp.get_json()["message"]
    case = load(app, case_id)
    assert case.status == CaseStatus.WITHDRAWN and not any(n.kind == NoticeKind.APPROVAL for n in case.notices)
    [refused] = _refusals(app, case_id)
    assert refused.from_state == "withdrawn" and refused.payload["attempted"] == "approve"


def test_immediate_item_decided_in_one_visit(app, rworld):
    """即办件: a decider at the window accepts and approves in one step; or the clerk accepts and a decider
    approves the same day without a review stage. A 承诺件 cannot skip the review."""
    app.config["FIXED_NOW"] = at("2026-11-23")
    one_visit = new_case(app, QUICK)
    boss = _staff(app, "boss1")
    assert "即办件当场办结" in boss.get(_page(one_visit)).get_data(as_text=True)
    assert _act(boss, one_visit, "on-the-spot").status_code == 302
    case = load(app, one_visit)
    assert case.status == CaseStatus.APPROVED and case.accepted_on == dt.date(2026, 11, 23)
    assert {n.kind for n in case.notices} == {NoticeKind.ACCEPTANCE, NoticeKind.APPROVAL}
    with app.app_context():
        steps = db.session.scalars(select(AuditRecord.action).where(AuditRecord.object_id == str(one_visit))
                                   .order_by(AuditRecord.seq)).all()
    assert steps == ["case.submit", "case.accept", "case.approve"]

    two_steps = new_case(app, QUICK)
    assert _act(_staff(app, "clerk1"), two_steps, "accept").status_code == 302
    assert _act(_staff(app, "boss2"), two_steps, "approve").status_code == 302
    assert load(app, two_steps).status == CaseStatus.APPROVED

    promised = new_case(app, ITEM)
    drive(app, promised, "accept")
    resp = _act(_staff(app, "boss2"), promised, "approve")
    assert resp.status_code == 409 and "尚无审查意见" in resp.get_data(as_text=True)
    resp = _act(boss, new_case(app, ITEM), "on-the-spot")
    assert resp.status_code == 409


def test_pledge_approval_then_follow_up_check(app, rworld):
    """告知承诺制: the applicant signs, a decider approves on the spot, a check task is due; a true pledge
    closes it, a false one revokes the approval."""
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, PLEDGE)
    boss = _staff(app, "boss1")
    resp = _act(boss, case_id, "pledge-approve")
    assert resp.status_code == 409 and "尚未签署告知承诺书" in resp.get_data(as_text=True)

    applicant = app.test_client()
    login(applicant, "13900000001")
    ref = load(app, case_id).ref
    page = f"/portal/applications/{ref}"
    assert "告知承诺书" in applicant.get(page).get_data(as_text=True)
    assert post_form(applicant, page, {}, action=f"{page}/pledge").status_code == 422
    assert post_form(applicant, page, {"agree": "1"}, action=f"{page}/pledge").status_code == 302
    assert load(app, case_id).pledge_signed_at is not None

    # The guide names no 审批结果有效期: approving on the pledge also fixes the end of validity.
    resp = _act(boss, case_id, "pledge-approve")
    assert resp.status_code == 422 and "请填写有效期截止日期" in resp.get_data(as_text=True)
    assert load(app, case_id).status == CaseStatus.SUBMITTED and not load(app, case_id).checks
    assert _act(boss, case_id, "pledge-approve", {"terms.validity.until": "2028-11-22"}).status_code == 302
    case = load(app, case_id)
    assert case.status == CaseStatus.APPROVED and case.accepted_on == dt.date(2026, 11, 23)
    [check] = case.checks
    assert check.result == CheckResult.PENDING and check.due_on == dt.date(2026, 12, 21)  # 20 working days

    reviewer = _staff(app, "rev1")
    resp = _act(reviewer, case_id, "check", {"result": "failed", "finding": "承诺不实"})
    assert resp.status_code == 403  # revoking is the decider's power
    assert _act(reviewer, case_id, "check", {"result": "passed", "finding": "经现场核查，承诺属实"}).status_code == 302
    case = load(app, case_id)
    assert case.status == CaseStatus.APPROVED and case.checks[0].result == CheckResult.PASSED
    resp = _act(reviewer, case_id, "check", {"result": "passed", "finding": "再查"})
    assert resp.status_code == 409 and "没有待办的事后核查任务" in resp.get_data(as_text=True)

    false_pledge = new_case(app, PLEDGE, applicant="13900000002")
    drive(app, false_pledge, "sign", "pledge_approve", "deliver")
    resp = _act(boss, false_pledge, "check", {"result": "failed", "finding": "广告牌实际面积超出承诺"})
    assert resp.status_code == 302
    case = load(app, false_pledge)
    assert case.status == CaseStatus.REVOKED and case.checks[0].result == CheckResult.FAILED
    revocation = next(n for n in case.notices if n.kind == NoticeKind.REVOCATION)
    assert "承诺不实：广告牌实际面积超出承诺" in revocation.content["reason"]


def test_pledge_is_refused_for_items_without_it(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    client = app.test_client()
    resp = client.post(f"/api/v1/applications/{load(app, case_id).ref}/pledge", json={"agree": True},
                       headers=api_token(client, "13900000001"))
    assert resp.status_code == 409 and resp.get_json()["message"] == "本事项不适用告知承诺制"


def test_api_review_and_decision_are_documented(app, client):
    spec = client.get("/api/openapi.json").get_json()
    for path in ("opinions", "complete-review", "special", "special/end", "extend", "approve", "deny", "on-the-spot",
                 "pledge-approve", "deliver", "check", "revoke"):
        assert f"/api/v1/cases/{{case_id}}/{path}" in spec["paths"], path
    assert "/api/v1/applications/{ref}/rating" in spec["paths"]
    assert "/api/v1/applications/{ref}/pledge" in spec["paths"]
    body = spec["paths"]["/api/v1/cases/{case_id}/deny"]["post"]
    assert body["summary"].startswith("不予许可")


def test_api_journey_returns_the_case_with_reviews_and_clock(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, TWO)
    drive(app, case_id, "accept")
    client = app.test_client()
    rev1, rev2, boss = (api_token(client, u) for u in ("rev1", "rev2", "boss2"))
    body = client.post(f"/api/v1/cases/{case_id}/opinions", headers=rev1,
                       json={"opinion": "同意", "recommendation": "approve"}).get_json()
    assert body["reviews"][0]["reviewer_id"] == rworld["rev1"]
    assert body["clock"]["promised"] == "2026-12-07" and body["clock"]["statutory"] == "2026-12-21"
    assert body["clock"]["promised_colour"] == "green"
    resp = client.post(f"/api/v1/cases/{case_id}/opinions", headers=rev2,
                       json={"opinion": "同意", "recommendation": "later"})
    assert resp.status_code == 422
    client.post(f"/api/v1/cases/{case_id}/opinions", headers=rev2, json={"opinion": "同意", "recommendation": "deny"})
    body = client.post(f"/api/v1/cases/{case_id}/complete-review", headers=rev1, json={}).get_json()
    assert body["status"] == "reviewed" and "approve" in body["allowed_actions"]
    body = client.post(f"/api/v1/cases/{case_id}/deny", headers=boss,
                       json={"reasons": "两名审查人员意见不一，经集体研究不予许可"}).get_json()
    assert body["status"] == "denied"
    denial = next(n for n in body["notices"] if n["kind"] == "denial")
    assert denial["content"]["reconsideration_days"] == 60 and denial["content"]["litigation_months"] == 6
