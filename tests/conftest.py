"""Test fixtures: an app whose database is built by running the migrations, SQLite by default,
PostgreSQL when TEST_DATABASE_URL is set; each test rolled back (or, marked ``committing``, every table
emptied after it)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

# Cheap password hashing keeps the many logins of the suite fast (set before the hasher is built).
os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_KIB", "8192")
os.environ.setdefault("ARGON2_PARALLELISM", "1")

from service_hall.app import create_app
from service_hall.extensions import db
from tests.factories.accounts import Factory
from tests.factories.database import TEST_DATABASE_URL
from tests.factories.worlds import certificate_world, intake_world, review_world, type_world

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(instance)
    url = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "PUBLIC_BASE_URL": "http://localhost",
        "DOCUMENTS": "deferred",  # PDFs rendered on first download; tests of documents download them
        "SWEEP_MODE": "request",  # the clock is pinned per test (FIXED_NOW): sweep on staff requests
        "PUBLIC_PAGE_CACHE_SECONDS": 0,  # each test sees the pages of its own data
    })
    with application.app_context():
        upgrade(directory=MIGRATIONS, revision="heads")
        db.session.remove()
        # A session bound to a connection already in a transaction (see _rolled_back) works in a SAVEPOINT.
        db.session.configure(join_transaction_mode="create_savepoint")
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # Bypasses the audit table's append-only triggers (a superuser-only setting, tests only).
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@contextlib.contextmanager
def _rolled_back(application: Flask) -> Iterator[None]:
    """Run the test inside one outer transaction on one connection, rolled back at the end.

    Every session the app creates (one per app context) is bound to that connection and joins it with
    a SAVEPOINT, so ``db.session.commit()`` only releases the savepoint: the test sees its data, nothing
    reaches the database. pysqlite manages transactions itself and would break SAVEPOINT, so on SQLite
    the connection is put in autocommit mode and the outer transaction is begun explicitly.
    """
    with application.app_context():
        engines = db.engines
    engine = engines[None]
    sqlite = engine.dialect.name == "sqlite"
    connection = engine.connect()
    if sqlite:
        connection.connection.driver_connection.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    engines[None] = connection  # type: ignore[assignment] - Session.get_bind returns it as the bind
    try:
        yield
    finally:
        engines[None] = engine
        outer.rollback()
        if sqlite:
            connection.connection.driver_connection.isolation_level = ""
        connection.close()


@pytest.fixture(autouse=True)
def _isolated_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roll each test back; tests marked ``committing`` really commit and find every table emptied after."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    try:
        if request.node.get_closest_marker("committing"):
            yield
            with application.app_context():
                db.session.rollback()
                _empty_all_tables()
        else:
            with _rolled_back(application):
                yield
    finally:
        application.config.pop("FIXED_NOW", None)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Any]:
    """An app context with the session, for calling domain functions directly."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def world(app: Flask, factory: Factory) -> dict[str, int]:
    """The intake setup (tests/factories/worlds.py): the homestead item and a penalty in 青山镇."""
    return intake_world(app, factory)


@pytest.fixture
def rworld(app: Flask, factory: Factory) -> dict[str, int]:
    """The review setup: the review and decision item variants in both towns, every role."""
    return review_world(app, factory)


@pytest.fixture
def tworld(app: Flask, factory: Factory) -> dict[str, int]:
    """One item of each application power type in both towns, every role."""
    return type_world(app, factory)


@pytest.fixture
def cworld(app: Flask, factory: Factory) -> dict[str, int]:
    """The certificate setup: items of the three delegation modes in both towns, every role."""
    return certificate_world(app, factory)


@pytest.fixture(autouse=True)
def _fresh_sweeper() -> None:
    """The request-driven sweep runs at most once a minute per process; each test starts afresh."""
    from service_hall.web import sweeper

    sweeper._last.clear()
