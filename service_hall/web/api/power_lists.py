"""Power list API: public reads (versions, a town's items on a date, one item with its guide, diffs) and
legal-affairs writes (import into a new draft, submit, publish) with bearer tokens."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from power_lists import queries, versions
from power_lists.diff import diff_versions
from power_lists.document import version_document
from power_lists.errors import ImportRejected, Problem
from power_lists.files import read_document
from power_lists.schemas import DocumentSchema, ItemSchema
from service_hall.accounts.permissions import Permission
from service_hall.extensions import Error, db
from service_hall.jurisdictions.operations import by_code
from service_hall.web.access import PUBLIC, current_actor, now, requires

blp = Blueprint("api_power_lists", __name__, url_prefix="/api/v1/power-lists",
                description="权力清单（赋权清单）：公开查询与法制审核人员维护")
BEARER = [{"bearerAuth": []}]


class VersionSchema(Schema):
    id = fields.Integer()
    number = fields.Integer(metadata={"description": "版本号（每县从1起）"})
    county = fields.Function(lambda v: v.county.code, metadata={"description": "县级区划代码"})
    title = fields.String()
    status = fields.Function(lambda v: v.status.value, metadata={"description": "draft/in_review/published/superseded"})
    effective_from = fields.Date(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    item_count = fields.Function(lambda v: len(v.items))


class CountyQuerySchema(Schema):
    county = fields.String(load_default=None, metadata={"description": "县级区划代码（只有一个县时可省略）"})


class OnQuerySchema(Schema):
    on = fields.Date(load_default=None, metadata={"description": "查询日期，默认今天"})


class DiffQuerySchema(CountyQuerySchema):
    old = fields.Integer(required=True, data_key="from", metadata={"description": "原版本号"})
    new = fields.Integer(required=True, data_key="to", metadata={"description": "新版本号"})


class ItemOutSchema(ItemSchema):
    """An item as in the canonical file format (see /power-lists/schema.json, $defs.Item), plus where it
    stands: its id, its version and whether it can be applied for online."""

    id = fields.Integer(dump_only=True)
    version_number = fields.Integer(attribute="version.number", dump_only=True)
    opens_application = fields.Boolean(dump_only=True, metadata={"description": "是否可在线申请"})


class ItemListSchema(Schema):
    town = fields.String()
    on = fields.Date()
    version_number = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(ItemOutSchema))


class FieldChangeSchema(Schema):
    field = fields.String()
    label = fields.String()
    old = fields.String()
    new = fields.String()


class ItemChangeSchema(Schema):
    code = fields.String()
    name = fields.String()
    changes = fields.List(fields.Nested(FieldChangeSchema))


class ItemSummarySchema(Schema):
    code = fields.String()
    name = fields.String()
    power_type = fields.String()
    towns = fields.List(fields.String())
    reason = fields.String()


class DiffSchema(Schema):
    old_label = fields.String()
    new_label = fields.String()
    added = fields.List(fields.Nested(ItemSummarySchema))
    revoked = fields.List(fields.Nested(ItemSummarySchema))
    changed = fields.List(fields.Nested(ItemChangeSchema))


class PublishSchema(Schema):
    effective_from = fields.Date(required=True, metadata={"description": "生效日期"},
                                 error_messages={"required": "请填写生效日期", "invalid": "日期格式应为 YYYY-MM-DD"})
    comment = fields.String(load_default="")


class SubmitSchema(Schema):
    note = fields.String(load_default="")


def _county(code: str | None) -> Any:
    return versions.county_for(db.session, None, code)


def _own_county() -> Any:
    return versions.county_for(db.session, current_actor())


@blp.route("/versions", methods=["GET"])
@requires(PUBLIC)
@blp.arguments(CountyQuerySchema, location="query")
@blp.response(200, VersionSchema(many=True))
def list_versions(args: dict[str, Any]) -> Any:
    """已发布的清单版本（最新在前）"""
    return queries.versions(db.session, _county(args["county"]).id, published_only=True)


@blp.route("/versions/<int:version_id>", methods=["GET"])
@requires(PUBLIC)
@blp.response(200, description="整份清单（format_version 1，见 /power-lists/schema.json）")
def get_version_document(version_id: int) -> Any:
    """一个已发布版本的完整清单"""
    return version_document(queries.get_version(db.session, version_id, published_only=True))


@blp.route("/towns/<code>/items", methods=["GET"])
@requires(PUBLIC)
@blp.arguments(OnQuerySchema, location="query")
@blp.response(200, ItemListSchema)
def town_items(args: dict[str, Any], code: str) -> Any:
    """某乡镇（街道）在某日承接的事项"""
    town = by_code(db.session, code)
    on: dt.date = args["on"] or queries.china_today(now())
    items = queries.items_for_town(db.session, town.id, on)
    version = queries.version_in_force(db.session, town.county.id, on)
    return {"town": town.code, "on": on, "version_number": version.number if version else None,
            "items": items}


@blp.route("/items/<int:item_id>", methods=["GET"])
@requires(PUBLIC)
@blp.response(200, ItemOutSchema)
def get_item(item_id: int) -> Any:
    """一个已发布事项（含办事指南）"""
    return queries.get_item(db.session, item_id, published_only=True)


@blp.route("/diff", methods=["GET"])
@requires(PUBLIC)
@blp.arguments(DiffQuerySchema, location="query")
@blp.response(200, DiffSchema)
def diff(args: dict[str, Any]) -> Any:
    """两个已发布版本之间的逐字段差异"""
    county = _county(args["county"])
    old = queries.version_by_number(db.session, county.id, args["old"], published_only=True)
    new = queries.version_by_number(db.session, county.id, args["new"], published_only=True)
    return diff_versions(db.session, old, new).as_dict()


class ImportRejectedOut(Error):
    """A rejected import's body: every problem found, as a list (nothing was imported)."""

    errors = fields.List(fields.String(), required=True, metadata={"description": "逐条问题（含行号、列名）"})


