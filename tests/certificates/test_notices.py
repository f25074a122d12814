"""Every statutory notice the flow issues, as a signed PDF downloaded by the applicant and by staff;
rendered once, then served from the store."""

from __future__ import annotations

import re

import pytest

from service_hall.cases.models import Application, NoticeKind
from service_hall.certificates.issuing import certificates_of
from service_hall.documents import verify_pdf
from service_hall.extensions import db
from tests.factories import cases
from tests.factories.cases import approved_case, drive, new_case
from tests.factories.certificates import root_pem
from tests.factories.clock import at
from tests.factories.pdf import pdf_text
from tests.factories.power_list import DEPARTMENT, ENTRUSTED, ITEM, QINGSHAN_GOV
from tests.factories.web import login, open_decisions

TITLES = {NoticeKind.ACCEPTANCE: "受理通知书", NoticeKind.CORRECTION: "补正材料告知书",
          NoticeKind.REFUSAL: "不予受理决定书", NoticeKind.EXTENSION: "延长期限告知书",
          NoticeKind.APPROVAL: "准予行政许可决定书", NoticeKind.DENIAL: "不予行政许可决定书",
          NoticeKind.DELIVERY: "送达回证"}


def _cases(app) -> list[int]:
    approved = new_case(app, ITEM)
    drive(app, approved, "accept", "opinion1", "complete")
    with app.app_context():
        case = db.session.get(Application, approved)
        cases.extend(case, by="boss2", now=at("2026-11-23"), reason="需要组织实地踏勘")
        db.session.commit()
    drive(app, approved, "approve", "deliver")
    corrected = new_case(app, ITEM)
    drive(app, corrected, "correction")
    refused = new_case(app, ITEM)
    drive(app, refused, "refuse")
    denied = new_case(app, ITEM)
    drive(app, denied, "accept", "opinion1", "complete", "deny")
    return [approved, corrected, refused, denied]


def _notices(app, case_ids):
    with app.app_context():
        out = []
        for case_id in case_ids:
            case = db.session.get(Application, case_id)
            out += [(case.ref, case.id, n.id, n.kind, n.number) for n in case.notices]
        return out


def test_applicant_downloads_every_notice_signed_with_its_facts(app, cworld, client):
    notices = _notices(app, _cases(app))
    assert {kind for *_, kind, _ in notices} == set(TITLES)
    login(client, "13900000001")
    for ref, _, notice_id, kind, number in notices:
        page = client.get(f"/portal/applications/{ref}").get_data(as_text=True)
        link = f"/portal/applications/{ref}/documents/notices/{notice_id}.pdf"
        assert link in page, kind
        resp = client.get(link)
        assert resp.status_code == 200 and resp.mimetype == "application/pdf", kind
        pdf = resp.get_data()
        text = pdf_text(pdf)
        assert TITLES[kind] in text, kind
        assert re.sub(r"\s+", "", number) in text and QINGSHAN_GOV in text, kind
        if kind is not NoticeKind.DELIVERY:
            assert "李堃" in text and "农村村民宅基地审批" in text, kind
        if kind in (NoticeKind.REFUSAL, NoticeKind.DENIAL):
            assert "行政复议" in text and "清溪县人民政府" in text and "行政诉讼" in text, kind
        if kind is NoticeKind.DENIAL:
            assert "不符合规划" in text
        if kind is NoticeKind.EXTENSION:
            assert "需要组织实地踏勘" in text
        if kind is NoticeKind.CORRECTION:
            assert "请补交身份证明" in text
        if kind is NoticeKind.DELIVERY:
            assert "电子送达" in text and "李堃" in text
        report = verify_pdf(pdf, root_pem(app))
        assert report.valid and report.certificate_number is None, kind


def test_notices_name_the_entrusting_department(app, cworld, client):
    case_id = approved_case(app, ENTRUSTED)
    (ref, _, notice_id, _, _), *_ = _notices(app, [case_id])
    login(client, "13900000001")
    text = pdf_text(client.get(f"/portal/applications/{ref}/documents/notices/{notice_id}.pdf").get_data())
    assert "受理通知书" in text and DEPARTMENT in text and QINGSHAN_GOV in text and "受委托" in text


def test_a_notice_is_rendered_once_and_then_served_from_the_store(app, cworld, client, monkeypatch):
    import service_hall.certificates.notices as notices

    calls = []
    real = notices.render_notice

    def counting(kind, data):
        calls.append(kind)
        return real(kind, data)

    monkeypatch.setattr(notices, "render_notice", counting)
    case_id = new_case(app, ITEM)
    drive(app, case_id, "accept")
    [(ref, _, notice_id, _, _)] = _notices(app, [case_id])
    login(client, "13900000001")
    url = f"/portal/applications/{ref}/documents/notices/{notice_id}.pdf"
    first = client.get(url).get_data()
    second = client.get(url).get_data()
    staff = app.test_client()
    login(staff, "clerk1")
    third = staff.get(f"/workbench/cases/{case_id}/documents/notices/{notice_id}.pdf").get_data()
    assert first == second == third and len(calls) == 1


