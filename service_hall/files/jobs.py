"""Long work run in the background (docs/architecture.md, "Long work in the worker"): exports of the
evaluation report and of a power list, imports of a power list. A page asks for a job, a worker (RQ with
REDIS_URL, a thread of the app process without it) runs it and records its progress (percent and stage) as
it goes; the page refreshes until the job is done and offers its file for ``keep_hours``.

The same job (same owner, kind and parameters) is never run twice at once: while one is queued or running,
asking again returns it (a partial unique index enforces it across processes). A job's file is kept in the
file store (``result_sha256``), so any app server can hand it out. Flask-free.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import NotFound

KEEP_HOURS = 24


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "处理中", "done": "已完成", "failed": "处理失败"}[self.value]


ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
# The partial unique index of active jobs (migration 0016), raw DDL on both databases.
UNMAPPED_INDEXES = frozenset({"uq_export_jobs_active"})


class Job(Base):
    """One requested piece of long work: its parameters, progress and, once done, its file or outcome.

    The table keeps the name it was created with (``export_jobs``)."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # evaluation.pdf, power_list.csv, power_list.import, …
    key: Mapped[str] = mapped_column(String(200))  # the parameters, as one comparable string
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(100), default="排队等待")
    filename: Mapped[str | None] = mapped_column(String(200))
    result_sha256: Mapped[str | None] = mapped_column(String(64))  # the file, in the file store
    result_size: Mapped[int | None] = mapped_column(BigInteger)
    mimetype: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what a job without a file found
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def job_status(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def ready(self) -> bool:
        return self.status == JobStatus.DONE.value and self.result_sha256 is not None


def request_job(session: Session, *, owner_id: int, kind: str, key: str, params: dict[str, Any],
                now: dt.datetime) -> tuple[Job, bool]:
    """The job of ``owner_id`` of this kind and key: the one already queued or running, or a new one.
    Returns (job, created)."""
    def active() -> Job | None:
        return session.scalar(select(Job).where(Job.owner_id == owner_id, Job.kind == kind, Job.key == key,
                                                Job.status.in_(ACTIVE)))

    found = active()
    if found is not None:
        return found, False
    job = Job(owner_id=owner_id, kind=kind, key=key[:200], params=params, status=JobStatus.QUEUED.value,
              percent=0, stage="排队等待", created_at=now)
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:  # another request created it a moment ago
        found = active()
        if found is None:
            raise
        return found, False
    return job, True


def own_job(session: Session, owner_id: int, job_id: int, *, kinds: tuple[str, ...] | None = None) -> Job:
    """The owner's job (of one of ``kinds`` when given). Raises NotFound for anyone else's (existence must
    not leak)."""
    job = session.get(Job, job_id)
    if job is None or job.owner_id != owner_id or (kinds is not None and job.kind.split(".", 1)[0] not in kinds):
        raise NotFound("未找到该任务")
    return job


def purge_old(session: Session, *, now: dt.datetime, keep_hours: int = KEEP_HOURS) -> set[str]:
    """Forget finished jobs older than ``keep_hours``. Returns the hashes of their files that nothing else
    refers to (no remaining job, no stored upload), for the caller to delete from the store after committing."""
    from service_hall.files.models import StoredBlob

    finished = func.coalesce(Job.finished_at, Job.created_at)  # as ``expired`` reckons
    old = list(session.scalars(select(Job).where(Job.status.not_in(ACTIVE),
                                                 finished < now - dt.timedelta(hours=keep_hours))))
    hashes = {job.result_sha256 for job in old if job.result_sha256}
    for job in old:
        session.delete(job)
    session.flush()
    if not hashes:
        return set()
    kept = set(session.scalars(select(Job.result_sha256).where(Job.result_sha256.in_(hashes))))
    kept |= set(session.scalars(select(StoredBlob.sha256).where(StoredBlob.sha256.in_(hashes))))
    return hashes - kept


def expired(job: Job, *, now: dt.datetime, keep_hours: int = KEEP_HOURS) -> bool:
    """Whether a finished job's file is past its keeping time."""
    return not job.active and (job.finished_at or job.created_at) < now - dt.timedelta(hours=keep_hours)


Progress = Callable[[int, str], None]


def finish(job: Job, *, now: dt.datetime, filename: str | None = None, sha256: str | None = None,
           size: int | None = None, mimetype: str | None = None, outcome: dict[str, Any] | None = None,
           stage: str = "已完成") -> None:
    """Record a job's result. Does not commit."""
    job.filename, job.result_sha256, job.result_size, job.mimetype = filename, sha256, size, mimetype
    job.outcome = outcome
    job.status, job.percent, job.stage, job.finished_at = JobStatus.DONE.value, 100, stage, now
