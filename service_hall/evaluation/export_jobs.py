"""Exports of the evaluation report that run in the background (docs/architecture.md, "Long work in the
worker"): the page asks for one, a worker (RQ with REDIS_URL, a thread of the app process without it)
computes the report and writes the file, recording its progress (percent and stage) as it goes; the page
refreshes until the file is ready and keeps it for ``KEEP_HOURS``.

The same export (same owner, format and period) is never run twice at once: while one is queued or running,
asking again returns it (a partial unique index enforces it across processes). Flask-free.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction

if TYPE_CHECKING:
    from service_hall.evaluation.report import EvaluationReport

KEEP_HOURS = 24
FORMATS = {"xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"),
           "pdf": ("application/pdf", "PDF 报告")}


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "生成失败"}[self.value]


ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
# The partial unique index of active jobs (migration 0016), raw DDL on both databases.
UNMAPPED_INDEXES = frozenset({"uq_export_jobs_active"})


class ExportJob(Base):
    """One requested export: its parameters, progress and, once done, the file."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # evaluation.xlsx / evaluation.pdf
    key: Mapped[str] = mapped_column(String(200))  # the parameters, as one comparable string
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(100), default="排队等待")
    filename: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
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
    def mimetype(self) -> str:
        return FORMATS[self.kind.split(".", 1)[1]][0]


def request_export(session: Session, *, owner_id: int, fmt: str, start: dt.date, end: dt.date,
                   now: dt.datetime) -> tuple[ExportJob, bool]:
    """The export job of ``owner_id`` for this format and period: the one already queued or running, or a
    new one. Returns (job, created). Raises ValidationFailed (unknown format)."""
    if fmt not in FORMATS:
        raise ValidationFailed("导出格式有误", details={"format": "请选择 Excel 表格或 PDF 报告"})
    kind = f"evaluation.{fmt}"
    key = f"{start.isoformat()}/{end.isoformat()}"

    def active() -> ExportJob | None:
        return session.scalar(select(ExportJob).where(ExportJob.owner_id == owner_id, ExportJob.kind == kind,
                                                      ExportJob.key == key, ExportJob.status.in_(ACTIVE)))

    found = active()
    if found is not None:
        return found, False
    job = ExportJob(owner_id=owner_id, kind=kind, key=key, params={"from": start.isoformat(), "to": end.isoformat()},
                    status=JobStatus.QUEUED.value, percent=0, stage="排队等待", created_at=now)
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


def own_job(session: Session, owner_id: int, job_id: int) -> ExportJob:
    """The owner's job. Raises NotFound for anyone else's (existence must not leak)."""
    job = session.get(ExportJob, job_id)
    if job is None or job.owner_id != owner_id:
        raise NotFound("未找到该导出任务")
    return job


def purge_old(session: Session, *, now: dt.datetime) -> int:
    """Forget finished exports older than KEEP_HOURS. Returns how many."""
    old = list(session.scalars(select(ExportJob).where(ExportJob.status.not_in(ACTIVE),
                                                       ExportJob.created_at < now - dt.timedelta(hours=KEEP_HOURS))))
    for job in old:
        session.delete(job)
    return len(old)


Progress = Callable[[int, str], None]


def run_export(session: Session, job: ExportJob, *, towns: Sequence[Jurisdiction], scope: str,
               now: dt.datetime, progress: Progress,
               complete: Callable[[Session, EvaluationReport], object] | None = None) -> None:
    """Compute the report and write the file into ``job``. ``progress(percent, stage)`` is called at each
    stage (the caller commits it so other processes see it); ``complete`` adds what packages above this
    one report (the 一件事 figures). Does not commit; raises what the export raises."""
    from service_hall.evaluation import export
    from service_hall.evaluation.report import Period, evaluate

    fmt = job.kind.split(".", 1)[1]
    period = Period(dt.date.fromisoformat(job.params["from"]), dt.date.fromisoformat(job.params["to"]))
    progress(10, "统计各乡镇、各事项数据")
    report = evaluate(session, towns, period)
    if complete is not None:
        complete(session, report)
    progress(50, "生成 Excel 表格" if fmt == "xlsx" else "排版 PDF 报告")
    data = export.to_xlsx(report, scope=scope) if fmt == "xlsx" else export.to_pdf(report, scope=scope,
                                                                                   generated_at=now)
    progress(90, "保存文件")
    job.content = data
    job.filename = export.file_stem(report) + "." + fmt
    job.status = JobStatus.DONE.value
    job.percent = 100
    job.stage = "文件已生成"
    job.finished_at = now
