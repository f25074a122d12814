"""Checking a certificate: the public lookups behind the QR code and the number form, and the offline
check of a PDF file against the deployment's trust root (``certificates verify FILE.pdf``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.cases.clock import local_date
from service_hall.certificates.issuing import printed_holder_id
from service_hall.certificates.models import Certificate, PublicStatus
from service_hall.core.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from service_hall.documents.signing import VerificationReport

NOT_FOUND = "未查询到该证照"


@dataclass(frozen=True)
class PublicView:
    """The minimum needed to compare a certificate with the paper in hand (no full ID number)."""

    number: str
    status: PublicStatus
    certificate_name: str
    holder_name: str
    holder_id: str  # masked for a person
    holder_id_label: str
    item_name: str
    issuer: str
    entrusted_body: str | None
    valid_from: dt.date
    valid_until: dt.date | None
    issued_on: dt.date
    status_changed_on: dt.date | None
    replaced_by: str | None

    @property
    def status_label(self) -> str:
        return self.status.label


def public_view(session: Session, certificate: Certificate, today: dt.date) -> PublicView:
    successor = session.scalar(select(Certificate.number).where(Certificate.replaces_id == certificate.id))
    return PublicView(
        number=certificate.number, status=certificate.public_status(today),
        certificate_name=certificate.certificate_name, holder_name=certificate.holder_name,
        holder_id=printed_holder_id(certificate), holder_id_label=certificate.holder_id_label,
        item_name=certificate.item_name, issuer=certificate.issuer_name, entrusted_body=certificate.entrusted_body,
        valid_from=certificate.valid_from, valid_until=certificate.valid_until, issued_on=certificate.issued_on,
        status_changed_on=local_date(certificate.revoked_at) if certificate.revoked_at else None,
        replaced_by=successor)


def _counted(session: Session, certificate: Certificate, *, now: dt.datetime, how: str) -> PublicView:
    # Increment in SQL so that concurrent lookups are all counted.
    session.execute(update(Certificate).where(Certificate.id == certificate.id)
                    .values(lookup_count=Certificate.lookup_count + 1))
    record(session, actor=None, action=AuditAction.CERTIFICATE_LOOKUP, object_type="certificate",
           object_id=certificate.number, now=now, jurisdiction_id=certificate.town_id, payload={"by": how})
    return public_view(session, certificate, local_date(now))


def lookup_by_token(session: Session, token: str, *, now: dt.datetime) -> PublicView:
    """证照核验 from the QR code: counted and audited. Raises NotFound (unknown token)."""
    certificate = session.scalar(select(Certificate).where(Certificate.token == (token or "")[:64]))
    if certificate is None:
        raise NotFound(NOT_FOUND)
    return _counted(session, certificate, now=now, how="token")


def lookup_by_number(session: Session, number: str, holder_name: str, *, now: dt.datetime) -> PublicView:
    """证照核验 by number and holder name, for those without the QR code: both must match exactly.
    Raises ValidationFailed (a field empty), NotFound (no such pair — which one is wrong is not told)."""
    number = (number or "").strip().upper()
    holder_name = (holder_name or "").strip()
    errors = {}
    if not number or len(number) > 40:
        errors["number"] = "请填写证照编号"
    if not holder_name or len(holder_name) > 100:
        errors["holder_name"] = "请填写持证人名称"
    if errors:
        raise ValidationFailed("请填写证照编号和持证人名称", details=errors)
    certificate = session.scalar(select(Certificate).where(Certificate.number == number,
                                                           Certificate.holder_name == holder_name))
    if certificate is None:
        raise NotFound(NOT_FOUND)
    return _counted(session, certificate, now=now, how="number")


@dataclass(frozen=True)
class FileCheck:
    """The outcome of checking a PDF file: the signature report and, if looked up, the status."""

    report: VerificationReport
    status: PublicStatus | None  # None: not a certificate, unknown number, or not looked up
    known: bool | None  # None: not looked up (no database or no number in the file)
    message: str

    @property
    def valid(self) -> bool:
        if not self.report.valid:
            return False
        if self.known is None:
            return True
        return self.known and self.status is PublicStatus.VALID


def check_file(pdf: bytes, trust_root_pem: bytes, *, session: Session | None, today: dt.date) -> FileCheck:
    """Verify the signature of ``pdf`` offline and, with a ``session``, the certificate's status.
    Raises SigningError only when the trust root is unreadable."""
    from service_hall.documents.signing import verify_pdf

    report = verify_pdf(pdf, trust_root_pem)
    if not report.signature_intact or not report.covers_whole_document:
        why = f"（{report.problem}）" if report.problem else ""
        return FileCheck(report, None, None, f"签名无效：文件已被改动或已损坏{why}")
    if not report.trusted:
        return FileCheck(report, None, None, "签名无效：不是本系统签发的文件")
    number = report.certificate_number
    if number is None:
        return FileCheck(report, None, None, "签名有效：文件未被改动（本文件不是电子证照）")
    if session is None:
        return FileCheck(report, None, None, f"签名有效：证照 {number} 未被改动（未查询证照状态）")
    certificate = session.scalar(select(Certificate).where(Certificate.number == number))
    if certificate is None:
        return FileCheck(report, None, False, f"签名有效，但证照编号 {number} 不存在")
    status = certificate.public_status(today)
    if status is PublicStatus.VALID:
        return FileCheck(report, status, True, f"证照 {number} 有效：签名完好，持证人 {certificate.holder_name}")
    reason = f"：{certificate.revocation_reason}" if certificate.revocation_reason else ""
    return FileCheck(report, status, True, f"证照 {number} {status.label}{reason}")
