"""Issuing: the certificate row, its number, and the signed PDF it points to."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import review
from service_hall.cases.models import Application, CaseStatus, Counter, NoticeKind
from service_hall.certificates.issuing import validity_end
from service_hall.certificates.models import Certificate, CertificateStatus
from service_hall.documents import mask_id_number, verify_pdf
from service_hall.documents.errors import DocumentRenderError
from service_hall.extensions import db
from service_hall.files.models import StoredBlob
from tests.factories import cases
from tests.factories.accounts import user
from tests.factories.cases import approved_case, new_case
from tests.factories.certificates import certificate_of, certificate_pdf, root_pem, stored_pdf
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.pdf import embedded_fonts, pdf_text, qr_codes
from tests.factories.places import BAISHA
from tests.factories.power_list import DEPARTMENT, ENTRUSTED, FRONT, FRONT_DEPARTMENT, ITEM, QINGSHAN_GOV, QUICK


def test_approval_issues_a_numbered_signed_certificate(app, cworld, tmp_path):
    case_id = approved_case(app, ITEM)
    certificate = certificate_of(app, case_id)
    assert certificate.number == "3301991012026000001"
    assert certificate.status is CertificateStatus.VALID
    assert certificate.holder_name == "李堃" and certificate.valid_until is None  # 长期
    assert certificate.certificate_name == "农村宅基地批准书"
    pdf = certificate_pdf(app, case_id)
    text = pdf_text(pdf)
    for value in ("李堃", certificate.number, QINGSHAN_GOV, "农村宅基地批准书",
                  "《中华人民共和国土地管理法》第六十二条", mask_id_number(certificate.holder_id_number)):
        assert value in text, value
    assert certificate.holder_id_number not in text  # the ID is printed masked
    assert "受委托" not in text
    fonts = embedded_fonts(pdf)
    assert fonts and all(embedded for _, embedded in fonts)
    report = verify_pdf(pdf, root_pem(app))
    assert report.valid and report.certificate_number == certificate.number
    assert qr_codes(pdf, tmp_path) == [f"http://localhost/verify/{certificate.token}"]
    assert len(certificate.token) >= 22


def test_entrusted_item_is_issued_in_the_departments_name(app, cworld):
    case_id = approved_case(app, ENTRUSTED, applicant="13900000002")
    certificate = certificate_of(app, case_id)
    assert certificate.issuer_name == DEPARTMENT and certificate.entrusted_body == QINGSHAN_GOV
    text = pdf_text(certificate_pdf(app, case_id))
    assert "张喆" in text and DEPARTMENT in text and f"（受委托实施机关：{QINGSHAN_GOV}）" in text
    assert certificate.number.startswith("330199D") and certificate.number.endswith("2026000001")
    # 5 years from the day of issue, the last valid day being the day before the anniversary.
    assert certificate.valid_from == dt.date(2026, 11, 23) and certificate.valid_until == dt.date(2031, 11, 22)


def test_front_window_item_is_issued_by_the_county_department(app, cworld):
    case_id = approved_case(app, FRONT, applicant="13900000003")
    certificate = certificate_of(app, case_id)
    text = pdf_text(certificate_pdf(app, case_id))
    assert "王龑" in text and FRONT_DEPARTMENT in text
    assert QINGSHAN_GOV not in text and certificate.entrusted_body is None
    assert certificate.valid_until == dt.date(2028, 11, 22)


def test_numbers_are_per_issuer_and_consecutive(app, cworld):
    first = certificate_of(app, approved_case(app, QUICK)).number
    second = certificate_of(app, approved_case(app, QUICK, applicant="13900000002")).number
    baisha = certificate_of(app, approved_case(app, QUICK, town=BAISHA)).number
    assert (first, second) == ("3301991012026000001", "3301991012026000002")
    assert baisha == "3301991022026000001"
    # Every town acting for the same department shares the department's series.
    entrusted_here = certificate_of(app, approved_case(app, ENTRUSTED)).number
    entrusted_there = certificate_of(app, approved_case(app, ENTRUSTED, town=BAISHA)).number
    assert entrusted_here[:-6] == entrusted_there[:-6]
    assert (entrusted_here[-6:], entrusted_there[-6:]) == ("000001", "000002")


def test_a_rendering_failure_rolls_the_approval_back_without_using_a_number(app, cworld, monkeypatch):
    case_id = new_case(app, QUICK)
    with app.app_context():
        case = db.session.get(Application, case_id)
        cases.accept(case, by="boss2", now=at("2026-11-23"))
        db.session.commit()

    def broken(data):
        raise DocumentRenderError("font missing")

    monkeypatch.setattr("service_hall.certificates.issuing.render_certificate", broken)
    with app.app_context():
        case = db.session.get(Application, case_id)
        with pytest.raises(DocumentRenderError):
            review.approve(ctx_for(user("boss2"), at("2026-11-23"), calendar=WorkingCalendar()), case)
        db.session.rollback()
        assert db.session.get(Application, case_id).status is CaseStatus.ACCEPTED
        assert db.session.scalars(select(Certificate)).all() == []
        assert db.session.scalar(select(Counter).where(Counter.scope.like("certificate:%"))) is None
    monkeypatch.undo()
    with app.app_context():
        case = db.session.get(Application, case_id)
        review.approve(ctx_for(user("boss2"), at("2026-11-23"), calendar=WorkingCalendar()), case)
        db.session.commit()
    assert certificate_of(app, case_id).number.endswith("2026000001")


def test_the_approval_decision_names_the_certificate_and_is_stored_signed(app, cworld):
    case_id = approved_case(app, QUICK)
    certificate = certificate_of(app, case_id)
    with app.app_context():
        case = db.session.get(Application, case_id)
        decision = next(n for n in case.notices if n.kind == NoticeKind.APPROVAL)
        assert decision.document_blob_id is not None and certificate.decision_notice_id == decision.id
        pdf = stored_pdf(app, db.session.get(StoredBlob, decision.document_blob_id).sha256)
    text = pdf_text(pdf)
    assert "准予行政许可决定书" in text and certificate.number in text and "李堃" in text
    assert verify_pdf(pdf, root_pem(app)).valid


@pytest.mark.parametrize(("text", "end"), [
    ("长期", None), ("5年", dt.date(2031, 2, 28)), ("1年（签注后延长）", dt.date(2027, 2, 28)),
    ("3个月内开工", dt.date(2026, 5, 31)), ("按批准的占用期限", None), ("", None), (None, None),
])
def test_validity_from_the_guide(text, end):
    assert validity_end(text, dt.date(2026, 3, 1)) == end
