"""证照核验: the public verification page behind the QR code, and the lookup by number and holder name.
No login; throttled per client address; every lookup is counted and audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request

from service_hall.certificates.verification import NOT_FOUND, lookup_by_number, lookup_by_token
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.documents.errors import DocumentError
from service_hall.extensions import db
from service_hall.web.access import PUBLIC, now, requires
from service_hall.web.document_settings import settings
from service_hall.web.throttling import throttled

bp = Blueprint("verify", __name__)

@bp.get("/verify")
@requires(PUBLIC)
@throttled
def index() -> Any:
    return render_template("verify/index.html", values={}, errors={})


@bp.post("/verify")
@requires(PUBLIC)
@throttled
def by_number() -> Any:
    values = {"number": request.form.get("number", ""), "holder_name": request.form.get("holder_name", "")}
    try:
        view = lookup_by_number(db.session, values["number"], values["holder_name"], now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template("verify/index.html", values=values, errors=exc.details or {}), 422
    except NotFound:
        db.session.rollback()
        return render_template("verify/index.html", values=values, errors={}, not_found=NOT_FOUND), 404
    return render_template("verify/result.html", view=view)


@bp.get("/verify/<token>")
@requires(PUBLIC)
@throttled
def by_token(token: str) -> Any:
    try:
        view = lookup_by_token(db.session, token, now=now())
    except NotFound:
        db.session.rollback()
        return render_template("verify/index.html", values={}, errors={}, not_found=NOT_FOUND), 404
    return render_template("verify/result.html", view=view)


@bp.get("/verify/root-ca.pem")
@requires(PUBLIC)
def root_certificate() -> Any:
    """The trust root, for checking downloaded PDFs offline (e.g. in a PDF reader)."""
    try:
        pem = settings().root_cert_pem()
    except DocumentError:  # no identity yet: nothing to publish
        return render_template("error.html", status=404, message="尚未生成签章证书"), 404
    return Response(pem, mimetype="application/x-pem-file",
                    headers={"Content-Disposition": "attachment; filename=root-ca.pem"})
