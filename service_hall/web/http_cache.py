"""HTTP caching of the public pages (docs/architecture.md, "Lists at scale"): for an anonymous visitor
the catalog, a town's powers, an item's 办事指南 and the list's history are ``Cache-Control: public`` for
a minute (a published list changes on a date, not by the second), with an ETag over the page so a
revalidation costs a 304 and no body. Signed-in users get ``private, no-cache``: their pages carry their
name and menu. A response that sets a cookie (a flashed message read) is never public."""

from __future__ import annotations

from flask import Flask, Response, request, session

from service_hall.web.access import current_actor

PUBLIC_MAX_AGE = 60
CACHEABLE = frozenset({
    "public.home", "catalog.index", "catalog.town", "catalog.item", "catalog.history", "catalog.version_changes",
    "catalog.entrustments", "catalog.statistics", "power_list_files.schema",
})


def install(app: Flask) -> None:
    @app.after_request
    def cache_public_pages(resp: Response) -> Response:
        if request.method not in {"GET", "HEAD"} or request.endpoint not in CACHEABLE or resp.status_code != 200:
            return resp
        resp.vary.add("Cookie")
        has_session = request.cookies.get(app.config.get("SESSION_COOKIE_NAME", "session")) is not None
        if current_actor() is not None or has_session or session.modified or "Set-Cookie" in resp.headers:
            resp.headers["Cache-Control"] = "private, no-cache"
            return resp
        resp.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        resp.add_etag()
        return resp.make_conditional(request)
