"""Backup and restore of a whole deployment (``flask --app wsgi backup create|restore DIR``).

A backup holds what a deployment cannot be rebuilt without: the database (SQLite's online backup API,
or ``pg_dump`` in custom format), the file store (uploaded materials and rendered documents: the directory,
or with FILE_STORE=postgres the large objects, which ``pg_dump`` includes), the
signing keys and certificate, the audit key and the audit checkpoints, with a manifest listing every
file's SHA-256. Restoring checks the manifest first and goes only into an empty deployment (no tables,
no stored files), so that it never mixes two histories. Nothing here imports Flask.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is user-facing Chinese."""


@dataclass(frozen=True)
class Deployment:
    """Where one deployment keeps its state."""

    database_url: str
    file_store: Path
    signing_dir: Path
    audit_key_file: Path
    checkpoint_dir: Path
    # "local": the files are the directory ``file_store``; "postgres": large objects, inside the database dump.
    file_store_kind: str = "local"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


def create_backup(deployment: Deployment, target: Path, *, audit_key: str, now: dt.datetime) -> dict[str, Any]:
    """Write a backup of ``deployment`` into the new or empty directory ``target``; returns the manifest.

    Raises BackupError (target not empty, pg_dump failed).
    """
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录")
    target.mkdir(parents=True, exist_ok=True)
    sqlite_path = _sqlite_path(deployment.database_url)
    if sqlite_path is not None:
        database = "database.sqlite3"
        with sqlite3.connect(sqlite_path) as source, sqlite3.connect(target / database) as copy:
            source.backup(copy)  # consistent while the application keeps writing
    else:
        database = "database.pgdump"
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target / database}",
                                 _libpq_url(deployment.database_url)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")
    _copy_tree(deployment.file_store, target / "files")  # also with FILE_STORE=postgres: what was local before
    _copy_tree(deployment.signing_dir, target / "signing")
    _copy_tree(deployment.checkpoint_dir, target / "audit-checkpoints")
    keys = target / "keys"
    keys.mkdir()
    fd = os.open(keys / "audit_key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(audit_key)
    files = {str(p.relative_to(target)): _sha256(p) for p in sorted(target.rglob("*")) if p.is_file()}
    manifest: dict[str, object] = {"format_version": FORMAT_VERSION, "created_at": now.isoformat(),
                                   "database": database, "file_store": deployment.file_store_kind, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def check_backup(source: Path) -> dict[str, Any]:
    """The manifest, after checking that every file it lists is there unchanged and nothing was added.

    Raises BackupError naming the first problem.
    """
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"备份目录中没有可读的 {MANIFEST}：{exc}") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("备份格式版本不受支持")
    files: dict[str, str] = manifest.get("files", {})
    present = {str(p.relative_to(source)) for p in source.rglob("*") if p.is_file()} - {MANIFEST}
    for name in sorted(set(files) | present):
        path = source / name
        if name not in files:
            raise BackupError(f"备份中多出了清单未列出的文件：{name}")
        if not path.is_file():
            raise BackupError(f"备份缺少文件：{name}")
        if _sha256(path) != files[name]:
            raise BackupError(f"备份文件已损坏或被改动：{name}")
    return manifest


def restore_backup(source: Path, deployment: Deployment, engine: Engine) -> None:
    """Restore a checked backup into an empty deployment.

    Raises BackupError (manifest problems, the database already has tables, the file store is not empty,
    pg_restore failed).
    """
    manifest = check_backup(source)
    if inspect(engine).get_table_names():
        raise BackupError("目标数据库不是空库：只能恢复到新的、空的部署中")
    if deployment.file_store.is_dir() and any(deployment.file_store.iterdir()):
        raise BackupError(f"目标文件存储 {deployment.file_store} 不是空目录")
    stored_in = manifest.get("file_store", "local")
    if stored_in != deployment.file_store_kind:
        raise BackupError(f"该备份的文件存储为 {stored_in}，目标部署为 {deployment.file_store_kind}："
                          f"请将目标部署的 FILE_STORE 设为 {stored_in} 后再恢复")
    database = source / str(manifest["database"])
    sqlite_path = _sqlite_path(deployment.database_url)
    if database.suffix == ".sqlite3":
        if sqlite_path is None:
            raise BackupError("该备份来自 SQLite，目标部署使用的是其他数据库")
        engine.dispose()
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(database) as backup, sqlite3.connect(sqlite_path) as target:
            backup.backup(target)
    else:
        if sqlite_path is not None:
            raise BackupError("该备份来自 PostgreSQL，目标部署使用的是 SQLite")
        result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                                 f"--dbname={_libpq_url(deployment.database_url)}", str(database)],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")
    _copy_tree(source / "files", deployment.file_store)
    _copy_tree(source / "signing", deployment.signing_dir)
    _copy_tree(source / "audit-checkpoints", deployment.checkpoint_dir)
    deployment.audit_key_file.parent.mkdir(parents=True, exist_ok=True)
    key = (source / "keys" / "audit_key").read_text()
    fd = os.open(deployment.audit_key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
