"""Legal affairs design the application form of an item that came in with the county's list import, in a
real browser: the designer starts from the form generated from the guide, a bad rule is shown at its
input, the drafter cannot publish, a second officer publishes, and an applicant applies through the new
form — refused by its rule first, then accepted. Legal affairs then design the item's certificate, the
town takes the case through review, the decider fixes the validity (the guide names none, so 长期 is not
on offer), and the certificate prints the applicant's 面积 and the decided validity. The imported 临时救助
(行政给付) ends with a 给付决定书 stating the amount, and no certificate."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.pages import fact, fill_row, flash, register, submit_and_wait, upload
from tests.browser.support import LiveServer, build_app, new_context, sign_in
from tests.factories.accounts import valid_id
from tests.factories.files import PDF
from tests.factories.pdf import pdf_text

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
        for username, name, role in (("sanxi-clerk", "郑受理", "clerk"), ("sanxi-reviewer", "冯审查", "reviewer"),
                                     ("sanxi-decider", "陈负责", "decider")):
            create_staff(db.session, {"username": username, "real_name": name, "role": role,
                                      "jurisdiction_code": SANXI, "password": PASSWORD},
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
        applicant = page_for(None)
        case_number, case_page = _apply(applicant)
        _design_certificate(page_for("designer-a"), page_for("designer-b"))
        until = _decide(page_for, case_number)
        _certificate_prints_area_and_validity(applicant, case_page, until)
        _benefit_ends_with_its_decision_and_no_certificate(applicant, page_for, _item_code(app, "临时救助"))
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
    return fact(page, "办件编号").inner_text().strip(), page.url


def _item_code(app, name: str) -> str:
    from sqlalchemy import select

    from power_lists.models import PowerItem
    from service_hall.extensions import db

    with app.app_context():
        return db.session.scalars(select(PowerItem.code).where(PowerItem.name == name)).first()


def _design_certificate(drafter, publisher) -> None:
    """The 证照目录: the certificate the imported item issues carries the applicant's 建筑面积 (a form field)."""
    drafter.goto("/legal/outcomes/certificate-types/new")
    drafter.get_by_label("证照类型代码").fill("YLZJD")
    drafter.get_by_label("证照名称").fill("农村宅基地批准书")
    drafter.get_by_label("发证事项").select_option(REBUILD)
    drafter.get_by_label("版式").select_option("approval")
    fill_row(drafter, "entries", 0, label="建筑面积", source="form", field="building_area")
    submit_and_wait(drafter, "保存草稿")
    expect(flash(drafter)).to_contain_text("证照类型草稿已保存")
    publisher.goto("/legal/outcomes/certificate-types/YLZJD")
    submit_and_wait(publisher, "发布第 1 版")
    expect(flash(publisher)).to_contain_text("证照类型 YLZJD 第 1 版已发布")


def _open_case(page_for, username: str, case_number: str):
    page = page_for(username)
    page.goto("/workbench/")
    page.get_by_role("link", name=case_number).click()
    return page


def _decide(page_for, case_number: str) -> dt.date:
    """The town accepts and reviews; the decider must fix an end of validity, after its start."""
    submit_and_wait(_open_case(page_for, "sanxi-clerk", case_number), "受理")
    reviewer = _open_case(page_for, "sanxi-reviewer", case_number)
    reviewer.get_by_label("审查意见", exact=True).fill("经实地核查，原址翻建符合村庄规划")
    reviewer.get_by_label("建议准予许可").check()
    submit_and_wait(reviewer, "提交审查意见")
    submit_and_wait(reviewer, "审查完毕")
    decider = _open_case(page_for, "sanxi-decider", case_number)
    expect(decider.locator("#decision-form")).not_to_contain_text("长期有效")
    submit_and_wait(decider, "准予许可")
    expect(decider.locator("#decision-form")).to_contain_text("请填写有效期截止日期")
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    decider.get_by_label("截止日期").fill((today - dt.timedelta(days=1)).isoformat())
    submit_and_wait(decider, "准予许可")
    expect(decider.locator("#decision-form")).to_contain_text("须晚于起始日期")
    until = today + dt.timedelta(days=730)
    decider.get_by_label("截止日期").fill(until.isoformat())
    submit_and_wait(decider, "准予许可")
    expect(fact(decider, "状态")).to_contain_text("准予许可")
    return until


def _open_decision(applicant, case_page: str) -> None:
    applicant.goto(case_page)
    applicant.get_by_role("region", name="您有一份决定文书待查收").get_by_role("button", name="查收文书").click()


def _certificate_prints_area_and_validity(applicant, case_page: str, until: dt.date) -> None:
    _open_decision(applicant, case_page)
    with applicant.expect_download() as download:
        applicant.get_by_role("link", name=re.compile("农村宅基地批准书")).first.click()
    with open(download.value.path(), "rb") as certificate:
        text = pdf_text(certificate.read()).replace(" ", "")
    assert "建筑面积120" in text, text
    assert f"至{until.year}年{until.month}月{until.day}日" in text and "长期" not in text, text


def _benefit_ends_with_its_decision_and_no_certificate(applicant, page_for, code: str) -> None:
    applicant.goto(f"/portal/apply/{SANXI}/{code}")
    applicant.get_by_label("本人（本单位）承诺", exact=False).check()
    applicant.get_by_label("临时救助申请书").set_input_files(upload("临时救助申请书.pdf", PDF, "application/pdf"))
    submit_and_wait(applicant, "提交申请")
    assert "申请已提交" in applicant.locator("main").inner_text(), applicant.locator("main").inner_text()[:2000]
    case_number, case_page = fact(applicant, "办件编号").inner_text().strip(), applicant.url
    submit_and_wait(_open_case(page_for, "sanxi-clerk", case_number), "受理")
    reviewer = _open_case(page_for, "sanxi-reviewer", case_number)
    expect(reviewer.locator("main")).not_to_contain_text("准予许可")
    reviewer.get_by_label("审查意见", exact=True).fill("家庭遭遇火灾，基本生活暂时困难，符合临时救助条件")
    reviewer.get_by_label("建议给付", exact=True).check()
    submit_and_wait(reviewer, "提交审查意见")
    expect(reviewer.locator("ol.reviews")).to_contain_text("建议给付")
    submit_and_wait(reviewer, "审查完毕")
    decider = _open_case(page_for, "sanxi-decider", case_number)
    decider.get_by_label("给付金额（元）").fill("1500")
    decider.get_by_label("发放方式和期限").fill("一次性发放")
    submit_and_wait(decider, "决定给付")
    expect(fact(decider, "状态")).to_contain_text("决定给付")
    # The 给付决定书 is delivered like any decision: shown once the applicant opens it (电子送达).
    _open_decision(applicant, case_page)
    expect(flash(applicant)).to_contain_text("您已查收")
    with applicant.expect_download() as download:
        applicant.get_by_role("link", name=re.compile("给付决定书")).first.click()
    with open(download.value.path(), "rb") as notice:
        text = pdf_text(notice.read()).replace(" ", "")
    assert "给付决定书" in text and "给付金额1500元" in text and "行政许可" not in text, text
    expect(applicant.locator("main")).not_to_contain_text("证照")
