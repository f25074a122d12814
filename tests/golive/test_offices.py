"""Offices (县级部门) as records: imported, created from the list, edited by an administrator, and the
source of the issuing name, number prefix and seal of 委托 and 窗口前移 documents."""

from __future__ import annotations

from pathlib import Path

from service_hall.extensions import db
from tests.factories.web import login, post_form
from tests.golive.conftest import CHENGGUAN, COUNTY, EXAMPLES, SANXI, cli_json, snapshot, write


def _offices(app):
    from service_hall.offices.models import Office

    with app.app_context():
        return {o.name: (o.short_name, o.credit_code, o.seal_text) for o in db.session.query(Office)}


def test_the_offices_file_creates_then_updates(app, runner, county, tmp_path: Path):
    result = runner.invoke(args=["offices", "import", str(EXAMPLES / "offices.csv")])
    assert result.exit_code == 0 and "新建 2 个，更新 0 个" in result.output
    assert _offices(app)["云岭县住房和城乡建设局"] == ("云岭住建", "11330188MB0123456C", "云岭县住房和城乡建设局")
    data = "部门名称,文号简称,信用代码,印章名称\r\n云岭县农业农村局,云岭农农,,云岭县农业农村局（行政审批专用章）\r\n"
    result = runner.invoke(args=["offices", "import", write(tmp_path, "o.csv", data.encode("gb18030"))])
    assert result.exit_code == 0 and "新建 0 个，更新 1 个" in result.output
    assert _offices(app)["云岭县农业农村局"] == ("云岭农农", "", "云岭县农业农村局（行政审批专用章）")


def test_a_bad_offices_file_is_rejected_whole_with_located_errors(app, runner, county, tmp_path: Path):
    data = ("名称,简称,统一社会信用代码,印章文字\r\n"
            "云岭县水利局,云岭水利,11330188MB0123456X,\r\n"
            ",无名,,\r\n"
            "云岭县水利局,云岭水利,,\r\n"
            "云岭县司法局,云岭司法,1133,\r\n")
    before = snapshot(app)
    result = runner.invoke(args=["offices", "import", write(tmp_path, "o.csv", data.encode("utf-8-sig"))])
    assert result.exit_code == 1
    assert "第2行“统一社会信用代码”列：统一社会信用代码校验位错误，请核对" in result.output
    assert "第3行“名称”列：请填写名称" in result.output
    assert "第4行“名称”列：部门“云岭县水利局”与第2行重复" in result.output
    assert "第5行“统一社会信用代码”列：统一社会信用代码应为18位" in result.output
    assert snapshot(app) == before


def test_the_list_creates_missing_offices_and_links_every_item(app, runner, county):
    code, out = cli_json(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"))
    assert code == 0
    assert out["created_offices"] == ["云岭县住房和城乡建设局", "云岭县农业农村局", "云岭县民政局"]
    assert _offices(app)["云岭县民政局"] == ("云岭县民政局", "", "云岭县民政局")
    from power_lists.models import PowerItem

    with app.app_context():
        assert all(i.original_office is not None for i in db.session.query(PowerItem))


def test_documents_of_entrusted_and_front_window_items_come_from_the_office(app, runner, county):
    from power_lists.models import PowerItem
    from power_lists.offices import notice_series
    from service_hall.certificates.issuing import authority_for, issuer_code
    from service_hall.jurisdictions.models import Jurisdiction
    from service_hall.offices.models import Office

    assert runner.invoke(args=["offices", "import", str(EXAMPLES / "offices.csv")]).exit_code == 0
    assert cli_json(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"))[0] == 0
    with app.app_context():
        sanxi = db.session.query(Jurisdiction).filter_by(code=SANXI).one()
        chengguan = db.session.query(Jurisdiction).filter_by(code=CHENGGUAN).one()
        entrusted = db.session.query(PowerItem).filter_by(name="乡村建设规划许可证核发").one()
        front = db.session.query(PowerItem).filter_by(delegation_mode="front_window").one()
        devolved = db.session.query(PowerItem).filter_by(name="农村村民宅基地审批", sub_item="新建住宅").one()
        office = db.session.query(Office).filter_by(name="云岭县住房和城乡建设局").one()
        office.name, office.seal_text = "云岭县住房和城乡建设局（新）", "云岭县住房和城乡建设局行政许可专用章"
        db.session.flush()
        authority = authority_for(entrusted, sanxi)
        assert (authority.issuer, authority.seal_text, authority.entrusted_body) == (
            "云岭县住房和城乡建设局（新）", "云岭县住房和城乡建设局行政许可专用章", "三溪镇人民政府")
        assert entrusted.acting_authority(sanxi) == "云岭县住房和城乡建设局（新）"
        assert authority_for(front, chengguan).issuer == "云岭县住房和城乡建设局（新）"
        assert notice_series(entrusted, sanxi) == ("云岭住建", f"office:{office.id}")
        assert notice_series(devolved, sanxi) == ("三溪镇", str(sanxi.id))
        assert authority_for(devolved, sanxi).seal_text == "三溪镇人民政府"
        # Every town acting for the office shares the office's certificate series.
        assert issuer_code(entrusted, sanxi).startswith("330188D")
        db.session.rollback()


def test_an_administrator_edits_offices_and_windows_on_a_page(app, client, factory, runner, county):
    factory.staff("adm", "admin", COUNTY)
    assert runner.invoke(args=["offices", "import", str(EXAMPLES / "offices.csv")]).exit_code == 0
    login(client, "adm")
    page = client.get("/admin/offices")
    assert page.status_code == 200 and "云岭住建" in page.get_data(as_text=True)
    from service_hall.offices.models import Office

    with app.app_context():
        office_id = db.session.query(Office).filter_by(short_name="云岭住建").one().id
    url = f"/admin/offices/{office_id}"
    bad = post_form(client, url, {"name": "云岭县住房和城乡建设局", "short_name": "云岭住建",
                                  "credit_code": "11330188MB0123456D", "seal_text": ""})
    assert bad.status_code == 422 and "统一社会信用代码校验位错误" in bad.get_data(as_text=True)
    ok = post_form(client, url, {"name": "云岭县住房和城乡建设局", "short_name": "云住建", "credit_code": "",
                                 "seal_text": ""})
    assert ok.status_code == 302
    assert _offices(app)["云岭县住房和城乡建设局"] == ("云住建", "", "云岭县住房和城乡建设局")
    added = post_form(client, "/admin/offices", {"name": "云岭县农业农村局", "short_name": ""})
    assert added.status_code == 422 and "已有名为“云岭县农业农村局”的部门" in added.get_data(as_text=True)
    saved = post_form(client, "/admin/offices", {"town_code": SANXI, "address": "三溪镇人民路8号便民服务中心",
                                                 "phone": "0571-1", "hours": ""}, action="/admin/windows")
    assert saved.status_code == 302
    assert "三溪镇人民路8号便民服务中心" in client.get("/admin/offices").get_data(as_text=True)
    assert client.get("/admin/offices/999999").status_code == 404
    empty = post_form(client, "/admin/offices", {"town_code": SANXI, "address": " "}, action="/admin/windows",
                      follow_redirects=True)
    assert "请填写窗口地址" in empty.get_data(as_text=True)
