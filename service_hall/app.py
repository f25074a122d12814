"""Application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response

from service_hall.config import load_config
from service_hall.extensions import api, csrf, current_session, db, limiter, login_manager, migrate

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ServiceHall(Flask):
    """Flask with one unit of work per request: see :mod:`service_hall.web.unit_of_work`."""

    def dispatch_request(self) -> Any:
        from service_hall.web.unit_of_work import transaction

        return transaction(super().dispatch_request, self.make_response)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    instance_path = os.environ.get("INSTANCE_PATH")
    app = ServiceHall(__name__, instance_path=instance_path or None, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    import service_hall.models  # noqa: F401  (register every model on the metadata)
    from service_hall import search_sources

    search_sources.install()  # 一件事 in the full-text index (docs/search.md, "Bundles")

    db.init_app(app)
    from service_hall.audit.trail import use_key

    use_key(app.config.get("AUDIT_KEY"))
    from service_hall.notifications import sealing

    sealing.use_key(app.config.get("MESSAGE_KEY"))
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    from service_hall.web.api.openapi import GuardedMarshmallowPlugin

    api.init_app(app, spec_kwargs={"marshmallow_plugin": GuardedMarshmallowPlugin()})

    from service_hall.web import access, errors, http_cache, input_guard, sweeper

    input_guard.install(app)
    errors.install(app)
    access.install(app)
    sweeper.install(app)
    http_cache.install(app)
    _register_blueprints(app)
    _security_headers(app)
    _template_helpers(app)
    http_cache.wrap(app)  # kept anonymous pages answered before Flask sees the request
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind that many reverse proxies, the client address (rate limits, sign-in delays) and scheme
        # come from their X-Forwarded-* headers; with 0 those headers are ignored (they can be forged).
        # Outermost, so that the page cache keys on the scheme and host the visitor asked for.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    from service_hall.cli import register_cli

    register_cli(app)
    return app


def _init_login(app: Flask) -> None:
    from service_hall.accounts.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The cookie names the user and a server-side session, which logout and a password change end.
        from flask import session

        from service_hall.accounts.credentials import user_for_session
        from service_hall.web.access import wall_clock

        key = session.get("sid")
        if not user_id.isdigit() or len(user_id) > 10 or not isinstance(key, str):
            return None
        return user_for_session(current_session(), int(user_id), key, now=wall_clock())


def _register_blueprints(app: Flask) -> None:
    from service_hall.web import (
        documents,
        legal_forms,  # noqa: F401  (the form designer's routes on the legal blueprint)
    )
    from service_hall.web.admin import bp as admin_bp
    from service_hall.web.api import register_api
    from service_hall.web.auth import bp as auth_bp
    from service_hall.web.catalog import bp as catalog_bp
    from service_hall.web.catalog import files_bp as power_list_files_bp
    from service_hall.web.legal import bp as legal_bp
    from service_hall.web.portal import bp as portal_bp
    from service_hall.web.public import bp as public_bp
    from service_hall.web.supervision import bp as supervision_bp
    from service_hall.web.verify import bp as verify_bp
    from service_hall.web.workbench import bp as workbench_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(legal_bp, url_prefix="/legal")
    app.register_blueprint(catalog_bp, url_prefix="/catalog")
    app.register_blueprint(power_list_files_bp)
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(workbench_bp, url_prefix="/workbench")
    app.register_blueprint(supervision_bp, url_prefix="/supervision")
    from service_hall.web import bundle_catalog, bundle_legal, bundle_portal, bundle_supervision, bundle_workbench

    app.register_blueprint(bundle_catalog.bp, url_prefix="/catalog/bundles")
    app.register_blueprint(bundle_legal.bp, url_prefix="/legal/bundles")
    app.register_blueprint(bundle_portal.bp, url_prefix="/portal/bundles")
    app.register_blueprint(bundle_workbench.bp, url_prefix="/workbench/bundles")
    app.register_blueprint(bundle_supervision.bp, url_prefix="/supervision/opinions")
    documents.install(app)  # applicant and staff downloads of the signed PDFs; document settings
    from service_hall.web import notify

    notify.install(app)  # inbox, channels, case threads, webhooks; delivery after commit
    app.register_blueprint(verify_bp)
    register_api(app)


def _security_headers(app: Flask) -> None:
    from flask import request

    from service_hall.web.access import current_actor

    @app.after_request
    def add_headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_actor() is not None or "Authorization" in request.headers:
            # Pages and JSON for a signed-in person must not stay in shared or browser caches.
            resp.headers["Cache-Control"] = "no-store"
            resp.vary.add("Cookie")
        return resp


def _template_helpers(app: Flask) -> None:
    from service_hall.accounts.permissions import Permission, Role
    from service_hall.web.access import current_actor

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"actor": current_actor(), "Permission": Permission, "Role": Role}

    from service_hall.web.case_actions import beijing

    app.add_template_filter(beijing, "beijing")

    from service_hall.cases.transitions import revocation_intent

    app.add_template_global(revocation_intent, "revocation_intent")

    from service_hall.cases.procedures import status_label

    app.add_template_global(status_label, "case_status")  # a 给付 is 决定给付, not 准予许可

    @app.template_global()
    def case_values(case: Any) -> list[Any]:
        from service_hall.cases.queries import submitted_values
        from service_hall.extensions import current_session

        return submitted_values(current_session(), case)
