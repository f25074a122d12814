"""The e-certificate (电子证照) row: what was printed, who issued it, and what became of it."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_hall.accounts.models import User
from service_hall.cases.models import Application, Notice
from service_hall.core.base import Base, UTCDateTime
from service_hall.files.models import StoredBlob


class CertificateStatus(enum.StrEnum):
    VALID = "valid"  # 有效 (until ``valid_until``; past it the public status is 已过期)
    REVOKED = "revoked"  # 已撤销: the approval was revoked
    REPLACED = "replaced"  # 已换发: a corrected certificate with a new number replaces it

    @property
    def label(self) -> str:
        return {"valid": "有效", "revoked": "已撤销", "replaced": "已换发"}[self.value]


class PublicStatus(enum.StrEnum):
    """What the verification page says about a certificate on a given day."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REPLACED = "replaced"

    @property
    def label(self) -> str:
        return {"valid": "有效", "expired": "已过期", "revoked": "已撤销",
                "replaced": "已换发（原证照作废）"}[self.value]


class Certificate(Base):
    """One issued e-certificate. The printed facts are frozen here and in the signed PDF
    (``document_blob_id``); a correction issues a new certificate that ``replaces`` this one."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    # Unguessable token in the QR code; the public page is found by it, never by the number alone.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    # One way only: cases know nothing of certificates (docs/architecture.md, layers); a case's
    # certificates are read with ``issuing.certificates_of``.
    application: Mapped[Application] = relationship()
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # The notice (准予许可决定书) of the approval this certificate was issued for.
    decision_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    decision_notice: Mapped[Notice | None] = relationship()
    issuer_code: Mapped[str] = mapped_column(String(20))  # numbering scope, see issuing.issuer_code
    issuer_name: Mapped[str] = mapped_column(String(200))  # printed as issuing authority
    entrusted_body: Mapped[str | None] = mapped_column(String(200))  # 委托: the town acting in its name
    seal_text: Mapped[str | None] = mapped_column(String(200))  # the issuing office's seal; None: issuer_name
    certificate_name: Mapped[str] = mapped_column(String(200))
    holder_name: Mapped[str] = mapped_column(String(100))
    holder_id_number: Mapped[str] = mapped_column(String(18))  # full; shown masked in public
    holder_id_label: Mapped[str] = mapped_column(String(20))
    item_code: Mapped[str] = mapped_column(String(64))
    item_name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # None: 长期有效
    legal_basis: Mapped[str] = mapped_column(Text)
    # The certificate type (证照目录) it was printed by, its 信息项 as printed and its layout; None for
    # certificates issued before types were designed (docs/architecture.md, "Decision content and
    # certificate types").
    type_code: Mapped[str | None] = mapped_column(String(40))
    type_version: Mapped[int | None] = mapped_column(Integer)
    layout: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[list[list[str]] | None] = mapped_column(JSON)
    validity_text: Mapped[str | None] = mapped_column(String(100))  # as decided; None: from the dates
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[CertificateStatus] = mapped_column(
        Enum(CertificateStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id])
    # None only until the first download when the deployment defers rendering (DeferredDocuments).
    document_blob_id: Mapped[int | None] = mapped_column(ForeignKey("stored_blobs.id"))
    document_blob: Mapped[StoredBlob] = relationship()
    lookup_count: Mapped[int] = mapped_column(Integer, default=0)

    def public_status(self, today: dt.date) -> PublicStatus:
        if self.status is CertificateStatus.REVOKED:
            return PublicStatus.REVOKED
        if self.status is CertificateStatus.REPLACED:
            return PublicStatus.REPLACED
        if self.valid_until is not None and self.valid_until < today:
            return PublicStatus.EXPIRED
        return PublicStatus.VALID
