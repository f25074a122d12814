"""What a person does on the pages, written once: register, fill the application form, read a fact.

Locators go by what people see — labels, link and button names — so the tests break when the pages
stop making sense to a person, not when markup is rearranged.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from forms.validators import id_number_check_char
from tests.browser.support import PASSWORD_LABEL
from tests.factories.files import PDF, PNG

QINGSHAN_NAME = "青山镇"
ITEM_NAME = "农村村民宅基地审批"


def id_number_for(mobile: str, *, valid: bool = True) -> str:
    """A 居民身份证 number unique to the mobile number, with its GB 11643 check digit (or a wrong one)."""
    first17 = "33012719850312" + mobile[-3:]
    check = id_number_check_char(first17)
    if not valid:
        check = "0" if check != "0" else "1"
    return first17 + check


def upload(name: str, content: bytes, mime: str) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": content}


def submit_and_wait(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def register(page: Page, *, name: str, mobile: str, id_number: str, password: str) -> None:
    page.get_by_label("申请人类型").select_option("person")
    page.get_by_label("姓名（企业填写法定代表人或经办人）").fill(name)
    page.get_by_label("居民身份证号码").fill(id_number)
    page.get_by_label("手机号码（用于登录）").fill(mobile)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_label("确认密码").fill(password)
    submit_and_wait(page, "注册")


def fill_homestead_form(page: Page, *, name: str, id_number: str, mobile: str) -> None:
    """The seed form of 农村村民宅基地审批 (tests/factories/forms.py) and its two required materials."""
    page.get_by_label("申请人姓名").fill(name)
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("联系电话").fill(mobile)
    page.get_by_label("村（社区）").select_option(label="青山村")
    page.get_by_label("详细地址").fill("青山村3组12号")
    page.get_by_label("申请面积（平方米）").fill("120")
    page.get_by_label("开始日期").fill("2026-12-01")
    page.get_by_label("结束日期").fill("2027-03-01")
    page.get_by_label("农村宅基地和建房（规划许可）申请表").set_input_files(
        upload("申请表.pdf", PDF, "application/pdf"))
    page.get_by_label("申请人身份证明").set_input_files(upload("身份证.png", PNG, "image/png"))


def fact(page: Page, term: str) -> Any:
    """The <dd> of a <dt> in the page's fact lists (办件编号, 当前状态 …)."""
    return page.locator(f"dl.facts dt:text-is('{term}') + dd").first


def flash(page: Page) -> Any:
    return page.locator("main [role=status]").first


def expect_status(page: Page, term: str, label: str) -> None:
    expect(fact(page, term)).to_contain_text(label)


def fill_row(page: Page, prefix: str, n: int, **values: str) -> None:
    """Fill row ``n`` of a repeated group on a design page (``terms-2-label``, ``entries-0-source`` …)."""
    for column, value in values.items():
        control = page.locator(f"[name='{prefix}-{n}-{column}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
