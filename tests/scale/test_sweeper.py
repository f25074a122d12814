"""The deadline sweep runs beside the requests (docs/architecture.md, "Lists at scale"): in the default
background mode a request never sweeps — the process's own thread does, and commits — and in request
mode a public page never pays for it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from service_hall.cases.models import Application, CaseStatus
from service_hall.extensions import db
from service_hall.web import sweeper
from tests.factories.cases import new_case
from tests.factories.clock import at
from tests.factories.database import is_postgres
from tests.factories.web import login


def _status(app: Any, case_id: int) -> CaseStatus:
    with app.app_context():
        db.session.expire_all()
        return db.session.get(Application, case_id).status


def test_a_staff_request_only_starts_the_thread_in_background_mode(app, world, monkeypatch):
    case_id = new_case(app, day="2026-11-02")
    app.config["FIXED_NOW"] = at("2026-11-20")  # intake deadline long past: a sweep would deem it accepted
    started: list[Any] = []
    monkeypatch.setattr(sweeper, "start_background", lambda a: started.append(a))
    production = type(app)(app.import_name)  # an app with the production default
    production.config.update({**app.config, "SWEEP_MODE": "background"})
    sweeper.install(production)
    with production.test_request_context("/workbench/"):
        for hook in production.before_request_funcs[None]:
            hook()
    assert started == [production]
    assert _status(app, case_id) == CaseStatus.SUBMITTED


def test_public_pages_never_sweep_in_request_mode(app, client, world):
    case_id = new_case(app, day="2026-11-02")
    app.config["FIXED_NOW"] = at("2026-11-20")
    for page in ("/", "/catalog", "/healthz"):
        client.get(page)
    assert _status(app, case_id) == CaseStatus.SUBMITTED
    login(client, "clerk1")
    client.get("/workbench/")
    assert _status(app, case_id) == CaseStatus.ACCEPTED  # deemed accepted on staff traffic


@pytest.mark.committing
def test_the_background_round_sweeps_and_commits_in_its_own_context(app, world):
    case_id = new_case(app, day="2026-11-02")
    app.config["FIXED_NOW"] = at("2026-11-20")
    sweeper.sweep_once(app)  # on the real clock, weeks after the intake deadline
    assert _status(app, case_id) == CaseStatus.ACCEPTED


@pytest.mark.postgres_only
@pytest.mark.committing
@pytest.mark.skipif(not is_postgres(), reason="advisory locks are PostgreSQL's (SQLite serialises writers)")
def test_two_processes_sweeping_at_once_one_sweeps_and_the_other_skips(app, world):
    """Two rounds at once used to deadlock on PostgreSQL (each waiting on rows the other had updated);
    now the second sees the first's lock and skips, and the first's round is whole."""
    from service_hall.cases.sweep import run_sweep

    case_id = new_case(app, day="2026-11-02")
    when = at("2026-11-20")
    with app.app_context():
        first = db.session
        assert not run_sweep(first, now=when).skipped  # holds the lock until it commits
        other = sessionmaker(bind=db.engine)()
        try:
            assert run_sweep(other, now=when).skipped
            other.rollback()
            first.commit()
            assert not run_sweep(other, now=when).skipped  # the lock went with the first's commit
            other.rollback()
        finally:
            other.close()
    assert _status(app, case_id) == CaseStatus.ACCEPTED
