"""Exports of the evaluation report run as background jobs (``service_hall/files/jobs.py``;
docs/architecture.md, "Long work in the worker"): the job's parameters and what it computes. Flask-free."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from service_hall.core.errors import ValidationFailed
from service_hall.files.jobs import Job, Progress, request_job
from service_hall.jurisdictions.models import Jurisdiction

if TYPE_CHECKING:
    from service_hall.evaluation.report import EvaluationReport

KIND = "evaluation"
FORMATS = {"xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"),
           "pdf": ("application/pdf", "PDF 报告")}


def request_export(session: Session, *, owner_id: int, fmt: str, start: dt.date, end: dt.date,
                   now: dt.datetime) -> tuple[Job, bool]:
    """The export job of ``owner_id`` for this format and period: the one already queued or running, or a
    new one. Returns (job, created). Raises ValidationFailed (unknown format)."""
    if fmt not in FORMATS:
        raise ValidationFailed("导出格式有误", details={"format": "请选择 Excel 表格或 PDF 报告"})
    return request_job(session, owner_id=owner_id, kind=f"{KIND}.{fmt}", key=f"{start.isoformat()}/{end.isoformat()}",
                       params={"from": start.isoformat(), "to": end.isoformat()}, now=now)


def run_export(session: Session, job: Job, *, towns: Sequence[Jurisdiction], scope: str,
               now: dt.datetime, progress: Progress,
               complete: Callable[[Session, EvaluationReport], object] | None = None) -> tuple[str, bytes, str]:
    """Compute the report and its file. ``progress(percent, stage)`` is called at each stage (the caller
    commits it so other processes see it); ``complete`` adds what packages above this one report (the
    一件事 figures). Returns (filename, content, media type)."""
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
    return export.file_stem(report) + "." + fmt, data, FORMATS[fmt][0]
