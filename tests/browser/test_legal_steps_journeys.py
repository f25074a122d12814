"""Journeys through the law's steps in Chromium, each person in a browser of their own: 容缺 to completion
(accepted on a pledge, the deferred material uploaded by the applicant, then the decision, opened by the
applicant), a correction of application data (only the named field opens; the clerk sees before and after),
and a revocation that hears the holder first (notice, 陈述申辩, decision)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import PNG, fact, fill_homestead_form, flash, submit_and_wait, upload
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM


def _apply(live: Any, signed_in: Callable[..., Page], name: str, *, without_id: bool = False) -> tuple[Page, str]:
    person = live.make_applicant(name=name)
    applicant = signed_in(person["mobile"], at=f"/portal/apply/{QINGSHAN}/{ITEM}")
    fill_homestead_form(applicant, name=name, id_number=person["id_number"], mobile=person["mobile"])
    if without_id:  # to be supplied later, on a pledge (容缺)
        applicant.get_by_label("申请人身份证明").set_input_files([])
    submit_and_wait(applicant, "提交申请")
    expect(flash(applicant)).to_contain_text("申请已提交")
    return applicant, fact(applicant, "办件编号").inner_text().strip()


def _open_case(signed_in: Callable[..., Page], username: str, case_number: str) -> Page:
    page = signed_in(username, at="/workbench/")
    page.get_by_role("link", name=case_number).click()
    return page


def _review_and_approve(live: Any, signed_in: Callable[..., Page], case_number: str) -> Page:
    reviewer = _open_case(signed_in, "reviewer", case_number)
    reviewer.get_by_label("审查意见", exact=True).fill("材料齐全，选址符合村庄规划")
    reviewer.get_by_label("建议准予许可").check()
    submit_and_wait(reviewer, "提交审查意见")
    submit_and_wait(reviewer, "审查完毕")
    decider = _open_case(signed_in, "decider", case_number)
    submit_and_wait(decider, "准予许可")
    expect(fact(decider, "状态")).to_contain_text("准予许可")
    return decider


def _open_the_decision(applicant: Page) -> None:
    applicant.reload()
    waiting = applicant.get_by_role("region", name="您有一份决定文书待查收")
    expect(waiting).to_be_visible()
    waiting.get_by_role("button", name="查收文书").click()
    expect(flash(applicant)).to_contain_text("您已查收")
    expect(applicant.get_by_text("您有一份决定文书待查收")).to_have_count(0)


def test_deferred_material_on_a_pledge_through_to_the_decision(live, signed_in):
    live.set_now("2026-11-23")
    applicant, case_number = _apply(live, signed_in, "周龑", without_id=True)

    clerk = _open_case(signed_in, "clerk", case_number)
    clerk.locator("#f-missing-M02").check()
    clerk.get_by_label("申请人已签署容缺受理承诺书（承诺在期限内补交上述材料）").check()
    submit_and_wait(clerk, "容缺受理")
    expect(flash(clerk)).to_be_visible()
    expect(fact(clerk, "容缺材料")).to_contain_text("M02")

    # The applicant sees what is owed and by when, and uploads it from the case page.
    applicant.reload()
    expect(fact(applicant, "容缺承诺")).to_contain_text("申请人身份证明")
    deferred = applicant.get_by_role("region", name="补交容缺材料")
    deferred.get_by_label("申请人身份证明").set_input_files(upload("身份证.png", PNG, "image/png"))
    submit_and_wait(applicant, "补交材料")
    expect(flash(applicant)).to_contain_text("容缺材料已补交")
    expect(applicant.get_by_role("region", name="补交容缺材料")).to_have_count(0)

    live.set_now("2026-11-25")
    _review_and_approve(live, signed_in, case_number)
    _open_the_decision(applicant)
    expect(applicant.get_by_role("listitem").filter(has_text="准予行政许可决定书")).to_have_count(1)


def test_a_correction_of_one_field_is_answered_and_shown_before_and_after(live, signed_in):
    live.set_now("2026-11-23")
    applicant, case_number = _apply(live, signed_in, "吴龑")

    clerk = _open_case(signed_in, "clerk", case_number)
    clerk.get_by_label("第1项：材料").select_option(label="申请面积（平方米）")
    clerk.locator("#f-problem-0").fill("拟建房屋建筑面积与层数不符，请核对")
    clerk.get_by_label("补正期限（工作日）").fill("10")
    submit_and_wait(clerk, "发出补正告知")
    expect(flash(clerk)).to_contain_text("已一次性告知补正内容")

    applicant.reload()
    fields = applicant.get_by_role("group", name="需要更正的申请信息")
    expect(fields).to_be_visible()
    expect(fields.get_by_label("申请面积（平方米）")).to_have_value("120")
    expect(fields.get_by_label("申请人姓名")).to_have_count(0)  # only the named field opens
    fields.get_by_label("申请面积（平方米）").fill("100")
    submit_and_wait(applicant, "提交补正材料")
    expect(flash(applicant)).to_be_visible()

    clerk.reload()
    answered = clerk.get_by_role("listitem").filter(has_text="拟建房屋建筑面积与层数不符")
    expect(answered).to_contain_text("更正前：120")
    expect(answered).to_contain_text("更正后：100")


def test_a_revocation_hears_the_holder_before_the_decision(live, signed_in):
    live.set_now("2026-11-23")
    applicant, case_number = _apply(live, signed_in, "郑龑")
    submit_and_wait(_open_case(signed_in, "clerk", case_number), "受理")
    live.set_now("2026-11-25")
    decider = _review_and_approve(live, signed_in, case_number)
    _open_the_decision(applicant)

    live.set_now("2026-12-01")
    decider.reload()
    expect(decider.get_by_role("button", name="作出撤销决定")).to_have_count(0)  # not before hearing the holder
    decider.get_by_label("拟撤销的事实和理由").fill("经核查，申请人提交的宅基地四至证明系伪造")
    submit_and_wait(decider, "发出撤销事先告知书")
    expect(decider.get_by_text("申请人尚未提出陈述申辩意见")).to_be_visible()

    applicant.reload()
    intent = applicant.get_by_role("region", name="拟撤销行政许可告知")
    expect(intent).to_contain_text("四至证明系伪造")
    intent.get_by_label("陈述申辩意见").fill("四至证明由村委会出具，可调取原件核实")
    submit_and_wait(applicant, "提交陈述申辩")
    expect(flash(applicant)).to_contain_text("陈述申辩意见已提交")

    live.set_now("2026-12-03")
    decider.reload()
    expect(decider.get_by_text("申请人陈述申辩意见（2026-12-01）：四至证明由村委会出具，可调取原件核实")).to_be_visible()
    decider.get_by_label("撤销理由（已听取申请人意见）").fill("经调取原件，四至证明确系伪造，陈述申辩理由不成立")
    submit_and_wait(decider, "作出撤销决定")
    expect(fact(decider, "状态")).to_contain_text("已撤销")

    _open_the_decision(applicant)
    expect(applicant.get_by_role("listitem").filter(has_text="撤销行政许可决定书")).to_have_count(1)
