"""一件事: the demo county with its list, forms and accounts, and the 农村建房 bundle as legal affairs
write it, with valid values of its composed form."""

from __future__ import annotations

import copy
from typing import Any

from tests.factories.clock import NOW
from tests.factories.places import QINGSHAN

HOMESTEAD = "330199-XK-001"  # 农村村民宅基地审批 (下放)
PLANNING = "330199-XK-002"  # 乡村建设规划许可证核发 (下放): needs the homestead approval
SHOP = "330199-XK-007"  # 个体工商户登记 (委托)
ADVERT = "330199-XK-004"  # 大型户外广告设置审批: not held by 青山镇
SENIOR = "330199-GF-004"  # 高龄津贴
PENSION = "330199-GG-003"  # 城乡居民基本养老保险参保登记 (窗口前移)

RURAL_HOUSING: dict[str, Any] = {
    "code": "rural-housing", "name": "农村建房一件事", "theme": "rural_housing",
    "description": "宅基地审批与乡村建设规划许可一次申请、一套材料、并联审批。",
    "towns": [QINGSHAN],
    "items": [{"code": HOMESTEAD, "after": []}, {"code": PLANNING, "after": [HOMESTEAD]}],
    # The two forms bound the applicant's name differently (30 / 100 characters): ask it as the homestead does.
    "resolutions": {"applicant_name": HOMESTEAD},
}


def rural_housing(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RURAL_HOUSING)
    raw.update(changes)
    return raw


def demo_world(app: Any) -> None:
    """The demo county: jurisdictions, accounts (``legal``, ``legal2``, ``clerk``, ``reviewer``,
    ``decider``, applicant ``13800000001`` …, every one with the suite's PASSWORD), the published list
    and every demo form, as of NOW, without the demo's bundles (the tests write their own). Committed."""
    from service_hall.accounts.models import User
    from service_hall.accounts.operations import hash_password
    from service_hall.demo import load_demo
    from service_hall.extensions import db
    from tests.factories.accounts import PASSWORD

    with app.app_context():
        created = load_demo(db.session, now=NOW, bundles=False)
        hashed = hash_password(PASSWORD)
        for account in db.session.query(User).filter(User.username.in_(list(created))):
            account.password_hash = hashed
            account.must_change_password = False
        db.session.commit()


def rural_values(**changes: Any) -> dict[str, Any]:
    """Valid values of the 农村建房 composed form (as the API posts them)."""
    values: dict[str, Any] = {
        "s_applicant_name": "王建国", "s_applicant_id": "330127197805160030", "s_applicant_mobile": "13905710001",
        "s_site": {"village": "330199101002", "detail": "石桥村3组，东至村道"},
        "i1_members": [{"name": "王建国", "id_number": "330127197805160030", "relation": "self",
                        "collective_member": True}],
        "i1_existing_housing": "has", "i1_existing_area": 86.5, "i1_existing_handling": "return",
        "i1_reason": "split_household", "i1_reason_detail": "子女成家分户，现有住房不足",
        "i1_land_type": "construction",
        "i1_site_area": 110, "i1_building_area": 280.5, "i1_floors": 3, "i1_pledge": True,
        "i2_builder_type": "person", "i2_builder_id": "330127197805160030", "i2_contact_name": "王建国",
        "i2_project_name": "王建国农村住房新建", "i2_project_purpose": "other", "i2_land_area": 110,
        "i2_building_area": 280.5, "i2_floors": 3,
        "i2_construction_period": {"start": "2026-12-15", "end": "2027-06-30"},
        "i2_pledge": True,
    }
    values.update(changes)
    return values


# Every material the composed form asks for, by composed code: the 身份证 and the land title once for both.
RURAL_MATERIALS = ("S-id_card", "S-land_title", "1-M01", "1-M03", "1-M04", "1-M06", "2-M01", "2-M04", "2-M05")


