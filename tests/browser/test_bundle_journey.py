"""农村建房一件事 in a real browser, every step done by a person on the pages: the applicant applies with one
form and one upload of the 身份证, an earlier certificate reused instead of an upload; the window sends one
combined correction notice, the applicant supplies; each item case is accepted, reviewed and decided by
the town's staff in the order the bundle sets (宅基地审批 first, its result being the planning permit's
input); both results go out in one delivery and the applicant opens them; each item case keeps its own
clock and audit on its case page, and the bundle figures appear in the supervisor's evaluation report.

Only the setup — the demo county and the applicant's earlier certificate — is made through the domain."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from tests.browser.pages import fact, flash, submit_and_wait, upload
from tests.browser.support import ErrorLog, LiveServer, build_app, describe, new_context, run_axe, serious, sign_in
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
        steps.accept(homestead, by="clerk", now=now)
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


HOMESTEAD = "农村村民宅基地审批"
PLANNING = "乡村建设规划许可证核发"
CERTIFICATES = {HOMESTEAD: "农村宅基地批准书", PLANNING: "乡村建设规划许可证"}
# What the decider writes into each decision (the rest is prefilled from the form and the guide).
DECISION_TERMS = {HOMESTEAD: {"四至": "东至村道，南至王某宅基地，西至集体空地，北至水渠"}, PLANNING: {}}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _item_case(page, bundle_case_url: str, item: str) -> None:
    """Open an item case from the bundle case's page in the workbench, as staff do."""
    page.goto(bundle_case_url)
    with page.expect_navigation():
        page.get_by_role("link", name=item, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(item)


def _accept(clerk, bundle_case_url: str, item: str) -> str:
    """The window accepts the item case; returns the promised deadline its own clock now shows."""
    _item_case(clerk, bundle_case_url, item)
    submit_and_wait(clerk, "受理")
    expect(fact(clerk, "状态")).to_contain_text("已受理")
    expect(fact(clerk, "承诺办结期限")).to_contain_text(DATE)
    return DATE.search(fact(clerk, "承诺办结期限").inner_text()).group(0)


def _review(reviewers, bundle_case_url: str, item: str) -> None:
    """The reviewer's opinion (and a second reviewer's where the item requires two), then 审查完毕."""
    first = reviewers[0]
    _item_case(first, bundle_case_url, item)
    two = "须两人审查" in fact(first, "办件类型").inner_text()
    for reviewer in reviewers[:2] if two else reviewers[:1]:
        if reviewer is not first:
            _item_case(reviewer, bundle_case_url, item)
        reviewer.get_by_label("审查意见", exact=True).fill("材料齐全，经实地踏勘，选址符合村庄规划")
        reviewer.get_by_label("建议准予许可").check()
        submit_and_wait(reviewer, "提交审查意见")
        expect(reviewer.locator("ol.reviews")).to_contain_text("建议准予许可")
    if two:
        first.reload()
        expect(first.locator("ol.reviews > li")).to_have_count(2)
    submit_and_wait(first, "审查完毕")
    expect(fact(first, "状态")).to_contain_text("审查完毕")


def _decide(decider, bundle_case_url: str, item: str) -> None:
    """The decider completes what the decision form could not prefill from the application, then approves."""
    _item_case(decider, bundle_case_url, item)
    decision = decider.locator("#decision-form")
    for label, value in DECISION_TERMS[item].items():
        decision.get_by_label(label, exact=True).fill(value)
    submit_and_wait(decider, "准予许可")
    expect(flash(decider)).to_be_visible()
    expect(fact(decider, "状态")).to_contain_text("准予许可")


def _accessible(page, name: str) -> None:
    violations = serious(run_axe(page))
    assert not violations, f"{name}: {describe(violations)}"


def _bundle_figures(page, name: str) -> dict[str, str]:
    """The bundle's row of the evaluation report's 一件事 table, by column header."""
    table = page.locator("table", has=page.locator("caption", has_text="一件事"))
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))
    expect(row).to_have_count(1)
    headers = table.get_by_role("columnheader").all_inner_texts()[1:]
    return dict(zip(headers, row.get_by_role("cell").all_inner_texts(), strict=True))


