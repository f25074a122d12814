"""Each power type's outcome, the decision content the decider fixes and the certificate types legal affairs
design — through the pages and the API: a 宅基地 certificate prints the decided 面积, 四至 and validity; a
给付 ends with a 给付决定书 stating the amount and no certificate; a 裁决 hears the other party; bad input
is refused with the place and reason; nothing is half-published; what was printed stays printed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_hall.cases import designs
from service_hall.cases.designs import DesignKind
from service_hall.cases.models import Application, CaseStatus, NoticeKind
from service_hall.certificates.issuing import certificates_of
from service_hall.certificates.types import save_type_draft
from service_hall.extensions import db
from tests.factories.accounts import LEGAL_OFFICERS, user
from tests.factories.cases import drive, load, new_case
from tests.factories.certificates import certificate_of
from tests.factories.clock import at
from tests.factories.pdf import pdf_text
from tests.factories.power_list import ADJUDICATION, BENEFIT, CONFIRMATION, ITEM, OTHER, PUBLIC_SERVICE, REWARD
from tests.factories.web import api_token, login, post_form

HOMESTEAD_DESIGN = {
    "format_version": 1, "certificate_type": "ZJDPZS",
    "terms": [
        {"name": "area", "label": "批准用地面积", "type": "number", "unit": "平方米", "from_field": "area",
         "at_most_field": "area", "max": 140},
        {"name": "boundaries", "label": "四至", "type": "text"},
        {"name": "validity", "label": "有效期限", "type": "validity"},
    ]}
CERTIFICATE_TYPE = {
    "format_version": 1, "code": "ZJDPZS", "name": "农村宅基地批准书", "item_code": ITEM, "layout": "approval",
    "entries": [{"label": "批准用地面积", "source": "decision", "field": "area"},
                {"label": "四至", "source": "decision", "field": "boundaries"},
                {"label": "申请面积", "source": "form", "field": "area"}]}


@pytest.fixture
def legal(factory):
    return factory.all_staff(LEGAL_OFFICERS)


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _design_homestead(app):
    """fz1 drafts the decision content and the certificate type on the pages; fz2 publishes both."""
    fz1, fz2 = _client(app, "fz1"), _client(app, "fz2")
    page = f"/legal/outcomes/items/{ITEM}/decision"
    form = {"certificate_type": "ZJDPZS"}
    for n, term in enumerate(HOMESTEAD_DESIGN["terms"]):
        form.update({f"terms-{n}-{k}": str(v) for k, v in term.items()})
        form[f"terms-{n}-required"] = "1"
    resp = post_form(fz1, page, form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    type_form = {"code": "ZJDPZS", "name": "农村宅基地批准书", "item_code": ITEM, "layout": "approval"}
    for n, entry in enumerate(CERTIFICATE_TYPE["entries"]):
        type_form.update({f"entries-{n}-{k}": v for k, v in entry.items()})
    resp = post_form(fz1, "/legal/outcomes/certificate-types/new", type_form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    assert post_form(fz2, page, {}, action=f"{page}/publish").status_code == 302
    types = "/legal/outcomes/certificate-types/ZJDPZS"
    assert post_form(fz2, types, {}, action=f"{types}/publish").status_code == 302


def certificate_pdf(app, case_id):
    """The case's certificate as downloaded from the workbench (rendered on first download)."""
    certificate = certificate_of(app, case_id)
    client = _client(app, "clerk1")
    resp = client.get(f"/workbench/cases/{case_id}/documents/certificates/{certificate.id}.pdf")
    assert resp.status_code == 200
    return resp.data


def _decide(client, case_id, terms):
    page = f"/workbench/cases/{case_id}"
    return post_form(client, page, {f"terms.{k}": v for k, v in terms.items()}, action=f"{page}/approve")


