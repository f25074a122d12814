"""Background jobs on Redis + RQ when REDIS_URL is set (several app servers, no local state).

Without Redis the same work runs in-process (see ``service_hall.web.sweeper``). The worker runs jobs
inside one app context: ``flask --app wsgi jobs worker``.
"""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue

SWEEP_QUEUE = "service_hall"
# One enqueue per minute across every app server, whichever request comes first.
SWEEP_LOCK_KEY = "service_hall:sweep:enqueued"
SWEEP_LOCK_SECONDS = 60


def connection(redis_url: str) -> Redis:
    return Redis.from_url(redis_url)


def queue(redis_url: str) -> Queue:
    return Queue(SWEEP_QUEUE, connection=connection(redis_url))


def enqueue_sweep(redis_url: str) -> bool:
    """Queue a sweep unless one was queued in the last minute. Returns whether it queued one."""
    conn = connection(redis_url)
    if not conn.set(SWEEP_LOCK_KEY, "1", nx=True, ex=SWEEP_LOCK_SECONDS):
        return False
    Queue(SWEEP_QUEUE, connection=conn).enqueue(sweep_job, job_timeout=300, result_ttl=3600)
    return True


def sweep_job() -> dict[str, Any]:
    """Run the daily sweep in the worker's app context and commit."""
    from service_hall.cases.sweep import run_sweep
    from service_hall.core.base import utcnow
    from service_hall.extensions import current_session, db

    result = run_sweep(current_session(), now=utcnow())
    db.session.commit()
    return {"deemed": [c.case_number for c in result.deemed], "triggers": len(result.triggers),
            "superseded": [v.number for v in result.superseded]}