def test_rural_housing_as_one_thing_in_a_browser(browser, blocked_requests, tmp_path):
    app = build_app(tmp_path / "bundle")
    seeded = _off_the_loop(lambda: _seed(app))
    errors = ErrorLog()
    app.logger.addHandler(errors)
    server = LiveServer(app).start()
    contexts = []

    def as_user(username):
        context = new_context(browser, server, blocked=blocked_requests)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username, PASSWORD)
        return page

    try:
        # The applicant: one form, one 身份证 for both items, the earlier certificate offered and reused.
        applicant = as_user(APPLICANT)
        applicant.goto(f"/portal/towns/{QINGSHAN}")
        applicant.get_by_role("link", name="农村建房一件事").click()
        expect(applicant.get_by_role("heading", level=1)).to_have_text("农村建房一件事")
        expect(applicant.get_by_text(f"居民身份证（必需） — 一次提交，用于：{HOMESTEAD}、{PLANNING}")).to_be_visible()
        expect(applicant.locator("input[type=file][name='material-S-id_card']")).to_have_count(1)
        offer = applicant.get_by_label(re.compile(f"复用：电子证照 农村宅基地批准书 编号{seeded['certificate']}（有效"))
        expect(offer).to_be_checked()
        _accessible(applicant, "一件事申请表")
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
        number = fact(applicant, "申请编号").inner_text().strip()
        expect(applicant.get_by_text("免提交：复用的证照和材料")).to_be_visible()

        # The supervisor's report before any item is decided (the earlier, withdrawn bundle case may count).
        supervisor = as_user("supervisor")
        supervisor.goto("/supervision/evaluation")
        before = _bundle_figures(supervisor, "农村建房一件事")

        # The window (综合窗口 of 青山镇): one combined 一次性告知 for pieces of both items.
        clerk = as_user("clerk")
        clerk.goto("/workbench/bundles/")
        with clerk.expect_navigation():
            clerk.get_by_role("link", name=number, exact=True).click()
        bundle_case_url = clerk.url
        reused = re.compile(f"复用：电子证照 农村宅基地批准书 编号{seeded['certificate']} 有效")
        expect(clerk.get_by_text(reused).first).to_be_visible()
        clerk.get_by_label("申请人及家庭成员居民身份证、户口簿（已提交").check()
        clerk.get_by_label("申请人及家庭成员居民身份证、户口簿 的问题").fill("身份证复印件不清晰")
        clerk.get_by_label("建设单位营业执照或个人身份证明（已提交").check()
        clerk.get_by_label("建设单位营业执照或个人身份证明 的问题").fill("身份证复印件不清晰")
        _accessible(clerk, "一件事办件（窗口）")
        submit_and_wait(clerk, "发出一次性告知")
        expect(flash(clerk)).to_contain_text("共 2 项，涉及 2 个事项")

        # The applicant sees one notice for both items and supplies the 身份证 once.
        applicant.goto(progress)
        expect(applicant.get_by_role("heading", name="一次性告知：请补正以下内容")).to_have_count(1)
        notice = applicant.get_by_role("region", name="一次性告知：请补正以下内容")
        expect(notice).to_contain_text(HOMESTEAD)
        expect(notice).to_contain_text(PLANNING)
        expect(applicant.locator("input[type=file][name='material-S-id_card']")).to_have_count(1)
        _accessible(applicant, "一件事进度与一次性告知")
        applicant.locator("input[type=file][name='material-S-id_card']").set_input_files(
            upload("新身份证.png", PNG + b"\x02", "image/png"))
        submit_and_wait(applicant, "提交补正材料")
        expect(flash(applicant)).to_contain_text("补正材料已提交")

        # Each item case through its own procedure, the prerequisite first: the planning permit needs the
        # homestead approval, so it is accepted, reviewed and decided once that is decided (whether or
        # not it could have been accepted earlier).
        clerk.goto(bundle_case_url)
        expect(clerk.locator("table tbody tr").filter(has_text=PLANNING)).to_contain_text(f"“{HOMESTEAD}”")
        reviewers = [as_user("reviewer"), as_user("reviewer2")]
        decider = as_user("decider")
        deadlines = {}
        for item in (HOMESTEAD, PLANNING):
            deadlines[item] = _accept(clerk, bundle_case_url, item)
            _review(reviewers, bundle_case_url, item)
            _decide(decider, bundle_case_url, item)

        # Each item case keeps its own clock: the deadline on its case page is the one the bundle lists.
        clerk.goto(bundle_case_url)
        rows = clerk.locator("table tbody tr")
        for item, due in deadlines.items():
            expect(rows.filter(has_text=item)).to_contain_text(due)

        # 统一出件: both results in one delivery from the bundle case.
        clerk.goto(bundle_case_url)
        _accessible(clerk, "一件事统一出件")
        submit_and_wait(clerk, "一并送达 2 项办理结果")
        expect(flash(clerk)).to_contain_text("统一出件：2 项办理结果已一并送达")

        # The applicant receives both together and opens each.
        applicant.goto(progress)
        expect(applicant.locator("dl.facts")).to_contain_text("已办结出件")
        results = applicant.get_by_role("region", name="办理结果").get_by_role("link", name="查看文书与证照")
        expect(results).to_have_count(2)
        _accessible(applicant, "一件事办理结果")
        for n in range(2):
            applicant.goto(progress)
            with applicant.expect_navigation():
                results.nth(n).click()
            waiting = applicant.get_by_role("region", name="您有一份决定文书待查收")
            expect(waiting).to_have_count(1)
            with applicant.expect_navigation():
                waiting.get_by_role("button", name="查收文书").click()
            expect(fact(applicant, "当前状态")).to_contain_text("已办结送达")
            item = HOMESTEAD if HOMESTEAD in applicant.locator("h1").inner_text() else PLANNING
            expect(applicant.get_by_role("region", name="电子证照")).to_contain_text(CERTIFICATES[item])

        # Each item case's own audit history on its staff case page: its own steps in order, by the people
        # who did them, with its own law's duties.
        numbers = set()
        for item, law in ((HOMESTEAD, "土地管理法"), (PLANNING, "城乡规划法")):
            _item_case(clerk, bundle_case_url, item)
            numbers.add(clerk.locator("h1 small").inner_text())
            history = clerk.locator("ol.history > li")
            expect(history.last).to_contain_text("申请人查阅文书")
            entries = iter(history.all_inner_texts())
            reviews = [("刘审查", "提出审查意见"), ("孙复核", "提出审查意见")] if "须两人审查" in fact(
                clerk, "办件类型").inner_text() else [("刘审查", "提出审查意见")]
            for who, step in [("李堃", "提交申请"), ("王小窗", "一次性告知补正"), ("李堃", "提交补正材料"),
                              ("王小窗", "受理"), *reviews, ("刘审查", "审查完毕"), ("赵镇长", "准予许可"),
                              ("王小窗", "送达"), ("李堃", "申请人查阅文书")]:
                assert any(who in e and f"：{step}" in e for e in entries), f"{item}: no {who} {step} in order"
            expect(history.filter(has_text="提出审查意见").first).to_contain_text(law)
        assert len(numbers) == 2, numbers

        # The bundle figures in the supervisor's evaluation report: this bundle case has now finished.
        supervisor.reload()
        after = _bundle_figures(supervisor, "农村建房一件事")
        assert int(after["收件"]) == int(before["收件"]) >= 1, (before, after)
        assert int(after["已办结"]) == int(before["已办结"]) + 1, (before, after)
        assert after["全程用时（自然日，平均）"] and after["各事项用时之和（自然日，平均）"], after
    finally:
        for context in contexts:
            context.close()
        server.stop()
        app.logger.removeHandler(errors)
    assert not errors.messages(), "the app logged errors:\n" + "\n".join(errors.messages())
