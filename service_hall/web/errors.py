"""Error pages: JSON under /api/, Chinese HTML elsewhere; domain errors mapped to status codes."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from service_hall.core.errors import DomainError
from service_hall.extensions import db

MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "您没有权限执行此操作",
    404: "未找到您要访问的页面或记录",
    405: "不支持该请求方式",
    409: "记录已被他人修改，请刷新后重试",
    413: "上传的文件过大",
    422: "提交的信息有误",
    429: "操作过于频繁，请稍后再试",
    500: "系统内部错误，请稍后再试",
}


def _respond(status: int, message: str, details: Any = None, headers: Any = None) -> Any:
    if request.path.startswith("/api/"):
        body: dict[str, Any] = {"status": status, "message": message}
        if details:
            body["errors"] = details
        return jsonify(body), status, headers or {}
    page = render_template("error.html", status=status, message=message, details=details, back=_back())
    return page, status, headers or {}


def _back() -> str | None:
    """The page the person came from, when it is on this site (the way on from an error)."""
    from urllib.parse import urlsplit

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return path if path.startswith("/") and not path.startswith("//") and path != request.path else None


def install(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Any:
        db.session.rollback()
        return _respond(exc.status, exc.message, exc.details)

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError) -> Any:
        # Another request changed the same row between our read and our write.
        db.session.rollback()
        return _respond(409, "该件已被他人处理，请刷新页面查看最新状态")

    @app.errorhandler(IntegrityError)
    def duplicate(exc: IntegrityError) -> Any:
        # A concurrent request wrote the same unique row first; the data is right, this request is late.
        db.session.rollback()
        return _respond(409, "该记录已被同时提交或修改，请刷新页面查看最新状态")

    @app.errorhandler(OperationalError)
    def contention(exc: OperationalError) -> Any:
        # PostgreSQL serialization failure or deadlock, SQLite "database is locked": retryable, not a fault.
        code = getattr(exc.orig, "sqlstate", None) or ""
        if code in {"40001", "40P01"} or "database is locked" in str(exc.orig):
            db.session.rollback()
            return _respond(409, "系统繁忙，该操作与他人的操作同时发生，请稍后重试")
        raise exc

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def out_of_range(exc: Exception) -> Any:
        # A number or text the database cannot hold that got past service_hall/web/input_guard.py
        # (a query-string or form field): the input is wrong, not the service.
        db.session.rollback()
        return _respond(422, "提交的数值超出允许范围或含有不支持的字符")

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        return _respond(400, "页面已过期或表单校验失败，请刷新页面后重新提交")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        details = None
        # flask-smorest puts marshmallow messages here for 422.
        data = getattr(exc, "data", None)
        message = MESSAGES.get(status, exc.name)
        if isinstance(data, dict):
            details = data.get("messages") or data.get("errors")
            message = data.get("message") or message
        # Keep what the exception says about itself, e.g. Allow on 405 and Retry-After on 429.
        headers = {k: v for k, v in exc.get_headers() if k.lower() in {"allow", "retry-after", "www-authenticate"}}
        return _respond(status, message, details, headers)

    if app.testing:
        return  # let tests see the real traceback

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _respond(500, MESSAGES[500])