@blp.route("/imports", methods=["POST"])
@requires(Permission.POWER_LIST_EDIT)
@blp.response(201, VersionSchema)
@blp.alt_response(422, schema=ImportRejectedOut, description="文件未导入：逐条列出问题")
@blp.doc(security=BEARER, requestBody={
    "description": "清单文件：JSON 文档（format_version 1），或 multipart/form-data 的 file 字段（JSON、CSV、XLSX）",
    "required": True,
    "content": {"application/json": {"schema": DocumentSchema},
                "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                                   "properties": {"file": {"type": "string", "format": "binary"}}}}}})
def import_list() -> Any:
    """导入清单为新草稿（整份校验，有错误时不导入并逐条列出）"""
    county = _own_county()
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        filename = upload.filename
        document = read_document(filename, upload.read(), versions.town_directory(db.session, county),
                                 county_code=county.code, county_name=county.name,
                                 previous=versions.previous_items(db.session, county))
    else:
        filename = "api.json"
        raw = request.get_json(silent=True)
        if raw is None:
            raise ImportRejected([Problem("请求体应为 JSON 清单文档，或以 multipart/form-data 上传 file")])
        document = read_document(filename, json.dumps(raw, ensure_ascii=False).encode(),
                                 versions.town_directory(db.session, county), county_code=county.code)
    version = versions.import_draft(db.session, county, document, actor=current_actor(), now=now(),
                                    filename=filename)
    return version


@blp.route("/versions/<int:version_id>/submit", methods=["POST"])
@requires(Permission.POWER_LIST_EDIT)
@blp.arguments(SubmitSchema)
@blp.response(200, VersionSchema)
@blp.doc(security=BEARER)
def submit(body: dict[str, Any], version_id: int) -> Any:
    """提交草稿进行法制审核"""
    version = queries.get_version(db.session, version_id, county_id=_own_county().id)
    versions.submit_for_review(db.session, version, actor=current_actor(), now=now(), note=body["note"])
    return version


@blp.route("/versions/<int:version_id>/publish", methods=["POST"])
@requires(Permission.POWER_LIST_PUBLISH)
@blp.arguments(PublishSchema)
@blp.response(200, VersionSchema)
@blp.doc(security=BEARER)
def publish(body: dict[str, Any], version_id: int) -> Any:
    """审核通过并发布（须由起草人、提交人以外的法制审核人员操作）"""
    version = queries.get_version(db.session, version_id, county_id=_own_county().id)
    versions.publish(db.session, version, body["effective_from"], actor=current_actor(), now=now(),
                     comment=body["comment"])
    return version