def scoped_bundle_case(factory: Any, app: Any) -> dict[str, Any]:
    """A bundle case of 青山镇 for the access-matrix test: its reference and id."""
    from service_hall.accounts.models import User
    from service_hall.bundles import flow, versions
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.demo import load_demo
    from service_hall.extensions import db
    from tests.factories.accounts import user
    from tests.factories.context import ctx_for
    from tests.factories.files import upload
    from tests.factories.places import COUNTY, jurisdiction

    applicant_id = factory.applicant(mobile="13900000052", name="钱二")
    with app.app_context():
        load_demo(db.session, now=NOW, bundles=False)
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(), actor=None, now=NOW)
        versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
        applicant = db.session.get(User, applicant_id)
        files = {code: upload(applicant, now=NOW, filename=f"{code}.pdf") for code in RURAL_MATERIALS}
        bundle_case, _ = flow.submit(ctx_for(applicant, NOW, calendar=WorkingCalendar()), applicant=applicant,
                                     town=jurisdiction(QINGSHAN), bundle_code="rural-housing", values=rural_values(),
                                     materials=files, submission_key="scoped-bundle")
        db.session.commit()
        return {"ref": bundle_case.ref, "bundle_case_id": bundle_case.id, "applicant_id": applicant_id,
                "town_code": QINGSHAN, "code": "rural-housing"}


def _pick(*keys: str) -> Any:
    def build(factory: Any, app: Any) -> dict[str, Any]:
        values = scoped_bundle_case(factory, app)
        return {k: values[k] for k in keys}

    return build


def scoped_opinion(factory: Any, app: Any) -> dict[str, Any]:
    """A 青山镇 case's request for an opinion asked of 石门镇 (neither is the access test's other town)."""
    from service_hall.bundles import opinions
    from service_hall.bundles.models import BundleCase
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.extensions import db
    from tests.factories.accounts import user
    from tests.factories.context import ctx_for

    values = scoped_bundle_case(factory, app)
    with app.app_context():
        case = db.session.get(BundleCase, values["bundle_case_id"]).cases[0]
        asked = opinions.ask(ctx_for(user("reviewer"), NOW, calendar=WorkingCalendar()), case,
                             target_code="330199103000", office_id=None, question="是否涉及本镇规划", days=5)
        db.session.commit()
        return {"request_id": asked.id, "case_id": case.id}


def _case_of_bundle(factory: Any, app: Any) -> dict[str, Any]:
    from service_hall.bundles.models import BundleCase
    from service_hall.extensions import db

    values = scoped_bundle_case(factory, app)
    with app.app_context():
        return {"case_id": db.session.get(BundleCase, values["bundle_case_id"]).cases[0].id}


BUNDLE_SCOPED = {
    "bundle_workbench.file_apply": _pick("town_code", "code", "applicant_id"),
    "bundle_workbench.case_opinions": _case_of_bundle,
    "bundle_workbench.ask_opinion": _case_of_bundle,
    "bundle_workbench.answer_opinion": lambda factory, app: {"request_id": scoped_opinion(factory, app)["request_id"]},
    **{f"bundle_portal.{name}": _pick("ref") for name in ("case", "answer", "withdraw", "delivery")},
    **{f"bundle_workbench.{name}": _pick("bundle_case_id") for name in ("case", "correction", "deliver")},
}
BUNDLE_UNSCOPED = {
    "bundle_legal.bundle": "bundles are county-wide list data, loaded through the legal officer's county",
    "bundle_legal.publish": "bundles are county-wide list data, loaded through the legal officer's county",
    "bundle_portal.apply": "any applicant may apply in any town that offers the bundle",
    "api_bundles.submit_bundle": "any applicant may apply in any town that offers the bundle",
}


def rural_form(token: str, key: str, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The 农村建房 page as a browser posts it, every material uploaded except ``skip``."""
    import io

    from tests.factories.files import PDF, PNG

    data = {
        "csrf_token": token, "submission_key": key, "delivery": "together",
        "s_applicant_name": "王建国", "s_applicant_id": "330127197805160030", "s_applicant_mobile": "13905710001",
        "s_site_village": "330199101002", "s_site_detail": "石桥村3组",
        "i1_members-0-name": "王建国", "i1_members-0-id_number": "330127197805160030", "i1_members-0-relation": "self",
        "i1_members-0-collective_member": "1",
        "i1_existing_housing": "none", "i1_reason": "split_household", "i1_land_type": "construction",
        "i1_site_area": "110", "i1_building_area": "280", "i1_floors": "3", "i1_pledge": "1",
        "i2_builder_type": "person", "i2_builder_id": "330127197805160030", "i2_contact_name": "王建国",
        "i2_project_name": "王建国住房", "i2_project_purpose": "other", "i2_land_area": "110",
        "i2_building_area": "280", "i2_floors": "3", "i2_construction_period_start": "2026-12-20",
        "i2_construction_period_end": "2027-06-30", "i2_pledge": "1",
    }
    for code in RURAL_MATERIALS:
        if code in skip:
            continue
        data[f"material-{code}"] = (io.BytesIO(PNG if code == "S-id_card" else PDF), f"{code}.pdf")
    return data
