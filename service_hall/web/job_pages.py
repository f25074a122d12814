"""The pages of background jobs, shared by every blueprint that offers one (docs/architecture.md, "Long work
in the worker"): starting a job once its row is committed, its progress page (refreshing itself without
JavaScript) and the streamed download of its file. A helper module, not a blueprint."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Response, after_this_request, current_app, flash, render_template

from service_hall import jobs
from service_hall.core.errors import NotFound
from service_hall.extensions import file_store
from service_hall.files.jobs import Job, expired
from service_hall.web.access import now


def keep_hours() -> int:
    return int(current_app.config.get("JOB_KEEP_HOURS", 24))


def start(job: Job, created: bool, *, joined: str = "同一任务正在处理，无需重复提交") -> None:
    """Start a new job after the request's unit of work committed its row; for an existing one, say so."""
    if not created:
        flash(joined)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job_id = job.id

    @after_this_request
    def begin(resp: Any) -> Any:  # after the unit of work committed the job row
        jobs.start_job(app, job_id)
        return resp


def status_page(template: str, job: Job, **context: Any) -> Any:
    """The job's page: ``template`` extends base.html and includes ``_job_status.html``."""
    return render_template(template, job=job, keep_hours=keep_hours(),
                           gone=expired(job, now=now(), keep_hours=keep_hours()), **context)


def attachment(filename: str) -> str:
    """A Content-Disposition for any file name: Chinese names go in RFC 6266's ``filename*`` (HTTP headers
    are Latin-1; gunicorn refuses anything else), with an ASCII ``filename`` for old clients."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii").strip() or "download"
        return f"attachment; filename=\"{simple}\"; filename*=UTF-8''{quote(filename, safe='!#$&+-.^_`|~')}"
    return f'attachment; filename="{filename}"'


def download(job: Job) -> Response:
    """The job's file, streamed from the file store. Raises NotFound (not ready yet, or past its keeping time)."""
    if not job.ready or job.result_sha256 is None:
        raise NotFound("文件尚未生成")
    if expired(job, now=now(), keep_hours=keep_hours()):
        raise NotFound(f"文件已超过 {keep_hours()} 小时的保留期限，请重新生成")
    resp = Response(file_store().chunks(job.result_sha256), mimetype=job.mimetype or "application/octet-stream")
    resp.headers["Content-Disposition"] = attachment(job.filename or "download")
    if job.result_size is not None:
        resp.headers["Content-Length"] = str(job.result_size)
    return resp
