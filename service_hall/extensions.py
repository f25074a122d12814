"""Flask extension singletons, initialised in the app factory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from service_hall.core.base import Base

if TYPE_CHECKING:
    from service_hall.files.store import FileStore

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class Error(Schema):
    """The error body every JSON endpoint sends (service_hall/web/errors.py), as the API document states it."""

    status = fields.Integer(required=True, metadata={"description": "HTTP 状态码"})
    message = fields.String(required=True, metadata={"description": "错误说明"})
    errors = fields.Raw(metadata={"description": "逐项错误：字段 → 说明；导入清单时为逐条问题的列表", "oneOf": [
        {"type": "object", "additionalProperties": {}}, {"type": "array", "items": {"type": "string"}}]})


class ServiceApi(Api):
    ERROR_SCHEMA = Error


api = ServiceApi()


def current_session() -> Session:
    """The session of the current app context, typed as the domain functions take it. ``db.session`` is a
    scoped proxy of this same object, so committing either commits both."""
    return db.session()


def file_store(app: Any = None) -> FileStore:
    """The configured file store of ``app`` (default: the current app), one per app
    (docs/architecture.md, "The file store")."""
    from flask import current_app

    from service_hall.files.store import open_store

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("file_store")
    if found is None:
        with app.app_context():
            found = open_store(app.config, db.engine)
        app.extensions["file_store"] = found
    return found


def database_reachable(app: Any = None) -> bool:
    """Whether the database answers, in one round trip and outside the request's session: the pool's
    pre-ping of the checkout where it is configured (PostgreSQL), else a ``SELECT 1``. Raises nothing."""
    from flask import current_app
    from sqlalchemy import Engine
    from sqlalchemy.exc import SQLAlchemyError

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    pinged = bool((app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).get("pool_pre_ping"))
    bind: Any = db.engine
    try:
        if isinstance(bind, Engine):
            with bind.connect() as conn:
                if not pinged:
                    conn.exec_driver_sql("SELECT 1")
        else:  # a connection the app was handed (the test suite's outer transaction per test)
            bind.exec_driver_sql("SELECT 1")
    except SQLAlchemyError:
        return False
    return True
