"""Readiness: an application-type item opens online with a complete guide (its form is the designed one,
or else the one generated from the guide); the public sees the others as "请到窗口办理" with the
window's address."""

from __future__ import annotations

import datetime as dt

from service_hall.extensions import db
from tests.factories.web import login
from tests.golive.conftest import CHENGGUAN, COUNTY, SANXI, TAOYUAN
from tests.golive.support import FORM, go_live

NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)


def _code(app, name: str, sub_item: str = "") -> str:
    from power_lists.models import PowerItem

    with app.app_context():
        return db.session.query(PowerItem).filter_by(name=name, sub_item=sub_item).first().code


def _publish_form(app, code: str) -> None:
    from forms.models import publish_form_definition

    with app.app_context():
        publish_form_definition(db.session, code, FORM, dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
        db.session.commit()


def test_the_report_counts_and_says_what_is_missing(app, runner, factory, county):
    from power_lists.readiness import GENERATED_FORM, readiness_report
    from service_hall.jurisdictions.models import Jurisdiction

    go_live(runner, factory)
    with app.app_context():
        county_row = db.session.query(Jurisdiction).filter_by(code=COUNTY).one()
        report = readiness_report(db.session, county_row, now=NOW)
        assert (report.imported, report.application_type, report.open, report.blocked_count) == (10, 6, 5, 1)
        reasons = {r.item.name: r.reasons for r in report.blocked}
        notes = {r.item.name: r.form_note for r in report.ready}
    assert reasons == {"临时救助": ["办事指南缺少：办件类型、法定办结时限、承诺办结时限"]}
    # Complete guides open with the generated form until one is designed.
    assert notes["特困人员认定"] == GENERATED_FORM
    _publish_form(app, _code(app, "特困人员认定"))
    _publish_form(app, _code(app, "临时救助"))  # a form alone does not open an incomplete item
    with app.app_context():
        report = readiness_report(db.session, county_row, now=NOW)
        assert (report.open, report.blocked_count) == (5, 1)
        assert {r.item.name: r.form_note for r in report.ready}["特困人员认定"] is None
        assert [r.item.name for r in report.blocked] == ["临时救助"]


def test_open_items_are_in_force_in_the_town_and_complete(app, runner, factory, county):
    from power_lists.readiness import open_items
    from service_hall.jurisdictions.models import Jurisdiction

    go_live(runner, factory)
    with app.app_context():
        towns = {j.code: j for j in db.session.query(Jurisdiction).filter(
            Jurisdiction.code.in_([SANXI, TAOYUAN, CHENGGUAN]))}
        assert [i.name for i in open_items(db.session, towns[SANXI], now=NOW)] == [
            "乡村建设规划许可证核发", "农村村民宅基地审批", "农村村民宅基地审批", "特困人员认定"]
        # 城关街道 does not hold the entrusted item; 临时救助 (guide incomplete) is open nowhere.
        names = [i.name for i in open_items(db.session, towns[CHENGGUAN], now=NOW)]
        assert "乡村建设规划许可证核发" not in names and "临时救助" not in names and "特困人员认定" in names
        # Before the list takes effect nothing is open.
        before = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
        assert open_items(db.session, towns[SANXI], now=before) == []


def test_the_readiness_page_and_the_public_catalog(app, client, runner, factory, county):
    go_live(runner, factory)
    _publish_form(app, _code(app, "特困人员认定"))
    app.config["FIXED_NOW"] = NOW
    login(client, "legal-a")
    page = client.get("/legal/readiness").get_data(as_text=True)
    assert '<dd id="count-imported">10</dd>' in page and '<dd id="count-open">5</dd>' in page
    assert '<dd id="count-blocked">1</dd>' in page
    assert "办事指南缺少：办件类型、法定办结时限、承诺办结时限" in page
    assert page.count("使用由办事指南生成的默认表单（尚未设计表单）") == 4  # 特困人员认定 has its own
    client.get("/logout")
    catalog = client.get(f"/catalog/towns/{SANXI}").get_data(as_text=True)
    assert "暂未开通网上申请，请到窗口办理（三溪镇便民服务中心）" in catalog
    assert catalog.count("可在线申请") == 4
    runner.invoke(args=["offices", "window", SANXI, "三溪镇人民路8号便民服务中心一楼", "--phone", "0571-6600 1234"])
    catalog = client.get(f"/catalog/towns/{SANXI}").get_data(as_text=True)
    assert "暂未开通网上申请，请到窗口办理（三溪镇人民路8号便民服务中心一楼）" in catalog
    assert "便民服务窗口：三溪镇人民路8号便民服务中心一楼，电话 0571-6600 1234" in catalog
