"""Pages a person would be glad to use: axe-core finds nothing serious, a phone (375×667) needs no
sideways scrolling, the keyboard reaches the skip link first and the main form's submit, and it all works with
JavaScript switched off."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    ITEM_NAME,
    QINGSHAN_NAME,
    expect_status,
    fact,
    fill_homestead_form,
    flash,
    id_number_for,
    register,
    submit_and_wait,
)
from tests.browser.support import DESKTOP, PHONE, describe, horizontal_overflow, new_context, run_axe, serious, sign_in
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM


@dataclass(frozen=True)
class Sample:
    """Two cases in 青山镇, one waiting for the applicant's correction and one accepted (under review), so
    that the pages show their forms and facts."""

    applicant: str
    case_ref: str
    case_id: int
    accepted_id: int
    catalog_item_id: int
    version_id: int


@pytest.fixture(scope="module")
def sample(live: Any, browser: Any) -> Iterator[Sample]:
    from sqlalchemy import select

    from power_lists.models import PowerItem
    from service_hall.cases.models import Application
    from service_hall.extensions import db

    live.set_now("2026-11-23")
    applicant = live.make_applicant(name="赵龑")
    context = new_context(browser, live.server)
    try:
        page = context.new_page()
        sign_in(page, applicant["mobile"], live.password)
        refs = []
        for _ in range(2):
            page.goto(f"/portal/apply/{QINGSHAN}/{ITEM}")
            fill_homestead_form(page, name="赵龑", id_number=applicant["id_number"], mobile=applicant["mobile"])
            submit_and_wait(page, "提交申请")
            refs.append(page.url.rstrip("/").rsplit("/", 1)[-1])
        ref = refs[0]
        with live.app.app_context():
            case_id, accepted_id = (db.session.scalars(select(Application.id).where(Application.ref == r)).one()
                                    for r in refs)
            item = db.session.scalars(select(PowerItem).where(PowerItem.code == ITEM).order_by(PowerItem.id)).first()
            item_id, version_id = item.id, item.version_id
        page.context.clear_cookies()
        sign_in(page, "clerk", live.password)
        page.goto(f"/workbench/cases/{case_id}")
        page.get_by_label("第1项：材料").select_option(label="申请人身份证明")
        page.locator("#f-problem-0").fill("身份证复印件不清晰")
        submit_and_wait(page, "发出补正告知")
        expect(flash(page)).to_contain_text("已一次性告知补正内容")
        page.goto(f"/workbench/cases/{accepted_id}")
        submit_and_wait(page, "受理")
        expect(flash(page)).to_contain_text("已受理")
    finally:
        context.close()
        live.app.config.pop("FIXED_NOW", None)
    yield Sample(applicant["mobile"], ref, case_id, accepted_id, item_id, version_id)


# (page name, who is signed in, path — "{…}" filled from the sample). Pages whose URL the app does not
# route yet are skipped, so that pages being built join the check as soon as they exist.
PAGES: list[tuple[str, str | None, str]] = [
    ("home", None, "/"),
    ("login", None, "/login"),
    ("register", None, "/register"),
    ("portal index", "applicant", "/portal/"),
    ("portal town", "applicant", f"/portal/towns/{QINGSHAN}"),
    ("apply", "applicant", f"/portal/apply/{QINGSHAN}/{ITEM}"),
    ("application", "applicant", "/portal/applications/{case_ref}"),
    ("account", "applicant", "/account"),
    ("sessions and tokens", "clerk", "/account/sessions"),
    ("second factor", "clerk", "/account/second-factor"),
    ("workbench queue", "clerk", "/workbench/"),
    ("case", "clerk", "/workbench/cases/{case_id}"),
    ("case under review (reviewer)", "reviewer", "/workbench/cases/{accepted_id}"),
    ("case under review (decider)", "decider", "/workbench/cases/{accepted_id}"),
    ("file on behalf", "clerk", "/workbench/file"),
    ("visits", "clerk", "/workbench/visits"),
    ("workbench rectification", "clerk", "/workbench/rectification"),
    ("admin users", "admin", "/admin/users"),
    ("admin calendar", "admin", "/admin/calendar"),
    ("supervision", "supervisor", "/supervision/"),
    ("supervision triggers", "supervisor", "/supervision/triggers"),
    ("supervision ratings", "supervisor", "/supervision/ratings"),
    ("supervision evaluation", "supervisor", "/supervision/evaluation"),
    ("catalog index", None, "/catalog/"),
    ("catalog town", None, f"/catalog/towns/{QINGSHAN}"),
    ("catalog town statistics", None, f"/catalog/towns/{QINGSHAN}/statistics"),
    ("catalog item", None, "/catalog/items/{catalog_item_id}"),
    ("catalog versions", None, "/catalog/versions"),
    ("catalog version changes", None, "/catalog/versions/{version_id}"),
    ("legal index", "legal", "/legal/"),
    ("legal version", "legal", "/legal/versions/{version_id}"),
    ("legal import", "legal", "/legal/import"),
    ("legal diff", "legal", "/legal/diff"),
    ("catalog entrustments", None, "/catalog/entrustments"),
    ("certificate verification", None, "/verify"),
]
PAGE_IDS = [p[0] for p in PAGES]
PAGE = {p[0]: p for p in PAGES}


@dataclass
class Viewer:
    """One signed-in tab per person, reused by the page checks (they only read): after the first page, a
    tab has axe compiled and each check costs little more than loading the page."""

    page: Page
    console_errors: list[str]
    blocked: list[str]


@pytest.fixture(scope="module")
def viewers() -> Iterator[dict[Any, Viewer]]:
    opened: dict[Any, Viewer] = {}
    yield opened
    for viewer in opened.values():
        viewer.page.context.close()


@pytest.fixture
def open_page(live: Any, browser: Any, storage_state: Callable[[str], Any], viewers: dict[Any, Viewer],
              sample: Sample) -> Callable[..., Viewer]:
    """``open_page(entry)`` → the person's tab showing the page (desktop size); fails for a page that does not exist.

    The tab's console errors (a script or style refused by the Content-Security-Policy, a failed request)
    and any request that tried to leave 127.0.0.1 are collected for this page alone.
    """

    def open_(entry: tuple[str, str | None, str]) -> Viewer:
        name, who, path = entry
        path = path.format(**sample.__dict__)
        assert live.routes(path), f"{name}: no page at {path}"
        live.set_now("2026-11-24")
        username = sample.applicant if who == "applicant" else who
        if username not in viewers:
            blocked: list[str] = []
            options = {"storage_state": storage_state(username)} if username else {}
            page = new_context(browser, live.server, blocked=blocked, **options).new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            viewers[username] = Viewer(page, errors, blocked)
        viewer = viewers[username]
        viewer.console_errors.clear()
        viewer.blocked.clear()
        viewer.page.set_viewport_size(DESKTOP)
        response = viewer.page.goto(path)
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        return viewer

    return open_


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
def test_accessible_and_fits_a_phone(open_page, entry):
    """axe-core (WCAG 2 A/AA and best practices) finds no serious or critical problem, the console stays
    clean, nothing reaches beyond 127.0.0.1, and at 375×667 CSS pixels nothing scrolls sideways."""
    viewer = open_page(entry)
    page = viewer.page
    violations = serious(run_axe(page))
    assert not violations, f"{entry[0]}: {describe(violations)}"
    assert not viewer.console_errors, f"{entry[0]}: console errors {viewer.console_errors}"
    assert not viewer.blocked, f"{entry[0]}: requests beyond 127.0.0.1 {viewer.blocked}"
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0, f"{entry[0]} is wider than a 375 px phone"


# List pages whose tables must read as cards on a phone.
CARD_PAGES = ["portal index", "apply", "application", "workbench queue", "case", "workbench rectification",
              "admin users", "supervision ratings", "catalog town statistics", "catalog item", "catalog town"]
NARROWEST_CELL = 48  # CSS px: three characters of 16 px


def _narrow_cells(page: Page) -> list[str]:
    """Visible table cells narrower than three characters, as "page text (width)"."""
    return page.evaluate("""(least) => Array.from(document.querySelectorAll("table td, table th"))
        .filter(c => c.offsetParent !== null && !c.closest("thead") && !c.closest(".chart"))
        .map(c => [c.getBoundingClientRect().width, c.textContent.trim().slice(0, 20)])
        .filter(([w, text]) => text && w < least).map(([w, text]) => `${text} (${Math.round(w)} px)`)""",
                         NARROWEST_CELL)


@pytest.mark.parametrize("name", CARD_PAGES)
def test_list_tables_become_cards_on_a_phone(open_page, name):
    """At 375 px a list table shows each row as a card of labelled values: no cell narrower than three
    characters, nothing scrolls sideways, and the labels come from the column headers."""
    page = open_page(PAGE[name]).page
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0, f"{name} is wider than a 375 px phone"
    assert not _narrow_cells(page), f"{name}: cells squeezed on a phone: {_narrow_cells(page)}"
    tables = page.locator(".table-wrap > table:has(thead)")
    for i in range(tables.count()):
        table = tables.nth(i)
        if not table.is_visible():
            continue
        cell = table.locator("tbody td").first
        if cell.count() == 0:
            continue
        assert cell.evaluate("c => getComputedStyle(c).display") == "block", f"{name}: table {i} is not cards"
        if int(cell.evaluate("c => c.colSpan")) == 1:
            assert cell.get_attribute("data-label"), f"{name}: table {i} cells carry no labels"


def test_a_document_name_keeps_its_last_characters_together_on_a_phone(open_page):
    page = open_page(PAGE["application"]).page
    page.set_viewport_size(PHONE)
    names = page.locator(".doc-name")
    assert names.count() >= 1
    for i in range(names.count()):
        assert names.nth(i).evaluate("n => getComputedStyle(n).display") == "inline-block"


def _tab_until(page: Page, target: Any, limit: int = 60) -> list[str]:
    """Press Tab until ``target`` has focus; returns the accessible names passed on the way."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return seen
        seen.append(page.evaluate("() => document.activeElement.textContent.trim() "
                                  "|| document.activeElement.getAttribute('name') || ''"))
    raise AssertionError(f"Tab never reached {target}; focus went through {seen}")


