"""Document pipeline: certificates and statutory notices as signed PDFs. Flask-free; see docs/architecture.md,
"Document pipeline".

Templates live in ``templates/``; the CJK fonts are built from Debian's Noto Serif CJK by
:mod:`service_hall.documents.fontbuild` into :func:`service_hall.documents.fonts.font_dir` (configurable
with :func:`configure_fonts`) on first use. Typical use::

    pdf = render_certificate(data)                      # CertificateData → PDF bytes
    identity = SigningIdentity.load_or_create(key_dir, "某某县行政审批局")
    signed = sign_pdf(pdf, identity)
    report = verify_pdf(signed, identity.root_cert_pem)  # VerificationReport, never raises for bad files

The names below are imported lazily, so that verifying a PDF (``certificates verify``) does not load
WeasyPrint and Pango.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CERTIFICATE_NUMBER_INFO_KEY": "context",
    "Authority": "context",
    "CertificateData": "context",
    "CorrectionItem": "context",
    "DeliveryChannel": "kinds",
    "DeliveryRecord": "context",
    "NoticeData": "context",
    "NoticeKind": "kinds",
    "PermitTerms": "context",
    "Remedies": "context",
    "mask_id_number": "context",
    "DocumentDataError": "errors",
    "DocumentError": "errors",
    "DocumentRenderError": "errors",
    "FontBuildError": "errors",
    "SigningError": "errors",
    "configure_fonts": "fonts",
    "qr_data_url": "qr",
    "render_certificate": "rendering",
    "render_notice": "rendering",
    "render_pdf": "rendering",
    "SigningIdentity": "signing",
    "VerificationReport": "signing",
    "sign_pdf": "signing",
    "verify_pdf": "signing",
}
__all__ = [
    "CERTIFICATE_NUMBER_INFO_KEY",
    "Authority",
    "CertificateData",
    "CorrectionItem",
    "DeliveryChannel",
    "DeliveryRecord",
    "DocumentDataError",
    "DocumentError",
    "DocumentRenderError",
    "FontBuildError",
    "NoticeData",
    "NoticeKind",
    "PermitTerms",
    "Remedies",
    "SigningError",
    "SigningIdentity",
    "VerificationReport",
    "configure_fonts",
    "mask_id_number",
    "qr_data_url",
    "render_certificate",
    "render_notice",
    "render_pdf",
    "sign_pdf",
    "verify_pdf",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    attribute = "configure" if name == "configure_fonts" else name
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from service_hall.documents.context import (
        CERTIFICATE_NUMBER_INFO_KEY,
        Authority,
        CertificateData,
        CorrectionItem,
        DeliveryRecord,
        NoticeData,
        PermitTerms,
        Remedies,
        mask_id_number,
    )
    from service_hall.documents.errors import (
        DocumentDataError,
        DocumentError,
        DocumentRenderError,
        FontBuildError,
        SigningError,
    )
    from service_hall.documents.fonts import configure as configure_fonts
    from service_hall.documents.kinds import DeliveryChannel, NoticeKind
    from service_hall.documents.qr import qr_data_url
    from service_hall.documents.rendering import render_certificate, render_notice, render_pdf
    from service_hall.documents.signing import SigningIdentity, VerificationReport, sign_pdf, verify_pdf
