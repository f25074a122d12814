"""一件事 among the search results, in a browser: the demo county's bundles are found in everyday words from
the header's box — by the public and by the clerk at the window — in both modes, axe-core finds nothing
serious, a phone needs no sideways scrolling, and the result opens the bundle's combined guide."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    PHONE,
    LiveServer,
    build_app,
    describe,
    horizontal_overflow,
    new_context,
    run_axe,
    serious,
    sign_in,
)

PASSWORD = "Finding-Bundles-8"
NOW = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)


def _seed(app) -> None:
    """The demo county with its list, aliases and three bundles; every account with PASSWORD. Run in a
    thread of its own (Playwright's sync API runs an event loop in the test's)."""
    from service_hall.demo import DEMO_ACCOUNTS, load_accounts, load_demo, load_jurisdictions
    from service_hall.extensions import db

    failures: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                load_jurisdictions(db.session)
                load_accounts(db.session, now=NOW, passwords={a.username: PASSWORD for a in DEMO_ACCOUNTS})
                load_demo(db.session, now=NOW)
                db.session.commit()
        except BaseException as exc:  # re-raised in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("finding-bundles"))
    _seed(app)
    live = LiveServer(app).start()
    yield live
    live.stop()


@pytest.mark.parametrize("mode", ["standard", "elder"])
def test_a_bundle_is_found_from_the_header_and_opens_its_combined_guide(browser, blocked_requests, server, mode):
    context = new_context(browser, server, blocked=blocked_requests)
    try:
        page = context.new_page()
        page.goto("/")
        if mode == "elder":
            page.get_by_role("button", name="长辈版（大字）").click()
            expect(page.locator("body.elder")).to_have_count(1)
        page.get_by_label("搜索要办的事").first.fill("建房")
        page.get_by_label("搜索要办的事").first.press("Enter")
        result = page.get_by_role("link", name="农村建房一件事")
        expect(result).to_be_visible()
        violations = serious(run_axe(page))
        assert not violations, f"search with a bundle ({mode}): {describe(violations)}"
        page.set_viewport_size(PHONE)
        assert horizontal_overflow(page) == 0, f"search with a bundle ({mode}) is wider than a phone"
        result.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("农村建房一件事")
    finally:
        context.close()


def test_the_clerk_finds_a_bundle_for_a_walk_in_from_the_workbench(browser, blocked_requests, server):
    context = new_context(browser, server, blocked=blocked_requests)
    try:
        page = context.new_page()
        sign_in(page, "clerk", PASSWORD)
        page.goto("/workbench/")
        page.get_by_label("搜索要办的事").first.fill("开店")
        page.get_by_label("搜索要办的事").first.press("Enter")
        expect(page.get_by_role("link", name="个体工商户开业一件事")).to_be_visible()
        violations = serious(run_axe(page))
        assert not violations, describe(violations)
    finally:
        context.close()