def _has_visible_focus(locator: Any) -> bool:
    return bool(locator.evaluate("el => getComputedStyle(el).outlineStyle !== 'none' "
                                 "&& parseFloat(getComputedStyle(el).outlineWidth) > 0"))


@pytest.mark.parametrize("entry, submit", [
    (PAGE["login"], "登录"), (PAGE["register"], "注册"), (PAGE["apply"], "提交申请"), (PAGE["case"], "登记来访"),
], ids=["login", "register", "apply", "case"])
def test_keyboard_reaches_skip_link_first_then_the_main_form(open_page, entry, submit):
    page = open_page(entry).page
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused, hidden otherwise
    assert _has_visible_focus(skip)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    button = page.get_by_role("button", name=submit, exact=True)
    passed = _tab_until(page, button)
    assert not any(name in {"首页", "登录", "注册", "退出"} for name in passed), \
        f"after the skip link, Tab went back to the header: {passed}"
    expect(button).to_be_focused()
    assert _has_visible_focus(button)


def test_the_whole_applicant_journey_works_without_javascript(live, make_context, signed_in):
    live.set_now("2026-11-23")
    mobile = live.next_mobile()
    id_number = id_number_for(mobile)
    page = make_context(java_script_enabled=False).new_page()
    assert page.evaluate("() => 1") == 1  # Playwright's own probes still run; the page's scripts do not
    page.goto("/register")
    register(page, name="钱喆", mobile=mobile, id_number=id_number, password=live.password)
    expect(flash(page)).to_contain_text("注册成功")
    page.get_by_role("link", name="我的办件").click()
    page.get_by_role("link", name=QINGSHAN_NAME).click()
    page.get_by_role("link", name=ITEM_NAME).click()
    fill_homestead_form(page, name="钱喆", id_number=id_number, mobile=mobile)
    page.get_by_label("申请面积（平方米）").fill("")  # a mistake first: the server explains it
    submit_and_wait(page, "提交申请")
    expect(page.locator("#e-area")).to_be_visible()
    expect(page.get_by_label("详细地址")).to_have_value("青山村3组12号")
    # The uploads that passed are offered again, so nothing is uploaded twice.
    expect(page.get_by_label("或使用已上传的材料").first).to_contain_text("申请表.pdf")
    page.get_by_label("申请面积（平方米）").fill("100")
    submit_and_wait(page, "提交申请")
    expect(flash(page)).to_contain_text("申请已提交")
    expect_status(page, "当前状态", "已提交，待受理")
    expect(fact(page, "受理期限")).to_contain_text("2026-11-30")

    clerk = signed_in("clerk", java_script_enabled=False)
    clerk.get_by_role("link", name="办件工作台").click()
    clerk.get_by_role("link", name=fact(page, "办件编号").inner_text().strip()).click()
    submit_and_wait(clerk, "受理")
    page.reload()
    expect_status(page, "当前状态", "已受理，审查中")
    expect(fact(page, "承诺办结期限")).to_contain_text("2026-12-07")


