"""Application forms for integrators: ``GET /api/v1/forms/{item_code}`` — public, no login."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from power_lists.item_forms import form_in_force, public_item
from service_hall.extensions import db
from service_hall.web.access import PUBLIC, now, requires

blp = Blueprint("api_forms", __name__, url_prefix="/api/v1/forms",
                description="申请表单：事项现行的申请表单定义（公开）")


class FormDocumentSchema(Schema):
    item_code = fields.String(metadata={"description": "事项编码"})
    version = fields.Integer(allow_none=True, metadata={
        "description": "表单版本号；尚未设计表单、使用由办事指南生成的默认表单时为 null"})
    definition = fields.Dict(metadata={"description": "表单定义（format_version 1，格式见 docs/forms.md）"})
    generated = fields.Boolean(metadata={"description": "仅在使用由办事指南生成的默认表单时出现，值为 true"})


class ProblemSchema(Schema):
    status = fields.Integer()
    message = fields.String(metadata={"description": "中文说明"})


@blp.route("/<item_code>", methods=["GET"])
@requires(PUBLIC)
@blp.response(200, FormDocumentSchema)
@blp.alt_response(404, schema=ProblemSchema, description="没有该编码的申请类事项")
def form_of_item(item_code: str) -> dict[str, Any]:
    """事项现行的申请表单：已发布的设计表单，尚未设计时为由办事指南生成的默认表单（"generated": true）"""
    at = now()
    return form_in_force(db.session, public_item(db.session, item_code, at), at).as_document()
