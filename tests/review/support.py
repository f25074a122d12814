"""A small published list with item variants for the review and decision flow, accounts for every role,
and helpers that drive cases through the domain functions (as earlier requests would have)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forms.models import publish_form_definition
from power_lists.models import DelegationMode, ItemDelegation, PowerItem, PowerListVersion, PowerType, VersionStatus
from service_hall.accounts.models import User
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import intake, review
from service_hall.cases.models import Application, CaseStatus
from service_hall.cases.transitions import revocation_intent
from service_hall.extensions import db
from service_hall.files.store import FileStore, store_upload
from service_hall.jurisdictions.models import Jurisdiction
from tests.cases.conftest import PDF, at, form_data
from tests.cases.seed import BAISHA, FORM, ITEM, QINGSHAN
from tests.context import ctx_for

COUNTY = "330199000000"
TWO = "330199-XK-101"  # two reviewers, acceptance and decision separated
QUICK = "330199-XK-102"  # 即办件
PLEDGE = "330199-XK-103"  # 告知承诺制 (also 即办件)

ACCOUNTABILITY = [
    {"code": "no_one_time_notice", "situation": "未一次告知申请人必须补正的全部内容", "basis": "行政许可法 第七十二条"},
    {"code": "late_decision", "situation": "超过法定期限未作出宅基地审批决定", "basis": "行政许可法 第七十四条"},
]
MATERIALS = [{"code": m["code"], "name": m["name"], "required": m["required"],
              "deferrable": m.get("deferrable", False)} for m in FORM["materials"]]


def _item(position: int, code: str, name: str, *, case_type: str = "promised", promised: int = 10,
          statutory: int = 20, pledge: bool = False, two: bool = False, separate: bool = False) -> PowerItem:
    return PowerItem(
        position=position, code=code, name=name, power_type=PowerType.LICENSING,
        setting_basis=[{"law": "中华人民共和国土地管理法", "article": "第六十二条", "text": ""}],
        implementing_basis=[], original_department="清溪县农业农村局", receiving_body="青山镇人民政府",
        delegation_mode=DelegationMode.DEVOLVED,
        responsibilities={"intake": "依法受理申请；材料不齐全的一次性告知需补正的全部内容",
                          "review": "审查申请材料，组织实地踏勘", "decision": "依法作出决定并说明理由",
                          "delivery": "在法定期限内送达决定书", "supervision": "对告知承诺内容开展事后核查"},
        accountability=ACCOUNTABILITY, two_reviewers=two, separate_decider=separate,
        guide={"conditions": "本村集体经济组织成员", "case_type": case_type, "statutory_days": statutory,
               "promised_days": promised, "visits": 0, "online_depth": 4, "pledge_allowed": pledge,
               "materials": MATERIALS})


def seed(app: Any) -> None:
    with app.app_context():
        county = db.session.query(Jurisdiction).filter_by(code=COUNTY).one()
        towns = [db.session.query(Jurisdiction).filter_by(code=c).one() for c in (QINGSHAN, BAISHA)]
        start = dt.date(2026, 1, 1)
        version = PowerListVersion(county=county, number=1, status=VersionStatus.PUBLISHED, title="清溪县乡镇赋权清单",
                                   effective_from=start, created_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
                                   published_at=dt.datetime(2025, 12, 20, tzinfo=dt.UTC))
        items = [_item(1, ITEM, "农村村民宅基地审批"),
                 _item(2, TWO, "乡村建设规划许可", two=True, separate=True),
                 _item(3, QUICK, "临时占用道路审批", case_type="immediate", promised=0),
                 _item(4, PLEDGE, "户外广告设置审批", case_type="immediate", promised=0, pledge=True)]
        for item in items:
            for town in towns:
                item.delegations.append(ItemDelegation(town=town, valid_from=start))
        version.items.extend(items)
        db.session.add(version)
        db.session.flush()
        publish_form_definition(db.session, ITEM, FORM, dt.datetime(2025, 12, 20, tzinfo=dt.UTC))
        db.session.commit()


STAFF = {
    "clerk1": ("clerk", QINGSHAN), "rev1": ("reviewer", QINGSHAN), "rev2": ("reviewer", QINGSHAN),
    "boss1": ("decider", QINGSHAN), "boss2": ("decider", QINGSHAN), "super": ("supervisor", COUNTY),
    "clerk.baisha": ("clerk", BAISHA), "boss.baisha": ("decider", BAISHA), "super.baisha": ("supervisor", BAISHA),
}


def build_world(app: Any, factory: Any) -> dict[str, int]:
    factory.demo_jurisdictions()
    seed(app)
    ids = {"applicant": factory.applicant(mobile="13900000001", name="李堃"),
           "other_applicant": factory.applicant(mobile="13900000002", name="张喆")}
    for username, (role, town) in STAFF.items():
        ids[username] = factory.staff(username, role, town)
    return ids


_keys = iter(range(10**6))


def new_case(app: Any, item: str = ITEM, *, applicant: str = "13900000001", town: str = QINGSHAN,
             day: str = "2026-11-23") -> int:
    """Submit an application (materials M01 only; M02 may be pledged later) and return its id."""
    with app.app_context():
        user = db.session.query(User).filter_by(mobile=applicant).one()
        place = db.session.query(Jurisdiction).filter_by(code=town).one()
        f = store_upload(db.session, FileStore(app.config["FILE_STORE_PATH"]), user, content=PDF, filename="a.pdf",
                         material_name="申请表", content_type="application/pdf", now=at(day))
        data: dict[str, Any] = {}
        if item == ITEM:
            data = form_data(phone=applicant)
            data.pop("site_village")
            data["site"] = {"village": town[:9] + "001", "detail": data.pop("site_detail")}
            data["period"] = {"start": data.pop("period_start"), "end": data.pop("period_end")}
        case, _ = intake.submit_application(ctx_for(user, at(day), calendar=WorkingCalendar()), applicant=user,
                                            town=place, item_code=item, data=data, materials={"M01": f},
                                            submission_key=f"test-key-{next(_keys):08d}")
        db.session.commit()
        return case.id


def user(username: str) -> User:
    found = db.session.query(User).filter((User.username == username) | (User.mobile == username)).one()
    return found


def drive(app: Any, case_id: int, *steps: str, day: str = "2026-11-23") -> None:
    """Move a case along with domain calls, as earlier requests would have; steps name what happens."""
    cal = WorkingCalendar()
    with app.app_context():
        case = db.session.get(Application, case_id)
        now = at(day)
        for step in steps:
            match step:
                case "accept":
                    intake.accept(ctx_for(user("clerk1"), now, calendar=cal), case)
                case "accept_by_boss1":
                    intake.accept(ctx_for(user("boss1"), now, calendar=cal), case)
                case "correction":
                    intake.request_correction(ctx_for(user("clerk1"), now, calendar=cal), case,
                                              items=[{"target": "M02", "problem": "请补交身份证明"}], respond_days=10)
                case "refuse":
                    intake.refuse(ctx_for(user("clerk1"), now), case, reason="不符合申请条件")
                case "withdraw":
                    intake.withdraw(ctx_for(case.applicant, now), case)
                case "sign":
                    review.sign_pledge(ctx_for(case.applicant, now), case, agree=True)
                case "pledge_approve":
                    review.approve_on_pledge(ctx_for(user("boss1"), now, calendar=cal), case)
                case "opinion1" | "opinion2":
                    review.record_opinion(ctx_for(user("rev" + step[-1]), now), case, opinion="材料齐全，符合条件",
                                          recommendation="approve")
                case "complete":
                    review.complete_review(ctx_for(user("rev1"), now), case)
                case "hearing":
                    review.start_special_procedure(ctx_for(user("rev1"), now, calendar=cal), case, kind="hearing",
                                                   note="利害关系人申请听证，预计十日")
                case "approve":
                    review.approve(ctx_for(user("boss2"), now, calendar=cal), case)
                case "deny":
                    review.deny(ctx_for(user("boss2"), now), case, reasons="不符合规划")
                case "deliver":
                    review.deliver(ctx_for(user("clerk1"), now), case, channel="electronic", recipient="李堃")
                case "notify_revocation":
                    review.notify_revocation(ctx_for(user("boss2"), now, calendar=cal), case, reason="以欺骗手段取得")
                case "statement":
                    review.submit_statement(ctx_for(case.applicant, now), case, statement="材料真实，请求不予撤销")
                case "revoke":
                    if revocation_intent(case) is None:
                        review.notify_revocation(ctx_for(user("boss2"), now, calendar=cal), case,
                                                 reason="以欺骗手段取得")
                        review.submit_statement(ctx_for(case.applicant, now), case, statement="材料真实")
                    review.revoke(ctx_for(user("boss2"), now), case, reason="以欺骗手段取得")
                case "draft":
                    case.status = CaseStatus.DRAFT
                case _:
                    raise AssertionError(step)
        db.session.commit()


def load(app: Any, case_id: int) -> Application:
    with app.app_context():
        case = db.session.get(Application, case_id)
        for rel in ("notices", "reviews", "pauses", "checks", "deliveries", "triggers", "corrections"):
            getattr(case, rel)
        db.session.expunge(case)
        return case
