"""Carrying an uploaded file from its preview to its confirmation without writing anything else.

The upload is kept in the file store under its SHA-256 and the confirmation form carries a signed,
expiring token naming that hash, the signed-in account, the kind of import and the fingerprint of the
preview shown. A token cannot be forged, reused by another account, or replayed after an hour, and
a confirmation whose plan differs from the preview is refused by the domain (Conflict).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import file_store
from service_hall.files.store import FileStore

MAX_AGE_SECONDS = 3600
MAX_BYTES = 5 * 1024 * 1024
_EXPIRED = "导入预览已失效，请重新上传文件"


@dataclass(frozen=True)
class StagedUpload:
    filename: str
    content: bytes
    fingerprint: str


def _store() -> FileStore:
    return file_store().scoped("staged-imports")


def _serializer(kind: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"staged-import:{kind}")


def read_upload(upload: object) -> tuple[str, bytes]:
    """The name and content of a form's file field. Raises ValidationFailed when none or too big."""
    filename = getattr(upload, "filename", None)
    if upload is None or not filename:
        raise ValidationFailed("请选择要导入的文件")
    content = upload.read(MAX_BYTES + 1)  # type: ignore[attr-defined]
    if len(content) > MAX_BYTES:
        raise ValidationFailed(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB 上限")
    return Path(filename).name[:200], content


def stage(kind: str, filename: str, content: bytes, *, user_id: int, fingerprint: str) -> str:
    """Keep the content and return the token for the confirmation form."""
    digest = hashlib.sha256(content).hexdigest()
    _store().write(digest, content)
    return _serializer(kind).dumps({"sha": digest, "name": filename, "uid": user_id, "fp": fingerprint})


def unstage(kind: str, token: str, *, user_id: int) -> StagedUpload:
    """The upload a token names. Raises NotFound when the token is forged, expired or someone else's."""
    try:
        data = _serializer(kind).loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        raise NotFound(_EXPIRED) from None
    if not isinstance(data, dict) or data.get("uid") != user_id:
        raise NotFound(_EXPIRED)
    content = _store().read(str(data["sha"]))
    if hashlib.sha256(content).hexdigest() != data["sha"]:
        raise NotFound(_EXPIRED)
    return StagedUpload(str(data["name"]), content, str(data["fp"]))
