"""证照核验 and certificate history in the JSON API: public verification by QR token or by number and
holder name (no token needed, throttled, counted), and the certificate history of a case for its
applicant and for staff of its town."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service_hall.accounts.permissions import Permission
from service_hall.cases.queries import own_application, staff_case
from service_hall.cases.schemas import NotBlank
from service_hall.certificates import issuing
from service_hall.certificates.issuing import printed_holder_id
from service_hall.certificates.models import Certificate
from service_hall.certificates.verification import lookup_by_number, lookup_by_token
from service_hall.extensions import db
from service_hall.web.access import PUBLIC, current_actor, now, requires
from service_hall.web.document_settings import settings
from service_hall.web.throttling import throttled

blp = Blueprint("api_certificates", __name__, url_prefix="/api/v1", description="电子证照与证照核验")
SECURITY = [{"bearerAuth": []}]


class VerificationOut(Schema):
    number = fields.String(metadata={"description": "证照编号"})
    status = fields.String(metadata={"description": "valid 有效 / expired 已过期 / revoked 已撤销 / replaced 已换发"})
    status_label = fields.String()
    certificate_name = fields.String()
    holder_name = fields.String()
    holder_id = fields.String(metadata={"description": "公民身份号码（脱敏）或统一社会信用代码"})
    holder_id_label = fields.String()
    item_name = fields.String()
    issuer = fields.String(metadata={"description": "发证机关（委托时为委托机关）"})
    entrusted_body = fields.String(allow_none=True, metadata={"description": "受委托实施机关"})
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True, metadata={"description": "空值表示长期有效"})
    issued_on = fields.Date()
    status_changed_on = fields.Date(allow_none=True)
    replaced_by = fields.String(allow_none=True, metadata={"description": "换发后的新证照编号"})


class NumberQuery(Schema):
    number = fields.String(required=True, validate=NotBlank("请填写证照编号"), metadata={"description": "证照编号"})
    holder_name = fields.String(required=True, validate=NotBlank("请填写持证人名称"),
                                metadata={"description": "持证人名称"})


class CertificateOut(Schema):
    id = fields.Integer()
    number = fields.String()
    certificate_name = fields.String()
    status = fields.Function(lambda c: c.status.value)
    status_label = fields.Function(lambda c: c.status.label)
    holder_name = fields.String()
    holder_id = fields.Function(printed_holder_id)
    issuer_name = fields.String()
    entrusted_body = fields.String(allow_none=True)
    item_name = fields.String()
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True)
    issued_on = fields.Date()
    revoked_at = fields.DateTime(allow_none=True)
    revocation_reason = fields.String(allow_none=True)
    replaces = fields.Function(lambda c: c.replaces.number if c.replaces else None)
    verification_url = fields.Method("_verification_url")
    lookup_count = fields.Integer()

    def _verification_url(self, certificate: Certificate) -> str:
        return settings().verification_url(certificate.token)


@blp.route("/verify/<token>", methods=["GET"])
@requires(PUBLIC)
@throttled
@blp.response(200, VerificationOut)
def verify_token(token: str) -> Any:
    """证照核验（二维码）：返回证照状态与比对所需的最少信息；未查询到时 404"""
    view = lookup_by_token(db.session, token, now=now())
    return view


@blp.route("/verify", methods=["GET"])
@requires(PUBLIC)
@throttled
@blp.arguments(NumberQuery, location="query")
@blp.response(200, VerificationOut)
def verify_number(query: dict[str, str]) -> Any:
    """证照核验（证照编号 + 持证人名称，两者须一致）；未查询到时 404"""
    view = lookup_by_number(db.session, query["number"], query["holder_name"], now=now())
    return view


@blp.route("/applications/<ref>/certificates", methods=["GET"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(200, CertificateOut(many=True))
@blp.doc(security=SECURITY)
def my_certificates(ref: str) -> Any:
    """本人申请的电子证照（含已撤销、已换发的历史）；决定文书查收之前为空"""
    from service_hall.notifications.operations import pending_decisions

    case = own_application(db.session, current_actor(), ref)
    return [] if pending_decisions(db.session, case) else issuing.certificates_of(db.session, case)


@blp.route("/cases/<int:case_id>/certificates", methods=["GET"])
@requires(Permission.CASE_READ)
@blp.response(200, CertificateOut(many=True))
@blp.doc(security=SECURITY)
def case_certificates(case_id: int) -> Any:
    """本辖区办件的电子证照（含历史）"""
    return issuing.certificates_of(db.session, staff_case(db.session, current_actor(), case_id))
