"""A big list's export and import run as background jobs (docs/architecture.md, "Long work in the worker"):
the legal officer asks, watches the progress page (refreshing itself, no JavaScript), then downloads the file
or sees the preview; asking again while a job runs joins it; a job runs once; files are kept for a time and
only their owner reaches them."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from power_lists.demo import demo_document
from power_lists.files import write_json
from power_lists.jobs import request_export
from power_lists.models import PowerListVersion
from service_hall import jobs
from service_hall.accounts.models import User
from service_hall.extensions import db
from service_hall.files.jobs import Job, JobStatus
from tests.factories.jobs import follow_job
from tests.factories.web import csrf_token, login

pytestmark = pytest.mark.committing  # the job runs in another thread, on its own connection


def _v1(app) -> int:
    with app.app_context():
        return db.session.scalar(select(PowerListVersion.id).where(PowerListVersion.number == 1))


def _ask(client, version_id: int, fmt: str):
    token = csrf_token(client, f"/legal/versions/{version_id}")
    return client.post(f"/legal/versions/{version_id}/exports", data={"csrf_token": token, "format": fmt})


def test_a_version_exports_in_the_background_in_each_format(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    v1 = _v1(app)
    page = client.get(f"/legal/versions/{v1}").get_data(as_text=True)
    assert "导出 JSON" in page and f'action="/legal/versions/{v1}/exports"' in page
    for fmt, media in (("json", "application/json"), ("csv", "text/csv"), ("xlsx", "spreadsheetml")):
        resp = _ask(client, v1, fmt)
        assert resp.status_code == 302
        status_url = resp.headers["Location"]
        assert re.search(r"/legal/exports/\d+$", status_url)
        done = follow_job(client, status_url)
        text = done.get_data(as_text=True)
        assert done.status_code == 200 and "已完成，文件已生成（100%）" in text and "<progress" in text
        link = re.search(r'href="(/legal/exports/\d+/download)"', text).group(1)
        file = client.get(link)
        assert file.status_code == 200 and media in file.headers["Content-Type"]
        assert "power-list-" in file.headers["Content-Disposition"] and f".{fmt}" in file.headers["Content-Disposition"]
        if fmt != "xlsx":  # the same file as the direct download
            assert file.data == client.get(f"/legal/versions/{v1}/export/{fmt}").data
        else:
            assert file.data[:2] == b"PK"


def test_asking_again_while_it_runs_joins_it_and_a_job_runs_once(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    v1 = _v1(app)
    with app.app_context():  # a job already queued (another request, another server)
        officer = db.session.scalar(select(User).where(User.username == "fz1"))
        queued, created = request_export(db.session, owner=officer, county_id=officer.jurisdiction_id,
                                         version_id=v1, fmt="json", now=fixed_now)
        db.session.commit()
        queued_id = queued.id
    assert created
    resp = _ask(client, v1, "json")
    assert resp.headers["Location"].endswith(f"/legal/exports/{queued_id}")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "同一导出正在生成，无需重复提交" in page and "排队中" in page and 'http-equiv="refresh"' in page
    with app.app_context():
        assert jobs.run_job(queued_id) == "done"
        assert jobs.run_job(queued_id) == "skipped"  # done: never run again
        assert db.session.query(Job).count() == 1
    assert "下载 power-list-" in follow_job(client, resp.headers["Location"]).get_data(as_text=True)


def test_only_the_owner_reaches_the_file_and_only_for_its_keeping_time(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    status_url = _ask(client, _v1(app), "csv").headers["Location"]
    follow_job(client, status_url)
    other = app.test_client()
    login(other, "fz2")
    assert other.get(status_url).status_code == 404
    assert other.get(status_url + "/download").status_code == 404
    assert client.get(status_url + "/download").status_code == 200
    with app.app_context():
        finished = db.session.scalar(select(Job.finished_at))
    app.config["FIXED_NOW"] = finished + dt.timedelta(hours=app.config["JOB_KEEP_HOURS"], minutes=1)
    assert "已超过 24 小时的保留期限" in client.get(status_url).get_data(as_text=True)
    gone = client.get(status_url + "/download")
    assert gone.status_code == 404 and "保留期限" in gone.get_data(as_text=True)
    with app.app_context():  # the next job to finish forgets it, and its file
        old = db.session.scalar(select(Job))
        old_id, old_file = old.id, old.result_sha256
        old.finished_at = old.created_at = finished - dt.timedelta(hours=25)
        db.session.commit()
    follow_job(client, _ask(client, _v1(app), "json").headers["Location"])
    with app.app_context():
        from service_hall.extensions import file_store

        assert db.session.get(Job, old_id) is None and not file_store(app).exists(old_file)
    assert client.get(status_url).status_code == 404


def test_an_unknown_format_is_refused_in_chinese(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    resp = _ask(client, _v1(app), "pdf")
    assert resp.status_code == 404 and "不支持该导出格式" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Job).count() == 0


def test_the_same_file_uploaded_twice_joins_one_import(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    data = write_json(demo_document())
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "fz1"))
        from power_lists import jobs as list_jobs
        from service_hall.extensions import file_store

        first, _ = list_jobs.request_import(db.session, file_store(app).scoped(list_jobs.UPLOADS), owner=officer,
                                            county=officer.jurisdiction, filename="清单.json", content=data,
                                            now=fixed_now)
        db.session.commit()
        first_id = first.id
    token = csrf_token(client, "/legal/import")
    resp = client.post("/legal/import", data={"csrf_token": token, "file": (io.BytesIO(data), "清单.json")},
                       content_type="multipart/form-data")
    assert resp.headers["Location"].endswith(f"/legal/import/jobs/{first_id}")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "同一文件正在校验，无需重复上传" in page and "<progress" in page
    with app.app_context():
        assert jobs.run_job(first_id) == "done"
        job = db.session.get(Job, first_id)
        assert job.status == JobStatus.DONE.value and "token" in job.outcome
    preview = client.get(resp.headers["Location"])
    assert preview.status_code == 302 and "/legal/import/" in preview.headers["Location"]
    assert "导入预览" in client.get(preview.headers["Location"]).get_data(as_text=True)