def test_homestead_certificate_prints_the_decided_area_boundaries_and_validity(app, tworld, legal):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    _design_homestead(app)
    case_id = new_case(app, ITEM)
    drive(app, case_id, "accept", "opinion1", "complete")
    boss = _client(app, "boss2")
    page = boss.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert "批准用地面积" in page and 'value="120"' in page  # prefilled from the application's 面积
    resp = _decide(boss, case_id, {"area": "110", "boundaries": "东至村道，南至李某宅基地，西至空地，北至水渠",
                                   "validity.from": "2026-11-23", "validity.until": "2028-11-22",
                                   "validity.long_term": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    text = pdf_text(certificate_pdf(app, case_id)).replace(" ", "")
    assert "农村宅基地批准书" in text
    assert "批准用地面积110平方米" in text and "申请面积120" in text
    assert "东至村道" in text and "自2026年11月23日至2028年11月22日" in text
    with app.app_context():
        case = db.session.get(Application, case_id)
        certificate = certificates_of(db.session, case)[0]
        assert certificate.valid_until == dt.date(2028, 11, 22) and certificate.type_code == "ZJDPZS"
        notice = next(n for n in case.notices if n.kind is NoticeKind.APPROVAL)
    decision = pdf_text(boss.get(f"/workbench/cases/{case_id}/documents/notices/{notice.id}.pdf").data)
    decision = decision.replace(" ", "")
    assert "准予行政许可决定书" in decision and "批准用地面积110平方米" in decision and "第三十八条" in decision
    assert "行政许可专用章" in decision


@pytest.mark.parametrize(("terms", "place", "message"), [
    ({"area": "150"}, "terms.area", "不能超过 140平方米"),
    ({"area": "130"}, "terms.area", "不能超过申请的 120平方米"),
    ({"validity.until": "2026-11-01"}, "terms.validity.until", "须晚于起始日期"),
    ({"boundaries": ""}, "terms.boundaries", "请填写四至"),
])
def test_decision_content_outside_its_rules_is_refused_in_place(app, tworld, legal, terms, place, message):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    _design_homestead(app)
    case_id = new_case(app, ITEM)
    drive(app, case_id, "accept", "opinion1", "complete")
    good = {"area": "100", "boundaries": "东至村道", "validity.from": "2026-11-23", "validity.until": "2028-11-22"}
    client = app.test_client()
    resp = client.post(f"/api/v1/cases/{case_id}/approve", json={"terms": good | terms},
                       headers=api_token(client, "boss2"))
    assert resp.status_code == 422, resp.get_json()
    assert message in resp.get_json()["errors"][place]
    case = load(app, case_id)
    assert case.status is CaseStatus.REVIEWED and not case.notices[-1].kind.is_grant
    with app.app_context():
        assert certificates_of(db.session, db.session.get(Application, case_id)) == []
    page = _decide(_client(app, "boss2"), case_id, good | terms)
    assert page.status_code == 422 and message in page.get_data(as_text=True)


def test_senior_allowance_ends_with_a_benefit_decision_stating_the_amount_and_no_certificate(app, tworld):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    case_id = new_case(app, BENEFIT)
    boss = _client(app, "boss2")
    drive(app, case_id, "accept")
    page = boss.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert "决定给付" in page and "给付金额" in page and "准予许可" not in page
    missing = _decide(boss, case_id, {"schedule": "按月发放"})
    assert missing.status_code == 422 and "请填写给付金额" in missing.get_data(as_text=True)
    resp = _decide(boss, case_id, {"amount": "200", "schedule": "按月发放，自2026年12月起"})
    assert resp.status_code == 302
    case = load(app, case_id)
    assert case.status is CaseStatus.APPROVED
    notice = case.notices[-1]
    assert notice.kind is NoticeKind.BENEFIT_GRANT and notice.number.startswith("青山镇给")
    with app.app_context():
        assert certificates_of(db.session, db.session.get(Application, case_id)) == []
    text = pdf_text(boss.get(f"/workbench/cases/{case_id}/documents/notices/{notice.id}.pdf").data).replace(" ", "")
    assert "给付决定书" in text and "给付金额200元" in text and "按月发放，自2026年12月起" in text
    assert "行政许可" not in text and "第三十八条" not in text
    # The applicant's acceptance notice of a 给付 says nothing of the licensing law either.
    acceptance = next(n for n in case.notices if n.kind is NoticeKind.ACCEPTANCE)
    assert acceptance.number.startswith("青山镇受")
    accepted = pdf_text(boss.get(f"/workbench/cases/{case_id}/documents/notices/{acceptance.id}.pdf").data)
    assert "行政许可" not in accepted
    # Denial of a 给付: the 不予给付决定书 with the remedies.
    other = new_case(app, BENEFIT)
    drive(app, other, "accept")
    assert post_form(boss, f"/workbench/cases/{other}", {"reasons": "未满八十周岁"},
                     action=f"/workbench/cases/{other}/deny").status_code == 302
    denial = load(app, other).notices[-1]
    assert denial.kind is NoticeKind.BENEFIT_DENIAL
    text = pdf_text(boss.get(f"/workbench/cases/{other}/documents/notices/{denial.id}.pdf").data).replace(" ", "")
    assert "不予给付决定书" in text and "行政复议" in text and "行政诉讼" in text and "行政许可" not in text


def test_adjudication_hears_the_other_party_before_deciding(app, tworld):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    case_id = new_case(app, ADJUDICATION)
    drive(app, case_id, "accept", "opinion1")
    rev = _client(app, "rev1")
    page = f"/workbench/cases/{case_id}"
    refused = post_form(rev, page, {}, action=f"{page}/complete-review")
    assert refused.status_code == 409 and "听取其答辩" in refused.get_data(as_text=True)
    assert post_form(rev, page, {"party": "", "answer_days": "15"}, action=f"{page}/party").status_code == 422
    assert post_form(rev, page, {"party": "赵某", "answer_days": "15"}, action=f"{page}/party").status_code == 302
    early = post_form(rev, page, {}, action=f"{page}/complete-review")
    assert early.status_code == 409 and "答辩期限至 2026-12-08" in early.get_data(as_text=True)
    assert post_form(rev, page, {"answer": "该林地一直由我家经营"}, action=f"{page}/party/answer").status_code == 302
    assert post_form(rev, page, {}, action=f"{page}/complete-review").status_code == 302
    boss = _client(app, "boss2")
    assert _decide(boss, case_id, {"ruling": "争议林地的使用权归申请人所有"}).status_code == 302
    case = load(app, case_id)
    kinds = [n.kind for n in case.notices]
    assert NoticeKind.PARTY_NOTICE in kinds and kinds[-1] is NoticeKind.ADJUDICATION
    text = pdf_text(boss.get(f"{page}/documents/notices/{case.notices[-1].id}.pdf").data).replace(" ", "")
    assert "行政裁决书" in text and "被申请人赵某" in text and "该林地一直由我家经营" in text
    assert "争议林地的使用权归申请人所有" in text and "行政许可" not in text


def test_a_public_service_is_done_once_accepted_without_statutory_wording(app, tworld):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    case_id = new_case(app, PUBLIC_SERVICE)
    drive(app, case_id, "accept")
    boss = _client(app, "boss2")
    page = boss.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert "办结" in page and "延长办理期限" not in page
    resp = _decide(boss, case_id, {"validity.from": "2026-11-23", "validity.until": "2027-11-22"})
    assert resp.status_code == 302
    case = load(app, case_id)
    assert case.notices[-1].kind is NoticeKind.SERVICE_DONE
    text = pdf_text(boss.get(f"/workbench/cases/{case_id}/documents/notices/{case.notices[-1].id}.pdf").data)
    assert "办结通知书" in text and "行政许可" not in text and "专用章" not in text


def test_certificate_type_bad_input_is_refused_in_place_and_nothing_is_half_published(app, tworld, legal):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    fz1, fz2 = _client(app, "fz1"), _client(app, "fz2")
    bad = {"code": "ZJDPZS", "name": "农村宅基地批准书", "item_code": ITEM, "layout": "approval",
           "entries-0-label": "层数", "entries-0-source": "form", "entries-0-field": "floors",
           "entries-1-label": "四至", "entries-1-source": "decision", "entries-1-field": "boundaries"}
    resp = post_form(fz1, "/legal/outcomes/certificate-types/new", bad)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f"事项 {ITEM} 的申请表单没有字段“floors”" in body
    assert f"事项 {ITEM} 的决定内容没有“boundaries”这一项" in body  # not designed yet: the default has none
    with app.app_context():
        assert designs.versions(db.session, DesignKind.CERTIFICATE_TYPE, "ZJDPZS") == []
    _design_homestead(app)
    # A new draft by fz1 cannot be published by fz1.
    types = "/legal/outcomes/certificate-types/ZJDPZS"
    good = {"code": "ZJDPZS", "name": "农村宅基地批准书（2027版）", "item_code": ITEM, "layout": "standard",
            "entries-0-label": "四至", "entries-0-source": "decision", "entries-0-field": "boundaries"}
    assert post_form(fz1, types, good).status_code == 302
    own = post_form(fz1, types, {}, action=f"{types}/publish")
    assert own.status_code == 403 and "不能发布自己保存的草稿" in own.get_data(as_text=True)
    preview = fz1.get(f"{types}/preview.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert "农村宅基地批准书（2027版）（样本）" in pdf_text(preview.data)
    # The draft names a decision term that legal affairs then remove: publishing checks again and refuses.
    with app.app_context():
        draft = designs.draft_of(db.session, DesignKind.DECISION, ITEM)
        assert draft is None
        designs.save_draft(db.session, DesignKind.DECISION, ITEM,
                           {**HOMESTEAD_DESIGN, "terms": HOMESTEAD_DESIGN["terms"][:1]}, check=lambda d: d,
                           actor=user("fz1"), now=at("2026-11-23", 11))
        designs.publish(db.session, DesignKind.DECISION, ITEM, check=lambda d: d, actor=user("fz2"),
                        now=at("2026-11-23", 11))
        db.session.commit()
    refused = post_form(fz2, types, {}, action=f"{types}/publish")
    assert refused.status_code == 422 and "的决定内容没有“boundaries”这一项" in refused.get_data(as_text=True)
    with app.app_context():
        current = designs.published(db.session, DesignKind.CERTIFICATE_TYPE, "ZJDPZS")
        assert current.version == 1 and current.definition["name"] == "农村宅基地批准书"
        assert designs.draft_of(db.session, DesignKind.CERTIFICATE_TYPE, "ZJDPZS").version == 2


def test_a_decision_design_naming_a_missing_form_field_is_refused(app, tworld, legal):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    fz1 = _client(app, "fz1")
    page = f"/legal/outcomes/items/{ITEM}/decision"
    resp = post_form(fz1, page, {"terms-0-name": "floors", "terms-0-label": "批准层数", "terms-0-type": "number",
                                 "terms-0-from_field": "floors", "terms-1-name": "validity",
                                 "terms-1-label": "有效期限", "terms-1-type": "validity"})
    assert resp.status_code == 422
    assert "本事项的申请表单没有字段“floors”" in resp.get_data(as_text=True)
    no_period = post_form(fz1, f"/legal/outcomes/items/{REWARD}/decision", {
        "terms-0-name": "validity", "terms-0-label": "有效期限", "terms-0-type": "validity"})
    assert no_period.status_code == 422  # its guide names no 审批结果有效期
    assert "办事指南未写明审批结果有效期，不能设定有效期限" in no_period.get_data(as_text=True)
    # A 许可 issues a 证照, which states how long it is valid: a design without a validity is refused.
    no_validity = post_form(fz1, page, {"terms-0-name": "boundaries", "terms-0-label": "四至", "terms-0-type": "text"})
    assert no_validity.status_code == 422
    assert "本事项颁发证照，须设定有效期限一项" in no_validity.get_data(as_text=True)


def test_decided_cases_keep_what_they_printed_when_the_design_changes(app, tworld, legal):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    _design_homestead(app)
    case_id = new_case(app, ITEM)
    drive(app, case_id, "accept", "opinion1", "complete")
    assert _decide(_client(app, "boss2"), case_id, {
        "area": "110", "boundaries": "东至村道", "validity.from": "2026-11-23",
        "validity.until": "2028-11-22"}).status_code == 302
    before = certificate_pdf(app, case_id)
    with app.app_context():
        save_type_draft(db.session, {**CERTIFICATE_TYPE, "name": "宅基地批准书（新版）", "entries": []},
                        actor=user("fz1"), now=at("2026-11-24"), code="ZJDPZS")
        designs.publish(db.session, DesignKind.CERTIFICATE_TYPE, "ZJDPZS",
                        check=lambda d: d, actor=user("fz2"), now=at("2026-11-24"))
        db.session.commit()
        case = db.session.get(Application, case_id)
        certificate = certificates_of(db.session, case)[0]
        assert certificate.certificate_name == "农村宅基地批准书" and certificate.type_version == 1
        assert ["批准用地面积", "110 平方米"] in certificate.details
    assert certificate_pdf(app, case_id) == before


def test_the_legal_pages_list_every_application_item_and_need_legal_rights(app, tworld, legal):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    page = _client(app, "fz1").get("/legal/outcomes")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and BENEFIT in body and "行政给付" in body and "按职权类型默认" in body
    assert _client(app, "boss2").get("/legal/outcomes").status_code == 403
    clerk = _client(app, "clerk1")
    assert clerk.get(f"/legal/outcomes/items/{ITEM}/decision").status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Application)).first() is None


def test_an_immediate_benefit_is_accepted_and_decided_at_the_window_with_its_amount(app, tworld):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    case_id = new_case(app, BENEFIT)
    boss = _client(app, "boss2")
    page = f"/workbench/cases/{case_id}"
    assert "受理并决定给付" in boss.get(page).get_data(as_text=True)
    refused = post_form(boss, page, {}, action=f"{page}/on-the-spot")
    assert refused.status_code == 422 and "请填写给付金额" in refused.get_data(as_text=True)
    assert load(app, case_id).status is CaseStatus.SUBMITTED  # nothing half-done: not even accepted
    done = post_form(boss, page, {"terms.amount": "100", "terms.schedule": "按月发放"}, action=f"{page}/on-the-spot")
    assert done.status_code == 302
    case = load(app, case_id)
    assert case.status is CaseStatus.APPROVED and case.notices[-1].kind is NoticeKind.BENEFIT_GRANT
    assert case.notices[-1].content["decision"]["terms"][0]["text"] == "100 元"
    client = app.test_client()
    shown = client.get(f"/api/v1/cases/{case_id}", headers=api_token(client, "clerk1")).get_json()
    assert shown["power_type"] == "benefit" and shown["status_label"] == "决定给付"
    assert shown["notices"][-1]["content"]["decision"]["terms"][0]["value"] == "100"


@pytest.mark.parametrize(("item", "approve", "deny", "foreign"), [
    (ITEM, "建议准予许可", "建议不予许可", "建议给付"),
    (BENEFIT, "建议给付", "建议不予给付", "准予许可"),
    (CONFIRMATION, "建议予以确认", "建议不予确认", "准予许可"),
    (ADJUDICATION, "建议作出裁决", "建议驳回裁决申请", "准予许可"),
    (PUBLIC_SERVICE, "建议办结", "建议不予办理", "准予许可"),
])
def test_review_opinion_labels_follow_the_power_type_on_the_page_and_in_the_api(app, tworld, item, approve, deny,
                                                                                 foreign):
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    case_id = new_case(app, item)
    drive(app, case_id, "accept")
    reviewer = _client(app, "rev1")
    page = f"/workbench/cases/{case_id}"
    body = reviewer.get(page).get_data(as_text=True)
    assert approve in body and deny in body and foreign not in body
    blank = post_form(reviewer, page, {"opinion": "材料齐全"}, action=f"{page}/opinion")
    assert blank.status_code == 422 and "请选择审查结论" in blank.get_data(as_text=True)
    resp = post_form(reviewer, page, {"opinion": "材料齐全，符合条件", "recommendation": "approve"},
                     action=f"{page}/opinion")
    assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    assert f"：{approve}。材料齐全，符合条件" in reviewer.get(page).get_data(as_text=True)
    api = app.test_client()
    shown = api.get(f"/api/v1/cases/{case_id}", headers=api_token(api, "rev1")).get_json()
    assert shown["recommendation_choices"] == {"approve": approve, "deny": deny}
    assert [(r["recommendation"], r["recommendation_label"]) for r in shown["reviews"]] == [("approve", approve)]


def test_one_certificate_type_of_the_catalogue_serves_several_items(app, tworld, legal):
    """证照目录: one type given to two items; each item's certificate is of that type, and its 信息项 are
    checked against every item it serves."""
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    fz1, fz2 = _client(app, "fz1"), _client(app, "fz2")
    form = {"code": "CXDJZ", "name": "村镇登记证", "item_code": [ITEM, OTHER], "layout": "card",
            "entries-0-label": "事项", "entries-0-source": "list", "entries-0-field": "item_name",
            "entries-1-label": "申请面积", "entries-1-source": "form", "entries-1-field": "area"}
    refused = post_form(fz1, "/legal/outcomes/certificate-types/new", form)
    assert refused.status_code == 422  # only the homestead item's form has an area
    assert f"事项 {OTHER} 尚无已发布的申请表单" in refused.get_data(as_text=True)
    del form["entries-1-label"], form["entries-1-source"], form["entries-1-field"]
    assert post_form(fz1, "/legal/outcomes/certificate-types/new", form).status_code == 302
    types = "/legal/outcomes/certificate-types/CXDJZ"
    assert post_form(fz2, types, {}, action=f"{types}/publish").status_code == 302
    assert f"{ITEM}、{OTHER}" in fz2.get("/legal/outcomes").get_data(as_text=True)
    homestead, dog = new_case(app, ITEM), new_case(app, OTHER)
    drive(app, homestead, "accept", "opinion1", "complete", "approve")
    drive(app, dog, "accept", "approve")
    for case_id, item_name in ((homestead, "农村村民宅基地审批"), (dog, "养犬登记")):
        certificate = certificate_of(app, case_id)
        assert (certificate.type_code, certificate.certificate_name) == ("CXDJZ", "村镇登记证")
        assert ["事项", item_name] in certificate.details


def test_a_benefit_decision_waits_until_the_applicant_opens_it(app, tworld):
    """电子送达 applies to every type's decision, not only a 许可: the 给付决定书 and its amount are shown once
    the applicant opens it (查收), and the API lists it as pending until then."""
    app.config["FIXED_NOW"] = at("2026-11-23", 10)
    case_id = new_case(app, BENEFIT)
    drive(app, case_id, "accept")
    assert _decide(_client(app, "boss2"), case_id, {"amount": "200", "schedule": "按月发放"}).status_code == 302
    case = load(app, case_id)
    notice = case.notices[-1]
    assert notice.kind is NoticeKind.BENEFIT_GRANT
    applicant = _client(app, "13900000001")
    page = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "您有一份决定文书待查收" in page and f"决定文书（{notice.number}）：待查收" in page
    assert "给付决定书" not in page and "决定给付" not in page
    assert "已作出决定，待查收" in applicant.get("/portal/").get_data(as_text=True)
    shown = app.test_client().get(f"/api/v1/applications/{case.ref}",
                                  headers=api_token(app.test_client(), "13900000001")).get_json()
    assert [p["notice_id"] for p in shown["pending_decisions"]] == [notice.id]
    assert post_form(applicant, f"/portal/applications/{case.ref}", {},
                     action=f"/portal/applications/{case.ref}/notices/{notice.id}/open").status_code == 302
    page = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "待查收" not in page and "给付决定书" in page
