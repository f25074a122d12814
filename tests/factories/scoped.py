"""Objects named in URLs, for the access-matrix test: each builder makes one that belongs to 青山镇 (and,
for applicant endpoints, to one applicant) and returns the URL values that name it."""

from __future__ import annotations

from typing import Any

from service_hall.cases.actions import Audience, for_audience
from service_hall.certificates.issuing import certificates_of
from tests.factories.clock import NOW


def _case(factory: Any, app: Any) -> dict[str, Any]:
    from service_hall.accounts.models import User
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.extensions import db
    from tests.factories import cases
    from tests.factories.files import upload
    from tests.factories.forms import homestead_data
    from tests.factories.places import QINGSHAN, jurisdiction
    from tests.factories.power_list import ITEM, publish_list
    from tests.factories.worlds import INTAKE_ITEMS

    publish_list(app, INTAKE_ITEMS, towns=(QINGSHAN,))
    applicant_id = factory.applicant(mobile="13900000051", name="赵一")
    with app.app_context():
        applicant = db.session.get(User, applicant_id)
        f = upload(applicant, now=NOW)
        case = cases.submit(applicant=applicant, town=jurisdiction(QINGSHAN), item_code=ITEM,
                            data=homestead_data(phone="13900000051"), materials={"M01": f, "M02": f},
                            key="scoped-1", now=NOW, calendar=WorkingCalendar.from_session(db.session))
        db.session.commit()
        return {"case_id": case.id, "ref": case.ref, "material_id": case.materials[0].id,
                "applicant_id": applicant_id, "town_code": QINGSHAN, "item_code": ITEM}


def _trigger(factory: Any, app: Any) -> dict[str, Any]:
    from service_hall.cases.models import Application
    from service_hall.extensions import db
    from tests.factories import cases

    values = _case(factory, app)
    with app.app_context():
        trigger = cases.raise_trigger(db.session.get(Application, values["case_id"]), "late_decision", now=NOW,
                                      detail="测试")
        db.session.commit()
        return {"trigger_id": trigger.id}


def _task(factory: Any, app: Any) -> dict[str, Any]:
    from service_hall.cases.models import Application
    from service_hall.extensions import db
    from tests.factories import cases

    values = _case(factory, app)
    with app.app_context():
        case = db.session.get(Application, values["case_id"])
        cases.withdraw(case, now=NOW)
        rating = cases.rate(case, now=NOW, score=1, comment="差", rectification_days=5)
        db.session.commit()
        return {"task_id": rating.rectification.id}


def _rating(factory: Any, app: Any) -> dict[str, Any]:
    """A 差评 of a 青山镇 case (申诉复核)."""
    from service_hall.cases.models import Rating
    from service_hall.extensions import db

    values = _task(factory, app)
    with app.app_context():
        found = db.session.scalar(db.select(Rating.id).where(Rating.rectification.has(id=values["task_id"])))
        return {"rating_id": found}


def _approved(factory: Any, app: Any) -> dict[str, Any]:
    """An approved case of 青山镇 with its notices and e-certificate (certificates and notices part)."""
    from service_hall.cases.models import Application
    from service_hall.extensions import db
    from tests.factories import cases

    values = _case(factory, app)
    with app.app_context():
        case = db.session.get(Application, values["case_id"])
        cases.accept(case, by="u-decider", now=NOW)
        cases.record_opinion(case, by="u-reviewer", now=NOW, opinion="符合条件", recommendation="approve")
        cases.complete_review(case, by="u-reviewer", now=NOW)
        cases.approve(case, by="u-decider", now=NOW)
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
    from service_hall.cases import walk_in
    from service_hall.cases.intake import WalkIn
    from service_hall.extensions import db
    from service_hall.jurisdictions.models import Jurisdiction

    values = _case(factory, app)
    with app.test_request_context():
        clerk = db.session.query(User).filter_by(username="u-clerk").one()
        town = db.session.query(Jurisdiction).filter_by(code=values["town_code"]).one()
        applicant = db.session.get(User, values["applicant_id"])
        return {"token": walk_in.sign(app.secret_key, clerk,
                                      WalkIn(applicant, town, values["item_code"], reuse_granted=granted))}


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
        "workbench.case", "api_cases.case", "documents.staff_receipt",
        # every staff case action, on the page and in the API (generated from the registry)
        *(f"{bp}.{a.name}" for a in for_audience(Audience.STAFF) for bp in ("workbench", "api_cases")))},
    "supervision.resolve": _trigger,
    "workbench.callback": _task,
    "supervision.verify_task": _task,
    "workbench.appeal_rating": _rating,
    "supervision.decide_appeal": _rating,
    "workbench.material": _pick("case_id", "material_id"),
    "workbench.file_apply": _walk_in,
    **{ep: _pick("ref") for ep in (
        "portal.application", "api_cases.my_application", "documents.applicant_receipt",
        *(f"{bp}.{a.name}" for a in for_audience(Audience.APPLICANT) for bp in ("portal", "api_cases")))},
}

