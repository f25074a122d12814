"""The 送达回证 records who actually signed, how and when — not the recipient pre-printed as 签收人: the
clerk records the signer's name, whether 本人 or 代收人, the way (直接送达 / 留置 / 邮寄 / 电子) and the time."""

from __future__ import annotations

import datetime as dt

from service_hall.cases.models import CaseStatus, NoticeKind
from service_hall.certificates.notices import notice_data
from service_hall.extensions import db
from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.web import login, post_form


def _approved(app):
    app.config["FIXED_NOW"] = at("2026-11-27", 16)
    case_id = new_case(app)
    drive(app, case_id, "accept", "opinion1", "complete", "approve", day="2026-11-25")
    clerk = app.test_client()
    login(clerk, "clerk1")
    return case_id, clerk


def _deliver(clerk, app, case_id, data):
    page = f"/workbench/cases/{case_id}"
    return post_form(clerk, page, {"row_version": str(load(app, case_id).row_version), "recipient": "李堃", **data},
                     action=f"{page}/deliver")


def _receipt(app, case_id):
    with app.app_context():
        case = db.session.get(type(load(app, case_id)), case_id)
        notice = next(n for n in case.notices if n.kind == NoticeKind.DELIVERY)
        return notice_data(db.session, notice).delivery


def test_the_clerk_records_the_agent_who_signed_at_the_window_and_when(app, rworld):
    case_id, clerk = _approved(app)
    form = clerk.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert 'name="signer_name" maxlength="50">' in form  # not pre-filled with the recipient
    bad = _deliver(clerk, app, case_id, {"channel": "window"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请填写实际签收人姓名" in body and "请选择签收人是受送达人本人还是代收人" in body
    future = _deliver(clerk, app, case_id, {"channel": "window", "signer_name": "王芳", "signer_relation": "agent",
                                            "signed_at": "2026-11-28T09:00"})
    assert future.status_code == 422 and "签收时间不能晚于现在" in future.get_data(as_text=True)
    early = _deliver(clerk, app, case_id, {"channel": "window", "signer_name": "王芳", "signer_relation": "agent",
                                           "signed_at": "2026-11-20T09:00"})
    assert early.status_code == 422 and "签收时间不能早于作出决定的时间" in early.get_data(as_text=True)
    garbled = _deliver(clerk, app, case_id, {"channel": "window", "signer_name": "王芳", "signer_relation": "agent",
                                             "signed_at": "昨天"})
    assert garbled.status_code == 422 and "时间格式应为" in garbled.get_data(as_text=True)
    assert load(app, case_id).status == CaseStatus.APPROVED  # nothing recorded by a refused entry
    ok = _deliver(clerk, app, case_id, {"channel": "window", "signer_name": "王芳", "signer_relation": "agent",
                                        "signed_at": "2026-11-27T15:30"})
    assert ok.status_code == 302
    delivery = load(app, case_id).deliveries[0]
    assert (delivery.recipient, delivery.signer_name, delivery.signer_relation) == ("李堃", "王芳", "agent")
    assert delivery.signed_at == at("2026-11-27", 15) + dt.timedelta(minutes=30)
    record = _receipt(app, case_id)
    assert record.recipient == "李堃" and record.signer == "王芳" and record.signer_relation == "代收人"
    assert record.signed_at == dt.datetime(2026, 11, 27, 15, 30) and record.method.legal_term == "直接送达"
    page = clerk.get(f"/workbench/cases/{case_id}").get_data(as_text=True)
    assert "签收人 王芳（代收人）于 2026-11-27 15:30 签收" in page


def test_a_refused_delivery_is_left_before_a_witness(app, rworld):
    case_id, clerk = _approved(app)
    resp = _deliver(clerk, app, case_id, {"channel": "left", "address": "青山村3组12号"})
    assert resp.status_code == 422 and "留置送达须填写见证人" in resp.get_data(as_text=True)
    resp = _deliver(clerk, app, case_id, {"channel": "left", "address": "青山村3组12号", "witness": "村委会主任张三"})
    assert resp.status_code == 302
    record = _receipt(app, case_id)
    assert record.method.legal_term == "留置送达" and record.witness == "村委会主任张三"
    assert record.signer == "" and record.signed_at is None


def test_an_electronic_delivery_is_signed_by_the_applicants_opening(app, rworld):
    case_id, clerk = _approved(app)
    applicant = app.test_client()
    login(applicant, "13900000001")
    from tests.factories.web import open_decisions

    app.config["FIXED_NOW"] = at("2026-11-26", 9)
    open_decisions(applicant, load(app, case_id).ref)
    app.config["FIXED_NOW"] = at("2026-11-27", 16)
    assert _deliver(clerk, app, case_id, {"channel": "electronic", "signer_name": "别人"}).status_code == 302
    record = _receipt(app, case_id)
    assert record.signer == "李堃" and record.signer_relation == "本人"
    assert record.signed_at == dt.datetime(2026, 11, 26, 9, 0)  # the opening, whatever was typed
