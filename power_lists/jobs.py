"""Power-list exports and imports run as background jobs (``service_hall/files/jobs.py``; docs/architecture.md,
"Long work in the worker"): what each job is asked with and what it computes. Flask-free.

An import keeps the uploaded file in the file store (scope ``UPLOADS``) under its SHA-256; the job reads it,
checks it like the synchronous import did and stages it for the preview (``versions.stage_import``), or
records every problem by row and column. The same file (or the same version and format) is never processed
twice at once: asking again joins the running job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy.orm import Session

from power_lists import queries, versions
from power_lists.document import version_document
from power_lists.errors import ImportRejected
from power_lists.files import FORMATS, MEDIA_TYPES, read_document, write_document
from service_hall.accounts.models import User
from service_hall.core.errors import NotFound
from service_hall.files.jobs import Job, Progress, request_job
from service_hall.files.store import FileStore
from service_hall.jurisdictions.models import Jurisdiction

KIND = "power_list"
IMPORT_KIND = f"{KIND}.import"
UPLOADS = "list-imports"


def request_export(session: Session, *, owner: User, county_id: int, version_id: int, fmt: str,
                   now: dt.datetime) -> tuple[Job, bool]:
    """The export job of this version (of the owner's county) in ``fmt``. Raises NotFound (another county's
    version, or an unknown format)."""
    if fmt not in FORMATS:
        raise NotFound("不支持该导出格式")
    queries.get_version(session, version_id, county_id=county_id)
    return request_job(session, owner_id=owner.id, kind=f"{KIND}.{fmt}", key=f"{version_id}",
                       params={"version_id": version_id, "county_id": county_id}, now=now)


def run_export(session: Session, job: Job, *, progress: Progress) -> tuple[str, bytes, str]:
    """Returns (filename, content, media type)."""
    fmt = job.kind.split(".", 1)[1]
    version = queries.get_version(session, int(job.params["version_id"]), county_id=int(job.params["county_id"]))
    progress(20, f"读取 {len(version.items)} 个事项")
    document = version_document(version)
    progress(60, f"写出 {fmt.upper()} 文件")
    data = write_document(document, fmt)  # type: ignore[arg-type]
    return f"power-list-{version.county.code}-v{version.number}.{fmt}", data, MEDIA_TYPES[fmt]


def request_import(session: Session, store: FileStore, *, owner: User, county: Jurisdiction, filename: str,
                   content: bytes, now: dt.datetime) -> tuple[Job, bool]:
    """Keep the upload and return its import job (the running one for the same file, if any)."""
    digest = hashlib.sha256(content).hexdigest()
    store.write(digest, content)
    return request_job(session, owner_id=owner.id, kind=IMPORT_KIND, key=f"{county.id}/{digest}",
                       params={"county_id": county.id, "sha256": digest, "filename": filename[:200]}, now=now)


def run_import(session: Session, job: Job, store: FileStore, *, now: dt.datetime,
               progress: Progress) -> dict[str, Any]:
    """Check the file and stage it. Returns {"token": …} for the preview, or {"message": …, "problems": [{row,
    unit, column, message}, …]} when the file is rejected (nothing imported)."""
    county = session.get(Jurisdiction, int(job.params["county_id"]))
    owner = session.get(User, job.owner_id)
    if county is None or owner is None:
        raise NotFound("未找到该县（市、区）")
    progress(10, "读取上传的文件")
    content = store.read(str(job.params["sha256"]))
    filename = str(job.params["filename"])
    progress(30, "逐行校验清单内容")
    try:
        document = read_document(filename, content, versions.town_directory(session, county),
                                 county_code=county.code, county_name=county.name,
                                 previous=versions.previous_items(session, county))
    except ImportRejected as exc:
        return {"message": exc.message,
                "problems": [{"row": p.row, "unit": p.unit, "column": p.column, "message": p.message}
                             for p in exc.problems]}
    progress(80, "生成导入预览")
    return {"token": versions.stage_import(session, county, document, filename=filename, actor=owner, now=now)}
