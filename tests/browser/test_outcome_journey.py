"""Legal affairs design what the 宅基地 decider fixes and what the 农村宅基地批准书 carries; a second officer
publishes both; an applicant applies; the decider fixes the area and the validity on the decision page; the
applicant's certificate prints the applied 面积, the decided 面积 and the decided validity."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import fact, fill_homestead_form, fill_row, flash, submit_and_wait
from tests.factories.pdf import pdf_text
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM

_row = fill_row


def test_designed_certificate_prints_the_applied_and_decided_area_and_the_decided_validity(
        live: Any, signed_in: Any) -> None:
    live.set_now("2026-11-23")
    # 1. Legal affairs: the decision content (two more terms after the default scope and validity).
    legal = signed_in("legal", at="/legal/")
    legal.get_by_role("link", name="决定内容与证照目录").click()
    legal.get_by_role("link", name=re.compile(ITEM)).click()
    _row(legal, "terms", 2, name="area", label="批准用地面积", type="number", unit="平方米", from_field="area",
         at_most_field="area", max="140")
    legal.locator("[name='terms-2-required']").check()
    _row(legal, "terms", 3, name="boundaries", label="四至", type="text")  # optional: 四至 may come later
    legal.get_by_label("核发的证照类型").select_option("")
    submit_and_wait(legal, "保存草稿")
    expect(flash(legal)).to_contain_text("须由另一名法制审核人员发布")
    expect(legal.get_by_role("button", name="发布第 1 版")).to_be_visible()
    # Publishing one's own draft is refused.
    submit_and_wait(legal, "发布第 1 版")
    expect(legal.locator("main")).to_contain_text("不能发布自己保存的草稿")
    # 2. The certificate type, previewed with sample data.
    legal.goto(f"{live.url}/legal/outcomes/certificate-types/new")
    legal.get_by_label("证照类型代码").fill("ZJDPZS")
    legal.get_by_label("证照名称").fill("农村宅基地批准书")
    legal.get_by_label("发证事项").select_option(ITEM)
    legal.get_by_label("版式").select_option("approval")
    _row(legal, "entries", 0, label="申请面积", source="form", field="area")
    _row(legal, "entries", 1, label="批准用地面积", source="decision", field="area")
    _row(legal, "entries", 2, label="四至", source="decision", field="boundaries")
    submit_and_wait(legal, "保存草稿")
    expect(flash(legal)).to_contain_text("证照类型草稿已保存")
    with legal.expect_download() as download:
        legal.get_by_role("link", name="预览样本（PDF）").click()
    with open(download.value.path(), "rb") as sample:
        assert "农村宅基地批准书（样本）" in pdf_text(sample.read())
    # 3. A second officer: the type names decision terms not in force yet, so it cannot be published
    # before the decision content is.
    second = signed_in("legal2", at="/legal/outcomes/certificate-types/ZJDPZS")
    submit_and_wait(second, "发布第 1 版")
    expect(second.locator("main")).to_contain_text("的决定内容没有“area”这一项")
    second.goto(f"{live.url}/legal/outcomes/items/{ITEM}/decision")
    submit_and_wait(second, "发布第 1 版")
    expect(flash(second)).to_contain_text("决定内容第 1 版已发布")
    second.goto(f"{live.url}/legal/outcomes/certificate-types/ZJDPZS")
    submit_and_wait(second, "发布第 1 版")
    expect(flash(second)).to_contain_text("证照类型 ZJDPZS 第 1 版已发布")

    # 4. An applicant applies for 120 ㎡; the town takes it through review.
    person = live.make_applicant(name="钱堃")
    applicant = signed_in(person["mobile"], at=f"/portal/apply/{QINGSHAN}/{ITEM}")
    fill_homestead_form(applicant, name="钱堃", id_number=person["id_number"], mobile=person["mobile"])
    submit_and_wait(applicant, "提交申请")
    case_number = fact(applicant, "办件编号").inner_text().strip()
    ref = applicant.url.rstrip("/").rsplit("/", 1)[-1]

    def open_case(username: str) -> Page:
        page = signed_in(username, at="/workbench/")
        page.get_by_role("link", name=case_number).click()
        return page

    submit_and_wait(open_case("clerk"), "受理")
    reviewer = open_case("reviewer")
    reviewer.get_by_label("审查意见", exact=True).fill("经实地踏勘，选址符合村庄规划")
    reviewer.get_by_label("建议准予许可").check()
    submit_and_wait(reviewer, "提交审查意见")
    submit_and_wait(reviewer, "审查完毕")

    # 5. The decider: the area comes prefilled from the application; over the rule is refused in place.
    live.set_now("2026-11-26")
    decider = open_case("decider")
    area = decider.get_by_label("批准用地面积（平方米）")
    expect(area).to_have_value("120")
    area.fill("130")
    decider.get_by_label("四至（选填）").fill("东至村道，南至李某宅基地，西至集体空地，北至水渠")
    decider.get_by_label("长期有效（办事指南规定）").uncheck()
    decider.get_by_label("截止日期").fill("2028-11-25")
    submit_and_wait(decider, "准予许可")
    expect(decider.locator("#decision-form")).to_contain_text("不能超过申请的 120平方米")
    decider.get_by_label("批准用地面积（平方米）").fill("110")
    decider.get_by_label("长期有效（办事指南规定）").uncheck()
    submit_and_wait(decider, "准予许可")
    expect(fact(decider, "状态")).to_contain_text("准予许可")

    # 6. The applicant opens the decision (电子送达), then the certificate prints what was applied for and
    # what was decided.
    applicant.goto(f"{live.url}/portal/applications/{ref}")
    applicant.get_by_role("region", name="您有一份决定文书待查收").get_by_role("button", name="查收文书").click()
    with applicant.expect_download() as download:
        applicant.get_by_role("link", name=re.compile("农村宅基地批准书")).first.click()
    with open(download.value.path(), "rb") as certificate:
        text = pdf_text(certificate.read()).replace(" ", "")
    assert "申请面积120" in text and "批准用地面积110平方米" in text, text
    assert "东至村道" in text and "自2026年11月26日至2028年11月25日" in text, text
