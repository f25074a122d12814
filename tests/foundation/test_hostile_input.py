"""NUL bytes, out-of-range integers and deeply nested JSON are refused by one input layer
(service_hall/web/input_guard.py) with 400/404/422 — on both databases, never a 500."""

from __future__ import annotations

import io

import pytest

from tests.factories.files import PDF
from tests.factories.forms import form_data
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM, publish_list
from tests.factories.web import api_token, csrf_token, login
from tests.factories.worlds import INTAKE_ITEMS

HUGE = 2**64 + 1
OVER_INT32 = 2**31


@pytest.fixture
def people(app, factory):
    factory.demo_jurisdictions()
    publish_list(app, INTAKE_ITEMS, towns=(QINGSHAN,))
    factory.applicant(mobile="13900000001")
    factory.staff("clerk1", "clerk", QINGSHAN)
    factory.staff("legal1", "legal", "330199000000")


def test_nul_in_the_login_name_is_refused(app, client, people):
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"csrf_token": token, "username": "clerk1\x00", "password": "x"})
    assert resp.status_code == 400 and "空字符" in resp.get_data(as_text=True)


def test_nul_in_json_is_refused(app, client, people):
    resp = client.post("/api/v1/auth/token", json={"username": "clerk1\x00", "password": "x"})
    assert resp.status_code == 400 and "空字符" in resp.get_json()["message"]
    resp = client.post("/api/v1/auth/token", json={"username\x00": "clerk1", "password": "x"})
    assert resp.status_code == 400


def test_nul_in_a_query_string_and_in_the_path_is_refused(app, client, people):
    assert client.get("/api/v1/verify?number=1%002&holder_name=a").status_code == 400
    assert client.get("/catalog/?on=2026-01-01%00").status_code == 400
    assert client.get("/verify/abc%00def").status_code == 400


def test_nul_in_a_verification_form_is_refused(app, client, people):
    token = csrf_token(client, "/verify")
    resp = client.post("/verify", data={"csrf_token": token, "number": "A\x00", "holder_name": "李"})
    assert resp.status_code == 400


def test_nul_in_an_uploaded_file_name_is_refused(app, client, people):
    headers = api_token(client, "13900000001")
    resp = client.post("/api/v1/files", data={"material_name": "申请表", "file": (io.BytesIO(PDF), "a\x00.pdf")},
                       headers=headers, content_type="multipart/form-data")
    assert resp.status_code == 400


@pytest.mark.parametrize("number", [OVER_INT32, HUGE, 10**40])
def test_out_of_range_ids_in_paths_are_not_found(app, client, people, number):
    login(client, "clerk1")
    assert client.get(f"/workbench/cases/{number}").status_code == 404
    headers = api_token(client, "clerk1")
    assert client.get(f"/api/v1/cases/{number}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/items/{number}").status_code == 404
    assert client.get(f"/catalog/items/{number}").status_code == 404


def test_out_of_range_integers_in_json_are_located(app, client, people):
    headers = api_token(client, "13900000001")
    body = {"town_code": QINGSHAN, "item_code": ITEM, "submission_key": "hostile-0001", "data": {},
            "materials": {"M01": HUGE}}
    resp = client.post("/api/v1/applications", json=body, headers=headers)
    assert resp.status_code == 422
    assert "materials.M01" in resp.get_json()["errors"]
    body["materials"] = {"M01": OVER_INT32}
    assert client.post("/api/v1/applications", json=body, headers=headers).status_code == 422


def test_nan_and_infinity_in_json_are_refused(app, client, people):
    headers = api_token(client, "13900000001")
    raw = (f'{{"town_code": "{QINGSHAN}", "item_code": "{ITEM}", "submission_key": "hostile-0002", '
           '"data": {"area": NaN}}')
    resp = client.post("/api/v1/applications", data=raw, headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 422
    resp = client.post("/api/v1/applications", data=raw.replace("NaN", "1e999"),
                       headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 422


def test_out_of_range_integers_in_query_strings_are_refused(app, client, people):
    login(client, "legal1")
    assert client.get(f"/legal/diff?old={HUGE}&new={HUGE}").status_code in (404, 422)
    assert client.get(f"/api/v1/diff?county=330199000000&old={HUGE}&new=1").status_code in (404, 422)


def test_out_of_range_integers_in_form_fields_are_refused(app, client, people):
    login(client, "13900000001")
    url = f"/portal/apply/{QINGSHAN}/{ITEM}"
    token = csrf_token(client, url)
    resp = client.post(url, data={**form_data(), "csrf_token": token, "submission_key": "hostile-form-1",
                                  "reuse-M01": str(HUGE), "reuse-M02": str(OVER_INT32)})
    assert resp.status_code == 422 and "所选材料不存在" in resp.get_data(as_text=True)


def test_deeply_nested_json_is_refused(app, client, people):
    deep = "[" * 50_000 + "]" * 50_000
    resp = client.post("/api/v1/auth/token", data=deep, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and "嵌套" in resp.get_json()["message"]
    medium = "[" * 100 + "]" * 100  # parses, but deeper than any document of the service
    headers = api_token(client, "13900000001")
    resp = client.post("/api/v1/applications", data=f'{{"data": {{"x": {medium}}}}}',
                       headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 400


def test_an_integer_of_thousands_of_digits_is_refused(app, client, people):
    resp = client.post("/api/v1/auth/token", data='{"username": ' + "9" * 5000 + "}",
                       headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert client.get("/catalog/items/" + "9" * 5000).status_code == 404


def test_the_search_refuses_nul_and_huge_numbers(app, client, people):
    assert client.get("/catalog/search?q=%E5%B0%8F%E9%A5%AD%E9%A6%86%00").status_code == 400
    assert client.get("/api/v1/search?q=a%00b").status_code == 400
    # The refused queries are not recorded as searches that found nothing.
    from service_hall.search.models import SearchMiss
    from tests.factories.database import count_rows

    assert count_rows(app, SearchMiss) == 0
    assert client.get(f"/api/v1/search?q=%E9%A5%AD%E9%A6%86&limit={HUGE}").status_code == 200  # capped
    assert client.get(f"/catalog/items/{OVER_INT32}").status_code == 404


def test_the_administrators_pages_refuse_nul_and_huge_ids(app, client, people, factory):
    factory.staff("admin1", "admin", "330199000000")
    login(client, "admin1")
    assert client.get(f"/admin/offices/{HUGE}").status_code == 404
    token = csrf_token(client, "/admin/users/import")
    resp = client.post("/admin/users/import", data={"csrf_token": token,
                                                     "file": (io.BytesIO(b"a,b\n"), "people\x00.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "空字符" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/users/{OVER_INT32}/active", data={"csrf_token": token})
    assert resp.status_code == 404


def test_uploads_per_account_are_limited_per_hour(app, client, people):
    from service_hall.files.store import UPLOADS_PER_HOUR

    headers = api_token(client, "13900000001")
    statuses = [client.post("/api/v1/files", headers=headers, content_type="multipart/form-data",
                            data={"material_name": "申请表",
                                  "file": (io.BytesIO(PDF + f"%{n}".encode()), f"{n}.pdf")}).status_code
                for n in range(UPLOADS_PER_HOUR + 1)]
    assert statuses[:-1] == [201] * UPLOADS_PER_HOUR
    assert statuses[-1] == 422
