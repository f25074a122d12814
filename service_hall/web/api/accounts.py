from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from service_hall.accounts import second_factor
from service_hall.accounts.credentials import issue_token, refresh_token, revoke_token, tokens_of
from service_hall.accounts.operations import LoginLocked, authenticate
from service_hall.accounts.schemas import LoginSchema
from service_hall.core.errors import PermissionDenied
from service_hall.extensions import db, limiter
from service_hall.jurisdictions.operations import towns
from service_hall.web.access import LOGIN, PUBLIC, code_limits, current_actor, requires, wall_clock
from service_hall.web.unit_of_work import EarlyCommit, commit_early

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="账号与区划")


class TokenSchema(Schema):
    token = fields.String(metadata={"description": "Bearer 令牌，仅返回一次"})
    expires_at = fields.DateTime()


class TokenInfoSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    current = fields.Function(lambda t: t is g.get("api_token"), metadata={"description": "是否为本次请求所用令牌"})


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    real_name = fields.String()
    role = fields.String(metadata={"description": "主要角色"})
    roles = fields.Function(lambda u: [r.value for r in u.roles], metadata={"description": "全部角色（主要角色在前）"})
    jurisdiction_code = fields.Function(lambda u: u.jurisdiction.code if u.jurisdiction else None)


class JurisdictionSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    level = fields.String()


@blp.route("/auth/token", methods=["POST"])
@requires(PUBLIC)
@limiter.limit("20 per minute")
@blp.arguments(LoginSchema)
@blp.response(201, TokenSchema)
def create_token(body: dict[str, Any]) -> Any:
    """用户名（申请人为手机号）和密码换取 API 令牌"""
    from flask import current_app

    try:
        user = authenticate(db.session, body["username"], body["password"], now=wall_clock(),
                            address=request.remote_addr or "",
                            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                            lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    except LoginLocked as exc:
        commit_early(EarlyCommit.REFUSED_ATTEMPT)
        abort(429, message=exc.message)
    except PermissionDenied as exc:
        commit_early(EarlyCommit.REFUSED_ATTEMPT)  # the failure count outlives the 401
        abort(401, message=exc.message)
    if second_factor.required(user):
        if not body.get("totp"):
            abort(401, message="该账号已启用动态验证码，请在 totp 字段中提供验证器应用当前显示的 6 位数字")
        try:
            second_factor.check_code(db.session, user, body["totp"], now=wall_clock(),
                                     address=request.remote_addr or "", **code_limits())
        except LoginLocked as exc:
            commit_early(EarlyCommit.REFUSED_ATTEMPT)
            abort(429, message=exc.message)
        except PermissionDenied as exc:
            commit_early(EarlyCommit.REFUSED_ATTEMPT)  # the wrong code counts like a wrong password
            abort(401, message=exc.message)
    token, row = issue_token(db.session, user, now=wall_clock())
    return {"token": token, "expires_at": row.expires_at}


@blp.route("/auth/token", methods=["DELETE"])
@requires(LOGIN)
@blp.response(204)
@blp.doc(security=[{"bearerAuth": []}])
def revoke_current_token() -> Any:
    """注销本次请求所用的令牌"""
    revoke_token(db.session, current_actor(), g.api_token.id, now=wall_clock())


@blp.route("/auth/token/refresh", methods=["POST"])
@requires(LOGIN)
@blp.response(201, TokenSchema)
@blp.doc(security=[{"bearerAuth": []}])
def refresh_current_token() -> Any:
    """换发新令牌（有效期重新计算），原令牌随即失效"""
    token, row = refresh_token(db.session, g.api_token, now=wall_clock())
    return {"token": token, "expires_at": row.expires_at}


@blp.route("/auth/tokens", methods=["GET"])
@requires(LOGIN)
@blp.response(200, TokenInfoSchema(many=True))
@blp.doc(security=[{"bearerAuth": []}])
def my_tokens() -> Any:
    """本人所有有效的令牌（不含令牌本身）"""
    return tokens_of(db.session, current_actor(), now=wall_clock())


@blp.route("/auth/tokens/<int:token_id>", methods=["DELETE"])
@requires(LOGIN)
@blp.response(204)
@blp.doc(security=[{"bearerAuth": []}])
def revoke_my_token(token_id: int) -> Any:
    """注销本人的一个令牌"""
    revoke_token(db.session, current_actor(), token_id, now=wall_clock())


@blp.route("/me", methods=["GET"])
@requires(LOGIN)
@blp.response(200, MeSchema)
@blp.doc(security=[{"bearerAuth": []}])
def me() -> Any:
    """当前账号"""
    return current_actor()


@blp.route("/towns", methods=["GET"])
@requires(PUBLIC)
@blp.response(200, JurisdictionSchema(many=True))
def list_towns() -> Any:
    """乡镇、街道列表"""
    return towns(db.session)
