"""Uploads: type checked by content (not by the name), size-limited, stored once by hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

import filetype
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.files.models import ApplicantFile, StoredBlob

T = TypeVar("T")

DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}


CHUNK = 1024 * 1024
STORES = ("local", "postgres")


class FileStore(Protocol):
    """Where stored files live, by their SHA-256 (docs/architecture.md, "The file store"). Every app server
    and worker must see the same store: a shared volume (``LocalFileStore``) or the database's large
    objects (``PostgresFileStore``), chosen by ``FILE_STORE``."""

    def write(self, sha256: str, content: bytes) -> None:
        """Keep ``content`` under its hash (nothing happens when it is there already)."""

    def write_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Keep what ``chunks`` yields without holding it all in memory. Returns (sha256, size)."""

    def read(self, sha256: str) -> bytes:
        """Raises NotFound."""

    def chunks(self, sha256: str, size: int = CHUNK) -> Iterator[bytes]:
        """The content piece by piece. Raises NotFound (at once, before the first piece)."""

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None:
        """Forget the file (nothing happens when it is not there). Only for files nothing else refers to."""

    def hashes(self) -> Iterator[str]:
        """Every stored hash of this store (not of its scoped parts)."""

    def scoped(self, name: str) -> FileStore:
        """A separate store of the same kind, for files of one purpose (staged imports)."""


class LocalFileStore:
    """A local directory; paths are derived from the hash so app servers can share a volume."""

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

    def write_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    fh.write(chunk)
            sha256 = digest.hexdigest()
            path = self.path_for(sha256)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return sha256, size

    def read(self, sha256: str) -> bytes:
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound("文件不存在") from None

    def chunks(self, sha256: str, size: int = CHUNK) -> Iterator[bytes]:
        try:
            fh = self.path_for(sha256).open("rb")
        except FileNotFoundError:
            raise NotFound("文件不存在") from None

        def pieces() -> Iterator[bytes]:
            with fh:
                while piece := fh.read(size):
                    yield piece
        return pieces()

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return iter(())
        return (p.name for p in sorted(self.root.glob("??/??/*")) if p.is_file() and len(p.name) == 64)

    def scoped(self, name: str) -> LocalFileStore:
        return LocalFileStore(self.root / name)


class PostgresFileStore:
    """PostgreSQL large objects, one per file, found by key in ``stored_large_objects``. Each write and
    read uses its own connection and transaction (like the local store, a write is kept whatever becomes
    of the request's transaction), and moves the content in pieces of ``CHUNK`` bytes (``lo_put`` /
    ``lo_get``), so a big file is never whole in memory. pg_dump includes large objects: the backup
    covers them."""

    def __init__(self, engine: Engine, namespace: str = "") -> None:
        self.engine = engine
        self.namespace = namespace

    def _key(self, sha256: str) -> str:
        return f"{self.namespace}/{sha256}" if self.namespace else sha256

    def _oid(self, conn: Connection, sha256: str) -> int | None:
        return conn.scalar(text("SELECT oid FROM stored_large_objects WHERE key = :k"), {"k": self._key(sha256)})

    def _keep(self, conn: Connection, sha256: str, oid: int, size: int) -> None:
        kept = conn.scalar(text("INSERT INTO stored_large_objects (key, oid, size) VALUES (:k, :o, :s) "
                                "ON CONFLICT (key) DO NOTHING RETURNING key"),
                           {"k": self._key(sha256), "o": oid, "s": size})
        if kept is None:  # stored meanwhile by another process: keep theirs
            conn.execute(text("SELECT lo_unlink(:o)"), {"o": oid})

    def _put(self, conn: Connection, chunks: Iterable[bytes]) -> tuple[int, str, int]:
        oid = int(conn.scalar(text("SELECT lo_create(0)")))
        digest, size = hashlib.sha256(), 0
        for chunk in chunks:
            if not chunk:
                continue
            conn.execute(text("SELECT lo_put(:o, :off, :d)"), {"o": oid, "off": size, "d": chunk})
            digest.update(chunk)
            size += len(chunk)
        return oid, digest.hexdigest(), size

    def write(self, sha256: str, content: bytes) -> None:
        with self.engine.begin() as conn:
            if self._oid(conn, sha256) is not None:
                return
            oid, _, size = self._put(conn, (content[i:i + CHUNK] for i in range(0, len(content), CHUNK)))
            self._keep(conn, sha256, oid, size)

    def write_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        with self.engine.begin() as conn:
            oid, sha256, size = self._put(conn, chunks)
            self._keep(conn, sha256, oid, size)
        return sha256, size

    def read(self, sha256: str) -> bytes:
        return b"".join(self.chunks(sha256))

    def chunks(self, sha256: str, size: int = CHUNK) -> Iterator[bytes]:
        with self.engine.connect() as conn:
            found = conn.execute(text("SELECT oid, size FROM stored_large_objects WHERE key = :k"),
                                 {"k": self._key(sha256)}).first()
        if found is None:
            raise NotFound("文件不存在")
        oid, total = int(found[0]), int(found[1])

        def pieces() -> Iterator[bytes]:
            with self.engine.begin() as conn:  # large objects are read inside a transaction
                for offset in range(0, total, size):
                    yield bytes(conn.scalar(text("SELECT lo_get(:o, :off, :n)"),
                                            {"o": oid, "off": offset, "n": size}))
        return pieces()

    def exists(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return self._oid(conn, sha256) is not None

    def delete(self, sha256: str) -> None:
        with self.engine.begin() as conn:
            oid = conn.scalar(text("DELETE FROM stored_large_objects WHERE key = :k RETURNING oid"),
                              {"k": self._key(sha256)})
            if oid is not None:
                conn.execute(text("SELECT lo_unlink(:o)"), {"o": oid})

    def hashes(self) -> Iterator[str]:
        prefix = f"{self.namespace}/" if self.namespace else ""
        with self.engine.connect() as conn:
            keys = list(conn.scalars(text("SELECT key FROM stored_large_objects ORDER BY key")))
        return (k[len(prefix):] for k in keys if k.startswith(prefix) and "/" not in k[len(prefix):])

    def scoped(self, name: str) -> PostgresFileStore:
        return PostgresFileStore(self.engine, f"{self.namespace}/{name}" if self.namespace else name)


def open_store(config: Mapping[str, Any], engine: Engine) -> FileStore:
    """The store the configuration names: ``FILE_STORE`` "local" (default; the directory ``FILE_STORE_PATH``)
    or "postgres" (large objects in the application's own PostgreSQL database, through ``engine``)."""
    kind = config.get("FILE_STORE") or "local"
    if kind == "postgres":
        if engine.dialect.name != "postgresql":
            raise ValueError("FILE_STORE=postgres 需要 PostgreSQL 数据库（DATABASE_URL）")
        return PostgresFileStore(engine)
    if kind != "local":
        raise ValueError(f"FILE_STORE 应为 {' 或 '.join(STORES)}，而不是 {kind!r}")
    return LocalFileStore(config["FILE_STORE_PATH"])


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
