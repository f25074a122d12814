"""A published list whose items cover the three delegation modes, accounts for every role, and helpers
that drive cases to an approval through the domain functions (as earlier requests would have)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from forms.models import publish_form_definition
from power_lists.models import DelegationMode, ItemDelegation, PowerItem, PowerListVersion, PowerType, VersionStatus
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import intake, review
from service_hall.cases.models import Application
from service_hall.certificates.models import Certificate
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from tests.cases.conftest import at
from tests.cases.seed import BAISHA, FORM, ITEM, QINGSHAN
from tests.context import ctx_for
from tests.review.support import MATERIALS, STAFF, drive, new_case, user

COUNTY = "330199000000"
ENTRUSTED = "330199-XK-201"  # 委托: 燃气经营许可 in the name of the county's housing bureau, 5 years
FRONT = "330199-XK-202"  # 窗口前移: the county's natural-resources bureau decides, 2 years
QUICK = "330199-XK-203"  # 即办件, devolved, 长期
DEPARTMENT = "清溪县住房和城乡建设局"
FRONT_DEPARTMENT = "清溪县自然资源和规划局"
QINGSHAN_GOV = "青山镇人民政府"


def _item(position: int, code: str, name: str, mode: DelegationMode, result: tuple[str, str, str], *,
          department: str = "清溪县农业农村局", immediate: bool = False) -> PowerItem:
    return PowerItem(
        position=position, code=code, name=name, power_type=PowerType.LICENSING,
        setting_basis=[{"law": "中华人民共和国土地管理法", "article": "第六十二条", "text": ""}],
        implementing_basis=[], original_department=department, receiving_body=QINGSHAN_GOV, delegation_mode=mode,
        responsibilities={"decision": "依法作出决定"}, accountability=[],
        guide={"conditions": "符合条件", "case_type": "immediate" if immediate else "promised", "statutory_days": 20,
               "promised_days": 0 if immediate else 10, "visits": 0, "online_depth": 4, "pledge_allowed": False,
               "materials": MATERIALS, "result_name": result[0], "result_type": result[1],
               "result_validity": result[2]})


def seed(app: Any) -> None:
    with app.app_context():
        county = db.session.query(Jurisdiction).filter_by(code=COUNTY).one()
        towns = [db.session.query(Jurisdiction).filter_by(code=c).one() for c in (QINGSHAN, BAISHA)]
        start = dt.date(2026, 1, 1)
        version = PowerListVersion(county=county, number=1, status=VersionStatus.PUBLISHED, title="清溪县乡镇赋权清单",
                                   effective_from=start, created_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
                                   published_at=dt.datetime(2025, 12, 20, tzinfo=dt.UTC))
        items = [
            _item(1, ITEM, "农村村民宅基地审批", DelegationMode.DEVOLVED, ("农村宅基地批准书", "证照", "长期")),
            _item(2, ENTRUSTED, "燃气经营许可", DelegationMode.ENTRUSTED, ("燃气经营许可证", "证照", "5年"),
                  department=DEPARTMENT, immediate=True),
            _item(3, FRONT, "乡村建设规划许可", DelegationMode.FRONT_WINDOW, ("乡村建设规划许可证", "证照", "2年"),
                  department=FRONT_DEPARTMENT, immediate=True),
            _item(4, QUICK, "临时占用道路审批", DelegationMode.DEVOLVED, ("临时占用道路许可决定书", "批文", "长期"),
                  immediate=True),
        ]
        for item in items:
            for town in towns:
                item.delegations.append(ItemDelegation(town=town, valid_from=start))
        version.items.extend(items)
        db.session.add(version)
        db.session.flush()
        publish_form_definition(db.session, ITEM, FORM, dt.datetime(2025, 12, 20, tzinfo=dt.UTC))
        db.session.commit()


def build_world(app: Any, factory: Any) -> dict[str, int]:
    factory.demo_jurisdictions()
    seed(app)
    ids = {"applicant": factory.applicant(mobile="13900000001", name="李堃"),
           "other_applicant": factory.applicant(mobile="13900000002", name="张喆"),
           "third_applicant": factory.applicant(mobile="13900000003", name="王龑")}
    for username, (role, town) in STAFF.items():
        ids[username] = factory.staff(username, role, town)
    return ids


def approved_case(app: Any, item: str = QUICK, *, applicant: str = "13900000001", town: str = QINGSHAN,
                  day: str = "2026-11-23") -> int:
    """A case approved by a head of ``town`` (a 即办件 accepted and approved the same day; ITEM after
    one review in 青山镇)."""
    case_id = new_case(app, item, applicant=applicant, town=town, day=day)
    if item == ITEM:
        drive(app, case_id, "accept", "opinion1", "complete", "approve", day=day)
        return case_id
    boss = "boss2" if town == QINGSHAN else "boss.baisha"
    with app.app_context():
        case = db.session.get(Application, case_id)
        intake.accept(ctx_for(user(boss), at(day), calendar=WorkingCalendar()), case)
        review.approve(ctx_for(user(boss), at(day), calendar=WorkingCalendar()), case)
        db.session.commit()
    return case_id


def certificate_of(app: Any, case_id: int) -> Certificate:
    with app.app_context():
        certificate = db.session.query(Certificate).filter_by(application_id=case_id).order_by(Certificate.id.desc()) \
            .first()
        assert certificate is not None
        certificate.document_blob  # noqa: B018 - load before detaching
        db.session.expunge(certificate)
        return certificate


def stored_pdf(app: Any, sha256: str) -> bytes:
    return (Path(app.config["FILE_STORE_PATH"]) / sha256[:2] / sha256[2:4] / sha256).read_bytes()


def certificate_pdf(app: Any, case_id: int) -> bytes:
    return stored_pdf(app, certificate_of(app, case_id).document_blob.sha256)


def root_pem(app: Any) -> bytes:
    return (Path(app.config["SIGNING_KEY_PATH"]) / "root-ca.crt.pem").read_bytes()


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def embedded_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded?) of every font on every page."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            found.append((str(font["/BaseFont"]), bool({"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor))))
    return found


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is missing: `make install-test` installs it")
    from pyzbar.pyzbar import decode

    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-", str(tmp_path / "page")], input=pdf,
                   check=True)
    with Image.open(tmp_path / "page.png") as page:
        return [symbol.data.decode() for symbol in decode(page)]
