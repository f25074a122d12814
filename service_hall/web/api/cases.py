"""Applications (applicants) and cases (window staff) over JSON — the same domain functions as the pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from service_hall.accounts.permissions import Permission
from service_hall.cases import intake, ratings, review
from service_hall.cases.accountability import clock_view
from service_hall.cases.models import CheckResult, DeliveryChannel, Recommendation
from service_hall.cases.queries import (
    deadline_state,
    own_application,
    own_applications,
    parse_statuses,
    queue,
    staff_case,
)
from service_hall.cases.transitions import Action, allowed_actions
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import db
from service_hall.files.store import accept_upload, owned_file
from service_hall.jurisdictions.operations import by_code
from service_hall.web.access import current_actor, now, requires
from service_hall.web.case_actions import attempt
from service_hall.web.case_io import calendar, file_store

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1", description="申请与办件")
SECURITY = [{"bearerAuth": []}]


class FileOut(Schema):
    id = fields.Integer()
    material_name = fields.String()
    filename = fields.String()
    sha256 = fields.Function(lambda f: f.blob.sha256)
    content_type = fields.Function(lambda f: f.blob.content_type)
    size = fields.Function(lambda f: f.blob.size)


class UploadForm(Schema):
    class Meta:
        unknown = EXCLUDE

    material_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class NoticeOut(Schema):
    kind = fields.String()
    label = fields.Function(lambda n: n.kind.label)
    number = fields.String()
    issued_on = fields.Date()
    content = fields.Dict()


class CorrectionOut(Schema):
    items = fields.List(fields.Dict())
    respond_by = fields.Date()
    answered_at = fields.DateTime(allow_none=True)


class PauseOut(Schema):
    kind = fields.String()
    label = fields.Function(lambda p: p.kind.label)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)


class DeliveryOut(Schema):
    channel = fields.String()
    channel_label = fields.Function(lambda d: d.channel.label)
    delivered_at = fields.DateTime()
    recipient = fields.String()
    address = fields.String()
    document_number = fields.String()


class ClockOut(Schema):
    promised = fields.Date(allow_none=True, metadata={"description": "承诺办结期限"})
    statutory = fields.Date(allow_none=True, metadata={"description": "法定办结期限"})
    promised_colour = fields.String(allow_none=True, metadata={"description": "green / yellow / red"})
    statutory_colour = fields.String(allow_none=True)
    promised_left = fields.Integer(allow_none=True, metadata={"description": "剩余工作日，负数为已超期"})
    statutory_left = fields.Integer(allow_none=True)
    paused = fields.Boolean(metadata={"description": "特别程序进行中，暂停计时"})
    provisional = fields.Boolean()


class ApplicationOut(Schema):
    id = fields.Integer(metadata={"description": "工作人员接口使用的办件 ID"})
    ref = fields.String(metadata={"description": "申请人接口使用的办件引用"})
    case_number = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda c: c.status.label)
    item_code = fields.String()
    item_name = fields.String()
    town_code = fields.Function(lambda c: c.town.code)
    power_item_id = fields.Integer()
    form_definition_id = fields.Integer(allow_none=True)
    data = fields.Dict()
    received_on = fields.Date(allow_none=True)
    intake_due_on = fields.Date(allow_none=True)
    accepted_on = fields.Date(allow_none=True)
    deemed_accepted = fields.Boolean()
    due_on = fields.Date(allow_none=True)
    statutory_due_on = fields.Date(allow_none=True)
    deadline_provisional = fields.Boolean()
    deadline_colour = fields.Method("_colour")
    row_version = fields.Integer()
    allowed_actions = fields.Function(lambda c: [a.value for a in allowed_actions(c)])
    materials = fields.Function(lambda c: [{"code": m.material_code, "name": m.material_name,
                                            "file_id": m.file_id} for m in c.materials])
    corrections = fields.List(fields.Nested(CorrectionOut))
    notices = fields.List(fields.Nested(NoticeOut))
    extension_days = fields.Integer()
    clock = fields.Method("_clock", metadata={"description": "决定期限（受理后、决定前）：承诺与法定期限分别计算"})
    special_procedures = fields.Function(lambda c: PauseOut(many=True).dump(
        [p for p in c.pauses if p.kind.value != "correction"]))
    pledge_signed_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    deliveries = fields.List(fields.Nested(DeliveryOut))

    def _colour(self, case: Any) -> str | None:
        return deadline_state(case, calendar(), now())[0]

    def _clock(self, case: Any) -> dict[str, Any] | None:
        view = clock_view(case, calendar(), now())
        return ClockOut().dump(view) if view is not None else None


class ReviewOut(Schema):
    reviewer_id = fields.Integer()
    reviewer_name = fields.Function(lambda r: r.reviewer.real_name)
    opinion = fields.String()
    recommendation = fields.String()
    recorded_at = fields.DateTime()


class CheckOut(Schema):
    due_on = fields.Date()
    result = fields.String()
    finding = fields.String(allow_none=True)
    checked_at = fields.DateTime(allow_none=True)


class TriggerOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    severity = fields.String()
    code = fields.String()
    situation = fields.String()
    basis = fields.String()
    detail = fields.String()
    raised_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)


class CaseOut(ApplicationOut):
    """What staff see of a case: the applicant's view plus review opinions, checks and 追责情形."""

    reviews = fields.List(fields.Nested(ReviewOut))
    checks = fields.List(fields.Nested(CheckOut))
    triggers = fields.List(fields.Nested(TriggerOut))