def test_a_checkbox_sits_beside_its_label(signed_in):
    """Regression: ``.field input { width:100% }`` stretched radio buttons and checkboxes across the form,
    their labels on a line of their own."""
    page = signed_in("clerk", at="/workbench/file")
    box = page.get_by_label("该申请人尚无账号，为其开户").bounding_box()
    label = page.get_by_text("该申请人尚无账号，为其开户").bounding_box()
    assert box is not None and label is not None
    assert box["width"] < 40, f"the checkbox is {box['width']} px wide"
    assert box["x"] + box["width"] <= label["x"], "the label is not to the right of its checkbox"
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < label["height"], \
        "the checkbox and its label are not on one line"


def test_the_axe_check_does_find_problems(page):
    """The harness is not vacuous: a page with an unlabelled input and grey-on-grey text fails it."""
    page.set_content('<html lang="zh-CN"><title>t</title><main><p style="color:#aaa;background:#bbb">看不清</p>'
                     '<input type="text"></main></html>')
    found = {v["id"] for v in serious(run_axe(page))}
    assert {"color-contrast", "label"} <= found, found


def test_the_browser_cannot_reach_beyond_the_live_server(browser, live):
    from playwright.sync_api import Error as PlaywrightError

    blocked: list[str] = []
    context = new_context(browser, live.server, blocked=blocked)
    try:
        page = context.new_page()
        with pytest.raises(PlaywrightError):
            page.goto("http://example.com/")
        assert blocked == ["http://example.com/"]
    finally:
        context.close()
