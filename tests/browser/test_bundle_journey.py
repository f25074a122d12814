"""农村建房一件事 in a real browser: one form and one upload of the 身份证, an earlier certificate reused
instead of an upload, one combined correction notice, both results in one delivery; each item case
keeps its own clock and audit, and the bundle figures appear in the evaluation report."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from tests.browser.pages import flash, submit_and_wait, upload
from tests.browser.support import LiveServer, build_app, new_context, sign_in
from tests.factories.bundles import RURAL_MATERIALS, rural_values
from tests.factories.files import PDF, PNG

PASSWORD = "Bundle-Journey-8"
QINGSHAN = "330199101000"
APPLICANT = "13800000001"


def _off_the_loop(work):
    """Run ``work`` in a thread of its own: Playwright's sync API runs an event loop in this one, and
    signing a PDF (pyHanko) starts its own."""
    import threading

    out: dict = {}

    def run() -> None:
        try:
            out["value"] = work()
        except BaseException as exc:  # re-raised below, in the test's thread
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def _seed(app) -> dict:
    """The demo county with its three bundles, every account with PASSWORD, and the applicant's
    农村宅基地批准书 from an earlier application, issued by this system."""
    from service_hall.bundles import flow
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.demo import DEMO_ACCOUNTS, load_accounts, load_demo, load_jurisdictions
    from service_hall.extensions import db
    from tests.factories import cases as steps
    from tests.factories.accounts import user
    from tests.factories.context import ctx_for
    from tests.factories.files import upload as stored
    from tests.factories.places import jurisdiction

    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    with app.app_context():
        load_jurisdictions(db.session)
        load_accounts(db.session, now=now, passwords={a.username: PASSWORD for a in DEMO_ACCOUNTS})
        load_demo(db.session, now=now)
        applicant = user(APPLICANT)
        files = {code: stored(applicant, now=now, filename=f"{code}.pdf", content=b"%PDF-1.4\n%" + code.encode())
                 for code in RURAL_MATERIALS}
        earlier, _ = flow.submit(ctx_for(applicant, now, calendar=WorkingCalendar()), applicant=applicant,
                                 town=jurisdiction(QINGSHAN), bundle_code="rural-housing", values=rural_values(
                                     i2_construction_period={"start": "2027-01-10", "end": "2027-06-30"}),
                                 materials=files, submission_key="last-year")
        homestead = earlier.cases[0]
        for by in ("clerk",):
            steps.accept(homestead, by=by, now=now)
        steps.record_opinion(homestead, by="reviewer", now=now)
        steps.record_opinion(homestead, by="reviewer2", now=now)
        steps.complete_review(homestead, by="reviewer", now=now)
        steps.approve(homestead, by="decider", now=now)
        flow.withdraw(ctx_for(applicant, now), earlier, reason="当时暂缓建房")
        from service_hall.certificates.issuing import certificates_of

        [certificate] = certificates_of(db.session, homestead)
        db.session.commit()
        return {"certificate": certificate.number}


def _fill(page) -> None:
    values = {
        "s_applicant_name": "王建国", "s_applicant_id": "330127197805160030", "s_applicant_mobile": "13905710001",
        "s_site_detail": "石桥村3组", "i1_members-0-name": "王建国", "i1_members-0-id_number": "330127197805160030",
        "i1_site_area": "110", "i1_building_area": "280", "i1_floors": "3",
        "i2_builder_id": "330127197805160030", "i2_contact_name": "王建国", "i2_project_name": "王建国住房",
        "i2_land_area": "110", "i2_building_area": "280", "i2_floors": "3",
        "i2_construction_period_start": "2027-01-10", "i2_construction_period_end": "2027-06-30",
    }
    for name, value in values.items():
        page.locator(f"[name='{name}']").fill(value)
    for name, value in {"s_site_village": "330199101002", "i1_members-0-relation": "self",
                        "i1_existing_housing": "none", "i1_reason": "split_household", "i1_land_type": "construction",
                        "i2_builder_type": "person", "i2_project_purpose": "other"}.items():
        control = page.locator(f"[name='{name}']")
        if control.first.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            page.locator(f"[name='{name}'][value='{value}']").check()
    for name in ("i1_members-0-collective_member", "i1_pledge", "i2_pledge"):
        page.locator(f"[name='{name}']").first.check()


def test_rural_housing_as_one_thing_in_a_browser(browser, blocked_requests, tmp_path):
    app = build_app(tmp_path / "bundle")
    seeded = _off_the_loop(lambda: _seed(app))
    server = LiveServer(app).start()
    contexts = []

    def as_user(username):
        context = new_context(browser, server, blocked=blocked_requests)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username, PASSWORD)
        return page

    try:
        applicant = as_user(APPLICANT)
        applicant.goto(f"/portal/towns/{QINGSHAN}")
        applicant.get_by_role("link", name="农村建房一件事").click()
        expect(applicant.get_by_role("heading", level=1)).to_have_text("农村建房一件事")
        expect(applicant.get_by_text("居民身份证（必需） — 一次提交，用于：农村村民宅基地审批、乡村建设规划许可证核发")
               ).to_be_visible()
        # One 身份证 input for both items; the earlier certificate offered, verified, instead of an upload.
        expect(applicant.locator("input[type=file][name='material-S-id_card']")).to_have_count(1)
        offer = applicant.get_by_label(re.compile(f"复用：电子证照 农村宅基地批准书 编号{seeded['certificate']}（有效"))
        expect(offer).to_be_checked()
        _fill(applicant)
        for field in applicant.locator("input[type=file]").all():
            name = field.get_attribute("name")
            if name == "material-S-land_title":
                continue  # reused
            content, mime = (PNG, "image/png") if name == "material-S-id_card" else (PDF, "application/pdf")
            field.set_input_files(upload(f"{name}.pdf", content, mime))
        submit_and_wait(applicant, "提交申请")
        expect(flash(applicant)).to_contain_text("共 2 个事项同时办理")
        progress = applicant.url
        expect(applicant.get_by_text("免提交：复用的证照和材料")).to_be_visible()

        clerk = as_user("clerk")
        clerk.goto("/workbench/bundles/")
        clerk.get_by_role("link", name=re.compile("^YJS")).first.click()
        reused = re.compile(f"复用：电子证照 农村宅基地批准书 编号{seeded['certificate']} 有效")
        expect(clerk.get_by_text(reused).first).to_be_visible()
        clerk.get_by_label("申请人及家庭成员居民身份证、户口簿（已提交").check()
        clerk.get_by_label("申请人及家庭成员居民身份证、户口簿 的问题").fill("身份证复印件不清晰")
        clerk.get_by_label("建设单位营业执照或个人身份证明（已提交").check()
        clerk.get_by_label("建设单位营业执照或个人身份证明 的问题").fill("身份证复印件不清晰")
        submit_and_wait(clerk, "发出一次性告知")
        expect(flash(clerk)).to_contain_text("共 2 项，涉及 2 个事项")

        applicant.goto(progress)
        expect(applicant.get_by_role("heading", name="一次性告知：请补正以下内容")).to_be_visible()
        applicant.locator("input[type=file][name='material-S-id_card']").set_input_files(
            upload("新身份证.png", PNG + b"\x02", "image/png"))
        submit_and_wait(applicant, "提交补正材料")
        expect(flash(applicant)).to_contain_text("补正材料已提交")

        # Each item case is decided on its own, with its own clock and audit.
        from sqlalchemy import select

        from service_hall.audit.models import AuditRecord
        from service_hall.bundles.models import BundleCase
        from service_hall.extensions import db
        from tests.factories import cases as steps

        def decide_each_item():
            with app.app_context():
                bundle_case = db.session.scalars(select(BundleCase).order_by(BundleCase.id.desc())).first()
                now = dt.datetime.now(dt.UTC)
                for case in bundle_case.cases:
                    steps.accept(case, by="clerk", now=now)
                    steps.record_opinion(case, by="reviewer", now=now)
                    if case.power_item.two_reviewers:
                        steps.record_opinion(case, by="reviewer2", now=now)
                    steps.complete_review(case, by="reviewer", now=now)
                    steps.approve(case, by="decider", now=now)
                homestead, planning = bundle_case.cases
                assert homestead.case_number != planning.case_number
                assert homestead.due_on is not None and planning.due_on is not None
                for case in bundle_case.cases:
                    audited = {r.action for r in db.session.scalars(select(AuditRecord).where(
                        AuditRecord.object_type == "application", AuditRecord.object_id == str(case.id)))}
                    assert {"case.submit", "case.request_correction", "case.resubmit", "case.accept",
                            "case.approve"} <= audited
                number, case_id = bundle_case.number, bundle_case.id
                db.session.commit()

            return number, case_id

        number, case_id = _off_the_loop(decide_each_item)

        clerk.goto(f"/workbench/bundles/{case_id}")
        submit_and_wait(clerk, "一并送达 2 项办理结果")
        expect(flash(clerk)).to_contain_text("统一出件：2 项办理结果已一并送达")
        applicant.goto(progress)
        expect(applicant.locator("dl.facts")).to_contain_text("已办结出件")
        expect(applicant.get_by_role("heading", name="办理结果")).to_be_visible()

        supervisor = as_user("supervisor")
        supervisor.goto("/supervision/evaluation")
        table = supervisor.locator("table", has=supervisor.locator("caption", has_text="一件事"))
        expect(table).to_contain_text("农村建房一件事")
        assert number
    finally:
        for context in contexts:
            context.close()
        server.stop()
