"""Several workers on PostgreSQL + Redis (README.md, "Scale-out"): gunicorn with 3 workers and two RQ
workers, started here on loopback, serve one journey — an online submission with its materials, a clerk
opening a material, a supervisor's export made by the RQ workers and downloaded — across different
processes. The sessions and the file store (PostgreSQL large objects) are shared, and the export ran once
although it was delivered to the workers twice.

Runs only when TEST_DATABASE_URL is PostgreSQL and Redis answers on 127.0.0.1:6379; every wait is bounded
and every process started here is stopped here."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue
from rq.job import Job as RqJob
from sqlalchemy import select, text

from service_hall import jobs
from service_hall.cases.models import Application, ApplicationMaterial
from service_hall.extensions import db
from service_hall.files.jobs import Job
from tests.factories.accounts import PASSWORD
from tests.factories.cases import approved_case
from tests.factories.database import TEST_DATABASE_URL, is_postgres
from tests.factories.files import PDF, PNG
from tests.factories.forms import form_data
from tests.factories.web import APPLY, CSRF_RE, KEY_RE

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own: no other worker takes these jobs


def _redis_up() -> bool:
    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


pytestmark = [pytest.mark.skipif(not is_postgres(), reason="scale-out runs on PostgreSQL (TEST_DATABASE_URL)"),
              pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379"),
              pytest.mark.postgres_only, pytest.mark.committing]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cluster(app, tmp_path) -> Iterator[str]:
    """gunicorn (3 workers) and two RQ workers on the test database, Redis and one file store."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "REDIS_URL": REDIS_URL, "FILE_STORE": "postgres",
           "SECRET_KEY": "scale-out-secret", "AUDIT_KEY": app.config["AUDIT_KEY"],
           "INSTANCE_PATH": str(tmp_path / "instance"), "FILE_STORE_PATH": str(tmp_path / "unused-local-files"),
           "SIGNING_KEY_PATH": str(tmp_path / "signing"), "SESSION_COOKIE_SECURE": "0", "RATELIMIT_ENABLED": "0",
           "SWEEP_MODE": "request", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONPATH": str(ROOT)}
    Queue(jobs.SWEEP_QUEUE, connection=Redis.from_url(REDIS_URL)).empty()
    logs = tmp_path / "logs"
    logs.mkdir()
    commands = {"gunicorn": [str(BIN / "gunicorn"), "--workers", "3", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                             "tests.scale.served_by:app"],
                **{f"worker{n}": [str(BIN / "flask"), "--app", "wsgi", "jobs", "worker"] for n in range(2)}}
    outputs = {name: (logs / f"{name}.out").open("w") for name in commands}
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=outputs[name], stderr=subprocess.STDOUT)
                 for name, command in commands.items()]
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # a busy machine boots three workers slowly
            try:
                if requests.get(base + "/healthz", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not start: " + (logs / "gunicorn.out").read_text()[-2000:])
        yield base
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for output in outputs.values():
            output.close()
        with app.app_context():  # emptying the tables after the test leaves the large objects: unlink them
            db.session.execute(text("SELECT lo_unlink(oid) FROM stored_large_objects"))
            db.session.commit()
        Queue(jobs.SWEEP_QUEUE, connection=Redis.from_url(REDIS_URL)).empty()


class Browser:
    """A person's requests: one cookie jar, a new connection each time (gunicorn's sync workers close it),
    remembering which worker answered."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.served_by: list[str] = []

    def get(self, path: str, **kw) -> requests.Response:
        resp = self.http.get(self.base + path, allow_redirects=False, timeout=60, **kw)
        self.served_by.append(resp.headers["X-Served-By"])
        return resp

    def post(self, path: str, data: dict, **kw) -> requests.Response:
        resp = self.http.post(self.base + path, data=data, allow_redirects=False, timeout=60, **kw)
        self.served_by.append(resp.headers["X-Served-By"])
        return resp

    def token(self, path: str) -> str:
        return CSRF_RE.search(self.get(path).text).group(1)

    def login(self, username: str) -> None:
        resp = self.post("/login", {"username": username, "password": PASSWORD, "csrf_token": self.token("/login")})
        assert resp.status_code == 302, resp.text[:500]

    def elsewhere(self, path: str, *, than: str) -> requests.Response:
        """GET ``path`` until a worker other than ``than`` answers (bounded)."""
        for _ in range(60):
            resp = self.get(path)
            if resp.headers["X-Served-By"] != than:
                return resp
        raise AssertionError(f"every answer to {path} came from worker {than}")


def test_three_workers_and_two_rq_workers_share_sessions_files_and_jobs(app, cworld, cluster):
    approved_case(app, day="2026-11-12")  # something for the report to count

    # An applicant signs in on one worker and is still signed in on another.
    applicant = Browser(cluster)
    applicant.login("13900000001")
    signed_in_on = applicant.served_by[-1]
    portal = applicant.elsewhere("/portal/", than=signed_in_on)
    assert portal.status_code == 200 and "退出" in portal.text

    # The submission's materials go into the shared store through whichever worker takes the POST.
    page = applicant.get(APPLY).text
    own_pdf = PDF.replace(b"%%EOF", b"%scale-out\n%%EOF")  # not a content the test process already stored
    files = {"material-M01": ("申请表.pdf", io.BytesIO(own_pdf), "application/pdf"),
             "material-M02": ("身份证.png", io.BytesIO(PNG), "image/png")}
    resp = applicant.post(APPLY, {**form_data(), "csrf_token": CSRF_RE.search(page).group(1),
                                  "submission_key": KEY_RE.search(page).group(1)}, files=files)
    assert resp.status_code == 302, resp.text[:1500]
    stored_by = applicant.served_by[-1]
    with app.app_context():
        case = db.session.scalars(select(Application).order_by(Application.id.desc())).first()
        material = db.session.scalars(select(ApplicationMaterial).where(
            ApplicationMaterial.application_id == case.id)).first()
        case_id, material_id = case.id, material.id
        expected = own_pdf if material.file.filename.endswith(".pdf") else PNG

    # A clerk opens the material on another worker: the file store is shared.
    clerk = Browser(cluster)
    clerk.login("clerk1")
    opened = clerk.elsewhere(f"/workbench/cases/{case_id}/materials/{material_id}", than=stored_by)
    assert opened.status_code == 200 and opened.content == expected

    # A supervisor asks for the report; the job reaches the RQ workers twice, runs once.
    supervisor = Browser(cluster)
    supervisor.login("super")
    period = {"from": "2026-01-01", "to": "2026-11-30"}
    token = supervisor.token("/supervision/evaluation?from=2026-01-01&to=2026-11-30")
    resp = supervisor.post("/supervision/evaluation/export", {**period, "format": "xlsx", "csrf_token": token})
    assert resp.status_code == 302
    asked_on = supervisor.served_by[-1]
    job_id = int(re.search(r"/exports/(\d+)$", resp.headers["Location"]).group(1))
    duplicate = Queue(jobs.SWEEP_QUEUE, connection=Redis.from_url(REDIS_URL)).enqueue(jobs.run_job, job_id)
    status_path = f"/supervision/exports/{job_id}"
    for _ in range(600):
        page = supervisor.get(status_path).text
        if 'http-equiv="refresh"' not in page:
            break
        time.sleep(0.1)
    assert "已完成，文件已生成（100%）" in page, page[:2000]
    download = supervisor.elsewhere(f"{status_path}/download", than=asked_on)
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert "attachment" in download.headers["Content-Disposition"]

    connection = Redis.from_url(REDIS_URL)
    results = []
    for rq_id in (f"job-{job_id}", duplicate.id):
        for _ in range(300):
            rq_job = RqJob.fetch(rq_id, connection=connection)
            if rq_job.is_finished:
                break
            time.sleep(0.1)
        results.append(rq_job.return_value())
    assert sorted(results) == ["done", "skipped"]
    with app.app_context():
        assert db.session.query(Job).count() == 1
        stored = db.session.get(Job, job_id)
        assert stored.result_size == len(download.content)
    assert len(set(applicant.served_by + clerk.served_by + supervisor.served_by)) >= 2
