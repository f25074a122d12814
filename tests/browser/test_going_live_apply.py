"""A county that went live from its own files (docs/examples/) on an empty database of its own: the public
finds its items, and an applicant applies online in 三溪镇 in a real browser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.pages import register, submit_and_wait, upload
from tests.browser.support import LiveServer, build_app, new_context
from tests.factories.accounts import valid_id
from tests.factories.files import PDF

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COUNTY, SANXI = "330188000000", "330188101000"


def _go_live(app) -> None:
    runner = app.test_cli_runner()
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    county = ("--county", COUNTY)
    for args in (["jurisdictions", "import", str(EXAMPLES / "jurisdictions.csv")],
                 ["users", "import", str(EXAMPLES / "staff.xlsx")],
                 ["offices", "import", str(EXAMPLES / "offices.csv"), *county],
                 ["power-list", "import", str(EXAMPLES / "power-list.xlsx"), *county],
                 ["power-list", "import-guide", str(EXAMPLES / "guide.xlsx"), *county],
                 ["forms", "import", *sorted(str(p) for p in (EXAMPLES / "forms").glob("*.json")),
                  "--as", "13901880002", "--review-by", "13901880003"],
                 ["power-list", "publish", "--as", "13901880002", "--review-by", "13901880003",
                  "--effective-from", today, *county],
                 ["offices", "window", SANXI, "三溪镇便民服务中心（人民路8号）"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)


def test_an_applicant_applies_online_in_a_county_that_went_live_from_its_files(browser, blocked_requests, tmp_path):
    app = build_app(tmp_path / "yunling")  # no demo: only what the county's files bring
    _go_live(app)
    server = LiveServer(app).start()
    context = new_context(browser, server, blocked=blocked_requests)
    try:
        _apply(context.new_page())
    finally:
        context.close()
        server.stop()


def _apply(page) -> None:
    page.goto(f"/catalog/towns/{SANXI}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("三溪镇")
    expect(page.get_by_text("暂未开通网上申请，请到窗口办理").first).to_be_visible()
    page.goto("/register")
    register(page, name="赵云岭", mobile="13901889999", id_number=valid_id("33018819800101001"),
             password="Yunling-2026-apply")
    page.goto(f"/portal/towns/{SANXI}")
    page.get_by_role("link", name="农村村民宅基地审批").first.click()
    expect(page.get_by_label("申请人姓名")).to_have_value("赵云岭")  # prefilled from the account
    page.get_by_label("申请人身份证号码").fill(valid_id("33018819800101001"))
    page.get_by_label("村（社区）").select_option(index=1)
    page.get_by_label("详细地址").fill("三溪村5组")
    page.get_by_label("申请宅基地面积（平方米）").fill("120")
    for field in page.locator("input[type=file]").all():
        field.set_input_files(upload("材料.pdf", PDF, "application/pdf"))
    submit_and_wait(page, "提交申请")
    expect(page.get_by_text("申请已提交")).to_be_visible()
    expect(page.get_by_text("三溪镇").first).to_be_visible()
