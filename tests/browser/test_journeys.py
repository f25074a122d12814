"""Journeys through the real pages in Chromium: an applicant online, a clerk at the window, bad input."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import (
    ITEM_NAME,
    PNG,
    QINGSHAN_NAME,
    expect_status,
    fact,
    fill_homestead_form,
    flash,
    id_number_for,
    register,
    submit_and_wait,
    upload,
)
from tests.browser.support import PASSWORD_LABEL, sign_in


def test_applicant_registers_applies_corrects_once_and_is_accepted(live, make_context, signed_in):
    live.set_now("2026-11-23")  # a Monday
    mobile = live.next_mobile()
    id_number = id_number_for(mobile)
    page: Page = make_context().new_page()

    page.goto("/")
    page.get_by_role("link", name="注册").click()
    register(page, name="李堃", mobile=mobile, id_number=id_number, password=live.password)
    expect(flash(page)).to_contain_text("注册成功")

    # Find the item in the applicant's town.
    page.get_by_role("link", name="我的办件").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")
    expect(page.get_by_text("您还没有提交过申请")).to_be_visible()
    page.get_by_role("link", name=QINGSHAN_NAME).click()
    page.get_by_role("link", name=ITEM_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ITEM_NAME)
    expect(fact(page, "承诺办结时限")).to_have_text("10 个工作日（法定 20 个工作日）")

    fill_homestead_form(page, name="李堃", id_number=id_number, mobile=mobile)
    submit_and_wait(page, "提交申请")
    expect(flash(page)).to_contain_text("申请已提交，办件编号")
    case_number = fact(page, "办件编号").inner_text().strip()
    assert re.fullmatch(r"3301991012026\d+", case_number), case_number
    expect_status(page, "当前状态", "已提交，待受理")
    expect(fact(page, "当前状态")).to_contain_text("剩余 5 个工作日")
    expect(fact(page, "收件日期")).to_have_text("2026-11-23")
    expect(fact(page, "受理期限")).to_contain_text("2026-11-30")  # 5 working days, the first not counted
    expect(page.get_by_role("listitem").filter(has_text="申请人身份证明：身份证.png")).to_be_visible()

    # The clerk, in a browser of their own, asks once for everything that is missing.
    live.set_now("2026-11-24")
    clerk = signed_in("clerk")
    clerk.get_by_role("link", name="办件工作台").click()
    clerk.get_by_role("link", name=case_number).click()
    expect(clerk.get_by_role("heading", name="本环节责任事项")).to_be_visible()
    clerk.get_by_label("第1项：材料").select_option(label="申请人身份证明")
    clerk.locator("#f-problem-0").fill("身份证复印件不清晰")
    clerk.get_by_label("第2项：材料").select_option(label="申请信息")
    clerk.locator("#f-problem-1").fill("申请面积与家庭人口不符，请说明")
    clerk.get_by_label("补正期限（工作日）").fill("10")
    submit_and_wait(clerk, "发出补正告知")
    expect(flash(clerk)).to_contain_text("已一次性告知补正内容")
    expect(fact(clerk, "状态")).to_contain_text("待补正材料")
    expect(clerk.get_by_role("button", name="发出补正告知")).to_have_count(0)  # only once

    # The applicant sees the notice; the clock is paused meanwhile.
    page.reload()
    expect_status(page, "当前状态", "待补正材料")
    expect(page.locator(".badge")).to_have_count(0)
    notice = page.get_by_role("region", name="补正材料告知（一次性告知）")
    expect(notice).to_contain_text("请于 2026-12-08 前补正以下全部内容")
    expect(notice).to_contain_text("身份证复印件不清晰")
    expect(notice).to_contain_text("申请面积与家庭人口不符")
    expect(page.get_by_role("listitem").filter(has_text="补正材料告知书")).to_be_visible()

    live.set_now("2026-11-26")
    page.get_by_label("申请人身份证明").set_input_files(upload("身份证-清晰.png", PNG + b"clear", "image/png"))
    submit_and_wait(page, "提交补正材料")
    expect(flash(page)).to_contain_text("补正材料已提交")
    expect_status(page, "当前状态", "已提交，待受理")
    expect(fact(page, "收件日期")).to_have_text("2026-11-26")
    expect(fact(page, "受理期限")).to_contain_text("2026-12-03")

    clerk.reload()
    submit_and_wait(clerk, "受理")
    expect(flash(clerk)).to_contain_text("已受理")
    expect(fact(clerk, "状态")).to_contain_text("已受理，审查中")

    page.reload()
    expect_status(page, "当前状态", "已受理，审查中")
    expect(fact(page, "当前状态")).to_contain_text("剩余 10 个工作日")
    expect(fact(page, "受理日期")).to_have_text("2026-11-26")
    expect(fact(page, "承诺办结期限")).to_contain_text("2026-12-10（法定期限 2026-12-24）")
    expect(page.get_by_role("listitem").filter(has_text="受理通知书")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="申请人身份证明：身份证-清晰.png")).to_be_visible()

    page.get_by_role("link", name="我的办件").click()
    row = page.get_by_role("row").filter(has_text=case_number)
    expect(row).to_contain_text("已受理，审查中")
    expect(row).to_contain_text("剩余 10 个工作日")


def test_clerk_files_for_a_walk_in_applicant_and_records_the_visit(live, make_context, signed_in):
    live.set_now("2026-11-23")
    mobile = live.next_mobile()
    id_number = id_number_for(mobile)
    clerk = signed_in("clerk")
    clerk.get_by_role("link", name="办件工作台").click()
    clerk.get_by_role("link", name="帮办代办：为来访群众申请").click()

    clerk.get_by_label("申请人手机号码").fill(mobile)
    clerk.get_by_label("该申请人尚无账号，为其开户").check()
    clerk.get_by_label("申请人姓名（开户时填写）").fill("王喆")
    clerk.get_by_label("证件号码（居民身份证号码或统一社会信用代码）").fill(id_number)
    clerk.get_by_label("初始密码（开户时填写，告知申请人）").fill(live.password)
    clerk.get_by_label("确认初始密码").fill(live.password)
    clerk.get_by_label("办理乡镇（街道）").select_option(label=QINGSHAN_NAME)
    clerk.get_by_label("办理事项").select_option(label=ITEM_NAME)
    submit_and_wait(clerk, "下一步：填写申请")

    expect(clerk.get_by_role("heading", level=1)).to_have_text(ITEM_NAME)
    expect(clerk.locator("p.lead")).to_contain_text("代办申请人：王喆")
    fill_homestead_form(clerk, name="王喆", id_number=id_number, mobile=mobile)
    submit_and_wait(clerk, "提交申请")

    # Straight to the case in the workbench.
    expect(clerk).to_have_url(re.compile(r"/workbench/cases/\d+$"))
    case_number = clerk.locator("h1 small").inner_text().strip()
    expect(fact(clerk, "状态")).to_contain_text("已提交，待受理")
    expect(fact(clerk, "状态")).to_contain_text("剩余 5 个工作日")
    expect(fact(clerk, "申请人")).to_contain_text("王喆")
    expect(fact(clerk, "申请人")).to_contain_text("由 王小窗 代办")
    expect(clerk.get_by_text("本件已登记来访 0 次")).to_be_visible()

    expect(clerk.get_by_label("来访人")).to_have_value("王喆")
    clerk.get_by_label("事由").fill("窗口帮办代办，当场提交宅基地申请")
    submit_and_wait(clerk, "登记来访")
    expect(flash(clerk)).to_contain_text(f"已登记 {case_number} 的来访")
    expect(clerk.get_by_text("本件已登记来访 1 次")).to_be_visible()

    # The applicant can follow the case online with the account the clerk opened.
    applicant = make_context().new_page()
    sign_in(applicant, mobile, live.password)
    applicant.get_by_role("link", name="我的办件").click()
    row = applicant.get_by_role("row").filter(has_text=case_number)
    expect(row).to_contain_text("已提交，待受理")
    expect(row).to_contain_text(ITEM_NAME)


def test_wrong_id_check_digit_is_explained_next_to_the_field_and_input_is_kept(live, page):
    mobile = live.next_mobile()
    wrong = id_number_for(mobile, valid=False)
    page.goto("/register")
    register(page, name="张喆", mobile=mobile, id_number=wrong, password=live.password)

    id_input = page.get_by_label("居民身份证号码")
    expect(id_input).to_have_value(wrong)
    expect(id_input).to_have_attribute("aria-invalid", "true")
    message = page.locator("#e-id_number")
    expect(message).to_have_text("身份证号码校验位错误，请核对")
    # Next to the field: inside the same .field block, and announced with it.
    expect(page.locator(".field.has-error").filter(has=id_input)).to_contain_text("校验位错误")
    assert "e-id_number" in (id_input.get_attribute("aria-describedby") or "")
    # The summary at the top links to the field.
    summary_link = page.get_by_role("alert").get_by_role("link", name="身份证号码校验位错误，请核对")
    expect(summary_link).to_have_attribute("href", "#f-id_number")
    # Everything else typed is kept (passwords excepted, on purpose).
    expect(page.get_by_label("姓名（企业填写法定代表人或经办人）")).to_have_value("张喆")
    expect(page.get_by_label("手机号码（用于登录）")).to_have_value(mobile)
    expect(page.get_by_label("申请人类型")).to_have_value("person")
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")

    # Correcting the digit is all it takes.
    page.get_by_label("居民身份证号码").fill(id_number_for(mobile))
    page.get_by_label(PASSWORD_LABEL).fill(live.password)
    page.get_by_label("确认密码").fill(live.password)
    submit_and_wait(page, "注册")
    expect(flash(page)).to_contain_text("注册成功")


def test_an_empty_registration_is_explained_in_chinese(page):
    page.goto("/register")
    submit_and_wait(page, "注册")
    summary = page.get_by_role("alert").first
    expect(summary).to_contain_text("提交的信息有误")
    english = re.findall(r"[A-Za-z]{3,}[A-Za-z ,:.]*", summary.inner_text())
    assert not english, f"untranslated messages: {english}"

