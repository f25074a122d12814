"""Demo data: one county with towns/streets and villages, and an account for every role.

Idempotent: running it again leaves existing rows alone.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import ApplicantType, User
from service_hall.accounts.operations import hash_password
from service_hall.accounts.permissions import Role
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

COUNTY = ("330199000000", "清溪县", "县")
# (code, name, kind, villages)
TOWNS = [
    ("330199001000", "城东街道", "街道", [("330199001001", "迎春社区", "社区"), ("330199001002", "和平社区", "社区")]),
    ("330199002000", "城西街道", "街道", [("330199002001", "西湖社区", "社区"), ("330199002002", "文昌社区", "社区")]),
    ("330199101000", "青山镇", "镇", [("330199101001", "青山村", "村"), ("330199101002", "石桥村", "村"),
                                   ("330199101003", "柳塘村", "村")]),
    ("330199102000", "白沙镇", "镇", [("330199102001", "白沙村", "村"), ("330199102002", "下洋村", "村")]),
    ("330199103000", "石门镇", "镇", [("330199103001", "石门村", "村"), ("330199103002", "上坪村", "村")]),
    ("330199104000", "桃源镇", "镇", [("330199104001", "桃源村", "村"), ("330199104002", "梅岭村", "村")]),
    ("330199201000", "龙潭乡", "乡", [("330199201001", "龙潭村", "村"), ("330199201002", "高坑村", "村")]),
]

QINGSHAN = "330199101000"
BAISHA = "330199102000"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    real_name: str
    jurisdiction_code: str | None
    mobile: str | None = None
    applicant_type: ApplicantType | None = None
    id_number: str | None = None
    credit_code: str | None = None
    organisation_name: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("admin", Role.ADMIN, "周明远", COUNTY[0]),
    DemoAccount("legal", Role.LEGAL, "陈法宁", COUNTY[0]),
    DemoAccount("legal2", Role.LEGAL, "吴审之", COUNTY[0]),
    DemoAccount("supervisor", Role.SUPERVISOR, "郑督察", COUNTY[0]),
    DemoAccount("clerk", Role.CLERK, "王小窗", QINGSHAN),
    DemoAccount("reviewer", Role.REVIEWER, "刘审查", QINGSHAN),
    DemoAccount("reviewer2", Role.REVIEWER, "孙复核", QINGSHAN),
    DemoAccount("decider", Role.DECIDER, "赵镇长", QINGSHAN),
    DemoAccount("clerk.baisha", Role.CLERK, "林白沙", BAISHA),
    # Names with characters outside GB2312 on purpose (堃, 喆).
    DemoAccount("13800000001", Role.APPLICANT, "李堃", None, mobile="13800000001",
                applicant_type=ApplicantType.PERSON, id_number="33012719850312001X"),
    DemoAccount("13800000002", Role.APPLICANT, "张喆", None, mobile="13800000002",
                applicant_type=ApplicantType.ENTERPRISE, id_number="330127199002280029",
                credit_code="91330127MA2H00001X", organisation_name="清溪县青山农业发展有限公司"),
]


def _fix_check_chars() -> None:
    # Keep the demo identity numbers valid even if someone edits the first 17 characters above.
    from forms.validators import credit_code_check_char, id_number_check_char

    fixed = []
    for acc in DEMO_ACCOUNTS:
        id_number = acc.id_number and acc.id_number[:17] + id_number_check_char(acc.id_number[:17])
        credit = acc.credit_code and acc.credit_code[:17] + credit_code_check_char(acc.credit_code[:17])
        fixed.append(DemoAccount(**{**acc.__dict__, "id_number": id_number, "credit_code": credit}))
    DEMO_ACCOUNTS[:] = fixed


_fix_check_chars()


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(12))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def load_jurisdictions(session: Session) -> dict[str, Jurisdiction]:
    existing = {j.code: j for j in session.scalars(select(Jurisdiction))}

    def get(code: str, name: str, kind: str, level: JurisdictionLevel, parent: Jurisdiction | None) -> Jurisdiction:
        if code not in existing:
            existing[code] = Jurisdiction(code=code, name=name, kind=kind, level=level, parent=parent)
            session.add(existing[code])
        return existing[code]

    county = get(*COUNTY, JurisdictionLevel.COUNTY, None)
    for code, name, kind, villages in TOWNS:
        town = get(code, name, kind, JurisdictionLevel.TOWN, county)
        for vcode, vname, vkind in villages:
            get(vcode, vname, vkind, JurisdictionLevel.VILLAGE, town)
    session.flush()
    return existing


def load_accounts(session: Session, *, now: dt.datetime,
                  passwords: dict[str, str] | None = None) -> dict[str, str]:
    """Create the demo accounts that do not exist yet; return {username: password} for the new ones."""
    by_code = {j.code: j for j in session.scalars(select(Jurisdiction))}
    created: dict[str, str] = {}
    for acc in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == acc.username)):
            continue
        password = (passwords or {}).get(acc.username) or _password()
        session.add(User(
            username=acc.username, role=acc.role, real_name=acc.real_name, mobile=acc.mobile,
            applicant_type=acc.applicant_type, id_number=acc.id_number, credit_code=acc.credit_code,
            organisation_name=acc.organisation_name, password_hash=hash_password(password),
            jurisdiction=by_code.get(acc.jurisdiction_code) if acc.jurisdiction_code else None, created_at=now,
        ))
        created[acc.username] = password
    session.flush()
    return created


def load_demo(session: Session, *, now: dt.datetime, bundles: bool = True) -> dict[str, str]:
    """Everything the demo needs (the three 一件事 unless ``bundles`` is False). Returns the passwords of
    accounts created by this call."""
    from service_hall.bundles.demo import load_demo_bundles

    load_jurisdictions(session)
    created = load_accounts(session, now=now)
    _load_optional_parts(session, now=now)
    if bundles:
        load_demo_bundles(session, now=now)
    return created


# power_lists.demo names the forms in pinyin, forms.demo in English.
FORM_KEY_NAMES = {
    "zhaijidi": "homestead", "xiangcun_guihua": "rural_planning_permit", "linshi_zhandao": "road_occupation",
    "huwai_guanggao": "outdoor_advertising", "geti_dengji": "individual_business", "dibao": "minimum_living_allowance",
    "weifang_gaizao": "dilapidated_house", "shengyu": "birth_registration", "canji_butie": "disability_subsidies",
    "linshi_jiuzhu": "temporary_assistance", "gaoling_jintie": "senior_allowance",
    "ranqi_jingying": "gas_business_permit", "shigong_xuke": "construction_permit",
    "yangquan_dengji": "dog_registration",
}
# Application items the list's demo leaves without a form key.
MORE_DEMO_FORMS = {
    "330199-XK-008": "road_excavation", "330199-XK-009": "posting_publicity", "330199-GF-006": "medical_assistance",
    "330199-QR-001": "extreme_poverty", "330199-CJ-001": "forest_dispute", "330199-CJ-002": "land_dispute",
    "330199-GG-001": "residence_permit", "330199-GG-002": "hard_to_employ", "330199-GG-003": "pension_enrolment",
    "330199-JL-001": "environment_award",
}


def _load_optional_parts(session: Session, *, now: dt.datetime) -> None:
    """The demo power list, and a published form for every demo item that takes applications."""
    from forms.demo import DEMO_FORMS
    from forms.models import current_form_definition, publish_form_definition
    from power_lists.demo import DEMO_FORM_KEYS, load_demo_power_list
    from power_lists.models import PowerItem

    load_demo_power_list(session, now=now)
    _load_demo_aliases(session, now=now)
    keys = {code: FORM_KEY_NAMES[key] for code, key in DEMO_FORM_KEYS.items()} | MORE_DEMO_FORMS
    for code, key in keys.items():
        if current_form_definition(session, code, now) is not None:
            continue
        item = session.scalars(select(PowerItem).where(PowerItem.code == code).order_by(PowerItem.id.desc())).first()
        if item is None:
            continue
        definition = dict(DEMO_FORMS[key])
        # The item's 办事指南 is the legal source of the materials list; the form follows it.
        definition["materials"] = [
            {"code": m["code"], "name": m["name"], "required": bool(m.get("required", True)),
             "deferrable": bool(m.get("deferrable", False)) and bool(m.get("required", True))}
            for m in (item.guide or {}).get("materials", [])
        ]
        publish_form_definition(session, code, definition, now)
    # What the deciders of the demo items fix, and the certificate types they issue (证照目录).
    from service_hall.certificates.types import load_demo_outcomes

    load_demo_outcomes(session, now)


def _load_demo_aliases(session: Session, *, now: dt.datetime) -> None:
    """The everyday words of the demo list (饭店 → 个体工商户登记), for the search."""
    from power_lists.demo import COUNTY_CODE
    from service_hall.jurisdictions.models import Jurisdiction
    from service_hall.search.aliases import load_demo_aliases

    county = session.scalar(select(Jurisdiction).where(Jurisdiction.code == COUNTY_CODE))
    if county is not None:
        load_demo_aliases(session, county, now=now)
