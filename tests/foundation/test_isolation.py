"""The suite's isolation (tests/README.md): a test's commits stay inside its rolled-back transaction, a
test marked ``committing`` really commits."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from tests.factories.places import QINGSHAN


def _seen_from_another_connection(app) -> int:
    outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with outside.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Jurisdiction))
    finally:
        outside.dispose()


def test_a_commit_is_seen_by_the_test_and_its_requests_but_not_outside(app, client, factory):
    factory.demo_jurisdictions()  # commits in its own app context
    with app.app_context():
        assert db.session.query(Jurisdiction).filter_by(code=QINGSHAN).count() == 1
    assert "青山镇" in client.get("/").get_data(as_text=True)
    assert _seen_from_another_connection(app) == 0


@pytest.mark.committing
def test_a_committing_test_really_commits(app, factory):
    factory.demo_jurisdictions()
    assert _seen_from_another_connection(app) > 0
