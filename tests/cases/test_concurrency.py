"""Racing clerks, proven on PostgreSQL (SQLite serialises writers, so the race cannot happen there)."""

from __future__ import annotations

import io
import threading

import pytest

from service_hall.cases.models import Application, CaseStatus
from service_hall.extensions import db
from tests.factories.database import is_postgres
from tests.factories.files import PDF, PNG
from tests.factories.forms import form_data
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM
from tests.factories.web import KEY_RE, api_token, csrf_token, login

pytestmark = [pytest.mark.skipif(not is_postgres(), reason="concurrency is proven on PostgreSQL (TEST_DATABASE_URL)"),
              pytest.mark.postgres_only, pytest.mark.committing]


def test_two_clerks_act_at_once_exactly_one_succeeds(app, factory, world):
    for i in range(3, 7):
        factory.staff(f"clerk{i}", "clerk", QINGSHAN)
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply = f"/portal/apply/{QINGSHAN}/{ITEM}"
    for _ in range(3):
        body = applicant.get(apply).get_data(as_text=True)
        applicant.post(apply, data={**form_data(), "csrf_token": csrf_token(applicant, apply),
                                    "submission_key": KEY_RE.search(body).group(1),
                                    "material-M01": (io.BytesIO(PDF), "a.pdf"),
                                    "material-M02": (io.BytesIO(PNG), "b.png")},
                       content_type="multipart/form-data")
    with app.app_context():
        cases = [(c.id, c.row_version) for c in db.session.query(Application).all()]
    assert len(cases) == 3
    clerks = [f"clerk{i}" for i in range(1, 7) if i != 2] + ["clerk2"]
    tokens = {name: api_token(app.test_client(), name) for name in clerks}
    for case_id, version in cases:
        barrier = threading.Barrier(len(clerks))
        results: list[int] = []

        def act(name: str, case_id: int = case_id, version: int = version, barrier=barrier, results=results) -> None:
            client = app.test_client()
            barrier.wait()
            if name.endswith(("1", "3", "5")):
                resp = client.post(f"/api/v1/cases/{case_id}/accept", headers=tokens[name],
                                   json={"row_version": version})
            else:
                resp = client.post(f"/api/v1/cases/{case_id}/refuse", headers=tokens[name],
                                   json={"row_version": version, "reason": "材料不属实"})
            results.append(resp.status_code)

        threads = [threading.Thread(target=act, args=(n,)) for n in clerks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [200] + [409] * (len(clerks) - 1), results
        with app.app_context():
            case = db.session.get(Application, case_id)
            assert case.status in {CaseStatus.ACCEPTED, CaseStatus.REFUSED}
            assert len(case.notices) == 1  # one decision, one notice
