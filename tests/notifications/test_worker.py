"""With REDIS_URL set, a request that wrote messages queues their delivery on RQ; the worker delivers."""

from __future__ import annotations

import uuid

import pytest

from tests.factories.clock import at
from tests.factories.database import redis_up
from tests.notifications.support import inbox_titles, submit_case

pytestmark = pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")


def test_the_worker_delivers_what_the_request_queued(app, client, world, runner, monkeypatch):
    import service_hall.jobs as jobs

    monkeypatch.setattr(jobs, "SWEEP_QUEUE", f"test-{uuid.uuid4().hex}")  # a queue of this test's own
    redis_url = "redis://127.0.0.1:6379/15"
    app.config["REDIS_URL"] = redis_url
    try:
        app.config["FIXED_NOW"] = at("2026-11-23")
        submit_case(app, client)
        assert inbox_titles(app, world["applicant"]) == []  # queued, not delivered inside the request
        assert len(jobs.queue(redis_url)) >= 1
        result = runner.invoke(args=["jobs", "worker", "--burst"])
        assert result.exit_code == 0, result.output
        assert inbox_titles(app, world["applicant"]) == ["申请已提交：农村村民宅基地审批"]
    finally:
        app.config["REDIS_URL"] = None
        jobs.queue(redis_url).empty()
