"""Downloads of the signed PDFs: applicants get their own cases' notices and certificates, staff those of
their jurisdiction (404 otherwise). Stored bytes are served; a notice is rendered only the first time.
Also the decider's 换发 (reissue) of a certificate after a correction."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Flask, flash, redirect, request, send_file, url_for

from service_hall.accounts.permissions import Permission
from service_hall.cases.models import Application, Notice
from service_hall.cases.queries import own_application, staff_case
from service_hall.certificates import issuing
from service_hall.certificates import settings as document_settings
from service_hall.certificates.models import Certificate
from service_hall.certificates.notices import ensure_document, has_document, render_receipt
from service_hall.certificates.service import ensure_certificate_document
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.documents.errors import DocumentDataError
from service_hall.extensions import db
from service_hall.web.access import current_actor, now, requires
from service_hall.web.case_tables import has_rows
from service_hall.web.document_settings import settings

bp = Blueprint("documents", __name__)


def install(app: Flask) -> None:
    """Register the blueprint and make the settings available to the domain code."""
    document_settings.configure(settings)
    app.register_blueprint(bp)
    app.jinja_env.globals["notice_has_document"] = has_document
    app.jinja_env.globals["certificates_of"] = lambda case: (
        issuing.certificates_of(db.session, case) if has_rows(case, "certificates") else [])


def _notice_of(case: Application, notice_id: int) -> Notice:
    found = next((n for n in case.notices if n.id == notice_id), None)
    if found is None:
        raise NotFound("未找到该文书")
    return found


def _certificate_of(case: Application, certificate_id: int) -> Certificate:
    found = next((c for c in issuing.certificates_of(db.session, case) if c.id == certificate_id), None)
    if found is None:
        raise NotFound("未找到该证照")
    return found


def _pdf(sha256: str, name: str) -> Any:
    content = settings().store.read(sha256)
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=name,
                     max_age=0)


def _send_notice(notice: Notice) -> Any:
    # A first rendering is kept (the unit of work commits it), so later downloads serve the same bytes.
    blob = ensure_document(db.session, notice, now=now(), settings=settings())
    return _pdf(blob.sha256, f"{notice.kind.label}-{notice.number}.pdf")


def _send_certificate(certificate: Certificate) -> Any:
    blob = ensure_certificate_document(db.session, certificate, now=now(), settings=settings())
    return _pdf(blob.sha256, f"{certificate.certificate_name}-{certificate.number}.pdf")


@bp.get("/portal/applications/<ref>/documents/notices/<int:notice_id>.pdf")
@requires(Permission.APPLICATION_READ_OWN)
def applicant_notice(ref: str, notice_id: int) -> Any:
    case = own_application(db.session, current_actor(), ref)
    notice = _notice_of(case, notice_id)
    from service_hall.notifications.operations import notice_opened  # 电子送达 (docs/notifications.md)

    notice_opened(db.session, notice, current_actor(), now=now(), channel="portal")
    return _send_notice(notice)


@bp.get("/portal/applications/<ref>/documents/certificates/<int:certificate_id>.pdf")
@requires(Permission.APPLICATION_READ_OWN)
def applicant_certificate(ref: str, certificate_id: int) -> Any:
    case = own_application(db.session, current_actor(), ref)
    return _send_certificate(_certificate_of(case, certificate_id))


@bp.get("/workbench/cases/<int:case_id>/documents/notices/<int:notice_id>.pdf")
@requires(Permission.CASE_READ)
def staff_notice(case_id: int, notice_id: int) -> Any:
    case = staff_case(db.session, current_actor(), case_id)
    return _send_notice(_notice_of(case, notice_id))


@bp.get("/workbench/cases/<int:case_id>/documents/certificates/<int:certificate_id>.pdf")
@requires(Permission.CASE_READ)
def staff_certificate(case_id: int, certificate_id: int) -> Any:
    case = staff_case(db.session, current_actor(), case_id)
    return _send_certificate(_certificate_of(case, certificate_id))


def _send_receipt(case: Application) -> Any:
    try:
        pdf = render_receipt(db.session, case, settings())
    except DocumentDataError as exc:
        raise NotFound(str(exc)) from exc
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"收件凭证-{case.case_number}.pdf", max_age=0)


@bp.get("/portal/applications/<ref>/documents/receipt.pdf")
@requires(Permission.APPLICATION_READ_OWN)
def applicant_receipt(ref: str) -> Any:
    """收件凭证 of one's own application."""
    return _send_receipt(own_application(db.session, current_actor(), ref))


@bp.get("/workbench/cases/<int:case_id>/documents/receipt.pdf")
@requires(Permission.CASE_READ)
def staff_receipt(case_id: int) -> Any:
    """收件凭证 printed at the window for the applicant (filing on behalf, or materials received)."""
    return _send_receipt(staff_case(db.session, current_actor(), case_id))


@bp.post("/workbench/cases/<int:case_id>/certificates/reissue")
@requires(Permission.CASE_DECIDE)
def reissue(case_id: int) -> Any:
    actor = current_actor()
    case = staff_case(db.session, actor, case_id)
    try:
        new = issuing.reissue(db.session, case, actor=actor, now=now(), reason=request.form.get("reason", ""),
                              settings=settings())
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(str(v) for v in (exc.details or {}).values()) or exc.message, "error")
        return redirect(url_for("workbench.case", case_id=case_id)), 303
    number = new.number
    flash(f"已换发证照，新证照编号 {number}，原证照已作废")
    return redirect(url_for("workbench.case", case_id=case_id))
