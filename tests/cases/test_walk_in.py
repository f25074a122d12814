"""帮办代办 (filing on behalf at the window): the applicant is bound on the server, the clerk acts only for
their own towns, and the applicant's stored files are reused only with the applicant present."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from service_hall.cases.models import Application
from service_hall.extensions import db
from service_hall.files.models import ApplicantFile
from tests.factories.accounts import PASSWORD, valid_id
from tests.factories.files import PDF, PNG
from tests.factories.forms import form_data
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM
from tests.factories.web import KEY_RE, csrf_token, login, post_form

CODE_RE = re.compile(r'id="reuse-code">(\d{6})<')


def _id_number(mobile: str) -> str:
    """The identity number the factory gives the applicant of ``mobile``."""
    return valid_id("33012719850312" + mobile[-3:])


def _applicant_with_a_stored_file(app, client) -> int:
    """李堃 applies in 青山镇 himself; his 申请表 stays on file as 机密申请表.pdf."""
    login(client, "13900000001")
    url = f"/portal/apply/{QINGSHAN}/{ITEM}"
    body = client.get(url).get_data(as_text=True)
    resp = client.post(url, data={**form_data(), "csrf_token": csrf_token(client, url),
                                  "submission_key": KEY_RE.search(body).group(1),
                                  "material-M01": (io.BytesIO(PDF), "机密申请表.pdf"),
                                  "material-M02": (io.BytesIO(PNG), "身份证.png")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    with app.app_context():
        return db.session.scalar(select(ApplicantFile.id).where(ApplicantFile.filename == "机密申请表.pdf"))


def _start(client, **fields):
    data = {"mobile": "13900000001", "id_number": _id_number("13900000001"), "town_code": QINGSHAN,
            "item_code": ITEM, **fields}
    return post_form(client, "/workbench/file", data)


def _cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Application))


def _post_apply(client, url, **extra):
    body = client.get(url).get_data(as_text=True)
    return client.post(url, data={**form_data(), "csrf_token": csrf_token(client, url),
                                  "submission_key": KEY_RE.search(body).group(1), **extra},
                       content_type="multipart/form-data")


def test_the_applicant_is_not_named_in_the_url(app, client, world):
    login(client, "clerk1")
    resp = _start(client)
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert f"/{world['applicant']}" not in location and ITEM not in location
    # The old shape of the URL, with the applicant's id, is gone.
    assert client.get(f"/workbench/file/{QINGSHAN}/{ITEM}/{world['applicant']}").status_code == 404


def test_a_mobile_number_alone_reveals_nobody(app, client, world):
    login(client, "clerk1")
    unknown = _start(client, mobile="13900000099", id_number=_id_number("13900000099"))
    wrong_id = _start(client, id_number=_id_number("13900000099"))
    no_id = _start(client, id_number="")
    for resp in (unknown, wrong_id, no_id):
        assert resp.status_code == 422
        assert "未找到手机号码和证件号码均相符的申请人" in resp.get_data(as_text=True)
        assert "李堃" not in resp.get_data(as_text=True)


def test_another_clerks_token_and_a_forged_token_are_not_found(app, client, world):
    login(client, "clerk1")
    url = _start(client).headers["Location"]
    assert client.get(url).status_code == 200
    foreign = app.test_client()
    login(foreign, "clerk.baisha")
    assert foreign.get(url).status_code == 404
    colleague = app.test_client()
    login(colleague, "clerk2")
    assert colleague.get(url).status_code == 404
    token = url.rsplit("/", 1)[1]
    assert client.get(url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))).status_code == 404


def test_a_clerk_of_another_town_cannot_file_there(app, client, world):
    login(client, "clerk.baisha")
    resp = _start(client)
    assert resp.status_code == 422 and "只能在本乡镇（街道）代办" in resp.get_data(as_text=True)


def test_without_the_applicants_code_their_stored_files_stay_hidden(app, client, world):
    secret_file = _applicant_with_a_stored_file(app, app.test_client())
    before = _cases(app)
    login(client, "clerk1")
    url = _start(client).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "代办申请人：李堃" in page
    assert "机密申请表.pdf" not in page and "材料复用授权码" in page
    # Naming the file in the form field does not attach it.
    resp = _post_apply(client, url, **{"reuse-M01": str(secret_file), "material-M02": (io.BytesIO(PNG), "b.png")})
    assert resp.status_code == 422 and "所选材料不存在" in resp.get_data(as_text=True)
    assert _cases(app) == before


def test_files_uploaded_during_the_filing_are_offered_again(app, client, world):
    _applicant_with_a_stored_file(app, app.test_client())
    login(client, "clerk1")
    url = _start(client).headers["Location"]
    # A mistake in the form: the upload is kept and offered again, the older files still are not.
    resp = _post_apply(client, url, area="", **{"material-M01": (io.BytesIO(PDF + b"%walk-in"), "窗口扫描.pdf")})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "窗口扫描.pdf" in page and "机密申请表.pdf" not in page
    with app.app_context():
        scanned = db.session.scalar(select(ApplicantFile.id).where(ApplicantFile.filename == "窗口扫描.pdf"))
    resp = _post_apply(client, url, **{"reuse-M01": str(scanned)})
    assert resp.status_code == 302


def test_with_the_applicants_code_their_files_are_offered_once(app, client, world):
    secret_file = _applicant_with_a_stored_file(app, applicant := app.test_client())
    page = post_form(applicant, "/portal/", {}, action="/portal/reuse-code")
    assert page.status_code == 200
    code = CODE_RE.search(page.get_data(as_text=True)).group(1)
    login(client, "clerk1")
    resp = _start(client, reuse_code=code)
    assert resp.status_code == 302
    url = resp.headers["Location"]
    assert "机密申请表.pdf" in client.get(url).get_data(as_text=True)
    assert _post_apply(client, url, **{"reuse-M01": str(secret_file)}).status_code == 302
    # The code works once.
    again = _start(client, reuse_code=code)
    assert again.status_code == 422 and "授权码不正确或已失效" in again.get_data(as_text=True)


def test_a_code_dies_after_five_wrong_guesses(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001", PASSWORD)
    code = CODE_RE.search(post_form(applicant, "/portal/", {}, action="/portal/reuse-code")
                          .get_data(as_text=True)).group(1)
    login(client, "clerk1")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert _start(client, reuse_code=wrong).status_code == 422
    assert _start(client, reuse_code=code).status_code == 422


def test_drafts_of_the_applicant_are_not_opened_by_the_clerk(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    url = f"/portal/apply/{QINGSHAN}/{ITEM}"
    body = applicant.get(url).get_data(as_text=True)
    resp = applicant.post(url, data={**form_data(area="99"), "csrf_token": csrf_token(applicant, url),
                                     "submission_key": KEY_RE.search(body).group(1), "save_draft": "1"})
    assert resp.status_code == 302
    draft_ref = resp.headers["Location"].rsplit("draft=", 1)[1]
    login(client, "clerk1")
    walk_in = _start(client).headers["Location"]
    assert client.get(f"{walk_in}?draft={draft_ref}").status_code == 404
