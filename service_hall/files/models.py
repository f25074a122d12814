from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_hall.accounts.models import User
from service_hall.core.base import Base, UTCDateTime


class StoredBlob(Base):
    """One stored content, whoever uploaded it."""

    __tablename__ = "stored_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ApplicantFile(Base):
    """A material an applicant has on file (一次提交，多次复用): reusable on later applications."""

    __tablename__ = "applicant_files"
    __table_args__ = (UniqueConstraint("owner_id", "blob_id", "material_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    owner: Mapped[User] = relationship()
    blob_id: Mapped[int] = mapped_column(ForeignKey("stored_blobs.id"))
    blob: Mapped[StoredBlob] = relationship()
    material_name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ReuseGrant(Base):
    """材料复用授权码: a one-time code the applicant shows to the window clerk so that the clerk, filing on
    their behalf (帮办代办), may reuse the applicant's stored materials. Only a hash of the code is kept."""

    __tablename__ = "reuse_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)


class StoredLargeObject(Base):
    """A file of the PostgreSQL file store (FILE_STORE=postgres): the large object holding it, by key
    (its SHA-256, prefixed by the store's namespace). Unused on the local store."""

    __tablename__ = "stored_large_objects"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    oid: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)
