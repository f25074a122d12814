"""In Chromium: the applicant's inbox fills as the case moves, the navigation counts what is unread, opening
the acceptance notice is its electronic delivery, and the case thread carries a question and its answer."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.pages import fact, fill_homestead_form, flash, id_number_for, register, submit_and_wait


def test_the_inbox_fills_as_the_case_moves(live, make_context, signed_in):
    live.set_now("2026-11-23")
    mobile = live.next_mobile()
    id_number = id_number_for(mobile)
    page: Page = make_context().new_page()
    page.goto("/register")
    register(page, name="王珺", mobile=mobile, id_number=id_number, password=live.password)
    page.get_by_role("link", name="我的办件").click()
    page.get_by_role("link", name="青山镇").click()
    page.get_by_role("link", name="农村村民宅基地审批").click()
    fill_homestead_form(page, name="王珺", id_number=id_number, mobile=mobile)
    submit_and_wait(page, "提交申请")
    case_number = fact(page, "办件编号").inner_text().strip()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="消息 1 条未读")).to_be_visible()

    # A question in the case's thread instead of a phone call.
    page.get_by_label("留言内容").fill("请问户口簿需要复印哪几页？")
    submit_and_wait(page, "发送留言")
    expect(flash(page)).to_contain_text("留言已发送")

    live.set_now("2026-11-24")
    clerk = signed_in("clerk")
    clerk.get_by_role("link", name="办件工作台").click()
    clerk.get_by_role("link", name=case_number).click()
    thread = clerk.get_by_role("region", name="办件留言")
    expect(thread).to_contain_text("请问户口簿需要复印哪几页？")
    thread.get_by_label("留言内容").fill("首页和本人页即可。")
    submit_and_wait(clerk, "发送留言")
    submit_and_wait(clerk, "受理")
    expect(flash(clerk)).to_contain_text("已受理")

    page.reload()
    expect(nav.get_by_role("link", name="消息 4 条未读")).to_be_visible()  # with the invitation to rate 受理
    nav.get_by_role("link", name="消息 4 条未读").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的消息")
    expect(page.get_by_role("link", name="未读 请评价受理服务：农村村民宅基地审批")).to_be_visible()
    page.get_by_role("link", name="未读 已受理：农村村民宅基地审批").click()
    expect(page.get_by_text("受理通知书")).to_be_visible()
    expect(page.get_by_text("查阅时间即为电子送达时间")).to_be_visible()
    page.get_by_role("link", name="查看办件").click()
    receipts = page.get_by_role("region", name="文书电子送达情况")
    expect(receipts).to_contain_text("经站内消息查阅，视为送达")
    expect(page.get_by_role("region", name="办件留言")).to_contain_text("首页和本人页即可。")
