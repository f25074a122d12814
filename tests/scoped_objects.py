"""Objects named in URLs, for the access-matrix test: each builder makes one that belongs to 青山镇 (and,
for applicant endpoints, to one applicant) and returns the URL values that name it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from service_hall.cases.actions import Audience, for_audience
from service_hall.certificates.issuing import certificates_of
from tests.context import ctx_for

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)


def _case(factory: Any, app: Any) -> dict[str, Any]:
    from service_hall.accounts.models import User
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.cases.intake import submit_application
    from service_hall.extensions import db
    from service_hall.files.store import FileStore, store_upload
    from service_hall.jurisdictions.models import Jurisdiction
    from tests.cases.conftest import PDF, form_data
    from tests.cases.seed import ITEM, QINGSHAN, seed_power_list

    seed_power_list(app)
    applicant_id = factory.applicant(mobile="13900000051", name="赵一")
    with app.app_context():
        applicant = db.session.get(User, applicant_id)
        town = db.session.query(Jurisdiction).filter_by(code=QINGSHAN).one()
        f = store_upload(db.session, FileStore(app.config["FILE_STORE_PATH"]), applicant, content=PDF,
                         filename="a.pdf", material_name="申请表", content_type="application/pdf", now=NOW)
        data = form_data(phone="13900000051")
        data["site"] = {"village": data.pop("site_village"), "detail": data.pop("site_detail")}
        data["period"] = {"start": data.pop("period_start"), "end": data.pop("period_end")}
        case, _ = submit_application(ctx_for(applicant, NOW, calendar=WorkingCalendar.from_session(db.session)),
                                     applicant=applicant, town=town, item_code=ITEM, data=data,
                                     materials={"M01": f, "M02": f}, submission_key="scoped-1")
        db.session.commit()
        return {"case_id": case.id, "ref": case.ref, "material_id": case.materials[0].id,
                "applicant_id": applicant_id, "town_code": QINGSHAN, "item_code": ITEM}


def _trigger(factory: Any, app: Any) -> dict[str, Any]:
    from service_hall.cases.accountability import raise_trigger
    from service_hall.cases.models import Application
    from service_hall.extensions import db

    values = _case(factory, app)
    with app.app_context():
        trigger = raise_trigger(db.session, db.session.get(Application, values["case_id"]), "late_decision", now=NOW,
                                detail="测试")
        db.session.commit()
        return {"trigger_id": trigger.id}


def _task(factory: Any, app: Any) -> dict[str, Any]:
    from service_hall.accounts.models import User
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.cases.intake import withdraw
    from service_hall.cases.models import Application
    from service_hall.cases.ratings import rate
    from service_hall.extensions import db

    values = _case(factory, app)
    with app.app_context():
        case = db.session.get(Application, values["case_id"])
        applicant = db.session.get(User, values["applicant_id"])
        withdraw(ctx_for(applicant, NOW), case)
        rating = rate(ctx_for(applicant, NOW, calendar=WorkingCalendar(), rectification_days=5), case, score=1,
                      comment="差")
        db.session.commit()
        return {"task_id": rating.rectification.id}


def _approved(factory: Any, app: Any) -> dict[str, Any]:
    """An approved case of 青山镇 with its notices and e-certificate (certificates and notices part)."""
    from service_hall.accounts.models import User
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.cases import intake, review
    from service_hall.cases.models import Application
    from service_hall.extensions import db

    values = _case(factory, app)
    with app.app_context():
        case = db.session.get(Application, values["case_id"])
        decider = db.session.query(User).filter_by(username="u-decider").one()
        reviewer = db.session.query(User).filter_by(username="u-reviewer").one()
        calendar = WorkingCalendar()
        intake.accept(ctx_for(decider, NOW, calendar=calendar), case)
        review.record_opinion(ctx_for(reviewer, NOW), case, opinion="符合条件", recommendation="approve")
        review.complete_review(ctx_for(reviewer, NOW), case)
        review.approve(ctx_for(decider, NOW, calendar=calendar), case)
        db.session.commit()
        return {**values, "notice_id": case.notices[0].id, "certificate_id": certificates_of(db.session, case)[0].id}


def _approved_pick(*keys: str):
    def build(factory: Any, app: Any) -> dict[str, Any]:
        values = _approved(factory, app)
        return {k: values[k] for k in keys}

    return build


def _walk_in(factory: Any, app: Any, *, granted: bool = True) -> dict[str, Any]:
    """A 帮办代办 filing begun by 青山镇's clerk for the applicant of the case (with the applicant's code
    unless ``granted`` is false)."""
    from service_hall.accounts.models import User
    from service_hall.cases.intake import WalkIn
    from service_hall.extensions import db
    from service_hall.jurisdictions.models import Jurisdiction
    from service_hall.web.workbench import sign_walk_in

    values = _case(factory, app)
    with app.test_request_context():
        clerk = db.session.query(User).filter_by(username="u-clerk").one()
        town = db.session.query(Jurisdiction).filter_by(code=values["town_code"]).one()
        applicant = db.session.get(User, values["applicant_id"])
        return {"token": sign_walk_in(clerk, WalkIn(applicant, town, values["item_code"], reuse_granted=granted))}


def _pick(*keys: str):
    def build(factory: Any, app: Any) -> dict[str, Any]:
        values = _case(factory, app)
        return {k: values[k] for k in keys}

    return build


SCOPED_BUILDERS = {
    # signed PDFs of notices and certificates, certificate history, reissue (certificates part)
    "documents.applicant_notice": _approved_pick("ref", "notice_id"),
    "documents.applicant_certificate": _approved_pick("ref", "certificate_id"),
    "documents.staff_notice": _approved_pick("case_id", "notice_id"),
    "documents.staff_certificate": _approved_pick("case_id", "certificate_id"),
    "documents.reissue": _approved_pick("case_id"),
    "api_certificates.my_certificates": _approved_pick("ref"),
    "api_certificates.case_certificates": _approved_pick("case_id"),
    **{ep: _pick("case_id") for ep in (
        "workbench.case", "api_cases.case",
        # every staff case action, on the page and in the API (generated from the registry)
        *(f"{bp}.{a.name}" for a in for_audience(Audience.STAFF) for bp in ("workbench", "api_cases")))},
    "supervision.resolve": _trigger,
    "workbench.callback": _task,
    "workbench.material": _pick("case_id", "material_id"),
    "workbench.file_apply": _walk_in,
    **{ep: _pick("ref") for ep in (
        "portal.application", "api_cases.my_application",
        *(f"{bp}.{a.name}" for a in for_audience(Audience.APPLICANT) for bp in ("portal", "api_cases")))},
}

def _stored_file_id(app: Any, mobile: str = "13900000051") -> int:
    from service_hall.accounts.models import User
    from service_hall.extensions import db
    from service_hall.files.models import ApplicantFile

    with app.app_context():
        owner = db.session.query(User).filter_by(mobile=mobile).one()
        return db.session.query(ApplicantFile).filter_by(owner_id=owner.id).first().id


def _portal_reuse(factory: Any, app: Any) -> dict[str, Any]:
    from tests.cases.seed import ITEM, QINGSHAN

    _case(factory, app)
    factory.applicant(mobile="13900000077", name="路人")
    return {"user": "13900000077", "url": f"/portal/apply/{QINGSHAN}/{ITEM}", "field": "reuse-M01",
            "error_key": "material-M01", "object_id": _stored_file_id(app)}


def _walk_in_reuse(factory: Any, app: Any) -> dict[str, Any]:
    with app.test_request_context():
        from flask import url_for

        url = url_for("workbench.file_apply", **_walk_in(factory, app, granted=False))
    return {"user": "u-clerk", "url": url, "field": "reuse-M01", "error_key": "material-M01",
            "object_id": _stored_file_id(app)}


def _api_materials(factory: Any, app: Any) -> dict[str, Any]:
    from tests.cases.seed import ITEM, QINGSHAN

    _case(factory, app)
    factory.applicant(mobile="13900000077", name="路人")
    return {"user": "13900000077", "url": "/api/v1/applications", "field": "materials.M01",
            "error_key": "material-M01", "object_id": _stored_file_id(app),
            "json": {"town_code": QINGSHAN, "item_code": ITEM, "submission_key": "probe-key-0001", "data": {}}}


# Objects a form field names (not the URL): another owner's object must be answered like a missing one.
FORM_FIELD_BUILDERS = {
    "portal.apply reuse-<material>": _portal_reuse,
    "workbench.file_apply reuse-<material> without the applicant's code": _walk_in_reuse,
    "api_cases.create_application materials": _api_materials,
}

UNSCOPED_REASONS = {
    "admin.calendar_delete": "the working calendar is national, kept by administrators",
    "portal.town": "the list of items a town holds is public",
    "portal.apply": "any applicant may apply in any town that holds the item",
}


# Power list (legal.*, api_power_lists.*): county-wide, see tests/power_lists/scoped.py.
from tests.power_lists.scoped import POWER_LIST_UNSCOPED  # noqa: E402

UNSCOPED_REASONS.update(POWER_LIST_UNSCOPED)