_COUNTY_WIDE = ("the power list is county-wide: versions are loaded through the legal officer's county, "
                "and town staff have no power-list permission")


def _stored_file_id(app: Any, mobile: str = "13900000051") -> int:
    from service_hall.accounts.models import User
    from service_hall.extensions import db
    from service_hall.files.models import ApplicantFile

    with app.app_context():
        owner = db.session.query(User).filter_by(mobile=mobile).one()
        return db.session.query(ApplicantFile).filter_by(owner_id=owner.id).first().id


def _portal_reuse(factory: Any, app: Any) -> dict[str, Any]:
    from tests.factories.places import QINGSHAN
    from tests.factories.power_list import ITEM

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
    from tests.factories.places import QINGSHAN
    from tests.factories.power_list import ITEM

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
    # Power list (legal.*, api_power_lists.*): none is town-scoped.
    **{f"legal.{name}": _COUNTY_WIDE for name in (
        "version", "item", "new_item", "edit_item", "revoke_item", "submit", "discard", "review", "export",
        "export_job", "edit_guide")},
    "admin.office": "offices are county-wide records, loaded through the administrator's county",
    "supervision.export_status": "an export job is visible only to the account that asked for it (404 otherwise)",
    "supervision.export_download": "an export job is visible only to the account that asked for it (404 otherwise)",
    **{f"legal.{name}": "a job is visible only to the account that asked for it (404 otherwise)"
       for name in ("export_status", "export_download", "import_job")},
    "legal.import_preview": "a pending import is visible only to the person who uploaded it (random token)",
    "legal.import_confirm": "a pending import is visible only to the person who uploaded it (random token)",
    # The form designer: items are found through the legal officer's county; town staff have no
    # form-design permission.
    **{f"legal.{name}": _COUNTY_WIDE for name in (
        "form_design", "form_meta", "form_add_field", "form_field", "form_move_field", "form_reorder",
        "form_delete_field", "form_new_rule", "form_rule", "form_delete_rule", "form_preview", "form_export",
        "form_import", "form_publish", "form_discard", "form_diff")},
    "api_power_lists.submit": _COUNTY_WIDE,
    # Decision content (an item of the officer's county list in force) and the 证照目录 (the deployment's).
    **{f"legal.{name}": _COUNTY_WIDE for name in (
        "decision_design", "save_decision_design", "publish_decision_design")},
    **{f"legal.{name}": "certificate types are the deployment's 证照目录, kept by legal officers only" for name in (
        "certificate_type", "save_certificate_type", "publish_certificate_type", "certificate_type_preview")},
    "api_power_lists.publish": _COUNTY_WIDE,
}


# Notifications (case threads, a case's outbox; webhooks are county-wide): tests/notifications/scoped.py.
from tests.notifications.scoped import NOTIFICATIONS_UNSCOPED, builders  # noqa: E402

SCOPED_BUILDERS.update(builders())
UNSCOPED_REASONS.update(NOTIFICATIONS_UNSCOPED)

# 一件事: bundle cases are scoped like cases; bundles are county-wide.
from tests.factories.bundles import BUNDLE_SCOPED, BUNDLE_UNSCOPED  # noqa: E402

SCOPED_BUILDERS.update(BUNDLE_SCOPED)
UNSCOPED_REASONS.update(BUNDLE_UNSCOPED)
