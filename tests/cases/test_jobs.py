"""With REDIS_URL set, the sweep runs as an RQ job on the Redis at 127.0.0.1:6379."""

from __future__ import annotations

import uuid

import pytest

from service_hall.cases.models import Application, CaseStatus
from service_hall.extensions import db
from tests.factories.clock import at
from tests.factories.database import redis_up
from tests.factories.web import apply_for_homestead, login

pytestmark = pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")


def test_sweep_is_queued_once_and_run_by_the_worker(app, client, world, runner, monkeypatch):
    import service_hall.jobs as jobs

    # A private queue and lock so parallel runs on the same Redis do not meet.
    suffix = uuid.uuid4().hex
    monkeypatch.setattr(jobs, "SWEEP_QUEUE", f"test-{suffix}")
    monkeypatch.setattr(jobs, "SWEEP_LOCK_KEY", f"test-lock-{suffix}")
    app.config["FIXED_NOW"] = at("2026-11-02")
    login(client, "13900000001")
    apply_for_homestead(client)
    app.config.pop("FIXED_NOW")
    redis_url = "redis://127.0.0.1:6379/15"
    try:
        assert jobs.enqueue_sweep(redis_url) is True
        assert jobs.enqueue_sweep(redis_url) is False  # one per minute across app servers
        assert len(jobs.queue(redis_url)) == 1
        app.config["REDIS_URL"] = redis_url
        result = runner.invoke(args=["jobs", "worker", "--burst"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            case = db.session.query(Application).one()
            assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted
    finally:
        app.config["REDIS_URL"] = None
        conn = jobs.connection(redis_url)
        conn.delete(jobs.SWEEP_LOCK_KEY)
        jobs.queue(redis_url).empty()


def test_worker_refuses_to_start_without_redis(runner, app):
    assert app.config.get("REDIS_URL") is None
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1 and "未设置 REDIS_URL" in result.output
