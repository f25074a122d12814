"""Rendering as a service: ``DeferredDocuments`` numbers and records a certificate at the decision and
renders the same signed PDF on its first download; the default renders inside the decision."""

from __future__ import annotations

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import intake, review
from service_hall.cases.models import Application
from service_hall.certificates.issuing import certificates_of
from service_hall.certificates.service import DeferredDocuments
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.cases import new_case
from tests.factories.certificates import certificate_pdf
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.pdf import pdf_text
from tests.factories.power_list import QUICK
from tests.factories.web import login


def _approve(app, case_id, documents=None):
    with app.app_context():
        case = db.session.get(Application, case_id)
        ctx = ctx_for(user("boss2"), at("2026-11-23"), calendar=WorkingCalendar(), documents=documents)
        intake.accept(ctx, case)
        review.approve(ctx, case)
        db.session.commit()
        [certificate] = certificates_of(db.session, case)
        return case.ref, certificate.id, certificate.number, certificate.document_blob_id


def test_deferred_documents_render_the_signed_certificate_on_first_download(app, cworld, client):
    case_id = new_case(app, QUICK, day="2026-11-23")
    ref, certificate_id, number, blob = _approve(app, case_id, DeferredDocuments())
    assert blob is None and number.endswith("2026000001")  # numbered at the decision, no PDF yet
    login(client, "13900000001")
    url = f"/portal/applications/{ref}/documents/certificates/{certificate_id}.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.get_data().startswith(b"%PDF")
    assert number in pdf_text(first.get_data())
    assert client.get(url).get_data() == first.get_data()  # stored once, served again
    assert certificate_pdf(app, case_id) == first.get_data()


def test_signed_documents_render_inside_the_decision(app, cworld):
    case_id = new_case(app, QUICK, day="2026-11-23")
    _, _, _, blob = _approve(app, case_id)
    assert blob is not None
