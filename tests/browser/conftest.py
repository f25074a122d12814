"""End-to-end fixtures: the real app on 127.0.0.1 in a background thread, one headless Chromium (Debian's)
for the package (closed once its last test has run), a fresh browser context per test.

The live app has its own instance folder and SQLite database built by the migrations, separate from the
suite's `app` fixture. Its data is seeded once (jurisdictions, the demo accounts, the small published
list of the intake setup in tests/factories/worlds.py); every journey makes its own applicant, so tests
do not depend on each other's order. The clock is pinned per test through ``FIXED_NOW`` so that deadlines
are exact, and a test fails if the app logged an error while it ran.

Skipped as a whole, with the reason, when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import CHROMIUM, ErrorLog, LiveServer, build_app, launch_chromium, new_context, sign_in

HERE = Path(__file__).resolve().parent
PASSWORD = "Browser-Test-8"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class Live:
    server: LiveServer
    password: str = PASSWORD
    _mobiles: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    errors: ErrorLog = field(default_factory=ErrorLog)

    @property
    def app(self) -> Any:
        return self.server.app

    @property
    def url(self) -> str:
        return self.server.url

    def next_mobile(self) -> str:
        return f"1371000{next(self._mobiles):04d}"

    def has_endpoint(self, *names: str) -> bool:
        return all(name in self.app.view_functions for name in names)

    def endpoints(self) -> set[str]:
        return set(self.app.view_functions)

    def routes(self, path: str, method: str = "GET") -> bool:
        """Whether the app has a page at ``path`` (path only, no query)."""
        from werkzeug.exceptions import HTTPException

        try:
            self.app.url_map.bind("127.0.0.1").match(path.split("?")[0], method=method)
        except HTTPException:
            return False
        return True

    def set_now(self, day: str, hour: int = 10) -> dt.datetime:
        """Pin the app's clock to ``hour`` o'clock Beijing time on ``day`` (YYYY-MM-DD)."""
        d = dt.date.fromisoformat(day)
        moment = dt.datetime(d.year, d.month, d.day, hour, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        self.app.config["FIXED_NOW"] = moment.astimezone(dt.UTC)
        return moment

    def make_applicant(self, *, name: str = "李堃") -> dict[str, str]:
        """An applicant account made through the domain (for journeys that are not about registering)."""
        from forms.validators import id_number_check_char
        from service_hall.accounts.operations import register_applicant
        from service_hall.extensions import db

        mobile = self.next_mobile()
        base = "33012719850312" + mobile[-3:]
        id_number = base + id_number_check_char(base)
        with self.app.app_context():
            register_applicant(db.session, {
                "applicant_type": "person", "real_name": name, "mobile": mobile, "id_number": id_number,
                "password": self.password, "password_confirm": self.password},
                now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
            db.session.commit()
        return {"mobile": mobile, "name": name, "id_number": id_number}


# tests/factories/power_list.py stores a 办事指南 with only what the flow needs; the list's own import wants every
# element of the national guide standard. Completed here so that the stored list is one that an export
# → import round trip reproduces exactly.
GUIDE_DEFAULTS = {"fee_charged": False, "fee_standard": "不收费", "fee_basis": "", "result_name": "农村宅基地批准书",
                  "result_type": "证照", "result_validity": "长期", "consult": "青山镇便民服务中心综合窗口",
                  "complaint": "清溪县政务服务管理办公室；电话 12345"}
MATERIAL_DEFAULTS = {"source": "申请人自备", "paper_copies": 1, "form": "原件"}


def _complete_seed_guides(session: Any) -> None:
    from sqlalchemy import select, update

    from power_lists.models import PowerItem

    for item_id, guide in session.execute(select(PowerItem.id, PowerItem.guide)).all():
        if not guide:
            continue
        completed = {**GUIDE_DEFAULTS, **{k: v for k, v in guide.items() if v is not None}}
        completed["materials"] = [{**MATERIAL_DEFAULTS, **m} for m in guide.get("materials", [])]
        # A Core UPDATE: published rows are immutable to the ORM, and this is seeding, not an edit.
        session.execute(update(PowerItem).where(PowerItem.id == item_id).values(guide=completed))


def _seed(app: Any) -> None:
    from service_hall.demo import DEMO_ACCOUNTS, load_accounts, load_jurisdictions
    from service_hall.extensions import db
    from tests.factories.places import QINGSHAN
    from tests.factories.power_list import publish_list
    from tests.factories.worlds import INTAKE_ITEMS

    with app.app_context():
        load_jurisdictions(db.session)
        load_accounts(db.session, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                      passwords={a.username: PASSWORD for a in DEMO_ACCOUNTS})
        db.session.commit()
    publish_list(app, INTAKE_ITEMS, towns=(QINGSHAN,))
    with app.app_context():
        _complete_seed_guides(db.session)
        db.session.commit()


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    if not CHROMIUM.exists():
        reason = (f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium; "
                  "`WITH_BROWSER=1 sh scripts/system-deps.sh` does it)")
        if os.environ.get("REQUIRE_BROWSER"):  # CI installs Chromium: its absence there is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    app = build_app(tmp_path_factory.mktemp("browser-instance"))
    _seed(app)
    server = LiveServer(app).start()
    live = Live(server)
    app.logger.addHandler(live.errors)  # see _reset_clock_and_check_errors
    yield live
    app.logger.removeHandler(live.errors)
    server.stop()


@pytest.fixture(scope="package")
def browser(live: Live) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _reset_clock_and_check_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: unpin the clock, and fail if the app logged an error (an unhandled exception
    behind a 500 page, an endpoint without an access rule) — a page can look fine and still hide one."""
    # Not cleared before the test: errors logged while module fixtures set up count for their first test.
    live = request.getfixturevalue("live") if "live" in request.fixturenames else None
    yield
    if live is None:
        return
    live.app.config.pop("FIXED_NOW", None)
    logged = live.errors.messages()
    live.errors.records.clear()
    assert not logged, "the app logged errors:\n" + "\n".join(logged)


