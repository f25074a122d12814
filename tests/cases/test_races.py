"""Racing identical requests answer 200 with the existing record (idempotent key) or 409 — never 500.

Proven on PostgreSQL (SQLite serialises writers, so the race cannot happen there)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from service_hall.cases.models import Application
from service_hall.extensions import db
from service_hall.files.models import ApplicantFile
from tests.factories.database import is_postgres
from tests.factories.files import PDF, PNG
from tests.factories.forms import form_data
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM, document, sample_item
from tests.factories.web import api_token, csrf_token, login

pytestmark = [pytest.mark.postgres_only, pytest.mark.committing,
              pytest.mark.skipif(not is_postgres(), reason="races are proven on PostgreSQL (TEST_DATABASE_URL)")]

RACERS = 8


def _race(app, call: Callable[[Any], Any], n: int = RACERS) -> list[int]:
    barrier = threading.Barrier(n)
    results: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        client = app.test_client()
        barrier.wait()
        try:
            results.append(call(client).status_code)
        except Exception as exc:  # the testing app re-raises what would be a 500
            results.append(500)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == n
    assert not errors, errors
    return sorted(results)


def _api_data() -> dict[str, Any]:
    data = form_data()
    data["site"] = {"village": data.pop("site_village"), "detail": data.pop("site_detail")}
    data["period"] = {"start": data.pop("period_start"), "end": data.pop("period_end")}
    data["area"] = 120
    return data


def test_identical_uploads_at_once_are_stored_once(app, world):
    headers = api_token(app.test_client(), "13900000001")
    for round_ in range(3):
        content = PDF + f"%{round_}".encode()
        results = _race(app, lambda c, content=content: c.post(
            "/api/v1/files", headers=headers, content_type="multipart/form-data",
            data={"material_name": "申请表", "file": (io.BytesIO(content), "a.pdf")}))
        assert set(results) <= {200, 201}, results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApplicantFile)) == 3


def test_identical_form_submissions_with_uploads_at_once_make_one_application(app, world):
    url = f"/portal/apply/{QINGSHAN}/{ITEM}"
    clients = []
    for _ in range(RACERS):
        client = app.test_client()
        login(client, "13900000001")
        clients.append((client, csrf_token(client, url)))
    pool = iter(clients)
    lock = threading.Lock()

    def submit(_: Any) -> Any:
        with lock:
            client, token = next(pool)
        return client.post(url, content_type="multipart/form-data", data={
            **form_data(), "csrf_token": token, "submission_key": "race-form-0001",
            "material-M01": (io.BytesIO(PDF + b"%form"), "a.pdf"), "material-M02": (io.BytesIO(PNG), "b.png")})

    results = _race(app, submit)
    assert results == [302] * RACERS, results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_identical_submissions_at_once_make_one_application(app, world):
    client = app.test_client()
    headers = api_token(client, "13900000001")
    ids = {}
    for code, content in (("M01", PDF), ("M02", PNG)):
        resp = client.post("/api/v1/files", headers=headers, content_type="multipart/form-data",
                           data={"material_name": code, "file": (io.BytesIO(content), f"{code}.bin")})
        ids[code] = resp.get_json()["id"]
    body = {"town_code": QINGSHAN, "item_code": ITEM, "submission_key": "race-key-00001", "data": _api_data(),
            "materials": ids}
    results = _race(app, lambda c: c.post("/api/v1/applications", json=body, headers=headers))
    assert results.count(201) == 1 and set(results) <= {200, 201}, results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_imports_at_once_make_one_draft(app, factory):
    from power_lists.models import PowerListVersion

    factory.demo_jurisdictions()
    factory.staff("fz1", "legal", "330199000000")
    headers = api_token(app.test_client(), "fz1")
    results = _race(app, lambda c: c.post("/api/v1/power-lists/imports", json=document(sample_item()),
                                          headers=headers), n=4)
    assert results == [201, 409, 409, 409], results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PowerListVersion)) == 1
