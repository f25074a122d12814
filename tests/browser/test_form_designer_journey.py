"""Legal affairs design the application form of an item that came in with the county's list import, in a
real browser: the designer starts from the form generated from the guide, a bad rule is shown at its
input, the drafter cannot publish, a second officer publishes, and an applicant applies through the new
form — refused by its rule first, then accepted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.pages import flash, register, submit_and_wait, upload
from tests.browser.support import LiveServer, build_app, new_context, sign_in
from tests.factories.accounts import valid_id
from tests.factories.files import PDF

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COUNTY, SANXI = "330188000000", "330188101000"
REBUILD = "Z330188-B3D3803041"  # 农村村民宅基地审批（原址翻建住宅）, as the example list's import codes it
PASSWORD = "Designer-Test-8"


def _imported_county(app) -> None:
    """The example county's files imported and the list published; no form imported: every item has only
    the form generated from its guide. Two legal officers of the county with known passwords."""
    from service_hall.accounts.operations import create_staff
    from service_hall.extensions import db

    runner = app.test_cli_runner()
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    for args in (["jurisdictions", "import", str(EXAMPLES / "jurisdictions.csv")],
                 ["users", "import", str(EXAMPLES / "staff.xlsx")],
                 ["offices", "import", str(EXAMPLES / "offices.csv")],
                 ["power-list", "import", str(EXAMPLES / "power-list.xlsx")],
                 ["power-list", "import-guide", str(EXAMPLES / "guide.xlsx")],
                 ["power-list", "publish", "--as", "13901880002", "--review-by", "13901880003",
                  "--effective-from", today]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
    with app.app_context():
        for username, name in (("designer-a", "周设计"), ("designer-b", "吴发布")):
            create_staff(db.session, {"username": username, "real_name": name, "role": "legal",
                                      "jurisdiction_code": COUNTY, "password": PASSWORD},
                         now=dt.datetime.now(dt.UTC))
        db.session.commit()


def test_legal_affairs_design_an_imported_items_form_a_second_person_publishes_and_an_applicant_applies(
        browser, blocked_requests, tmp_path):
    app = build_app(tmp_path / "designer")
    _imported_county(app)
    server = LiveServer(app).start()
    contexts = []

    def page_for(username: str | None):
        context = new_context(browser, server, blocked=blocked_requests)
        contexts.append(context)
        page = context.new_page()
        if username:
            sign_in(page, username, PASSWORD)
        return page

    try:
        _design(page_for("designer-a"))
        _publish(page_for("designer-b"))
        _apply(page_for(None))
    finally:
        for context in contexts:
            context.close()
        server.stop()
    assert blocked_requests == []


def _design(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="表单设计", exact=True).click()
    page.locator(f"a[href='/legal/forms/{REBUILD}']").click()
    expect(page.locator("#form-source")).to_contain_text("由办事指南生成的默认表单（尚未设计）")
    # The preview shows the generated applicant block and the pledge, as the applicant will see them.
    expect(page.get_by_label("申请人姓名")).to_be_visible()
    expect(page.get_by_label("本人（本单位）承诺", exact=False)).to_be_visible()

    page.get_by_label("类型", exact=True).select_option(label="数字")
    page.get_by_label("字段名", exact=True).fill("building_area")
    page.get_by_label("显示名称", exact=True).fill("建筑面积")
    submit_and_wait(page, "添加字段")
    expect(page.get_by_role("heading", level=1)).to_contain_text("编辑字段：建筑面积")
    page.get_by_label("必填", exact=True).check()
    page.get_by_label("最小值").fill("1")
    page.get_by_label("单位").fill("平方米")
    submit_and_wait(page, "保存字段")
    expect(flash(page)).to_contain_text("已保存字段「建筑面积」")

    page.get_by_role("link", name="添加规则").click()
    page.get_by_label("提示显示在").select_option(label="建筑面积（building_area）")
    page.get_by_label("须满足").fill("building_area <=")
    page.get_by_label("不满足时的提示").fill("原址翻建的建筑面积不能超过150平方米")
    submit_and_wait(page, "保存规则")
    expect(page.locator("#e-check")).to_contain_text("第17个字符处：表达式不完整")  # next to its input
    page.get_by_label("须满足").fill("building_area <= 150")
    submit_and_wait(page, "保存规则")
    expect(page.locator("#rules")).to_contain_text("building_area <= 150")

    # Drag to reorder (the 上移/下移 buttons do the same without JavaScript): 建筑面积 before 联系电话.
    fields = page.locator("#designer-fields > li")
    expect(fields.nth(7)).to_contain_text("建筑面积")
    with page.expect_navigation():
        fields.nth(7).drag_to(fields.nth(3), target_position={"x": 20, "y": 2})
    expect(flash(page)).to_contain_text("已调整字段顺序")
    expect(fields.nth(3)).to_contain_text("建筑面积")
    expect(fields.nth(4)).to_contain_text("联系电话")

    # Try the form before publishing: the same check the applicant will get.
    page.locator("#f-building_area").fill("180")
    submit_and_wait(page, "试填校验")
    expect(page.locator("#preview-errors")).to_contain_text("原址翻建的建筑面积不能超过150平方米")

    submit_and_wait(page, "发布第1版")
    expect(page.locator("#e-publish")).to_contain_text("不能发布自己起草的表单")


def _publish(page) -> None:
    page.goto(f"/legal/forms/{REBUILD}")
    expect(page.locator("#form-source")).to_contain_text("草稿（第1版，尚未发布）")
    submit_and_wait(page, "发布第1版")
    expect(flash(page)).to_contain_text("已发布")
    expect(page.locator("#form-source")).to_contain_text("现行表单（第1版）")


def _apply(page) -> None:
    page.goto("/register")
    register(page, name="赵云岭", mobile="13901889999", id_number=valid_id("33018819800101001"),
             password="Yunling-2026-apply")
    page.goto(f"/portal/apply/{SANXI}/{REBUILD}")
    expect(page.get_by_label("申请人姓名")).to_have_value("赵云岭")  # prefilled from the account
    expect(page.get_by_label("联系电话")).to_have_value("13901889999")
    page.get_by_label("建筑面积").fill("180")
    page.get_by_label("本人（本单位）承诺", exact=False).check()
    material = upload("申请表.pdf", PDF, "application/pdf")
    page.get_by_label("农村宅基地和建房（规划许可）申请表").set_input_files(material)
    submit_and_wait(page, "提交申请")
    expect(page.locator(".alert-error")).to_contain_text("原址翻建的建筑面积不能超过150平方米")
    page.get_by_label("建筑面积").fill("120")
    submit_and_wait(page, "提交申请")
    expect(page.get_by_text("申请已提交")).to_be_visible()
    expect(page.locator("main")).to_contain_text("120 平方米")
