"""The file store's contract (service_hall/files/store.py; docs/architecture.md, "The file store"), run
against both backends: the local directory, and PostgreSQL large objects (on PostgreSQL only). A backup
of a deployment whose files are large objects restores them (service_hall/backup.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service_hall.backup import BackupError, Deployment, create_backup, restore_backup
from service_hall.core.errors import NotFound
from service_hall.files.store import CHUNK, LocalFileStore, PostgresFileStore, open_store
from tests.factories.database import TEST_DATABASE_URL, is_postgres

pytestmark = pytest.mark.committing  # the PostgreSQL store writes through its own connections

BIG = os.urandom(CHUNK * 2 + 12345)  # three pieces


@pytest.fixture
def pg_engine(app):
    engine = create_engine(TEST_DATABASE_URL)
    yield engine
    with engine.begin() as conn:  # the tables are emptied after the test; the large objects too
        conn.execute(text("SELECT lo_unlink(oid) FROM stored_large_objects"))
        conn.execute(text("DELETE FROM stored_large_objects"))
    engine.dispose()


@pytest.fixture(params=["local", "postgres"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalFileStore(tmp_path / "files")
    if not is_postgres():
        pytest.skip("PostgreSQL large objects need TEST_DATABASE_URL")
    return PostgresFileStore(request.getfixturevalue("pg_engine"))


def test_what_is_written_reads_back_by_its_hash(store):
    content = "申请书".encode() * 10
    digest = hashlib.sha256(content).hexdigest()
    assert not store.exists(digest)
    store.write(digest, content)
    store.write(digest, content)  # once only
    assert store.exists(digest) and store.read(digest) == content
    assert list(store.hashes()) == [digest]


def test_a_big_file_is_streamed_in_and_out_in_pieces_with_the_same_hash(store):
    pieces = (BIG[i:i + 65536] for i in range(0, len(BIG), 65536))
    digest, size = store.write_stream(pieces)
    assert digest == hashlib.sha256(BIG).hexdigest() and size == len(BIG)
    out = list(store.chunks(digest))
    assert len(out) == 3 and all(len(p) <= CHUNK for p in out) and b"".join(out) == BIG
    again, _ = store.write_stream(iter([BIG]))  # the same content a second time: still one file
    assert again == digest and list(store.hashes()) == [digest]


def test_a_deleted_file_is_gone(store):
    digest, _ = store.write_stream([b"old export"])
    store.delete(digest)
    store.delete(digest)  # already gone: nothing happens
    assert not store.exists(digest) and list(store.hashes()) == []


def test_a_missing_file_is_not_found_before_any_piece(store):
    missing = "0" * 64
    with pytest.raises(NotFound):
        store.read(missing)
    with pytest.raises(NotFound):
        store.chunks(missing)


def test_a_scoped_store_keeps_its_files_apart(store):
    staged = store.scoped("staged-imports")
    digest, _ = staged.write_stream([b"draft list"])
    assert staged.read(digest) == b"draft list"
    assert not store.exists(digest) and list(store.hashes()) == []
    assert list(staged.hashes()) == [digest]


def test_the_configuration_chooses_the_store(app, tmp_path):
    sqlite = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert isinstance(open_store({"FILE_STORE_PATH": str(tmp_path)}, sqlite), LocalFileStore)
    with pytest.raises(ValueError, match="需要 PostgreSQL"):
        open_store({"FILE_STORE": "postgres", "FILE_STORE_PATH": str(tmp_path)}, sqlite)
    with pytest.raises(ValueError, match="FILE_STORE 应为"):
        open_store({"FILE_STORE": "s3", "FILE_STORE_PATH": str(tmp_path)}, sqlite)


@pytest.mark.skipif(not is_postgres(), reason="large objects are a PostgreSQL store")
def test_a_backup_restores_the_large_objects(app, pg_engine, tmp_path):
    store = PostgresFileStore(pg_engine)
    digest, _ = store.write_stream(iter([BIG]))
    url = make_url(TEST_DATABASE_URL)
    restored_name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}"'))
        conn.execute(text(f'CREATE DATABASE "{restored_name}"'))
    restored_url = url.set(database=restored_name).render_as_string(hide_password=False)

    def deployment(root: Path, database_url: str, kind: str = "postgres") -> Deployment:
        return Deployment(database_url=database_url, file_store=root / "files", signing_dir=root / "signing",
                          audit_key_file=root / "audit_key", checkpoint_dir=root / "checkpoints",
                          file_store_kind=kind)

    restored_engine = create_engine(restored_url)
    try:
        backup = tmp_path / "backup"
        manifest = create_backup(deployment(tmp_path / "a", TEST_DATABASE_URL), backup, audit_key="k",
                                 now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
        assert manifest["file_store"] == "postgres"
        with pytest.raises(BackupError, match="FILE_STORE 设为 postgres"):
            restore_backup(backup, deployment(tmp_path / "b", restored_url, "local"), restored_engine)
        restore_backup(backup, deployment(tmp_path / "b", restored_url), restored_engine)
        assert b"".join(PostgresFileStore(restored_engine).chunks(digest)) == BIG
    finally:
        restored_engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}"'))
        admin.dispose()
