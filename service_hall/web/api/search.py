"""Search API: ``GET /api/v1/search?q=…&town=CODE`` — public, best first."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from power_lists.models import PowerType
from power_lists.queries import china_today
from service_hall.extensions import db
from service_hall.jurisdictions.operations import town_by_code
from service_hall.search.misses import record_miss
from service_hall.search.query import CHANNELS, DEFAULT_LIMIT, MAX_LIMIT, filters_from, search
from service_hall.web.access import PUBLIC, now, requires

blp = Blueprint("api_search", __name__, url_prefix="/api/v1/search",
                description="事项搜索：用日常说法查找要办的事项（公开）")


class SearchQuerySchema(Schema):
    q = fields.String(load_default="", metadata={"description": "搜索词，如“开个小饭馆”“老人满80”；超过60字的部分不计"})
    town = fields.String(load_default=None, validate=validate.Regexp(r"^(\d{12})?$", error="区划代码应为12位数字"),
                         metadata={"description": "乡镇（街道）区划代码，只查该乡镇承接的事项；不存在时 404"})
    type = fields.String(load_default=None, metadata={"description": "职权类型，如 licensing、benefit"},
                         validate=validate.OneOf(["", *(t.value for t in PowerType)], error="职权类型不正确"))
    channel = fields.String(load_default=None, validate=validate.OneOf(
        ["", *CHANNELS], error="办理方式应为 online（全程网办）或 window（到窗口办理）"),
        metadata={"description": "online 全程网办 / window 到窗口办理"})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, error_messages={"invalid": "limit 应为整数"},
                           metadata={"description": f"最多返回条数（超出 1–{MAX_LIMIT} 时取最近的一端）"})


class SearchResultSchema(Schema):
    kind = fields.String(metadata={"description": "item 事项 / bundle 一件事"})
    code = fields.String(metadata={"description": "事项编码"})
    name = fields.String(metadata={"description": "事项名称（含子项）"})
    town = fields.String(allow_none=True, metadata={"description": "所查乡镇（街道）的区划代码；未指定时为空"})
    score = fields.Float(metadata={"description": "相关度，越大越相关"})


class SearchResponseSchema(Schema):
    results = fields.List(fields.Nested(SearchResultSchema))


@blp.route("", methods=["GET"])
@requires(PUBLIC)
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, SearchResponseSchema)
def search_items(args: dict[str, Any]) -> dict[str, Any]:
    """按日常说法搜索事项（分词全文检索，按相关度排序）"""
    if args["town"]:
        town_by_code(db.session, args["town"])  # an unknown town is a 404, as in /api/v1/bundles
    filters = filters_from(db.session, town=args["town"], power_type=args["type"], channel=args["channel"])
    outcome = search(db.session, args["q"], on=china_today(now()), filters=filters, limit=args["limit"],
                     with_towns=False)
    if outcome.tokens and not outcome.hits:
        record_miss(db.session, args["q"], now=now())
    return {"results": outcome.hits}
