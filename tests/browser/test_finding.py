"""Finding what to apply for, in a browser: the search, the guided questions and the 长辈版. axe-core finds
nothing serious in either mode, a phone needs no sideways scrolling, and an older person completes an
application with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.pages import flash, upload
from tests.browser.support import PHONE, describe, horizontal_overflow, run_axe, serious
from tests.factories.files import PDF, PNG
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM

GUIDED = f"/catalog/guided/build_house?town={QINGSHAN}"
PAGES: list[tuple[str, str | None, str]] = [
    ("home", None, "/"),
    ("search results", None, "/catalog/search?q=宅基地"),
    ("search with filters", None, f"/catalog/search?q=宅基地&town={QINGSHAN}&type=licensing&channel=window"),
    ("search nothing found", None, "/catalog/search?q=办护照"),
    ("guided index", None, "/catalog/guided"),
    ("guided question", None, GUIDED),
    ("guided result", None, f"{GUIDED}&plan=new&old_home=yes"),
    ("catalog town", None, f"/catalog/towns/{QINGSHAN}"),
    ("login", None, "/login"),
    ("apply", "applicant", f"/portal/apply/{QINGSHAN}/{ITEM}"),
    ("workbench queue", "clerk", "/workbench/"),
    ("legal aliases", "legal", "/legal/aliases"),
    ("legal search misses", "legal", "/legal/search-misses"),
]
MODES = ["standard", "elder"]


def _elder(context: Any, live: Any) -> None:
    context.add_cookies([{"name": "elder_mode", "value": "1", "url": live.url}])


@pytest.fixture(scope="module")
def applicant(live: Any) -> dict[str, str]:
    return live.make_applicant(name="孙老伯")


@pytest.fixture
def open_as(make_context: Callable[..., Any], storage_state: Callable[[str], Any], live: Any,
            applicant: dict[str, str]) -> Callable[..., Page]:
    def open_(who: str | None, mode: str) -> Page:
        username = applicant["mobile"] if who == "applicant" else who
        options = {"storage_state": storage_state(username)} if username else {}
        context = make_context(**options)
        if mode == "elder":
            _elder(context, live)
        page = context.new_page()
        errors: list[str] = []
        # The browser's own favicon request (once per context) is not the page's.
        page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url', '')}")
                if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
        page.console_errors = errors  # type: ignore[attr-defined]
        return page

    return open_


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("entry", PAGES, ids=[p[0] for p in PAGES])
def test_accessible_in_both_modes_and_fits_a_phone(live, open_as, entry, mode):
    name, who, path = entry
    page = open_as(who, mode)
    live.set_now("2026-11-24")
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{name}: {response and response.status}"
    if mode == "elder":
        expect(page.locator("body.elder")).to_have_count(1)
        expect(page.locator(".window-phone")).to_contain_text("0571-6400 0000")
    violations = serious(run_axe(page))
    assert not violations, f"{name} ({mode}): {describe(violations)}"
    assert not page.console_errors, f"{name} ({mode}): console errors {page.console_errors}"
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0, f"{name} ({mode}) is wider than a 375 px phone"


def test_search_from_the_header_and_the_elder_switch_without_javascript(live, make_context):
    page = make_context(java_script_enabled=False).new_page()
    page.goto(f"/catalog/towns/{QINGSHAN}")
    page.get_by_label("搜索要办的事").fill("宅基地")
    with page.expect_navigation():
        page.get_by_role("button", name="搜索", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/catalog/search\?q="))
    expect(page.locator("ol.result-list mark").first).to_have_text("宅基地")
    with page.expect_navigation():
        page.get_by_role("button", name="长辈版（大字）").click()
    expect(page).to_have_url(re.compile(r"/catalog/search\?q="))  # back on the same page
    expect(page.locator("body.elder")).to_have_count(1)
    expect(page.locator(".window-phone")).to_contain_text("0571-6400 0000")
    with page.expect_navigation():
        page.get_by_role("button", name="切换到标准版").click()
    expect(page.locator("body.elder")).to_have_count(0)


def test_guided_questions_one_per_page_without_javascript(live, make_context):
    live.set_now("2026-11-24")
    page = make_context(java_script_enabled=False).new_page()
    page.goto("/catalog/guided")
    page.get_by_role("link", name="农村建房").click()
    page.get_by_label("青山镇").check()
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="下一步").click()  # nothing chosen: the page says so
    expect(page.get_by_role("alert")).to_contain_text("请从下列选项中选择一项")
    page.get_by_label("在新的宅基地上建新房").check()
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("有", exact=True).check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您需要办理")
    expect(page.locator("main")).to_contain_text("青山镇便民服务中心综合窗口")
    expect(page.locator("main")).to_contain_text("申请人身份证明")  # the seed list's guide


def _tab_to(page: Page, target: Any, limit: int = 80) -> None:
    """Press Tab (only) until ``target`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def _choose_file_by_keyboard(page: Page, file: Any) -> None:
    """Space on the focused file input opens the chooser. Chromium ignores a key press that
    arrives while the previous chooser is still closing, so a busy machine gets a second press."""
    for attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            continue
        chooser.value.set_files(file)
        return


def test_an_older_person_applies_with_the_keyboard_alone_in_elder_mode(live, make_context):
    live.set_now("2026-11-23")
    person = live.make_applicant(name="周老伯")
    context = make_context()
    _elder(context, live)
    page = context.new_page()
    page.goto("/login")
    _tab_to(page, page.get_by_label("用户名或手机号"))
    page.keyboard.type(person["mobile"])
    page.keyboard.press("Tab")
    page.keyboard.type(live.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The search box in the header, by keyboard: the item, then its guide, then 申请.
    page.goto(f"/catalog/search?town={QINGSHAN}")
    _tab_to(page, page.get_by_label("想办什么事"))
    page.keyboard.type("宅基地")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    apply_link = page.get_by_role("link", name="在青山镇申请").first
    _tab_to(page, apply_link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/portal/apply/{QINGSHAN}/{ITEM}"))

    def field(label: str) -> Any:  # required fields' labels end in "*（必填）"
        return page.get_by_label(re.compile(rf"^{re.escape(label)}(\*|（必填）)*$"))

    def type_into(label: str, text: str) -> None:
        _tab_to(page, field(label))
        page.keyboard.type(text)

    type_into("申请人姓名", "周老伯")
    type_into("身份证号码", person["id_number"])
    type_into("联系电话", person["mobile"])
    _tab_to(page, field("村（社区）"))
    page.keyboard.press("ArrowDown")  # the first village
    type_into("详细地址", "青山村3组12号")
    type_into("申请面积（平方米）", "100")
    for label, file in (("农村宅基地和建房（规划许可）申请表", upload("申请表.pdf", PDF, "application/pdf")),
                        ("申请人身份证明", upload("身份证.png", PNG, "image/png"))):
        _tab_to(page, field(label))
        _choose_file_by_keyboard(page, file)
        # The chooser has closed before the next field is reached.
        page.wait_for_function("el => el.files.length === 1", arg=field(label).element_handle())
    _tab_to(page, page.get_by_role("button", name="提交申请", exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("申请已提交")
    expect(page.locator(".window-phone")).to_contain_text("0571-6400 0000")
