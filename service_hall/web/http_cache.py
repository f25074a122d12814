"""HTTP caching of the public pages (docs/architecture.md, "Lists at scale").

For an anonymous visitor (no session, no token) the catalog, a town's powers, an item's 办事指南 and the
list's history are ``Cache-Control: public`` for a minute — a published list changes on a date, not by the
second — with an ETag over the page, so a revalidation costs a 304 and no body. Each process also keeps
the anonymous pages it rendered for ``PUBLIC_PAGE_CACHE_SECONDS`` (default 30, within the minute promised
to caches; 0 turns it off), so a busy public page costs no database round trip and no rendering.

The kept pages are answered by :class:`CachedPages`, a WSGI layer in front of Flask: a hit builds no
request context, opens no session, runs no hook and touches no database — it sends the status, headers
and body stored when the page was rendered (security headers included), or a 304 when the ETag matches.
Only what Flask stored can be served, and Flask stores only the pages of :data:`CACHEABLE` endpoints that
it answered with a 200 to an anonymous GET and that set no cookie.

Signed-in users, and any visitor with a session (a flashed message may be on the page), get
``private, no-cache`` and a freshly rendered page.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, Response, request, session
from werkzeug.http import parse_cookie, parse_etags

from service_hall.web.access import current_actor

PUBLIC_MAX_AGE = 60
PAGE_CACHE_SECONDS = 30
PAGE_CACHE_ENTRIES = 256
ELDER_COOKIE = "elder_mode"  # the 长辈版 switch changes the page: part of the key (web/public.py)
CACHEABLE = frozenset({
    "public.home", "catalog.index", "catalog.town", "catalog.item", "catalog.history", "catalog.version_changes",
    "catalog.entrustments", "catalog.statistics", "power_list_files.schema",
})
# What a 304 keeps of the stored headers (RFC 9110, 15.4.5): the validators and the caching rules.
NOT_MODIFIED_HEADERS = frozenset({"etag", "cache-control", "vary", "expires", "last-modified", "date"})


class PageCache:
    """Rendered anonymous pages of one process: key → (expiry, body, headers, etag), least recently used
    out, at most ``entries`` of them (so a crawler walking every item cannot grow the process)."""

    def __init__(self, entries: int = PAGE_CACHE_ENTRIES) -> None:
        self._pages: OrderedDict[str, tuple[float, bytes, list[tuple[str, str]], str]] = OrderedDict()
        self._entries = entries
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, list[tuple[str, str]], str] | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return found[1], found[2], found[3]

    def put(self, key: str, seconds: float, body: bytes, headers: list[tuple[str, str]], etag: str) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + seconds, body, headers, etag)
            self._pages.move_to_end(key)
            while len(self._pages) > self._entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def _cookies(environ: Mapping[str, Any]) -> Mapping[str, str]:
    raw = environ.get("HTTP_COOKIE")
    return parse_cookie(raw) if raw else {}


def page_key(environ: Mapping[str, Any], cookies: Mapping[str, str]) -> str:
    """What makes two anonymous requests the same page: scheme, host, path, query and the 长辈版 cookie."""
    return (f"{environ.get('wsgi.url_scheme', '')}://{environ.get('HTTP_HOST', '')}"
            f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
            f"|{cookies.get(ELDER_COOKIE, '')}")


def _anonymous(environ: Mapping[str, Any], cookies: Mapping[str, str], session_cookie: str) -> bool:
    return session_cookie not in cookies and "HTTP_AUTHORIZATION" not in environ


StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class CachedPages:
    """The WSGI layer that answers kept anonymous pages before Flask sees the request."""

    def __init__(self, wsgi_app: WsgiApp, pages: PageCache, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.pages = pages
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        found = self._lookup(environ)
        if found is None:
            return self.wsgi_app(environ, start_response)
        body, headers, etag = found
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and parse_etags(wanted).contains(etag):
            start_response("304 NOT MODIFIED", [(k, v) for k, v in headers if k.lower() in NOT_MODIFIED_HEADERS])
            return []
        start_response("200 OK", headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _lookup(self, environ: dict[str, Any]) -> tuple[bytes, list[tuple[str, str]], str] | None:
        if (environ.get("REQUEST_METHOD") not in {"GET", "HEAD"} or environ.get("CONTENT_LENGTH") not in (None, "", "0")
                or "HTTP_TRANSFER_ENCODING" in environ):
            return None  # a request with a body goes through the input checks (web/input_guard.py)
        if not _seconds(self.app):
            return None
        cookies = _cookies(environ)
        if not _anonymous(environ, cookies, self.app.config.get("SESSION_COOKIE_NAME", "session")):
            return None
        return self.pages.get(page_key(environ, cookies))


def _seconds(app: Flask) -> float:
    return float(app.config.get("PUBLIC_PAGE_CACHE_SECONDS", PAGE_CACHE_SECONDS) or 0)


def install(app: Flask) -> None:
    """Mark the public pages cacheable and keep the anonymous ones; :class:`CachedPages` is put in front
    of the app by the factory (:func:`wrap`), outermost but for the proxy fix."""
    pages = PageCache()
    app.extensions["public_page_cache"] = pages

    @app.after_request
    def cache_public_pages(resp: Response) -> Response:
        if request.method not in {"GET", "HEAD"} or request.endpoint not in CACHEABLE or resp.status_code != 200:
            return resp
        resp.vary.add("Cookie")
        session_cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        if (current_actor() is not None or not _anonymous(request.environ, request.cookies, session_cookie)
                or session.modified or "Set-Cookie" in resp.headers):
            resp.headers["Cache-Control"] = "private, no-cache"
            return resp
        resp.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        if "ETag" not in resp.headers:
            resp.add_etag()
            if request.method == "GET" and _seconds(app) and not resp.is_streamed:
                # The after-request hooks registered after this one (security headers) have run already.
                etag, _ = resp.get_etag()
                pages.put(page_key(request.environ, request.cookies), _seconds(app), resp.get_data(),
                          list(resp.headers.items()), etag or "")
        return resp.make_conditional(request)


def wrap(app: Flask) -> None:
    """Put :class:`CachedPages` in front of ``app`` (after :func:`install`)."""
    app.wsgi_app = CachedPages(app.wsgi_app, app.extensions["public_page_cache"], app)  # type: ignore[method-assign]
