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
    from flask import current_app

    from service_hall.cases.sweep import run_sweep
    from service_hall.core.base import utcnow
    from service_hall.extensions import current_session, db
    from service_hall.notifications.channels import configure_session

    configure_session(current_session(), current_app.config)
    result = run_sweep(current_session(), now=utcnow())
    db.session.commit()
    dispatch_job()  # reminders just written, and retries that fell due
    return {"deemed": [c.case_number for c in result.deemed], "triggers": len(result.triggers),
            "superseded": [v.number for v in result.superseded]}


# --- notifications: delivering the outbox (docs/notifications.md) -----------------------------------

def dispatch_outbox(session: Any, config: Any, *, now: Any = None, limit: int = 200,
                    channels: Any = None) -> dict[str, int]:
    """Deliver due outbox messages: claim a batch (committed), send and mark each (committed one by one),
    until nothing is due or ``limit`` messages were handled. ``now`` is a callable giving the clock.
    Returns counts by outcome. A channel's failure is recorded on its message, never raised."""
    from service_hall.core.base import utcnow
    from service_hall.notifications.channels import channels_from_config
    from service_hall.notifications.dispatch import claim, deliver
    from service_hall.notifications.models import ChannelName

    clock = now or utcnow
    available = channels_from_config(config)
    base_url = str(config.get("PUBLIC_BASE_URL") or "")
    signature = str(config.get("SMS_SIGNATURE") or "")
    counts: dict[str, int] = {}
    handled = 0
    while handled < limit:
        ids = claim(session, now=clock(), limit=min(50, limit - handled), channels=channels)
        session.commit()
        if not ids:
            break
        for message_id in ids:
            message = deliver(session, message_id, available, now=clock(), base_url=base_url, signature=signature)
            if message is None:
                continue
            counts[message.status.value] = counts.get(message.status.value, 0) + 1
            # What left the building is marked at once (a crash resends only that one, under its idempotency
            # key); inbox rows are written and marked in one transaction per batch.
            if message.channel is not ChannelName.INBOX:
                session.commit()
        session.commit()
        handled += len(ids)
    return counts


def enqueue_dispatch(redis_url: str) -> None:
    """Queue a delivery run of the outbox (after a commit that wrote messages)."""
    Queue(SWEEP_QUEUE, connection=connection(redis_url)).enqueue(dispatch_job, job_timeout=300, result_ttl=600)


def dispatch_job() -> dict[str, int]:
    """Deliver the outbox in the worker's app context."""
    from flask import current_app

    from service_hall.extensions import db

    return dispatch_outbox(db.session, current_app.config, limit=1000)
