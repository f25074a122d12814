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
    "workbench.material": _pick("case_id", "material_id"),
    "workbench.file_apply": _pick("town_code", "item_code", "applicant_id"),
    **{ep: _pick("ref") for ep in (
        "portal.application", "api_cases.my_application", "documents.applicant_receipt",
        *(f"{bp}.{a.name}" for a in for_audience(Audience.APPLICANT) for bp in ("portal", "api_cases")))},
}

_COUNTY_WIDE = ("the power list is county-wide: versions are loaded through the legal officer's county, "
                "and town staff have no power-list permission")

UNSCOPED_REASONS = {
    "admin.calendar_delete": "the working calendar is national, kept by administrators",
    "portal.town": "the list of items a town holds is public",
    "portal.apply": "any applicant may apply in any town that holds the item",
    # Power list (legal.*, api_power_lists.*): none is town-scoped.
    **{f"legal.{name}": _COUNTY_WIDE for name in (
        "version", "item", "new_item", "edit_item", "revoke_item", "submit", "discard", "review", "export",
        "edit_guide")},
    "admin.office": "offices are county-wide records, loaded through the administrator's county",
    "legal.import_preview": "a pending import is visible only to the person who uploaded it (random token)",
    "legal.import_confirm": "a pending import is visible only to the person who uploaded it (random token)",
    "api_power_lists.submit": _COUNTY_WIDE,
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
