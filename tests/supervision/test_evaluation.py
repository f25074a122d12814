"""The evaluation report per town and per delegated power (docs/architecture.md, "Supervision and
evaluation"): cases, on-time rates against both limits, ratings, 追责情形, visits and the powers a town
holds but never used — as a page, a spreadsheet with charts and a PDF, within the supervisor's own
jurisdiction."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from service_hall.cases.models import Application
from service_hall.evaluation.report import evaluate, parse_period
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from tests.factories import cases
from tests.factories.cases import drive, new_case
from tests.factories.clock import at
from tests.factories.pdf import pdf_text
from tests.factories.places import BAISHA, QINGSHAN
from tests.factories.power_list import ITEM, PLEDGE, QUICK, TWO
from tests.factories.web import login, signed_in


def _rate(app, case_id: int, score: int, day: str) -> None:
    with app.app_context():
        case = db.session.get(Application, case_id)
        cases.rate(case, now=at(day), score=score, comment="", rectification_days=5)
        db.session.commit()


def _visit(app, case_id: int, day: str) -> None:
    with app.app_context():
        case = db.session.get(Application, case_id)
        cases.record_visit(case, by="clerk1", now=at(day), visitor_name="李堃", purpose="提交原件")
        db.session.commit()


def _history(app) -> dict[str, int]:
    """青山镇: one case on time (rated 5), one decided late in both limits (rated 1, two visits), one
    refused; 白沙镇: one case waiting. All on the same item; the other three items are held, unused."""
    on_time = new_case(app, day="2026-11-02")
    drive(app, on_time, "accept", "opinion1", "complete", day="2026-11-02")
    drive(app, on_time, "approve", day="2026-11-05")
    drive(app, on_time, "deliver", day="2026-11-05")
    _rate(app, on_time, 5, "2026-11-06")
    late = new_case(app, day="2026-10-12")  # promised 26 Oct, statutory 9 Nov
    drive(app, late, "accept", "opinion1", "complete", day="2026-10-12")
    drive(app, late, "approve", day="2026-11-20")
    drive(app, late, "deliver", day="2026-11-20")
    _visit(app, late, "2026-10-12")
    _visit(app, late, "2026-11-20")
    _rate(app, late, 1, "2026-11-20")
    refused = new_case(app, day="2026-11-10")
    drive(app, refused, "refuse", day="2026-11-10")
    waiting = new_case(app, town=BAISHA, applicant="13900000002", day="2026-11-16")
    return {"on_time": on_time, "late": late, "refused": refused, "waiting": waiting}


def _report(app, start: str | None, end: str | None, towns=(QINGSHAN, BAISHA)):
    with app.app_context():
        places = [db.session.query(Jurisdiction).filter_by(code=c).one() for c in towns]
        report = evaluate(db.session, places, parse_period(start, end, today=at("2026-11-23").date()))
        return report, {t.town.code: t for t in report.towns}, {p.code: p for p in report.powers}


def test_figures_per_town_per_power_and_per_month(app, rworld):
    _history(app)
    report, towns, powers = _report(app, None, None)
    assert report.period.label == "2026-01-01 至 2026-11-23"  # the current year to date by default
    qs = towns[QINGSHAN].figures
    assert (qs.received, qs.decided, qs.approved, qs.denied, qs.refused) == (3, 2, 2, 0, 1)
    assert (qs.with_limit, qs.on_time_promised, qs.on_time_statutory) == (2, 1, 1)
    assert qs.on_time_rate == 0.5 and qs.statutory_rate == 0.5
    assert (qs.ratings, qs.average_rating, qs.poor_ratings, qs.satisfaction_rate) == (2, 3.0, 1, 0.5)
    assert qs.triggers == 2  # the late decision: past the promised and past the statutory limit
    assert qs.at_most_one_rate == 0.5  # the late case needed two visits
    bs = towns[BAISHA].figures
    assert (bs.received, bs.decided, bs.on_time_rate, bs.average_rating) == (1, 0, None, None)
    assert report.total.received == 4 and report.total.decided == 2

    # Powers held but never applied for (放而未用): the other three items, in both towns.
    assert [p.code for p in towns[QINGSHAN].unused] == [TWO, QUICK, PLEDGE]
    assert towns[QINGSHAN].held_applications == 4 and towns[QINGSHAN].used == 1
    assert report.unused_total == 6
    assert powers[ITEM].figures.received == 4 and powers[ITEM].towns_unused == []
    assert [t.code for t in powers[TWO].towns_unused] == [QINGSHAN, BAISHA]
    assert len(powers[TWO].towns_holding) == 2

    months = {m.start.month: f for m, f in report.months}
    assert len(report.months) == 11 and months[1].received == 0
    assert months[10].received == 1 and months[10].decided == 0
    assert (months[11].received, months[11].decided, months[11].refused, months[11].ratings) == (3, 2, 1, 2)


def test_a_period_counts_each_event_on_its_own_date(app, rworld):
    _history(app)
    _, towns, _ = _report(app, "2026-11-01", "2026-11-23")
    qs = towns[QINGSHAN].figures
    assert qs.received == 2  # the late case arrived in October
    assert qs.decided == 2  # but was decided in November
    _, towns, _ = _report(app, "2026-10-01", "2026-10-31")
    qs = towns[QINGSHAN].figures
    assert (qs.received, qs.decided, qs.ratings, qs.triggers) == (1, 0, 0, 0)
    assert [p.code for p in towns[QINGSHAN].unused] == [TWO, QUICK, PLEDGE]


def test_the_page_shows_the_report_and_links_the_exports(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _history(app)
    page = signed_in(app).get("/supervision/evaluation?from=2026-01-01&to=2026-11-23")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "青山镇" in html and "白沙镇" in html and "50.0%" in html and "3.00" in html
    assert "乡村建设规划许可" in html and "放而未用的事项 6 项次" in html
    assert "/supervision/evaluation.xlsx?from=2026-01-01&amp;to=2026-11-23" in html
    assert "/supervision/evaluation.pdf?from=2026-01-01&amp;to=2026-11-23" in html
    assert "<svg" in html and 'width="100.0"' in html  # the bar of the town with most cases fills the chart


def test_a_town_supervisor_sees_only_their_town(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _history(app)
    html = signed_in(app, "super.baisha").get("/supervision/evaluation").get_data(as_text=True)
    assert "白沙镇" in html and "青山镇" not in html
    book = load_workbook(io.BytesIO(signed_in(app, "super.baisha").get("/supervision/evaluation.xlsx").data))
    names = [row[0] for row in book["乡镇汇总"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert names == ["白沙镇", "合计"]


def test_staff_without_supervision_and_applicants_cannot_see_it(app, rworld):
    for who in ("clerk1", "boss1"):
        client = app.test_client()
        login(client, who)
        for path in ("/supervision/evaluation", "/supervision/evaluation.xlsx", "/supervision/evaluation.pdf"):
            assert client.get(path).status_code == 403
    anonymous = app.test_client().get("/supervision/evaluation")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_spreadsheet_has_the_figures_and_charts(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _history(app)
    resp = signed_in(app).get("/supervision/evaluation.xlsx?from=2026-01-01&to=2026-11-23")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"] and ".xlsx" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["乡镇汇总", "事项汇总", "未使用的事项", "一件事", "逐月统计"]
    towns = book["乡镇汇总"]
    assert "2026-01-01 至 2026-11-23" in towns["A2"].value and "清溪县" in towns["A2"].value
    header = [c.value for c in towns[3]]
    row = dict(zip(header, next(r for r in towns.iter_rows(min_row=4, values_only=True) if r[0] == "青山镇"),
                   strict=True))
    assert row["收件"] == 3 and row["按承诺时限办结率"] == 0.5 and row["平均评分"] == 3.0 and row["未使用事项"] == 3
    assert towns.cell(row=4, column=header.index("按承诺时限办结率") + 1).number_format == "0.0%"
    assert len(towns._charts) == 2  # cases and on-time rate per town
    unused = [r[:2] for r in book["未使用的事项"].iter_rows(min_row=4, values_only=True)]
    assert ("青山镇", TWO) in unused and ("白沙镇", QUICK) in unused and len(unused) == 6
    months = [r[0] for r in book["逐月统计"].iter_rows(min_row=4, values_only=True)]
    assert months[0] == "2026年1月" and months[-1] == "2026年11月"


def test_the_pdf_report_has_the_tables_in_chinese(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _history(app)
    resp = signed_in(app).get("/supervision/evaluation.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    text = pdf_text(resp.data)
    for expected in ("赋权事项评估报告", "统计期间：2026-01-01至2026-11-23", "青山镇", "白沙镇", "50.0%",
                     "农村村民宅基地审批", "放而未用", "各乡镇（街道）按承诺时限办结率"):
        assert expected in text, expected


def test_a_bad_period_is_explained_next_to_the_field_and_kept(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    client = signed_in(app)
    resp = client.get("/supervision/evaluation?from=2026-13-01&to=2026-11-01")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "日期格式应为 YYYY-MM-DD" in html and 'value="2026-13-01"' in html
    resp = client.get("/supervision/evaluation?from=2026-11-10&to=2026-11-01")
    assert resp.status_code == 422 and "截止日期不能早于起始日期" in resp.get_data(as_text=True)
    resp = client.get("/supervision/evaluation?to=2026-12-31")
    assert resp.status_code == 422 and "日期不能晚于今天" in resp.get_data(as_text=True)
    assert client.get("/supervision/evaluation.xlsx?from=yesterday").status_code == 422
    assert client.get("/supervision/evaluation.pdf?from=1999-12-31").status_code == 422


def test_the_public_monthly_statistics_of_a_town(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _history(app)
    anonymous = app.test_client()
    assert f"/catalog/towns/{QINGSHAN}/statistics" in anonymous.get(f"/catalog/towns/{QINGSHAN}").get_data(
        as_text=True)
    resp = anonymous.get(f"/catalog/towns/{QINGSHAN}/statistics")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "青山镇办件统计" in html
    assert "2026-01-01 至 2026-11-23：收件 3 件，作出决定 2 件，按承诺时限办结率 50.0%" in html
    assert "11月" in html and "12月" not in html  # the year so far
    assert "追责情形" not in html  # internal figures stay internal
    last_year = anonymous.get(f"/catalog/towns/{QINGSHAN}/statistics?year=2025").get_data(as_text=True)
    assert "2025-01-01 至 2025-12-31：收件 0 件" in last_year and "12月" in last_year
    for bad in ("2027", "1999", "二〇二六", "-1", "²"):
        resp = anonymous.get(f"/catalog/towns/{QINGSHAN}/statistics?year={bad}")
        assert resp.status_code == 422 and 'role="alert"' in resp.get_data(as_text=True), bad
    assert anonymous.get("/catalog/towns/330199000000/statistics").status_code == 404  # the county is no town
