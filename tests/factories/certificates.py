"""Issued certificates and the files the app stored for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def certificate_of(app: Any, case_id: int) -> Any:
    """The case's latest certificate, detached, with its document loaded."""
    from service_hall.certificates.models import Certificate
    from service_hall.extensions import db

    with app.app_context():
        certificate = db.session.query(Certificate).filter_by(application_id=case_id).order_by(Certificate.id.desc()) \
            .first()
        assert certificate is not None
        certificate.document_blob  # noqa: B018 - load before detaching
        db.session.expunge(certificate)
        return certificate


def stored_pdf(app: Any, sha256: str) -> bytes:
    return (Path(app.config["FILE_STORE_PATH"]) / sha256[:2] / sha256[2:4] / sha256).read_bytes()


def certificate_pdf(app: Any, case_id: int) -> bytes:
    return stored_pdf(app, certificate_of(app, case_id).document_blob.sha256)


def root_pem(app: Any) -> bytes:
    return (Path(app.config["SIGNING_KEY_PATH"]) / "root-ca.crt.pem").read_bytes()
