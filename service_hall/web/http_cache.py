"""HTTP caching of the public pages (docs/architecture.md, "Lists at scale").

For an anonymous visitor (no session, no token) the catalog, a town's powers, an item's 办事指南 and the
list's history are ``Cache-Control: public`` for a minute — a published list changes on a date, not by the
second — with an ETag over the page, so a revalidation costs a 304 and no body. Each process also keeps
the anonymous pages it rendered for ``PUBLIC_PAGE_CACHE_SECONDS`` (default 30, within the minute promised
to caches; 0 turns it off), so a busy public page costs no database round trip and no rendering.

Signed-in users, and any visitor with a session (a flashed message may be on the page), get
``private, no-cache`` and a freshly rendered page.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Flask, Response, request, session

from service_hall.web.access import current_actor

PUBLIC_MAX_AGE = 60
PAGE_CACHE_SECONDS = 30
PAGE_CACHE_ENTRIES = 256
CACHEABLE = frozenset({
    "public.home", "catalog.index", "catalog.town", "catalog.item", "catalog.history", "catalog.version_changes",
    "catalog.entrustments", "catalog.statistics", "power_list_files.schema",
})


class PageCache:
    """Rendered anonymous pages of one process: key → (expiry, body, headers), least recently used out."""

    def __init__(self, entries: int = PAGE_CACHE_ENTRIES) -> None:
        self._pages: OrderedDict[str, tuple[float, bytes, list[tuple[str, str]]]] = OrderedDict()
        self._entries = entries
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, list[tuple[str, str]]] | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return found[1], found[2]

    def put(self, key: str, seconds: float, body: bytes, headers: list[tuple[str, str]]) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + seconds, body, headers)
            self._pages.move_to_end(key)
            while len(self._pages) > self._entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def _anonymous(app: Flask) -> bool:
    return (request.cookies.get(app.config.get("SESSION_COOKIE_NAME", "session")) is None
            and "Authorization" not in request.headers)


def _key() -> str:
    return f"{request.full_path}|{request.cookies.get('elder_mode', '')}"


def install(app: Flask) -> None:
    pages = PageCache()
    app.extensions["public_page_cache"] = pages

    def seconds() -> float:
        return float(app.config.get("PUBLIC_PAGE_CACHE_SECONDS", PAGE_CACHE_SECONDS) or 0)

    @app.before_request
    def cached_public_page() -> Response | None:
        if request.method != "GET" or request.endpoint not in CACHEABLE or not seconds() or not _anonymous(app):
            return None
        found = pages.get(_key())
        if found is None:
            return None
        resp = Response(found[0], headers=found[1])
        return resp.make_conditional(request)

    @app.after_request
    def cache_public_pages(resp: Response) -> Response:
        if request.method not in {"GET", "HEAD"} or request.endpoint not in CACHEABLE or resp.status_code != 200:
            return resp
        resp.vary.add("Cookie")
        if current_actor() is not None or not _anonymous(app) or session.modified or "Set-Cookie" in resp.headers:
            resp.headers["Cache-Control"] = "private, no-cache"
            return resp
        resp.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        if "ETag" not in resp.headers:
            resp.add_etag()
            if request.method == "GET" and seconds() and not resp.is_streamed:
                pages.put(_key(), seconds(), resp.get_data(), list(resp.headers.items()))
        return resp.make_conditional(request)
