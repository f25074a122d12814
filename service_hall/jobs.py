"""Background jobs on Redis + RQ when REDIS_URL is set (several app servers, no local state).

Without Redis the same work runs in-process (see ``service_hall.web.sweeper``). The worker runs jobs
inside one app context: ``flask --app wsgi jobs worker``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:  # redis and rq are imported where a job is queued: a worker without REDIS_URL never loads them
    from redis import Redis
    from rq import Queue

SWEEP_QUEUE = "service_hall"
# One enqueue per minute across every app server, whichever request comes first.
SWEEP_LOCK_KEY = "service_hall:sweep:enqueued"
SWEEP_LOCK_SECONDS = 60


def connection(redis_url: str) -> Redis:
    from redis import Redis

    return Redis.from_url(redis_url)


def queue(redis_url: str) -> Queue:
    return queue_on(connection(redis_url))


def queue_on(conn: Redis) -> Queue:
    from rq import Queue

    return Queue(SWEEP_QUEUE, connection=conn)


def enqueue_sweep(redis_url: str) -> bool:
    """Queue a sweep unless one was queued in the last minute. Returns whether it queued one."""
    conn = connection(redis_url)
    if not conn.set(SWEEP_LOCK_KEY, "1", nx=True, ex=SWEEP_LOCK_SECONDS):
        return False
    queue_on(conn).enqueue(sweep_job, job_timeout=300, result_ttl=3600)
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
    from service_hall.notifications.sealing import erase_expired

    clock = now or utcnow
    available = channels_from_config(config)
    base_url = str(config.get("PUBLIC_BASE_URL") or "")
    signature = str(config.get("SMS_SIGNATURE") or "")
    counts: dict[str, int] = {}
    handled = 0
    erase_expired(session, now=clock())
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
    queue(redis_url).enqueue(dispatch_job, job_timeout=300, result_ttl=600)


def dispatch_job() -> dict[str, int]:
    """Deliver the outbox in the worker's app context."""
    from flask import current_app

    from service_hall.extensions import db

    return dispatch_outbox(db.session, current_app.config, limit=1000)


# --- long work: exports and imports as jobs (docs/architecture.md, "Long work in the worker") -------------

JOB_TIMEOUT_SECONDS = 3600


@dataclass
class JobResult:
    """What a job's runner hands back: a file (its pieces, so a big one is never whole in memory), or an
    outcome without a file; ``rejected`` when the work found the input wrong (the outcome says where)."""

    filename: str | None = None
    chunks: Iterable[bytes] | None = None
    mimetype: str | None = None
    outcome: dict[str, Any] | None = None
    rejected: bool = False
    stage: str = "已完成"


def _pieces(data: bytes, size: int = 1024 * 1024) -> Iterator[bytes]:
    return (data[i:i + size] for i in range(0, len(data), size))


def _evaluation(session: Any, job: Any, progress: Any) -> JobResult:
    from service_hall.accounts.models import User
    from service_hall.bundles.figures import add_to_report
    from service_hall.core.base import utcnow
    from service_hall.evaluation.export_jobs import run_export
    from service_hall.jurisdictions.operations import visible_towns

    owner = session.get(User, job.owner_id)
    assert owner is not None
    scope = owner.jurisdiction.name if owner.jurisdiction else ""
    filename, data, mimetype = run_export(session, job, towns=visible_towns(session, owner), scope=scope,
                                          now=utcnow(), progress=progress, complete=add_to_report)
    return JobResult(filename, _pieces(data), mimetype, stage="文件已生成")


def _power_list(session: Any, job: Any, progress: Any) -> JobResult:
    from flask import current_app

    from power_lists import jobs as list_jobs
    from service_hall.core.base import utcnow
    from service_hall.extensions import file_store

    if job.kind == list_jobs.IMPORT_KIND:
        outcome = list_jobs.run_import(session, job, file_store(current_app).scoped(list_jobs.UPLOADS),
                                       now=utcnow(), progress=progress)
        return JobResult(outcome=outcome, rejected="problems" in outcome,
                         stage="文件有错误，未导入" if "problems" in outcome else "文件校验通过")
    filename, data, mimetype = list_jobs.run_export(session, job, progress=progress)
    return JobResult(filename, _pieces(data), mimetype, stage="文件已生成")


# Which runner does a kind of job: the part of ``Job.kind`` before the dot.
RUNNERS: dict[str, Callable[[Any, Any, Any], JobResult]] = {"evaluation": _evaluation, "power_list": _power_list}


def run_job(job_id: int) -> str:
    """Run one job in the current app context, committing its progress stage by stage so the page polling
    it sees the percent move, and its file into the file store. A job no longer queued (done, failed, taken
    by another worker) is left alone: a job runs once."""
    from flask import current_app

    from service_hall.core.base import utcnow
    from service_hall.extensions import current_session, db, file_store
    from service_hall.files.jobs import Job, JobStatus, finish

    session = current_session()
    job = session.scalar(select(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
                         .with_for_update(skip_locked=True))
    if job is None:
        db.session.rollback()
        return "skipped"
    job.status, job.percent, job.stage = JobStatus.RUNNING.value, 5, "开始处理"
    db.session.commit()

    def progress(percent: int, stage: str) -> None:
        job.percent, job.stage = percent, stage
        db.session.commit()

    try:
        result = RUNNERS[job.kind.split(".", 1)[0]](session, job, progress)
        sha256 = size = None
        if result.chunks is not None:
            progress(95, "保存文件")
            sha256, size = file_store(current_app).write_stream(result.chunks)
        finish(job, now=utcnow(), filename=result.filename, sha256=sha256, size=size, mimetype=result.mimetype,
               outcome=result.outcome, stage=result.stage)
        if result.rejected:
            job.status = JobStatus.FAILED.value
        db.session.commit()
        _forget_old_jobs()
        return "rejected" if result.rejected else "done"
    except Exception as exc:  # recorded on the job for the page to show; the worker goes on
        db.session.rollback()
        failed = session.get(Job, job_id)
        if failed is not None:
            failed.status, failed.stage = JobStatus.FAILED.value, "处理失败，请稍后重试"
            failed.error = f"{type(exc).__name__}: {exc}"[:2000]
            failed.finished_at = utcnow()
            db.session.commit()
        return "failed"


def _forget_old_jobs() -> None:
    """Each finished job clears the jobs past their keeping time, and their files nothing else uses."""
    from flask import current_app

    from service_hall.core.base import utcnow
    from service_hall.extensions import current_session, db, file_store
    from service_hall.files.jobs import purge_old

    unused = purge_old(current_session(), now=utcnow(), keep_hours=int(current_app.config.get("JOB_KEEP_HOURS", 24)))
    db.session.commit()
    store = file_store(current_app)
    for sha256 in unused:
        store.delete(sha256)


def start_job(app: Any, job_id: int) -> None:
    """Queue the job on RQ when REDIS_URL is set, else run it in a thread of this process (its own app
    context). Call it after the job row is committed."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        queue(redis_url).enqueue(
            run_job, job_id, job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=3600, job_id=f"job-{job_id}")
        return
    import threading

    def run() -> None:
        from service_hall.extensions import db

        with app.app_context():
            try:
                run_job(job_id)
            finally:
                db.session.remove()

    threading.Thread(target=run, name=f"job-{job_id}", daemon=True).start()