@pytest.fixture
def blocked_requests() -> Iterator[list[str]]:
    """Requests that tried to leave 127.0.0.1 (aborted); the test fails if there were any."""
    blocked: list[str] = []
    yield blocked
    assert not blocked, f"the pages tried to reach the network: {blocked}"


@pytest.fixture
def make_context(browser: Any, live: Live, blocked_requests: list[str]) -> Iterator[Callable[..., Any]]:
    """``make_context(**options)`` → a new BrowserContext (own cookies); all are closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = new_context(browser, live.server, blocked=blocked_requests, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_context: Callable[..., Any]) -> Any:
    return make_context().new_page()


@pytest.fixture(scope="package")
def storage_state(browser: Any, live: Live) -> Callable[[str], Any]:
    """``storage_state("clerk")`` → the cookies of that account signed in. Each account signs in through
    the login page once; later contexts start from its cookies (the login page is tested on its own)."""
    states: dict[str, Any] = {}

    def state_for(username: str) -> Any:
        if username not in states:
            context = new_context(browser, live.server)
            try:
                sign_in(context.new_page(), username, live.password)
                states[username] = context.storage_state()
            finally:
                context.close()
        return states[username]

    return state_for


@pytest.fixture
def signed_in(make_context: Callable[..., Any], storage_state: Callable[[str], Any]) -> Callable[..., Any]:
    """``signed_in("clerk", at="/")`` → a page in a new context of its own, signed in as that account, at
    the page ``at`` (None: blank)."""

    def open_as(username: str, at: str | None = "/", **options: Any) -> Any:
        page = make_context(storage_state=storage_state(username), **options).new_page()
        if at is not None:
            page.goto(at)
        return page

    return open_as

