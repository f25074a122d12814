"""证照核验: the public page and API — valid / expired / revoked / replaced, unknown, counted, throttled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.cases.models import Application
from service_hall.certificates.models import Certificate
from service_hall.documents import mask_id_number
from service_hall.extensions import db, limiter
from tests.factories.cases import approved_case, drive
from tests.factories.certificates import certificate_of
from tests.factories.clock import at
from tests.factories.power_list import ENTRUSTED
from tests.factories.web import login, post_form


def test_the_qr_page_shows_valid_with_the_minimal_data(app, cworld, client):
    certificate = certificate_of(app, approved_case(app, ENTRUSTED))
    resp = client.get(f"/verify/{certificate.token}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "核验结果：有效" in page
    for value in (certificate.number, "李堃", mask_id_number(certificate.holder_id_number), "燃气经营许可",
                  certificate.issuer_name, "受委托实施机关", "2026-11-23", "2031-11-22"):
        assert value in page, value
    assert certificate.holder_id_number not in page
    with app.app_context():
        assert db.session.get(Certificate, certificate.id).lookup_count == 1
        lookups = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "certificate.lookup")).all()
        assert [(r.object_type, r.object_id, r.actor_id) for r in lookups] == [
            ("certificate", certificate.number, None)]
    client.get(f"/verify/{certificate.token}")
    with app.app_context():
        assert db.session.get(Certificate, certificate.id).lookup_count == 2


def test_expired_certificate(app, cworld, client):
    certificate = certificate_of(app, approved_case(app, ENTRUSTED))
    app.config["FIXED_NOW"] = at("2031-11-23")
    page = client.get(f"/verify/{certificate.token}").get_data(as_text=True)
    assert "核验结果：已过期" in page
    app.config["FIXED_NOW"] = at("2031-11-22")
    assert "核验结果：有效" in client.get(f"/verify/{certificate.token}").get_data(as_text=True)


def test_revoking_the_case_revokes_its_certificate(app, cworld, client):
    case_id = approved_case(app)
    drive(app, case_id, "revoke", day="2026-11-25")
    certificate = certificate_of(app, case_id)
    assert certificate.status.value == "revoked" and certificate.revocation_reason == "以欺骗手段取得"
    with app.app_context():
        from service_hall.accounts.models import User

        assert db.session.get(User, certificate.revoked_by_id).username == "boss2"
    page = client.get(f"/verify/{certificate.token}").get_data(as_text=True)
    assert "核验结果：已撤销" in page and "2026-11-25" in page
    body = client.get(f"/api/v1/verify/{certificate.token}").get_json()
    assert body["status"] == "revoked" and body["status_label"] == "已撤销"


def test_reissue_keeps_the_history(app, cworld, client):
    case_id = approved_case(app)
    old = certificate_of(app, case_id)
    boss = app.test_client()
    login(boss, "boss2")
    resp = post_form(boss, f"/workbench/cases/{case_id}", {"reason": "持证人姓名更正"},
                     action=f"/workbench/cases/{case_id}/certificates/reissue")
    assert resp.status_code == 302
    new = certificate_of(app, case_id)
    assert new.id != old.id and new.replaces_id == old.id and new.number.endswith("000002")
    with app.app_context():
        before = db.session.get(Certificate, old.id)
        assert before.status.value == "replaced" and before.revocation_reason == "持证人姓名更正"
    page = boss.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert old.number in page and new.number in page and "已换发" in page and f"换发自 {old.number}" in page
    old_page = client.get(f"/verify/{old.token}").get_data(as_text=True)
    assert "已换发" in old_page and new.number in old_page
    assert "核验结果：有效" in client.get(f"/verify/{new.token}").get_data(as_text=True)
    # A clerk may not reissue; without a reason nothing happens.
    clerk = app.test_client()
    login(clerk, "clerk1")
    assert post_form(clerk, f"/workbench/cases/{case_id}", {"reason": "x"},
                     action=f"/workbench/cases/{case_id}/certificates/reissue").status_code == 403
    post_form(boss, f"/workbench/cases/{case_id}", {"reason": ""},
              action=f"/workbench/cases/{case_id}/certificates/reissue")
    assert certificate_of(app, case_id).id == new.id


def test_unknown_token_is_a_404_page(app, cworld, client):
    resp = client.get("/verify/not-a-real-token")
    assert resp.status_code == 404 and "未查询到该证照" in resp.get_data(as_text=True)
    api = client.get("/api/v1/verify/not-a-real-token")
    assert api.status_code == 404 and api.get_json()["message"] == "未查询到该证照"


def test_lookup_by_number_and_holder_name(app, cworld, client):
    certificate = certificate_of(app, approved_case(app))
    resp = post_form(client, "/verify", {"number": certificate.number, "holder_name": "李堃"})
    assert resp.status_code == 200 and "核验结果：有效" in resp.get_data(as_text=True)
    wrong = post_form(client, "/verify", {"number": certificate.number, "holder_name": "李坤"})
    assert wrong.status_code == 404 and "未查询到该证照" in wrong.get_data(as_text=True)
    empty = post_form(client, "/verify", {"number": "", "holder_name": ""})
    assert empty.status_code == 422 and "请填写证照编号" in empty.get_data(as_text=True)
    api = client.get("/api/v1/verify", query_string={"number": certificate.number, "holder_name": "李堃"})
    assert api.status_code == 200 and api.get_json()["holder_name"] == "李堃"
    assert api.get_json()["holder_id"] == mask_id_number(certificate.holder_id_number)
    with app.app_context():
        assert db.session.get(Certificate, certificate.id).lookup_count == 2


def test_json_verification(app, cworld, client):
    certificate = certificate_of(app, approved_case(app))
    body = client.get(f"/api/v1/verify/{certificate.token}").get_json()
    assert body["number"] == certificate.number and body["status"] == "valid" and body["valid_until"] is None
    assert body["issuer"] == "青山镇人民政府" and body["issued_on"] == "2026-11-23"


def test_certificate_history_in_the_api(app, cworld, client):
    from tests.factories.web import api_token

    case_id = approved_case(app)
    with app.app_context():
        ref = db.session.get(Application, case_id).ref
    headers = api_token(client, "13900000001")
    mine = client.get(f"/api/v1/applications/{ref}/certificates", headers=headers)
    assert mine.status_code == 200 and mine.get_json() == []  # the decision is not opened yet (电子送达)
    [waiting] = client.get(f"/api/v1/applications/{ref}", headers=headers).get_json()["pending_decisions"]
    client.post(f"/api/v1/applications/{ref}/notices/{waiting['notice_id']}/open", headers=headers)
    mine = client.get(f"/api/v1/applications/{ref}/certificates", headers=headers)
    assert mine.status_code == 200 and mine.get_json()[0]["verification_url"].startswith("http://localhost/verify/")
    staff = client.get(f"/api/v1/cases/{case_id}/certificates", headers=api_token(client, "clerk1"))
    assert staff.status_code == 200 and staff.get_json()[0]["status"] == "valid"
    foreign = client.get(f"/api/v1/cases/{case_id}/certificates", headers=api_token(client, "clerk.baisha"))
    assert foreign.status_code == 404


@pytest.fixture
def throttled_app(app) -> Iterator[Flask]:
    """A second app on the same database with the limiter on (the suite's app has it off). The limiter
    is one shared object: its switch and counters are put back afterwards, so nothing leaks."""
    from service_hall.app import create_app

    before = limiter.enabled
    throttled = create_app({"TESTING": True, "SECRET_KEY": "throttle-test-secret", "SESSION_COOKIE_SECURE": False,
                            "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                            "VERIFY_RATE_LIMIT": "3 per minute", "PUBLIC_BASE_URL": "http://localhost"})
    try:
        yield throttled
    finally:
        limiter.reset()
        limiter.enabled = before
        with throttled.app_context():
            db.engine.dispose()


@pytest.mark.committing  # the second app reads through its own engine
def test_verification_is_throttled_per_client(app, cworld, throttled_app):
    certificate = certificate_of(app, approved_case(app))
    client = throttled_app.test_client()
    statuses = [client.get(f"/verify/{certificate.token}").status_code for _ in range(3)]
    statuses.append(client.get(f"/api/v1/verify/{certificate.token}").status_code)
    assert statuses == [200, 200, 200, 429]
    other = throttled_app.test_client()
    resp = other.get(f"/verify/{certificate.token}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert resp.status_code == 200
    with app.app_context():
        assert db.session.get(Certificate, certificate.id).lookup_count == 4


def test_throttling_does_not_leak_into_other_tests(app, cworld):
    certificate = certificate_of(app, approved_case(app))
    client = app.test_client()
    assert {client.get(f"/verify/{certificate.token}").status_code for _ in range(40)} == {200}


def test_lookup_dates_use_the_issue_day(app, cworld):
    assert certificate_of(app, approved_case(app, day="2026-11-24")).issued_on == dt.date(2026, 11, 24)
