"""一件事 for integrators: ``GET /api/v1/bundles`` (the bundles in force, by town) and
``GET /api/v1/bundles/{code}`` (one bundle with its combined guide: items, materials once, the
critical path's days, visits) — public, no login; ``POST /api/v1/bundles/{code}/applications``
submits one, as ``POST /api/v1/applications`` submits one item (docs/bundles.md, "API")."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service_hall.accounts.permissions import Permission
from service_hall.bundles import flow, versions
from service_hall.bundles.models import Bundle, BundleCase, Delivery
from service_hall.core.errors import NotFound
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.jurisdictions.operations import town_by_code
from service_hall.web.access import PUBLIC, current_actor, now, requires
from service_hall.web.api.cases import SECURITY, ApplicationIn, owned_materials
from service_hall.web.api.forms import ProblemSchema
from service_hall.web.unit_of_work import context

blp = Blueprint("api_bundles", __name__, url_prefix="/api/v1/bundles",
                description="一件事：现行的一件事及其一次告知的办事指南（公开）")


class BundleTownQuerySchema(Schema):
    town = fields.String(load_default=None, metadata={
        "description": "乡镇（街道）区划代码；列表只含该乡镇办理的一件事，指南写明该乡镇的实施主体"})


class BundleSchema(Schema):
    code = fields.String(metadata={"description": "一件事编码"})
    name = fields.String()
    version = fields.Integer(metadata={"description": "版本号"})
    theme = fields.Function(lambda b: b.theme.value, metadata={"description": "主题编码"})
    theme_label = fields.Function(lambda b: b.theme.label, metadata={"description": "主题"})
    description = fields.String()
    towns = fields.List(fields.String(), metadata={"description": "办理的乡镇（街道）区划代码"})
    items = fields.Function(lambda b: [{"code": str(i["code"]), "after": list(i.get("after") or [])}
                                       for i in b.items],
                            metadata={"description": "所含事项编码及其前置事项（after：需要其办理结果的事项）"})
    published_at = fields.DateTime(allow_none=True)


class BundleGuideItemSchema(Schema):
    code = fields.String(metadata={"description": "事项编码"})
    name = fields.String()
    office = fields.String(metadata={"description": "实施主体"})
    delegation_mode = fields.Function(lambda i: i.mode.value, metadata={"description": "赋权方式"})
    delegation_mode_label = fields.Function(lambda i: i.mode.label)
    promised_days = fields.Integer(metadata={"description": "承诺时限（工作日）"})
    statutory_days = fields.Integer(metadata={"description": "法定时限（工作日）"})
    visits = fields.Integer(metadata={"description": "到现场次数"})
    after = fields.List(fields.String(), metadata={"description": "需要其办理结果的事项编码"})


class BundleGuideMaterialSchema(Schema):
    name = fields.String()
    required = fields.Boolean()
    items = fields.List(fields.String(), metadata={"description": "使用该材料的事项名称"})
    shared = fields.Boolean(metadata={"description": "一次提交、多个事项共用"})


class BundleGuideSchema(Schema):
    items = fields.List(fields.Nested(BundleGuideItemSchema))
    materials = fields.List(fields.Nested(BundleGuideMaterialSchema),
                            metadata={"description": "所需材料（每种只列一次）"})
    promised_days = fields.Integer(metadata={
        "description": "关键路径的承诺时限（工作日）：前置事项办结后再办，其余并联"})
    statutory_days = fields.Integer(metadata={"description": "关键路径的法定时限（工作日）"})
    sum_promised_days = fields.Integer(metadata={"description": "逐项申请、依次办理的承诺时限之和（工作日）"})
    visits = fields.Integer(metadata={"description": "到现场次数（一窗办理）"})
    critical_path = fields.List(fields.String(), metadata={"description": "关键路径上的事项名称"})


class BundleDetailSchema(BundleSchema):
    town = fields.String(allow_none=True, metadata={"description": "指南所写的乡镇（街道）区划代码"})
    guide = fields.Nested(BundleGuideSchema)


class BundleApplicationIn(ApplicationIn):
    """As one item's application (town, materials by code, submission key), with the composed form."""

    class Meta:
        exclude = ("item_code", "data")

    values = fields.Dict(load_default=dict, metadata={
        "description": "合并申请表的填写内容（字段名见网上办事大厅的一张表；共同信息只填一次）"})
    delivery = fields.String(load_default=Delivery.TOGETHER.value,
                             validate=validate.OneOf([d.value for d in Delivery], error="出件方式不正确"),
                             metadata={"description": "together：统一出件；separate：各事项分别出件"})


