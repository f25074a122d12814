"""Uploads: type checked by content (not by the name), size-limited, stored once by hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import filetype
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.files.models import ApplicantFile, StoredBlob

T = TypeVar("T")

DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}


class FileStore:
    """Local directory store; paths are derived from the hash so app servers can share a volume."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def write(self, sha256: str, content: bytes) -> None:
        path = self.path_for(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)

    def read(self, sha256: str) -> bytes:
        """Raises NotFound."""
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound("文件不存在") from None


def sniff(content: bytes) -> str | None:
    kind = filetype.guess(content[:8192])
    return kind.mime if kind else None


def check_upload(content: bytes, *, field: str, accept: tuple[str, ...] = DEFAULT_ACCEPT,
                 max_bytes: int = 10 * 1024 * 1024) -> str:
    """Return the detected content type, or raise ValidationFailed with a message for ``field``."""
    if not content:
        raise ValidationFailed("上传的文件为空", details={field: "文件为空，请重新选择"})
    if len(content) > max_bytes:
        raise ValidationFailed("上传的文件过大",
                               details={field: f"文件超过 {max_bytes // (1024 * 1024)} MB 上限"})
    mime = sniff(content)
    if mime not in accept:
        allowed = "、".join(TYPE_LABELS.get(a, a) for a in accept)
        message = f"文件内容不是允许的类型（{allowed}），请勿仅修改扩展名"
        raise ValidationFailed("文件类型不符", details={field: message})
    return mime


def _insert_once(session: Session, find: Callable[[], T | None], make: Callable[[], T]) -> T:
    """The row ``find`` gives, or a new one; when a concurrent request inserts the same row first, its row
    (the unique constraint decides, inside a savepoint so the surrounding work survives)."""
    found = find()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            item = make()
            session.add(item)
            session.flush()
        return item
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found


def store_upload(session: Session, store: FileStore, owner: User, *, content: bytes, filename: str,
                 material_name: str, content_type: str, now: dt.datetime) -> ApplicantFile:
    """Store the content once and remember it among the owner's materials (deduplicated, also when the
    same file arrives twice at once). Raises nothing of its own."""
    digest = hashlib.sha256(content).hexdigest()

    def new_blob() -> StoredBlob:
        store.write(digest, content)
        return StoredBlob(sha256=digest, size=len(content), content_type=content_type, created_at=now)

    blob = _insert_once(session, lambda: session.scalar(select(StoredBlob).where(StoredBlob.sha256 == digest)),
                        new_blob)
    return _insert_once(
        session,
        lambda: session.scalar(select(ApplicantFile).where(
            ApplicantFile.owner_id == owner.id, ApplicantFile.blob_id == blob.id,
            ApplicantFile.material_name == material_name)),
        lambda: ApplicantFile(owner_id=owner.id, blob=blob, material_name=material_name,
                              filename=Path(filename or "upload").name[:255], uploaded_at=now))


UPLOADS_PER_HOUR = 100


def accept_upload(session: Session, store: FileStore, owner: User, *, content: bytes, filename: str,
                  material_name: str, field: str, now: dt.datetime, accept: tuple[str, ...] = DEFAULT_ACCEPT,
                  max_bytes: int = 10 * 1024 * 1024, hourly_limit: int = UPLOADS_PER_HOUR) -> ApplicantFile:
    """Check an upload by its content and keep it among the owner's materials.

    Raises ValidationFailed (empty, too large, wrong type, more than ``hourly_limit`` new files in the
    past hour for this owner) with the message under ``field``.
    """
    recent = session.scalar(select(func.count()).select_from(ApplicantFile).where(
        ApplicantFile.owner_id == owner.id, ApplicantFile.uploaded_at > now - dt.timedelta(hours=1)))
    if (recent or 0) >= hourly_limit:
        raise ValidationFailed("上传过于频繁", details={
            field: f"每个账号每小时最多上传 {hourly_limit} 个文件，请稍后再试"})
    mime = check_upload(content, field=field, accept=accept, max_bytes=max_bytes)
    return store_upload(session, store, owner, content=content, filename=filename, material_name=material_name,
                        content_type=mime, now=now)


def applicant_files(session: Session, owner: User) -> list[ApplicantFile]:
    return list(session.scalars(select(ApplicantFile).where(ApplicantFile.owner_id == owner.id)
                                .order_by(ApplicantFile.uploaded_at.desc())))


def owned_file(session: Session, owner: User, file_id: int) -> ApplicantFile:
    """An applicant's own file. Raises NotFound for anyone else's."""
    item = session.get(ApplicantFile, file_id)
    if item is None or item.owner_id != owner.id:
        raise NotFound("未找到该材料")
    return item
