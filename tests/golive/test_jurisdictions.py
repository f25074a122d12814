"""Jurisdictions from a file: the CLI, the administration page, re-imports, closing towns, bad files."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from power_lists.errors import ImportRejected
from service_hall.extensions import db
from service_hall.jurisdictions.imports import export_jurisdictions, import_jurisdictions, preview_import
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from service_hall.jurisdictions.operations import towns
from tests.factories.clock import NOW
from tests.factories.context import ctx_for
from tests.factories.web import csrf_token, login
from tests.golive.support import (
    COUNTY,
    EXAMPLES,
    HEADER,
    SANXI,
    SANXI_VILLAGE,
    YUNLING,
    csv_bytes,
    import_yunling,
    snapshot,
    xlsx_bytes,
)


def _places(app) -> dict[str, tuple]:
    with app.app_context():
        return {j.code: (j.name, j.kind, j.level.value, j.parent.code if j.parent else None,
                         j.closed_on.isoformat() if j.closed_on else None)
                for j in db.session.scalars(select(Jurisdiction))}


# --- the command line ------------------------------------------------------------------------------

def test_example_county_imports_from_gb18030_csv_and_reimport_changes_nothing(app, runner):
    raw = (EXAMPLES / "jurisdictions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the example really is GB18030
    result = runner.invoke(args=["jurisdictions", "import", str(EXAMPLES / "jurisdictions.csv")])
    assert result.exit_code == 0, result.output
    assert "已导入云岭县（330188000000）的区划：新增 10" in result.output
    places = _places(app)
    assert places["330188101000"] == ("三溪镇", "镇", "town", COUNTY, None)
    assert places["330188001002"] == ("南门社区", "社区", "village", "330188001000", None)
    again = runner.invoke(args=["jurisdictions", "import", str(EXAMPLES / "jurisdictions.csv"), "--json"])
    assert again.exit_code == 0
    body = json.loads(again.output)
    assert body["added"] == body["renamed"] == body["closed"] == 0 and body["unchanged"] == 10
    assert body["changes"] == [] and body["errors"] == []


def test_rejected_file_exits_1_with_located_errors_and_json(app, runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([*YUNLING, ["33018810100", "短码村", SANXI, "村"]]))
    result = runner.invoke(args=["jurisdictions", "import", str(path)])
    assert result.exit_code == 1
    assert "第10行“区划代码”列：区划代码应为12位统计用区划代码，“33018810100”是11位" in result.output
    assert _places(app) == {}
    result = runner.invoke(args=["jurisdictions", "import", str(path), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["errors"] == [{"row": 10, "column": "区划代码",
                               "message": "区划代码应为12位统计用区划代码，“33018810100”是11位"}]


def test_dry_run_shows_the_changes_and_writes_nothing(app, runner):
    result = runner.invoke(args=["jurisdictions", "import", str(EXAMPLES / "jurisdictions.csv"), "--dry-run"])
    assert result.exit_code == 0 and "预检云岭县（330188000000）的区划：新增 10" in result.output
    assert _places(app) == {}
    result = runner.invoke(args=["users", "import", str(EXAMPLES / "staff.xlsx"), "--dry-run"])
    assert result.exit_code == 1 and "未找到名为“云岭县”" in result.output  # no jurisdictions yet


def test_demo_export_imports_into_an_empty_database(app, factory, runner, tmp_path):
    factory.demo_jurisdictions()
    before = _places(app)
    out = tmp_path / "demo.csv"
    assert runner.invoke(args=["jurisdictions", "export", "-o", str(out)]).exit_code == 0
    xlsx = tmp_path / "demo.xlsx"
    assert runner.invoke(args=["jurisdictions", "export", "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    with app.app_context():
        for j in sorted(db.session.scalars(select(Jurisdiction)), key=lambda j: -len(j.code.rstrip("0"))):
            db.session.delete(j)
            db.session.flush()
        db.session.commit()
    assert _places(app) == {}
    result = runner.invoke(args=["jurisdictions", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert f"新增 {len(before)}" in result.output
    assert _places(app) == before
    # Export → import round-trips with no change, in both formats.
    for path in (out, xlsx):
        result = runner.invoke(args=["jurisdictions", "import", str(path), "--json"])
        assert json.loads(result.output)["changes"] == []


def test_export_keeps_closed_areas_and_round_trips(app):
    import_yunling(app)
    import_yunling(app, [r for r in YUNLING if not r[0].startswith("330188101")])
    with app.app_context():
        for fmt in ("csv", "xlsx"):
            content = export_jurisdictions(db.session, fmt)
            assert preview_import(db.session, f"x.{fmt}", content, now=NOW).changes == ()
        text = export_jurisdictions(db.session, "csv").decode("utf-8-sig")
    assert "330188101000,三溪镇,330188000000,镇,2026-11-23,导入文件中已无此区划" in text


# --- what a file can say ---------------------------------------------------------------------------

def test_bom_full_width_spaces_trailing_rows_and_missing_kind(app):
    rows = [["\u3000区划代码", "名称 ", "上级区划代码"],
            ["330188000000", "\u3000云岭县\u3000", ""],
            ["３３０１８８１０１０００", "三溪镇", "330188000000"],
            ["330188101001", "三溪村", "330188101000"],
            ["", "", ""], ["", "", ""], ["注：数据来源于县民政局", "", ""]]
    with app.app_context():
        plan = import_jurisdictions(db.session, "j.csv", b"\xef\xbb\xbf" + csv_bytes(rows), now=NOW)
        db.session.commit()
    assert plan.counts["added"] == 3
    assert _places(app)[SANXI] == ("三溪镇", "镇", "town", COUNTY, None)
    assert _places(app)[COUNTY][0] == "云岭县"


def test_xlsx_with_merged_title_row_and_numeric_codes(app):
    rows = [HEADER, [330188000000, "云岭县", None, "县"], [330188201000, "桃源乡", 330188000000, "乡"],
            [330188201001, "桃源村", 330188201000, "村"], [None, None, None, None]]
    with app.app_context():
        plan = import_jurisdictions(db.session, "j.xlsx", xlsx_bytes(rows, title="云岭县统计用区划代码表"), now=NOW)
        db.session.commit()
    assert plan.counts["added"] == 3
    assert _places(app)["330188201001"] == ("桃源村", "村", "village", "330188201000", None)


def test_reimport_renames_moves_and_closes_absent_towns_with_their_villages(app):
    import_yunling(app)
    rows = [r for r in YUNLING if not r[0].startswith("330188101")]
    rows = [["330188201000", "桃源镇", COUNTY, "镇"] if r[0] == "330188201000" else r for r in rows]
    rows.append(["330188201002", "溪口村", "330188201000", "村"])  # the village of the merged town, renumbered
    with app.app_context():
        plan = import_jurisdictions(db.session, "j.csv", csv_bytes(rows), now=NOW)
        db.session.commit()
    assert plan.counts == {"added": 1, "renamed": 1, "retyped": 1, "moved": 0, "closed": 3, "reopened": 0,
                           "unchanged": 4}
    places = _places(app)
    assert places[SANXI] == ("三溪镇", "镇", "town", COUNTY, "2026-11-23")  # closed, not deleted
    assert places[SANXI_VILLAGE][4] == "2026-11-23"
    assert places["330188201000"][:2] == ("桃源镇", "镇")
    with app.app_context():
        assert SANXI not in [t.code for t in towns(db.session, on=NOW.date())]
        # Importing the same file again is a no-op; the closed rows stay closed.
        again = preview_import(db.session, "j.csv", csv_bytes(rows), now=NOW)
    assert again.changes == ()


def test_closing_by_date_column_and_reopening(app):
    import_yunling(app)
    rows = [[*r, "撤销日期", "撤销说明"] if i == 0 else [*r, "", ""] for i, r in enumerate(YUNLING)]
    for r in rows:
        if r[0].startswith("330188101"):
            r[4:] = ["2027-01-01", "并入城关街道"]
    with app.app_context():
        plan = import_jurisdictions(db.session, "j.csv", csv_bytes(rows), now=NOW)
        db.session.commit()
        assert plan.counts["closed"] == 3
        sanxi = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == SANXI))
        assert sanxi.closed_on.isoformat() == "2027-01-01" and sanxi.closed_note == "并入城关街道"
        assert SANXI in [t.code for t in towns(db.session, on=NOW.date())]  # still open until then
        plan = import_jurisdictions(db.session, "j.csv", csv_bytes(YUNLING), now=NOW)
        db.session.commit()
        assert plan.counts["reopened"] == 3


def _bad(*rows: list[str]) -> bytes:
    return csv_bytes([HEADER, *rows])


C = ["330188000000", "云岭县", "", "县"]
T = ["330188101000", "三溪镇", "330188000000", "镇"]

BAD_FILES = {
    "wrong length": (_bad(C, ["3301881010", "三溪镇", "330188000000", "镇"]),
                     [(3, "区划代码", "区划代码应为12位统计用区划代码，“3301881010”是10位")]),
    "non-digits": (_bad(C, ["33018810100X", "三溪镇", "330188000000", "镇"]),
                   [(3, "区划代码", "区划代码只能包含数字：33018810100X")]),
    "scientific notation": (_bad(C, ["3.30188E+11", "三溪镇", "330188000000", "镇"]),
                            [(3, "区划代码", "区划代码被 Excel 转成了科学计数法，请将该列设为“文本”格式后重新填写")]),
    "parent missing": (_bad(C, ["330188101000", "三溪镇", "330188999000", "镇"]),
                       [(3, "上级区划代码", "上级区划代码 330188999000 在文件中不存在")]),
    "two counties": (_bad(C, ["330177000000", "另一县", "", "县"]),
                     [(3, "上级区划代码", "文件中只能有一个县级区划（不填“上级区划代码”的行），第2行已是县级区划")]),
    "cycle": (_bad(C, ["330188101000", "三溪镇", "330188101001", "镇"],
                   ["330188101001", "三溪村", "330188101000", "村"]),
              [(3, "上级区划代码", "上下级关系形成循环：330188101000 → 330188101001 → 330188101000"),
               (4, "上级区划代码", "上下级关系形成循环：330188101000 → 330188101001 → 330188101000")]),
    "duplicate code": (_bad(C, T, ["330188101000", "溪口镇", "330188000000", "镇"]),
                       [(4, "区划代码", "区划代码 330188101000 重复（与第3行相同）")]),
    "unknown kind": (_bad(C, ["330188101000", "三溪镇", "330188000000", "开发区"]),
                     [(3, "类型", "类型“开发区”无法识别，应为县/市辖区/镇/乡/街道/村/社区之一")]),
    "village under the county": (_bad(C, ["330188000001", "直属村", "330188000000", "村"]),
                                 [(3, "类型", "村（社区）不能直接隶属于县，上级区划代码应为其所属乡镇（街道）")]),
    "town code outside the county": (_bad(C, ["330177101000", "三溪镇", "330188000000", "镇"]),
                                     [(3, "区划代码",
                                       "乡镇（街道）区划代码应以所属县代码的前6位 330188 开头、以000结尾")]),
    "no county": (_bad(T), [(None, None, "文件中没有县级区划：须有且只有一行不填“上级区划代码”"),
                            (2, "上级区划代码", "上级区划代码 330188000000 在文件中不存在")]),
    "a town without parent": (_bad(C, ["330188101000", "三溪镇", "", "镇"]),
                              [(3, "上级区划代码", "缺少上级区划代码（只有县级区划可以不填）")]),
    "empty name": (_bad(C, ["330188101000", "", "330188000000", "镇"]), [(3, "名称", "名称不能为空")]),
    "bad date": (csv_bytes([[*HEADER, "撤销日期"], [*C, ""], [*T, "明年"]]),
                 [(3, "撤销日期", "撤销日期“明年”无法识别，请写作 2026-12-31")]),
    "open village under a closed town": (
        csv_bytes([[*HEADER, "撤销日期"], [*C, ""], [*T, "2026-10-01"], ["330188101001", "三溪村", SANXI, "村", ""]]),
        [(4, "撤销日期", "上级区划“三溪镇”于 2026-10-01 撤销，本区划须同日或更早撤销，或改隶其他区划")]),
    "empty file": (b"", [(None, None, "文件为空")]),
    "header only": (csv_bytes([HEADER, ["", "", "", ""]]), [(None, None, "表头下没有数据行")]),
    "missing column": (csv_bytes([["区划代码", "名称"], ["330188000000", "云岭县"]]),
                       [(None, None, "未找到表头：文件须包含以下列：区划代码、名称、上级区划代码")]),
    "a pdf": (b"%PDF-1.4 ...", [(None, None, "文件内容是PDF 文件，不是表格（支持 CSV、XLSX）")]),
    "truncated xlsx": (xlsx_bytes(YUNLING)[:700], None),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_rejected_whole_with_located_chinese_errors(app, case):
    import_yunling(app)
    before = snapshot(app)
    content, expected = BAD_FILES[case]
    name = "j.xlsx" if case == "truncated xlsx" else "j.csv"
    with app.app_context(), pytest.raises(ImportRejected) as caught:
        import_jurisdictions(db.session, name, content, now=NOW)
    problems = [(p.row, p.column, p.message) for p in caught.value.problems]
    if expected is None:
        assert problems[0][2].startswith("文件已损坏")
    else:
        assert problems == expected
    assert snapshot(app) == before


def test_every_error_of_a_file_is_reported_at_once(app):
    content = _bad(C, ["3301881010", "三溪镇", "330188000000", "镇"], ["330188201000", "桃源乡", "330188999000", "乡"],
                   ["330188201001", "桃源村", "330188201000", "牧场"])
    with app.app_context(), pytest.raises(ImportRejected) as caught:
        import_jurisdictions(db.session, "j.csv", content, now=NOW)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "区划代码"), (5, "类型"), (4, "上级区划代码")]


def test_a_sheet_over_the_row_cap_is_rejected(app, runner, tmp_path):
    rows = [HEADER, C, T] + [[f"330188101{i:03d}", f"村{i}", SANXI, "村"] for i in range(1, 10)]
    with app.app_context(), pytest.raises(ImportRejected) as caught:
        import_jurisdictions(db.session, "j.xlsx", xlsx_bytes(rows), now=NOW, max_rows=10)
    assert caught.value.problems[0].message == "工作表“Sheet”超过 10 行的上限，请拆分或核对文件"
    big = tmp_path / "big.csv"
    big.write_bytes(csv_bytes([HEADER, C] + [[f"3301881{i:02d}000", f"镇{i}", COUNTY, "镇"] for i in range(100)] * 51))
    result = runner.invoke(args=["jurisdictions", "import", str(big)])
    assert result.exit_code == 1 and "文件超过 5000 行的上限" in result.output
    assert _places(app) == {}


def test_a_level_cannot_change_on_reimport(app):
    import_yunling(app)
    rows = [r if r[0] != "330188101002" else ["330188101002", "溪口村", COUNTY, "村"] for r in YUNLING]
    with app.app_context(), pytest.raises(ImportRejected) as caught:
        import_jurisdictions(db.session, "j.csv", csv_bytes(rows), now=NOW)
    assert caught.value.problems[0].column == "类型"


# --- closed towns keep their cases ------------------------------------------------------------------

def test_a_closed_town_keeps_its_cases_readable_and_takes_no_new_applications(app, factory, client):
    from service_hall.accounts.models import User
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.cases.guards import TownClosed
    from service_hall.cases.intake import submit_application
    from service_hall.extensions import file_store
    from service_hall.files.store import store_upload
    from tests.factories.files import PDF
    from tests.factories.forms import form_data
    from tests.factories.places import QINGSHAN
    from tests.factories.power_list import ITEM
    from tests.factories.scoped import _case

    factory.demo_jurisdictions()
    factory.staff("clerk-qs", "clerk", QINGSHAN)
    values = _case(factory, app)
    with app.app_context():
        content = export_jurisdictions(db.session, "csv").decode("utf-8-sig").splitlines()
    # 青山镇 and its villages merged into 白沙镇, effective before today's check.
    closed = [line[:-2] + ",2026-11-20,并入白沙镇" if line.startswith("330199101") else line for line in content]
    with app.app_context():
        plan = import_jurisdictions(db.session, "j.csv", "\n".join(closed).encode(), now=NOW)
        db.session.commit()
        assert plan.counts["closed"] == 4
        assert "青山镇撤销后仍有在用账号：clerk-qs，请调整其所属区划或停用" in plan.warnings[0]
    # The case and its history stay readable for the applicant and the town's clerk.
    login(client, "13900000051")
    assert client.get(f"/portal/applications/{values['ref']}").status_code == 200
    clerk = app.test_client()
    login(clerk, "clerk-qs")
    assert clerk.get(f"/workbench/cases/{values['case_id']}").status_code == 200
    # No new application, whichever way it comes.
    with app.app_context():
        applicant = db.session.get(User, values["applicant_id"])
        town = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == QINGSHAN))
        f = store_upload(db.session, file_store(app), applicant, content=PDF,
                         filename="a.pdf", material_name="申请表", content_type="application/pdf", now=NOW)
        data = form_data(phone="13900000051")
        data["site"] = {"village": data.pop("site_village"), "detail": data.pop("site_detail")}
        data["period"] = {"start": data.pop("period_start"), "end": data.pop("period_end")}
        with pytest.raises(TownClosed, match="青山镇已于 2026-11-20 撤销（并入白沙镇），不再受理新的申请"):
            submit_application(ctx_for(applicant, NOW, calendar=WorkingCalendar.from_session(db.session)),
                               applicant=applicant, town=town, item_code=ITEM, data=data,
                               materials={"M01": f, "M02": f}, submission_key="after-closing")
        db.session.rollback()


def test_no_new_staff_in_a_closed_town(app, factory):
    from service_hall.core.errors import ValidationFailed

    import_yunling(app)
    import_yunling(app, [r for r in YUNLING if not r[0].startswith("330188101")])
    with pytest.raises(ValidationFailed) as caught:
        factory.staff("late", "clerk", SANXI)
    assert caught.value.details["jurisdiction_code"] == "三溪镇已于 2026-11-23 撤销，不能再设置工作人员账号"


# --- the administration page -----------------------------------------------------------------------

@pytest.fixture
def admin(app, factory):
    import_yunling(app)
    factory.staff("admin1", "admin", COUNTY)
    client = app.test_client()
    login(client, "admin1")
    return client


def _upload(client, content: bytes, name: str = "j.csv"):
    import io

    return client.post("/admin/jurisdictions/import", data={
        "csrf_token": csrf_token(client, "/admin/jurisdictions/import"), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data")


def _token(page: str) -> str:
    import re

    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_admin_previews_without_writing_then_confirms(app, admin):
    rows = [r for r in YUNLING if not r[0].startswith("330188101")] + [["330188201002", "云岭村", "330188201000", "村"]]
    before = snapshot(app)
    resp = _upload(admin, xlsx_bytes(rows, title="云岭县区划"), "j.xlsx")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "新增 1，更名 0，改变隶属 0，撤销 3" in page and "导入文件中已无此区划" in page
    assert snapshot(app) == before  # the preview wrote nothing
    resp = admin.post("/admin/jurisdictions/import/confirm",
                      data={"csrf_token": csrf_token(admin, "/account"), "token": _token(page)})
    assert resp.status_code == 302
    assert _places(app)[SANXI][4] is not None  # closed (today), still there
    page = admin.get("/admin/jurisdictions/import").get_data(as_text=True)
    assert "已导入云岭县的区划：新增 1" in page and "三溪镇（" in page


def test_admin_sees_every_error_and_nothing_changes(app, admin):
    before = snapshot(app)
    resp = _upload(admin, _bad(C, ["3301881010", "三溪镇", "330188000000", "镇"]))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "第3行" in page and "区划代码应为12位统计用区划代码" in page and 'name="token"' not in page
    assert snapshot(app) == before
    assert _upload(admin, b"").status_code == 422
    resp = admin.post("/admin/jurisdictions/import", data={"csrf_token": csrf_token(admin, "/account")})
    assert resp.status_code == 422 and "请选择要导入的文件" in resp.get_data(as_text=True)


def test_confirmation_tokens_cannot_be_forged_shared_or_replayed_on_changed_data(app, admin, factory):
    rows = [*YUNLING, ["330188201002", "云岭村", "330188201000", "村"]]
    token = _token(_upload(admin, csv_bytes(rows)).get_data(as_text=True))
    post = {"csrf_token": csrf_token(admin, "/account")}
    assert admin.post("/admin/jurisdictions/import/confirm", data={**post, "token": token + "x"}).status_code == 404
    factory.staff("admin2", "admin", COUNTY)
    other = app.test_client()
    login(other, "admin2")
    resp = other.post("/admin/jurisdictions/import/confirm",
                      data={"csrf_token": csrf_token(other, "/account"), "token": token})
    assert resp.status_code == 404
    import_yunling(app, [*YUNLING, ["330188201002", "云岭二村", "330188201000", "村"]])  # the data moved on
    resp = admin.post("/admin/jurisdictions/import/confirm", data={**post, "token": token})
    assert resp.status_code == 409 and "请重新上传文件" in resp.get_data(as_text=True)


def test_admin_exports_csv_and_xlsx(app, admin):
    resp = admin.get("/admin/jurisdictions/export?format=csv")
    assert resp.status_code == 200 and "330188101000,三溪镇" in resp.get_data().decode("utf-8-sig")
    resp = admin.get("/admin/jurisdictions/export?format=xlsx")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"


def test_levels_are_those_of_the_tree(app):
    import_yunling(app)
    with app.app_context():
        levels = {j.code: j.level for j in db.session.scalars(select(Jurisdiction))}
    assert levels[COUNTY] is JurisdictionLevel.COUNTY and levels[SANXI] is JurisdictionLevel.TOWN
