"""Long exports in the background (docs/architecture.md, "Long work in the worker"): the supervisor asks
for the evaluation report as a file, watches its progress on a page that refreshes itself, and downloads
it when ready; asking again while it runs returns the same job; nobody else can see it."""

from __future__ import annotations

import re
import time

import pytest

from service_hall.evaluation.export_jobs import request_export
from service_hall.extensions import db
from service_hall.files.jobs import Job as ExportJob
from service_hall.files.jobs import JobStatus
from tests.factories.cases import approved_case
from tests.factories.clock import at
from tests.factories.web import csrf_token, login

PAGE = "/supervision/evaluation?from=2026-01-01&to=2026-11-30"


def _ask(client, fmt: str = "xlsx"):
    token = csrf_token(client, PAGE)
    return client.post("/supervision/evaluation/export",
                       data={"csrf_token": token, "from": "2026-01-01", "to": "2026-11-30", "format": fmt})


def _wait(app, job_id: int) -> ExportJob:
    for _ in range(300):
        with app.app_context():
            job = db.session.get(ExportJob, job_id)
            if job is not None and not job.active:
                db.session.expunge(job)
                return job
        time.sleep(0.1)
    raise AssertionError("export did not finish")


@pytest.mark.committing
def test_supervisor_exports_in_the_background_and_downloads_when_ready(app, client, cworld):
    approved_case(app, day="2026-11-12")
    app.config["FIXED_NOW"] = at("2026-11-30")
    login(client, "super")
    resp = _ask(client)
    assert resp.status_code == 302
    status_url = resp.headers["Location"]
    job_id = int(re.search(r"/exports/(\d+)", status_url).group(1))
    page = client.get(status_url).get_data(as_text=True)
    assert "<progress" in page and "%" in page
    job = _wait(app, job_id)
    assert job.status == JobStatus.DONE.value and job.percent == 100
    done = client.get(status_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and "下载" in done
    file = client.get(f"/supervision/exports/{job_id}/download")
    assert file.status_code == 200 and file.data[:2] == b"PK"  # an XLSX (zip) file
    # HTTP headers are Latin-1 (gunicorn refuses others): the Chinese name travels as filename*.
    disposition = file.headers["Content-Disposition"]
    disposition.encode("latin-1")
    assert "filename*=UTF-8''%E8%B5%8B%E6%9D%83" in disposition  # 赋权…
    # Another supervisor (白沙镇) cannot see it.
    other = app.test_client()
    login(other, "super.baisha")
    assert other.get(status_url).status_code == 404
    assert other.get(f"/supervision/exports/{job_id}/download").status_code == 404


def test_the_same_export_is_not_queued_twice_while_it_runs(app, cworld):
    with app.app_context():
        owner = cworld["super"]
        first, created = request_export(db.session, owner_id=owner, fmt="pdf", start=at("2026-01-01").date(),
                                        end=at("2026-11-30").date(), now=at("2026-11-30"))
        again, created_again = request_export(db.session, owner_id=owner, fmt="pdf", start=first.created_at.date()
                                              .replace(month=1, day=1), end=at("2026-11-30").date(),
                                              now=at("2026-11-30"))
        assert created and not created_again and again.id == first.id
        first.status = JobStatus.DONE.value
        db.session.flush()
        later, created_later = request_export(db.session, owner_id=owner, fmt="pdf",
                                              start=at("2026-01-01").date(), end=at("2026-11-30").date(),
                                              now=at("2026-11-30"))
        assert created_later and later.id != first.id
        db.session.rollback()


def test_a_bad_format_or_period_is_refused_in_chinese(app, client, cworld):
    app.config["FIXED_NOW"] = at("2026-11-30")
    login(client, "super")
    token = csrf_token(client, PAGE)
    resp = client.post("/supervision/evaluation/export", data={"csrf_token": token, "from": "2026-13-01",
                                                               "to": "2026-11-30", "format": "xlsx"},
                       follow_redirects=True)
    assert "日期格式应为" in resp.get_data(as_text=True)  # the period form again, the field marked
    resp = client.post("/supervision/evaluation/export", data={"csrf_token": token, "from": "2026-01-01",
                                                               "to": "2026-11-30", "format": "doc"},
                       follow_redirects=True)
    assert "请选择 Excel 表格或 PDF 报告" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ExportJob).count() == 0
