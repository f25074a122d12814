"""Screenshots of the main pages for docs/screenshots/ (``make screenshots``).

Builds a throw-away instance with the demo data (``service_hall.demo.load_demo``), gives the demo accounts
passwords of its own, files a few applications through the domain functions so that the pages have
something to show, serves the app on 127.0.0.1 and photographs the pages in Debian's headless Chromium
at desktop size, plus a few at phone size. The clock is pinned, so that the pictures only change when
the pages do.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Throw-away accounts: cheap password hashing (read when the hasher is built, so set before importing).
os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_KIB", "8192")
os.environ.setdefault("ARGON2_PARALLELISM", "1")

from tests.browser.support import (  # noqa: E402
    CHROMIUM,
    DESKTOP,
    PASSWORD_LABEL,
    PHONE,
    LiveServer,
    build_app,
    launch_chromium,
    new_context,
    run_axe,
    serious,
    sign_in,
)

BEIJING = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
QINGSHAN = "330199101000"
# item code → the forms.demo example that fills its form
SAMPLES = {"homestead": "330199-XK-001", "rural_planning_permit": "330199-XK-002",
           "minimum_living_allowance": "330199-GF-001"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MAX_HEIGHT = 1500  # desktop pictures: the top of long pages is enough


def at(day: str, hour: int = 10) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=BEIJING).astimezone(dt.UTC)


def _submit(session: Any, applicant: Any, form_key: str, when: dt.datetime, **changes: Any) -> Any:
    from flask import current_app

    from forms.demo import DEMO_SUBMISSIONS
    from service_hall.cases import intake
    from service_hall.certificates.service import offline_context
    from service_hall.files.store import FileStore, store_upload
    from service_hall.jurisdictions.operations import by_code

    town = by_code(session, QINGSHAN)
    item_code = SAMPLES[form_key]
    form = intake.application_form(session, town, item_code, now=when)
    store = FileStore(current_app.config["FILE_STORE_PATH"])
    materials = {m.code: store_upload(session, store, applicant, content=PDF + m.code.encode(),
                                      filename=f"{m.name}.pdf", material_name=m.name,
                                      content_type="application/pdf", now=when)
                 for m in form.rules.materials if m.required}
    case, _ = intake.submit_application(
        offline_context(session, applicant, when), applicant=applicant, town=town, item_code=item_code,
        data={**DEMO_SUBMISSIONS[form_key], **changes}, materials=materials, submission_key=secrets.token_urlsafe(8))
    return case


def load_data(app: Any, passwords: dict[str, str]) -> dict[str, Any]:
    """Demo data plus three applications in 青山镇: one waiting for correction, one accepted, one new."""
    from sqlalchemy import select

    from service_hall.accounts.models import User
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.cases import intake
    from service_hall.certificates.service import offline_context
    from service_hall.demo import load_accounts, load_demo, load_jurisdictions
    from service_hall.extensions import db

    with app.app_context():
        load_jurisdictions(db.session)
        load_accounts(db.session, now=at("2026-01-05"), passwords=passwords)
        load_demo(db.session, now=at("2026-01-05"))
        db.session.commit()
        users = {u.username: u for u in db.session.scalars(select(User))}
        cal = WorkingCalendar.from_session(db.session)
        person, enterprise, clerk = users["13800000001"], users["13800000002"], users["clerk"]

        waiting = _submit(db.session, person, "homestead", at("2026-11-16"))
        db.session.commit()
        intake.request_correction(offline_context(db.session, clerk, at("2026-11-17"), calendar=cal), waiting,
                                  items=[{"target": "M01", "problem": "申请表缺少村民小组意见及签字"},
                                         {"target": "", "problem": "拟建房屋层数与规划要求不符，请核实后修改"}],
                                  respond_days=10)
        db.session.commit()
        accepted = _submit(db.session, enterprise, "rural_planning_permit", at("2026-11-18"),
                           construction_period={"start": "2026-12-15", "end": "2027-10-31"})
        db.session.commit()
        intake.accept(offline_context(db.session, clerk, at("2026-11-19"), calendar=cal), accepted)
        db.session.commit()
        fresh = _submit(db.session, person, "minimum_living_allowance", at("2026-11-23", 9))
        db.session.commit()
        return {"waiting_ref": waiting.ref, "accepted_id": accepted.id, "accepted_ref": accepted.ref,
                "fresh_ref": fresh.ref}


def shoot(page: Any, out: Path, name: str, *, full: bool = True) -> None:
    """Save the picture; also say if axe-core finds a serious problem on the page (the demo's forms are
    richer than the tests' small one)."""
    problems = serious(run_axe(page))
    if problems:
        print(f"  ! {name}: axe-core: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in problems))
    path = out / f"{name}.png"
    if full:
        height = min(page.evaluate("() => document.documentElement.scrollHeight"), MAX_HEIGHT)
        width = page.viewport_size["width"]
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
    else:
        page.screenshot(path=str(path))
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"需要 Debian 的 Chromium（{CHROMIUM}）：apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from service_hall.demo import DEMO_ACCOUNTS

    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    passwords = {a.username: secrets.token_urlsafe(12) + "a1" for a in DEMO_ACCOUNTS}
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        app = build_app(Path(tmp) / "instance", {"FIXED_NOW": NOW.astimezone(dt.UTC)})
        data = load_data(app, passwords)
        server = LiveServer(app).start()
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    _pages(browser, server, passwords, data, out)
                finally:
                    browser.close()
        finally:
            server.stop()
    return 0


def _pages(browser: Any, server: LiveServer, passwords: dict[str, str], data: dict[str, Any], out: Path) -> None:
    from forms.validators import id_number_check_char

    def as_(username: str | None, **options: Any) -> Any:
        context = new_context(browser, server, **options)
        page = context.new_page()
        if username:
            sign_in(page, username, passwords[username])
        return page

    print("desktop:")
    anon = as_(None, viewport=DESKTOP)
    anon.goto("/")
    shoot(anon, out, "home")
    anon.goto(f"/catalog/towns/{QINGSHAN}")
    shoot(anon, out, "catalog-town")
    anon.get_by_role("link", name="农村村民宅基地审批").first.click()
    shoot(anon, out, "guide")
    anon.goto("/register")  # a mistyped check digit, explained next to the field
    anon.get_by_label("申请人类型").select_option("person")
    anon.get_by_label("姓名（企业填写法定代表人或经办人）").fill("王建国")
    first17 = "33012719780516003"
    anon.get_by_label("居民身份证号码").fill(first17 + ("1" if id_number_check_char(first17) != "1" else "2"))
    anon.get_by_label("手机号码（用于登录）").fill("13905710001")
    anon.get_by_label(PASSWORD_LABEL).fill("Wang2026jg")
    anon.get_by_label("确认密码").fill("Wang2026jg")
    with anon.expect_navigation():
        anon.get_by_role("button", name="注册").click()
    shoot(anon, out, "register-errors")
    anon.context.close()

    person = as_("13800000001", viewport=DESKTOP)
    person.goto("/portal/")
    shoot(person, out, "my-applications")
    person.goto(f"/portal/apply/{QINGSHAN}/{SAMPLES['homestead']}")
    shoot(person, out, "apply")
    person.goto(f"/portal/applications/{data['waiting_ref']}")
    shoot(person, out, "application-correction")
    person.context.close()

    clerk = as_("clerk", viewport=DESKTOP)
    clerk.goto("/workbench/")
    shoot(clerk, out, "workbench")
    clerk.goto(f"/workbench/cases/{data['accepted_id']}")
    shoot(clerk, out, "case")
    clerk.context.close()

    legal = as_("legal", viewport=DESKTOP)
    legal.goto("/legal/")
    shoot(legal, out, "legal")
    legal.context.close()

    admin = as_("admin", viewport=DESKTOP)
    admin.goto("/admin/users")
    shoot(admin, out, "admin-users")
    admin.context.close()

    if "verify.by_token" in server.app.view_functions:
        _decide_and_verify(as_, server, data, out)
    else:
        print("  (no certificate verification page yet: skipped the decision and verification pictures)")

    supervisor = as_("supervisor", viewport=DESKTOP)
    supervisor.goto("/supervision/evaluation")
    shoot(supervisor, out, "evaluation")
    supervisor.context.close()

    print("phone (375×667):")
    phone = as_("13800000001", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    phone.goto(f"/portal/applications/{data['waiting_ref']}")
    shoot(phone, out, "phone-application", full=False)
    phone.goto(f"/portal/apply/{QINGSHAN}/{SAMPLES['homestead']}")
    shoot(phone, out, "phone-apply", full=False)
    phone.context.close()


def _decide_and_verify(as_: Any, server: LiveServer, data: dict[str, Any], out: Path) -> None:
    """The accepted case taken through review (two reviewers), approval and delivery on the workbench
    pages; then the applicant's page with the e-certificate and the public page its QR code opens."""
    import re

    def on_case(username: str) -> Any:
        page = as_(username, viewport=DESKTOP)
        page.goto(f"/workbench/cases/{data['accepted_id']}")
        return page

    def press(page: Any, button: str) -> None:
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()

    for reviewer, opinion in (("reviewer", "材料齐全，选址符合村庄规划"), ("reviewer2", "经现场踏勘，同意审查意见")):
        page = on_case(reviewer)
        page.get_by_label("审查意见", exact=True).fill(opinion)
        page.get_by_label("建议准予许可").check()
        press(page, "提交审查意见")
        if reviewer == "reviewer2":
            press(page, "审查完毕")
        page.context.close()
    decider = on_case("decider")
    press(decider, "准予许可")
    press(decider, "记录送达")
    decider.context.close()

    applicant = as_("13800000002", viewport=DESKTOP)
    applicant.goto(f"/portal/applications/{data['accepted_ref']}")
    shoot(applicant, out, "application-certificate")
    certificates = applicant.get_by_role("region", name="电子证照")
    number = re.search(r"编号 (\S+?)，", certificates.inner_text()).group(1)
    applicant.context.close()

    stranger = as_(None, viewport=DESKTOP)  # what a bank clerk sees after scanning the QR code
    stranger.goto("/verify")
    stranger.get_by_label("证照编号").fill(number)
    stranger.get_by_label("持证人名称").fill("清溪县青山农业发展有限公司")
    press(stranger, "查询")
    shoot(stranger, out, "verify-certificate")
    stranger.context.close()


if __name__ == "__main__":
    sys.exit(main())