class RatingOut(Schema):
    score = fields.Integer()
    comment = fields.String()
    rated_at = fields.DateTime()
    rectification_due_on = fields.Function(lambda r: r.rectification.due_on.isoformat() if r.rectification else None)


class ApplicationIn(Schema):
    town_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$", error="区划代码应为12位数字"))
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    data = fields.Dict(load_default=dict)
    materials = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict,
                            metadata={"description": "材料编码 → 已上传文件 ID"})
    submission_key = fields.String(required=True, validate=validate.Length(min=8, max=64),
                                   metadata={"description": "客户端生成的幂等键：重复提交返回同一申请"})


class ResubmitIn(Schema):
    materials = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict)
    data = fields.Dict(load_default=None, allow_none=True)


class VersionIn(Schema):
    row_version = fields.Integer(load_default=None, allow_none=True,
                                 metadata={"description": "读取时的 row_version；他人已处理时返回 409"})


class CorrectionIn(VersionIn):
    items = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), required=True)
    respond_days = fields.Integer(load_default=10)


class RefuseIn(VersionIn):
    reason = fields.String(required=True)
    competent_office = fields.String(load_default=None, allow_none=True)


class PledgeIn(VersionIn):
    missing = fields.List(fields.String(), required=True)
    pledge_days = fields.Integer(load_default=5)


