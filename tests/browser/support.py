"""The pieces of the browser tests that ``scripts/screenshots.py`` reuses: the app served on 127.0.0.1 from a
background thread, Debian's Chromium launched by Playwright, axe-core, and a sign-in helper.

No pytest here. Chromium is Debian's (``/usr/bin/chromium``); Playwright never downloads a browser.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = str(ROOT / "migrations")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run",
                 "--lang=zh-CN"]  # the browser's own widgets (date inputs, file pickers) in Chinese, as users see them
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

# A label's text includes the red "*" of required fields (hidden from screen readers, not from getByLabel).
PASSWORD_LABEL = re.compile(r"^密码\*?$")

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}

# Environment variables create_app reads; set only while the app is built, so that the suite's own
# `app` fixture (which sets them for its database) is not disturbed.
_APP_ENV = ("INSTANCE_PATH", "DATABASE_URL", "FILE_STORE_PATH", "SIGNING_KEY_PATH", "SECRET_KEY", "REDIS_URL",
            "PUBLIC_BASE_URL")


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in _APP_ENV}
    try:
        for name in _APP_ENV:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def build_app(instance: Path, overrides: Mapping[str, Any] | None = None) -> Flask:
    """A fresh app on its own SQLite database in ``instance``, built by the migrations.

    Always SQLite: the browser tests exercise the pages, not the database (the rest of the suite runs on
    PostgreSQL too), and a second PostgreSQL database would need provisioning.
    """
    from service_hall.app import create_app

    instance.mkdir(parents=True, exist_ok=True)
    with _environment({"INSTANCE_PATH": str(instance),
                       "DATABASE_URL": f"sqlite:///{instance / 'browser.sqlite3'}"}):
        app = create_app({
            "TESTING": False,  # behave like production: real error pages, CSRF on
            "SECRET_KEY": "browser-test-only-secret",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
            "SWEEP_MODE": "request",  # the clock is pinned per test (FIXED_NOW)
            "PUBLIC_PAGE_CACHE_SECONDS": 0,
            **(overrides or {}),
        })
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision="heads")
    # Build the document fonts before any page needs them (`make install` does too): a first build
    # inside an approval request would outlast the browser's click timeout on a busy machine.
    from service_hall.documents.fonts import ensure_fonts

    ensure_fonts()
    return app


class ErrorLog(logging.Handler):
    """The errors an app logs (add it to ``app.logger``): an unhandled exception behind a 500 page, an
    endpoint without an access rule — a page can look fine and still hide one."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        formatter = logging.Formatter("%(message)s")
        return [formatter.format(r) for r in self.records]


class LiveServer:
    """The WSGI app served by werkzeug on 127.0.0.1 and a free port, in a daemon thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.app.config["PUBLIC_BASE_URL"] = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        from service_hall.extensions import db

        with self.app.app_context():
            db.engine.dispose()

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return True
        return parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port == self.port


def launch_chromium(playwright: Playwright) -> Browser:
    # Every request that is not for 127.0.0.1 goes to a proxy on a closed port and fails: no network,
    # without intercepting each request (contexts record such attempts, see new_context).
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                      proxy={"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"})


def new_context(browser: Browser, server: LiveServer, *, blocked: list[str] | None = None,
                **options: Any) -> BrowserContext:
    """A fresh context (own cookies) for the live server.

    Requests elsewhere fail at the browser's dead proxy (see launch_chromium); they are appended to
    ``blocked`` so that a test can assert that none happened.
    """
    options.setdefault("viewport", DESKTOP)
    options.setdefault("locale", "zh-CN")
    options.setdefault("timezone_id", "Asia/Shanghai")
    context = browser.new_context(base_url=server.url, **options)
    context.set_default_timeout(15_000)
    if blocked is not None:
        context.on("request", lambda request: None if server.is_local(request.url) else blocked.append(request.url))
    return context


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the login page, the way a person does; waits for the page after the redirect."""
    page.goto("/login")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if page.url.rstrip("/").endswith("/login"):
        raise AssertionError(f"sign-in as {username} failed: {page.locator('main').inner_text()[:300]}")


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


_AXE_SOURCE: str | None = None


def axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    return _AXE_SOURCE


def run_axe(page: Page) -> list[dict[str, Any]]:
    """All axe-core violations on the page as it is now (WCAG 2.x A/AA rules and best practices).

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    (``script-src 'self'``) does not govern, so the policy stays on as users get it.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {axe_source()}\n; window.axe = axe; }}")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
    }""")
    return list(result)


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return int(page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"))