class BundleItemCaseOut(Schema):
    item_code = fields.String()
    item_name = fields.String()
    case_number = fields.String(metadata={"description": "该事项的办件编号"})
    ref = fields.String(metadata={"description": "GET /api/v1/applications/{ref} 查询该事项的办理情况"})
    status = fields.Function(lambda c: c.status.value)
    status_label = fields.Function(lambda c: c.status.label)


class BundleApplicationOut(Schema):
    ref = fields.String()
    number = fields.String(metadata={"description": "一件事申请编号"})
    bundle_code = fields.String(attribute="bundle.code")
    bundle_name = fields.String(attribute="bundle.name")
    town_code = fields.String(attribute="town.code")
    delivery = fields.Function(lambda b: b.delivery.value)
    submitted_at = fields.DateTime()
    cases = fields.List(fields.Nested(BundleItemCaseOut), metadata={"description": "每个事项一件办件，同时办理"})


class _Detail:
    """A bundle as BundleDetailSchema dumps it: the bundle's own attributes, the town and the guide."""

    def __init__(self, bundle: Bundle, town: str | None, guide: versions.CombinedGuide) -> None:
        self.bundle, self.town, self.guide = bundle, town, guide

    def __getattr__(self, name: str) -> Any:
        return getattr(self.bundle, name)


def _town(code: str | None) -> Jurisdiction | None:
    """The town of ``?town=``. Raises NotFound (no such code, or not a town)."""
    return town_by_code(db.session, code) if code else None


def _county() -> Jurisdiction:
    from power_lists.versions import county_for

    return county_for(db.session, None)


@blp.route("", methods=["GET"])
@requires(PUBLIC)
@blp.arguments(BundleTownQuerySchema, location="query")
@blp.response(200, BundleSchema(many=True))
@blp.alt_response(404, schema=ProblemSchema, description="没有该乡镇（街道）")
def list_bundles(args: dict[str, Any]) -> list[Bundle]:
    """现行的一件事（可按乡镇筛选）"""
    town = _town(args["town"])
    if town is not None:
        return versions.offered_in(db.session, town, now())
    return versions.offered(db.session, _county(), now())


@blp.route("/<code>", methods=["GET"])
@requires(PUBLIC)
@blp.arguments(BundleTownQuerySchema, location="query")
@blp.response(200, BundleDetailSchema)
@blp.alt_response(404, schema=ProblemSchema, description="没有该一件事，或该乡镇（街道）不办理")
def get_bundle(args: dict[str, Any], code: str) -> _Detail:
    """一件事及其一次告知的办事指南：所含事项、所需材料（每种只列一次）、关键路径时限、到现场次数"""
    town = _town(args["town"])
    found = versions.bundle_in_force(db.session, town.county if town else _county(), code, now())
    if town is not None and town.code not in found.towns:
        raise NotFound("该乡镇（街道）不办理此一件事")
    if town is not None and (reason := versions.suspension(db.session, found, town, now())) is not None:
        raise NotFound(reason)
    return _Detail(found, town.code if town else None, versions.combined_guide(db.session, found, town, now()))


@blp.route("/<code>/applications", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(BundleApplicationIn)
@blp.response(201, BundleApplicationOut)
@blp.alt_response(404, schema=ProblemSchema, description="没有该一件事，或该乡镇（街道）不办理")
@blp.doc(security=SECURITY)
def submit_bundle(body: dict[str, Any], code: str) -> tuple[BundleCase, int]:
    """提交一件事：一张表、一套材料，每个事项一件办件（同一 submission_key 重复提交返回同一申请，状态码 200）"""
    actor = current_actor()
    town = _town(body["town_code"])
    assert town is not None
    bundle_case, created = flow.submit(context(), applicant=actor, town=town, bundle_code=code,
                                       values=body["values"], materials=owned_materials(actor, body["materials"]),
                                       submission_key=body["submission_key"], delivery=body["delivery"])
    return bundle_case, (201 if created else 200)
