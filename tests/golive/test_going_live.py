"""The README's "Going live for your county" commands take docs/examples/ from an empty database (no demo)
to a county whose catalog lists its items, whose readiness page is right, and where an applicant applies."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from power_lists.models import PowerItem
from service_hall.cases.models import Application
from service_hall.extensions import db
from tests.factories.accounts import valid_id
from tests.factories.files import PDF
from tests.factories.web import csrf_token, post_form
from tests.golive.support import EXAMPLES

COUNTY, CHENGGUAN, SANXI = "330188000000", "330188001000", "330188101000"
HOMESTEAD = "Z330188-075D850511"  # generated from the county, the name and the 子项: stable across imports


def _run(runner, *args):
    result = runner.invoke(args=list(args))
    if result.exit_code:
        import traceback
        traceback.print_exception(*result.exc_info)
    assert result.exit_code == 0, result.output
    return result.output


def go_live(runner):
    """The commands of README "Going live for your county", in order."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    out = {}
    out["jurisdictions"] = _run(runner, "jurisdictions", "import", str(EXAMPLES / "jurisdictions.csv"))
    out["users"] = _run(runner, "users", "import", str(EXAMPLES / "staff.xlsx"))
    out["offices"] = _run(runner, "offices", "import", str(EXAMPLES / "offices.csv"))
    out["list"] = _run(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"), "--json")
    out["guide"] = _run(runner, "power-list", "import-guide", str(EXAMPLES / "guide.xlsx"))
    out["forms"] = _run(runner, "forms", "import", *sorted(str(p) for p in (EXAMPLES / "forms").glob("*.json")),
                          "--as", "13901880002", "--review-by", "13901880003")
    out["publish"] = _run(runner, "power-list", "publish", "--as", "13901880002", "--review-by", "13901880003",
                          "--effective-from", today)
    out["window"] = _run(runner, "offices", "window", SANXI, "三溪镇便民服务中心（人民路8号）", "--phone",
                         "0571-66001234")
    return out


def test_an_empty_database_goes_live_from_the_example_files(app, runner, client):
    out = go_live(runner)
    assert "新增 10" in out["jurisdictions"] and "新建 6" in out["users"]
    assert '"created_offices": ["云岭县民政局"]' in out["list"] and "已发布第1版（10 个事项）" in out["publish"]

    # The public catalog lists the town's items; those not open online send people to the window.
    town = client.get(f"/catalog/towns/{SANXI}").get_data(as_text=True)
    assert "农村村民宅基地审批" in town and "对露天焚烧秸秆的检查" in town
    assert "暂未开通网上申请，请到窗口办理" in town and "三溪镇便民服务中心（人民路8号）" in town

    # The readiness page counts what was imported and names what is missing.
    legal = app.test_client()
    _first_login(legal, "13901880002", out["users"])
    page = legal.get("/legal/readiness").get_data(as_text=True)
    assert "临时救助" in page and "办事指南缺少" in page
    # Items with a complete guide but no designed form are open with the form generated from the guide.
    assert "使用由办事指南生成的默认表单" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PowerItem)) == 10

    # Importing the same list again (it has no codes) changes nothing.
    again = _run(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"), "--json")
    assert '"version": 2' in again and '"created_offices": []' in again
    diff = _run(runner, "power-list", "diff", "1", "2")
    assert "新增 0 项，取消 0 项，变更 0 项" in diff, diff

    # An applicant registers and applies online in 三溪镇.
    person = app.test_client()
    token = csrf_token(person, "/register")
    resp = person.post("/register", data={
        "csrf_token": token, "applicant_type": "person", "real_name": "赵云岭", "mobile": "13901889999",
        "id_number": valid_id("33018819800101001"), "password": "Yunling-2026-apply",
        "password_confirm": "Yunling-2026-apply"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    apply = f"/portal/apply/{SANXI}/{HOMESTEAD}"
    body = person.get(apply).get_data(as_text=True)
    assert "农村村民宅基地申请表" in body or "农村村民宅基地审批" in body
    key = re.search(r'name="submission_key" value="([^"]+)"', body).group(1)
    resp = person.post(apply, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(person, apply), "submission_key": key, "applicant_name": "赵云岭",
        "applicant_id": valid_id("33018819800101001"), "phone": "13901889999",
        "site_village": SANXI[:9] + "001", "site_detail": "三溪村5组", "area": "120",
        "material-M01": (io.BytesIO(PDF), "申请书.pdf"), "material-M02": (io.BytesIO(PDF), "户口簿.pdf")})
    assert resp.status_code == 302, re.findall(r"<li>(.*?)</li>", resp.get_data(as_text=True))[:8]
    with app.app_context():
        case = db.session.scalars(select(Application)).one()
        assert case.item_code == HOMESTEAD and case.case_number.startswith(SANXI[:9])


def _first_login(client, username, users_output):
    password = re.search(username + r".*初始密码 (\S+)", users_output).group(1)
    post_form(client, "/login", {"username": username, "password": password})
    post_form(client, "/account", {"old_password": password, "new_password": "Yunling-Legal-2026",
                                   "new_password_confirm": "Yunling-Legal-2026"})


def test_the_town_catalog_links_each_open_item_to_its_online_application(app, runner, client):
    go_live(runner)
    town = client.get(f"/catalog/towns/{SANXI}").get_data(as_text=True)
    assert f'href="/portal/apply/{SANXI}/{HOMESTEAD}">可在线申请' in town