class WithdrawIn(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


def _files(actor: Any, ids: dict[str, int]) -> dict[str, Any]:
    out = {}
    errors = {}
    for code, file_id in ids.items():
        try:
            out[code] = owned_file(db.session, actor, file_id)
        except NotFound:
            errors[f"material-{code}"] = "所选材料不存在"
    if errors:
        raise ValidationFailed("材料有误", details=errors)
    return out


@blp.route("/files", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(UploadForm, location="form")
@blp.response(201, FileOut)
@blp.doc(security=SECURITY)
def upload_file(form: dict[str, Any]) -> Any:
    """上传申请材料（multipart，字段 file），按内容识别类型，同一内容只存一份"""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed("请选择文件", details={"file": "请选择文件"})
    item = accept_upload(db.session, file_store(), current_actor(), content=upload.read(),
                         filename=upload.filename or "", material_name=form["material_name"], field="file", now=now())
    db.session.commit()
    return item


@blp.route("/applications", methods=["GET"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(200, ApplicationOut(many=True))
@blp.doc(security=SECURITY)
def my_applications() -> Any:
    """我的申请"""
    return own_applications(db.session, current_actor())


@blp.route("/applications", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(ApplicationIn)
@blp.response(201, ApplicationOut)
@blp.doc(security=SECURITY)
def create_application(body: dict[str, Any]) -> Any:
    """提交申请（同一 submission_key 重复提交返回同一申请，状态码 200）"""
    actor = current_actor()
    town = by_code(db.session, body["town_code"])
    case, created = intake.submit_application(
        db.session, applicant=actor, town=town, item_code=body["item_code"], data=body["data"],
        materials=_files(actor, body["materials"]), submission_key=body["submission_key"], actor=actor, now=now(),
        calendar=calendar())
    db.session.commit()
    return case, (201 if created else 200)


@blp.route("/applications/<ref>", methods=["GET"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(200, ApplicationOut)
@blp.doc(security=SECURITY)
def my_application(ref: str) -> Any:
    """我的一件申请：状态、期限、文书"""
    return own_application(db.session, current_actor(), ref)


@blp.route("/applications/<ref>/correction", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(ResubmitIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=SECURITY)
def answer_correction(body: dict[str, Any], ref: str) -> Any:
    """提交补正材料"""
    actor = current_actor()
    case = own_application(db.session, actor, ref)
    intake.resubmit(db.session, case, actor=actor, now=now(), calendar=calendar(), data=body["data"],
                    materials=_files(actor, body["materials"]))
    db.session.commit()
    return case


@blp.route("/applications/<ref>/withdraw", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(WithdrawIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=SECURITY)
def withdraw(body: dict[str, Any], ref: str) -> Any:
    """撤回申请（作出决定前）"""
    actor = current_actor()
    case = own_application(db.session, actor, ref)
    intake.withdraw(db.session, case, actor=actor, now=now(), reason=body["reason"])
    db.session.commit()
    return case


@blp.route("/cases", methods=["GET"])
@requires(Permission.CASE_READ)
@blp.response(200, CaseOut(many=True))
@blp.doc(security=SECURITY)
def cases() -> Any:
    """本辖区在办件，按期限排序（?status= 筛选）"""
    return queue(db.session, current_actor(), parse_statuses(request.args.get("status")))


@blp.route("/cases/<int:case_id>", methods=["GET"])
@requires(Permission.CASE_READ)
@blp.response(200, CaseOut)
@blp.doc(security=SECURITY)
def case(case_id: int) -> Any:
    """一件办件"""
    return staff_case(db.session, current_actor(), case_id)


@blp.route("/cases/<int:case_id>/accept", methods=["POST"])
@requires(Permission.CASE_INTAKE)
@blp.arguments(VersionIn)
@blp.response(200, CaseOut)
@blp.doc(security=SECURITY)
def accept(body: dict[str, Any], case_id: int) -> Any:
    """受理"""
    return _staff_action(Action.ACCEPT, case_id, lambda c, a: intake.accept(
        db.session, c, actor=a, now=now(), calendar=calendar(), expected_version=body["row_version"]))


@blp.route("/cases/<int:case_id>/correction", methods=["POST"])
@requires(Permission.CASE_INTAKE)
@blp.arguments(CorrectionIn)
@blp.response(200, CaseOut)
@blp.doc(security=SECURITY)
def correction(body: dict[str, Any], case_id: int) -> Any:
    """一次性告知补正（items: [{target, problem}]）"""
    return _staff_action(Action.REQUEST_CORRECTION, case_id, lambda c, a: intake.request_correction(
        db.session, c, actor=a, now=now(), calendar=calendar(), items=body["items"],
        respond_days=body["respond_days"], expected_version=body["row_version"]))


@blp.route("/cases/<int:case_id>/refuse", methods=["POST"])
@requires(Permission.CASE_INTAKE)
@blp.arguments(RefuseIn)
@blp.response(200, CaseOut)
@blp.doc(security=SECURITY)
def refuse(body: dict[str, Any], case_id: int) -> Any:
    """不予受理（须说明理由）"""
    return _staff_action(Action.REFUSE, case_id, lambda c, a: intake.refuse(
        db.session, c, actor=a, now=now(), reason=body["reason"], competent_office=body["competent_office"],
        expected_version=body["row_version"]))


@blp.route("/cases/<int:case_id>/pledge", methods=["POST"])
@requires(Permission.CASE_INTAKE)
@blp.arguments(PledgeIn)
@blp.response(200, CaseOut)
@blp.doc(security=SECURITY)
def pledge(body: dict[str, Any], case_id: int) -> Any:
    """容缺受理"""
    return _staff_action(Action.ACCEPT_WITH_PLEDGE, case_id, lambda c, a: intake.accept_with_pledge(
        db.session, c, actor=a, now=now(), calendar=calendar(), missing=body["missing"],
        pledge_days=body["pledge_days"], expected_version=body["row_version"]))


def _staff_action(action: Action, case_id: int, do: Any) -> Any:
    """Run a staff action through ``attempt`` (refusals concerning a power are recorded), commit once."""
    case, _ = attempt(action, case_id, do)
    db.session.commit()
    return case


class OpinionIn(VersionIn):
    opinion = fields.String(required=True, metadata={"description": "审查意见"})
    recommendation = fields.String(required=True, validate=validate.OneOf([r.value for r in Recommendation]),
                                   metadata={"description": "approve 建议准予 / deny 建议不予"})


class SpecialIn(VersionIn):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in review.SPECIAL_KINDS]),
                         metadata={"description": "hearing 听证 / inspection 现场勘验 / testing 检验检测 / "
                                                  "expert_review 专家评审"})
    note = fields.String(required=True, metadata={"description": "事由及预计所需时间"})


class OutcomeIn(VersionIn):
    outcome = fields.String(required=True)


class ReasonIn(VersionIn):
    reason = fields.String(required=True)


class ApproveIn(VersionIn):
    opinion = fields.String(load_default=None, allow_none=True)


class DenyIn(VersionIn):
    reasons = fields.String(required=True, metadata={"description": "不予许可的理由（写入决定书）"})


class DeliverIn(VersionIn):
    channel = fields.String(required=True, validate=validate.OneOf([c.value for c in DeliveryChannel]),
                            metadata={"description": "electronic 电子送达 / window 窗口领取 / post 邮寄"})
    recipient = fields.String(required=True)
    address = fields.String(load_default="")


class CheckIn(Schema):
    result = fields.String(required=True, validate=validate.OneOf([CheckResult.PASSED.value, CheckResult.FAILED.value]),
                           metadata={"description": "passed 承诺属实 / failed 承诺不实（撤销许可，须负责人）"})
    finding = fields.String(required=True)


class PledgeSignIn(Schema):
    agree = fields.Boolean(required=True, metadata={"description": "申请人确认作出告知承诺"})


class RatingIn(Schema):
    score = fields.Integer(required=True, strict=True,
                           error_messages={"invalid": "评分应为1至5分的整数", "required": "请评分"},
                           metadata={"description": "1–5；1–2 分为差评，生成整改任务"})
    comment = fields.String(load_default="")


def _staff_route(path: str, schema: type[Schema], permission: Permission, summary: str) -> Any:
    def register(view: Any) -> Any:
        view.__doc__ = summary
        wrapped = blp.doc(security=SECURITY)(view)
        wrapped = blp.response(200, CaseOut)(wrapped)
        wrapped = blp.arguments(schema)(wrapped)
        wrapped = requires(permission)(wrapped)
        return blp.route(f"/cases/<int:case_id>/{path}", methods=["POST"], endpoint=view.__name__)(wrapped)

    return register


@_staff_route("opinions", OpinionIn, Permission.CASE_REVIEW, "提出审查意见（须两人审查的事项由两名审查人员分别提出）")
def opinion(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.RECORD_OPINION, case_id, lambda c, a: review.record_opinion(
        db.session, c, actor=a, now=now(), opinion=body["opinion"], recommendation=body["recommendation"],
        expected_version=body["row_version"]))


@_staff_route("complete-review", VersionIn, Permission.CASE_REVIEW, "审查完毕，提交负责人决定")
def complete_review(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.COMPLETE_REVIEW, case_id, lambda c, a: review.complete_review(
        db.session, c, actor=a, now=now(), expected_version=body["row_version"]))


@_staff_route("special", SpecialIn, Permission.CASE_REVIEW, "启动特别程序（听证、勘验、检测、专家评审），暂停计时")
def start_special(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.START_SPECIAL, case_id, lambda c, a: review.start_special_procedure(
        db.session, c, actor=a, now=now(), calendar=calendar(), kind=body["kind"], note=body["note"],
        expected_version=body["row_version"]))


@_staff_route("special/end", OutcomeIn, Permission.CASE_REVIEW, "特别程序结束，恢复计时并重算期限")
def end_special(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.END_SPECIAL, case_id, lambda c, a: review.end_special_procedure(
        db.session, c, actor=a, now=now(), calendar=calendar(), outcome=body["outcome"],
        expected_version=body["row_version"]))


@_staff_route("extend", ReasonIn, Permission.CASE_DECIDE, "负责人批准延长法定期限十个工作日（仅一次），理由告知申请人")
def extend(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.EXTEND, case_id, lambda c, a: review.extend(
        db.session, c, actor=a, now=now(), calendar=calendar(), reason=body["reason"],
        expected_version=body["row_version"]))


@_staff_route("approve", ApproveIn, Permission.CASE_DECIDE, "准予许可（审查完毕后；即办件可在受理后当日决定）")
def approve(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.APPROVE, case_id, lambda c, a: review.approve(
        db.session, c, actor=a, now=now(), calendar=calendar(), opinion=body["opinion"],
        expected_version=body["row_version"]))


@_staff_route("deny", DenyIn, Permission.CASE_DECIDE, "不予许可（说明理由，告知复议和诉讼权利）")
def deny(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.DENY, case_id, lambda c, a: review.deny(
        db.session, c, actor=a, now=now(), reasons=body["reasons"], expected_version=body["row_version"]))


@_staff_route("on-the-spot", VersionIn, Permission.CASE_DECIDE, "即办件当场受理并准予许可（负责人，一次办结）")
def on_the_spot(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.APPROVE, case_id, lambda c, a: review.decide_on_the_spot(
        db.session, c, actor=a, now=now(), calendar=calendar(), expected_version=body["row_version"]))


@_staff_route("pledge-approve", VersionIn, Permission.CASE_DECIDE, "告知承诺制：依申请人签署的承诺当场准予许可")
def pledge_approve(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.APPROVE_ON_PLEDGE, case_id, lambda c, a: review.approve_on_pledge(
        db.session, c, actor=a, now=now(), calendar=calendar(), expected_version=body["row_version"],
        check_days=current_app.config["FOLLOW_UP_CHECK_DAYS"]))


@_staff_route("deliver", DeliverIn, Permission.CERTIFICATE_ISSUE, "记录送达（方式、时间、受送达人），办结")
def deliver(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.DELIVER, case_id, lambda c, a: review.deliver(
        db.session, c, actor=a, now=now(), channel=body["channel"], recipient=body["recipient"],
        address=body["address"], expected_version=body["row_version"]))


@_staff_route("check", CheckIn, Permission.CASE_REVIEW, "事后核查结果：属实则办结任务；不实则撤销许可（须负责人）")
def check(body: dict[str, Any], case_id: int) -> Any:
    passed = body["result"] == CheckResult.PASSED.value
    return _staff_action(Action.PASS_CHECK if passed else Action.REVOKE, case_id, lambda c, a: review.record_check(
        db.session, c, actor=a, now=now(), passed=passed, finding=body["finding"]))


@_staff_route("revoke", ReasonIn, Permission.CASE_DECIDE, "撤销许可决定（说明理由）")
def revoke(body: dict[str, Any], case_id: int) -> Any:
    return _staff_action(Action.REVOKE, case_id, lambda c, a: review.revoke(
        db.session, c, actor=a, now=now(), reason=body["reason"]))


@blp.route("/applications/<ref>/pledge", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(PledgeSignIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=SECURITY)
def sign_pledge(body: dict[str, Any], ref: str) -> Any:
    """签署告知承诺书（适用告知承诺制的事项）"""
    actor = current_actor()
    case = own_application(db.session, actor, ref)
    review.sign_pledge(db.session, case, actor=actor, now=now(), agree=body["agree"])
    db.session.commit()
    return case


@blp.route("/applications/<ref>/rating", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(RatingIn)
@blp.response(201, RatingOut)
@blp.doc(security=SECURITY)
def rate(body: dict[str, Any], ref: str) -> Any:
    """好差评：办结后评价一次，1–5 分；1–2 分生成整改任务"""
    actor = current_actor()
    case = own_application(db.session, actor, ref)
    rating = ratings.rate(db.session, case, actor=actor, now=now(), calendar=calendar(), score=body["score"],
                          comment=body["comment"], rectification_days=current_app.config["RECTIFICATION_DAYS"])
    db.session.commit()
    return rating