def test_the_certificate_and_decision_are_not_rendered_again_on_download(app, cworld, client, monkeypatch):
    case_id = approved_case(app)

    def forbidden(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr("service_hall.certificates.notices.render_notice", forbidden)
    monkeypatch.setattr("service_hall.certificates.issuing.render_certificate", forbidden)
    with app.app_context():
        case = db.session.get(Application, case_id)
        ref = case.ref
        decision = next(n.id for n in case.notices if n.kind == NoticeKind.APPROVAL)
        certificate = certificates_of(db.session, case)[0].id
    login(client, "13900000001")
    for url in (f"/portal/applications/{ref}/documents/notices/{decision}.pdf",
                f"/portal/applications/{ref}/documents/certificates/{certificate}.pdf"):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.get_data().startswith(b"%PDF"), url


@pytest.mark.parametrize("who", ["other_applicant", "foreign_staff"])
def test_downloads_of_others_are_not_found(app, cworld, factory, who):
    case_id = approved_case(app)
    with app.app_context():
        case = db.session.get(Application, case_id)
        ref, notice, certificate = case.ref, case.notices[0].id, certificates_of(db.session, case)[0].id
    client = app.test_client()
    if who == "other_applicant":
        login(client, "13900000002")
        urls = [f"/portal/applications/{ref}/documents/notices/{notice}.pdf",
                f"/portal/applications/{ref}/documents/certificates/{certificate}.pdf"]
    else:
        login(client, "clerk.baisha")
        urls = [f"/workbench/cases/{case_id}/documents/notices/{notice}.pdf",
                f"/workbench/cases/{case_id}/documents/certificates/{certificate}.pdf"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # The owner and the town's staff do get them, from the pages that link them.
    owner = app.test_client()
    login(owner, "13900000001")
    page = owner.get(f"/portal/applications/{ref}").get_data(as_text=True)
    assert f"/portal/applications/{ref}/documents/certificates/{certificate}.pdf" not in page  # 待查收 first
    assert open_decisions(owner, ref)
    page = owner.get(f"/portal/applications/{ref}").get_data(as_text=True)
    assert f"/portal/applications/{ref}/documents/certificates/{certificate}.pdf" in page
    clerk = app.test_client()
    login(clerk, "clerk1")
    page = clerk.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert f"/workbench/cases/{case_id}/documents/certificates/{certificate}.pdf" in page
    assert clerk.get(f"/workbench/cases/{case_id}/documents/certificates/{certificate}.pdf").status_code == 200


def test_a_notice_of_another_case_of_the_same_applicant_is_not_found(app, cworld, client):
    first, second = approved_case(app), approved_case(app)
    with app.app_context():
        ref = db.session.get(Application, first).ref
        other_notice = db.session.get(Application, second).notices[0].id
    login(client, "13900000001")
    assert client.get(f"/portal/applications/{ref}/documents/notices/{other_notice}.pdf").status_code == 404


def test_the_revocation_decision_is_a_signed_pdf_with_reasons_and_remedies(app, cworld, client):
    case_id = approved_case(app)
    drive(app, case_id, "revoke", day="2026-11-25")
    with app.app_context():
        case = db.session.get(Application, case_id)
        ref = case.ref
        notice_id = next(n.id for n in case.notices if n.kind == NoticeKind.REVOCATION)
        login(client, case.applicant.username)
    resp = client.get(f"/portal/applications/{ref}/documents/notices/{notice_id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert verify_pdf(resp.get_data(), root_pem(app)).valid
    text = pdf_text(resp.get_data())
    assert "撤销行政许可决定书" in text and "以欺骗手段取得" in text and "第六十九条" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_the_window_prints_a_receipt_of_what_was_received(app, cworld, client):
    case_id = new_case(app, ITEM)
    login(client, "clerk1")
    page = client.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert "打印收件凭证（PDF）" in page
    resp = client.get(f"/workbench/cases/{case_id}/documents/receipt.pdf")
    assert resp.status_code == 200 and resp.get_data().startswith(b"%PDF")
    text = pdf_text(resp.get_data()).replace("\n", "")
    assert "收件凭证" in text and "不表示申请已被受理" in text and "a.pdf" in text
    assert "2026年11月23日" in text


def test_an_entrusted_document_is_signed_in_the_entrusting_office_s_name(app, cworld):
    case_id = approved_case(app, ENTRUSTED)
    with app.app_context():
        case = db.session.get(Application, case_id)
        notice = next(n for n in case.notices if n.kind == NoticeKind.APPROVAL)
        from service_hall.certificates.notices import ensure_document
        from service_hall.web.document_settings import settings

        pdf = settings().store.read(ensure_document(db.session, notice, now=at("2026-11-23")).sha256)
    report = verify_pdf(pdf, root_pem(app))
    assert report.valid and DEPARTMENT in (report.signer or "")  # its own name, the deployment's root
