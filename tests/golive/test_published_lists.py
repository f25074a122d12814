"""Lists as counties publish them: header words, no codes, one-cell duties, titles and notes; every bad
row rejected whole with its row, column and a Chinese reason, nothing written."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pytest

from service_hall.extensions import db
from tests.factories.accounts import PASSWORD
from tests.golive.conftest import CHENGGUAN, COUNTY, EXAMPLES, SANXI, TAOYUAN, cli_json, snapshot, write

CODE = re.compile(r"^Z330188-[0-9A-F]{10}$")
HEADER = ["序号", "赋权事项", "子项", "职权类型", "实施依据", "原实施部门", "承接主体", "赋权方式", "实施范围",
          "责任事项", "备注"]
GOOD = [1, "乡村建设规划许可证核发", "", "行政许可", "《中华人民共和国城乡规划法》第四十一条", "云岭县住房和城乡建设局",
        "乡镇人民政府", "委托", "三溪镇", "受理责任：一次性告知；审查责任：审查材料", ""]


def xlsx(rows: list[list[Any]], *, title: bool = True) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append(["云岭县赋权清单"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**changes: Any) -> list[Any]:
    out = list(GOOD)
    for key, value in changes.items():
        out[HEADER.index(key)] = value
    return out


def _items(app: Any, number: int = 1) -> list[dict[str, Any]]:
    from power_lists.document import version_items
    from power_lists.models import PowerListVersion

    with app.app_context():
        version = db.session.query(PowerListVersion).filter_by(number=number).one()
        return version_items(version)


def test_the_example_list_imports_with_stable_codes_duties_and_new_offices(app, runner, county):
    assert runner.invoke(args=["offices", "import", str(EXAMPLES / "offices.csv")]).exit_code == 0
    code, out = cli_json(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"))
    assert code == 0
    assert out == {"version": 1, "items": 10, "created_offices": ["云岭县民政局"], "errors": []}
    items = _items(app)
    assert all(CODE.match(i["code"]) for i in items)
    assert len({i["code"] for i in items}) == 10
    permit = items[0]
    assert permit["name"] == "乡村建设规划许可证核发" and permit["delegation_mode"] == "entrusted"
    assert permit["responsibilities"]["intake"] == "公示依法应当提交的材料，一次性告知补正材料，依法受理或不予受理"
    assert permit["responsibilities"]["supervision"] == "开展监督检查"
    assert permit["responsibilities"]["other"] == "法律法规规章规定应履行的其他责任。"
    assert [a["situation"] for a in permit["accountability"]][1] == "未一次性告知申请人必须补正的全部内容的；"
    assert {a["basis"] for a in permit["accountability"]} == {"《中华人民共和国行政许可法》第七十二条至第七十四条"}
    numbered = items[1]
    assert (numbered["name"], numbered["sub_item"]) == ("农村村民宅基地审批", "新建住宅")
    assert numbered["responsibilities"]["review"] == "审查申请材料，组织实地核查。"
    assert numbered["responsibilities"]["supervision"] == "开展跟踪检查。"
    assert {d["town"] for d in numbered["delegations"]} == {SANXI, TAOYUAN, CHENGGUAN}
    penalty = items[4]
    assert penalty["power_type"] == "penalty" and penalty["guide"] is None
    assert all(i["guide"] is None for i in items)  # list columns only
    with app.app_context():
        from power_lists.models import PowerItem

        linked = {i.name: i.original_office.short_name for i in db.session.query(PowerItem)
                  if i.original_office is not None}
    assert linked["乡村建设规划许可证核发"] == "云岭住建"
    assert linked["临时救助"] == "云岭县民政局"


def test_the_same_list_imported_twice_yields_the_same_codes_and_no_change(app, runner, factory, county):
    factory.staff("legal-a", "legal", COUNTY)
    factory.staff("legal-b", "legal", COUNTY)
    assert cli_json(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"))[0] == 0
    result = runner.invoke(args=["power-list", "publish", "--as", "legal-a", "--review-by", "legal-b",
                                 "--effective-from", "2099-01-01"])
    assert result.exit_code == 0, result.output
    code, out = cli_json(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"))
    assert (code, out["version"], out["created_offices"]) == (0, 2, [])
    assert [i["code"] for i in _items(app, 1)] == [i["code"] for i in _items(app, 2)]
    diff = runner.invoke(args=["power-list", "diff", "1", "2"])
    assert "新增 0 项，取消 0 项，变更 0 项" in diff.output


def test_rows_without_codes_keep_the_previous_versions_codes_by_name_and_sub_item(app, runner, factory, county,
                                                                                tmp_path: Path):
    from power_lists.diff import diff_items

    coded = ["事项编码", *HEADER]
    import openpyxl

    def book(rows: list[list[Any]], header: list[str]) -> bytes:
        wb = openpyxl.Workbook()
        wb.active.append(header)
        for r in rows:
            wb.active.append(r)
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    first = book([["330188-XK-001", *GOOD], ["330188-XK-002", *row(赋权事项="特困人员认定", 职权类型="行政确认")]],
                 coded)
    factory.staff("legal-a", "legal", COUNTY)
    factory.staff("legal-b", "legal", COUNTY)
    result = runner.invoke(args=["power-list", "import", write(tmp_path, "a.xlsx", first), "--publish-as", "legal-a",
                                 "--review-by", "legal-b", "--effective-from", "2099-01-01"])
    assert result.exit_code == 0, result.output
    # The next list has no codes and one changed basis: the diff shows a change, not a delete + add.
    second = book([row(实施依据="《中华人民共和国城乡规划法》第四十一条第一款"),
                   row(赋权事项="特困人员认定", 职权类型="行政确认"), row(赋权事项="临时救助", 职权类型="行政给付")],
                  HEADER)
    code, out = cli_json(runner, "power-list", "import", write(tmp_path, "b.xlsx", second))
    assert code == 0, out
    old, new = _items(app, 1), _items(app, 2)
    assert [i["code"] for i in new][:2] == ["330188-XK-001", "330188-XK-002"]
    assert CODE.match(new[2]["code"])
    diff = diff_items(old, new)
    assert [c.code for c in diff.changed] == ["330188-XK-001"]
    assert [a.name for a in diff.added] == ["临时救助"] and diff.revoked == []


def test_codes_for_some_rows_only(app, runner, county, tmp_path: Path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["事项编码", *HEADER])
    wb.active.append(["OWN-1", *GOOD])
    wb.active.append(["", *row(赋权事项="特困人员认定", 职权类型="行政确认")])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert cli_json(runner, "power-list", "import", write(tmp_path, "l.xlsx", buffer.getvalue()))[0] == 0
    codes = [i["code"] for i in _items(app)]
    assert codes[0] == "OWN-1" and CODE.match(codes[1])


@pytest.mark.parametrize(("changes", "column", "message"), [
    ({"职权类型": "行政审批"}, "职权类型", "未知的职权类型“行政审批”"),
    ({"赋权方式": "授权"}, "赋权方式", "未知的赋权方式“授权”"),
    ({"实施范围": "火星镇"}, "赋权乡镇", "未找到乡镇（街道）“火星镇”"),
    ({"实施依据": ""}, "设定依据", "须至少填写一条设定依据"),
    ({"实施依据": "国家有关规定"}, "设定依据", "应写明法律法规名称和条款"),
])
def test_a_bad_row_is_rejected_whole_located_and_nothing_is_written(app, runner, county, tmp_path: Path, changes,
                                                                   column, message):
    before = snapshot(app)
    path = write(tmp_path, "bad.xlsx", xlsx([GOOD, row(**{"赋权事项": "临时救助", "职权类型": "行政给付", **changes})]))
    code, out = cli_json(runner, "power-list", "import", path)
    assert code == 1 and out["version"] is None and out["items"] == 0
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(4, column)]
    assert message in out["errors"][0]["message"]
    assert snapshot(app) == before


def test_duplicate_name_and_sub_item_and_promised_over_statutory_are_located(app, runner, county, tmp_path: Path):
    header = [*HEADER, "法定办结时限", "承诺办结时限", "办件类型"]
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(header)
    wb.active.append([*GOOD, 20, 10, "承诺件"])
    wb.active.append([*GOOD, 20, 10, "承诺件"])
    wb.active.append([*row(赋权事项="临时救助", 职权类型="行政给付"), 10, 30, "承诺件"])
    buffer = io.BytesIO()
    wb.save(buffer)
    before = snapshot(app)
    code, out = cli_json(runner, "power-list", "import", write(tmp_path, "dup.xlsx", buffer.getvalue()))
    assert code == 1
    assert {"row": 3, "column": "事项名称", "message": "事项名称与第2行重复"} in out["errors"]
    assert {"row": 4, "column": "承诺办结时限（工作日）",
            "message": "承诺办结时限（30个工作日）不得超过法定办结时限（10个工作日）"} in out["errors"]
    assert snapshot(app) == before


def _csv(rows: list[list[Any]], encoding: str) -> bytes:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["云岭县赋权清单"])
    writer.writerow(HEADER)
    writer.writerows(rows)
    writer.writerow(["注：本清单自发布之日起施行"])
    writer.writerow([])
    writer.writerow(["", "", ""])
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_or_with_bom_imports_exactly(app, runner, county, tmp_path: Path, encoding):
    spaced = row(赋权事项="\u3000乡村建设规划许可证核发 ", 职权类型=" 行政 许可\u3000", 赋权方式="委托 ",
                 实施范围="三溪镇\u3000、 桃源乡")
    code, out = cli_json(runner, "power-list", "import", write(tmp_path, "l.csv", _csv([spaced], encoding)))
    assert (code, out["items"]) == (0, 1), out
    item = _items(app)[0]
    assert item["name"] == "乡村建设规划许可证核发" and item["power_type"] == "licensing"
    assert [d["town"] for d in item["delegations"]] == [SANXI, TAOYUAN]


def test_formulas_take_the_cached_value_or_are_rejected_located(app, runner, county, tmp_path: Path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(row(序号="=ROW()-1"))
    wb.active.append(row(赋权事项="=A2&\"临时救助\"", 职权类型="行政给付"))
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl saves formulas without a computed value, as a script-made sheet would
    before = snapshot(app)
    code, out = cli_json(runner, "power-list", "import", write(tmp_path, "f.xlsx", buffer.getvalue()))
    assert code == 1
    located = {(e["row"], e["column"]) for e in out["errors"] if "公式" in e["message"]}
    assert located == {(3, "事项名称")}  # the 序号 formulas are harmless: that column is not read
    assert snapshot(app) == before
    # The same sheet saved by Excel carries the values: they are read.
    data = _with_cached_values(buffer.getvalue(), {"A2": "1", "B3": "临时救助"})
    code, out = cli_json(runner, "power-list", "import", write(tmp_path, "g.xlsx", data))
    assert (code, out["items"]) == (0, 2), out
    assert _items(app)[1]["name"] == "临时救助"


def _with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*?)(?: t="\w+")?>(<f>.*?</f>)<v\s*/?>(?:</v>)?',
                                  rf'\1 t="str">\2<v>{value}</v>', text)
                    text = re.sub(rf'(<c r="{ref}"[^>]*?)>(<f>.*?</f>)</c>', rf'\1 t="str">\2<v>{value}</v></c>',
                                  text)
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.xlsx", b"", "文件为空"),
    ("empty.csv", b"\r\n\r\n", "文件为空"),
    ("cut.xlsx", None, "文件已损坏"),
])
def test_empty_and_truncated_files_are_rejected(app, runner, county, tmp_path: Path, name, data, message):
    if data is None:
        whole = xlsx([GOOD])
        data = whole[: len(whole) // 2]
    before = snapshot(app)
    code, out = cli_json(runner, "power-list", "import", write(tmp_path, name, data))
    assert code == 1 and message in out["errors"][0]["message"]
    assert snapshot(app) == before


def test_ten_thousand_rows_import_in_reasonable_time(app, runner, county, tmp_path: Path):
    rows = [row(序号=n, 赋权事项=f"事项{n:05d}", 实施范围="全部乡镇（街道）") for n in range(1, 10001)]
    path = write(tmp_path, "big.xlsx", xlsx(rows))
    started = time.monotonic()
    code, out = cli_json(runner, "power-list", "import", path)
    elapsed = time.monotonic() - started
    assert (code, out["items"]) == (0, 10000)
    assert elapsed < 120, elapsed


def test_every_header_word_is_in_the_documented_table():
    from power_lists.guides import GUIDE_SHEET_COLUMNS
    from power_lists.tabular import COLUMNS, COMBINED_RESPONSIBILITIES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "power-list-format.md").read_text(encoding="utf-8")
    words = {w for c in COLUMNS for w in (c.header, *c.aliases)} | set(COMBINED_RESPONSIBILITIES)
    words |= {w for ws in GUIDE_SHEET_COLUMNS.values() for w in ws}
    assert sorted(w for w in words if w not in doc) == []


def test_the_demo_export_imports_into_an_empty_database(app, runner, factory, tmp_path: Path):
    from power_lists.demo import demo_document
    from power_lists.files import write_document

    factory.demo_jurisdictions()
    for fmt in ("xlsx", "csv", "json"):
        path = write(tmp_path, f"demo.{fmt}", write_document(demo_document(), fmt))
        code, out = cli_json(runner, "power-list", "import", path)
        assert code == 0, out
        assert out["items"] == len(demo_document()["items"])
        with app.app_context():
            from power_lists.models import PowerListVersion

            db.session.delete(db.session.query(PowerListVersion).one())
            db.session.commit()
    assert PASSWORD


def test_cells_merged_down_the_rows_apply_to_each_row(app, runner, county, tmp_path: Path):
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(HEADER)
    sheet.append(GOOD)
    sheet.append(row(赋权事项="特困人员认定", 职权类型="行政确认", 原实施部门=None, 赋权方式=None))
    sheet.merge_cells("F2:F3")  # 原实施部门
    sheet.merge_cells("H2:H3")  # 赋权方式
    buffer = io.BytesIO()
    wb.save(buffer)
    code, out = cli_json(runner, "power-list", "import", write(tmp_path, "m.xlsx", buffer.getvalue()))
    assert code == 0, out
    second = _items(app)[1]
    assert (second["original_department"], second["delegation_mode"]) == ("云岭县住房和城乡建设局", "entrusted")


def test_the_committed_example_files_are_what_the_script_writes():
    import importlib.util

    from power_lists.files import read_xlsx_tables

    script = EXAMPLES.parents[1] / "scripts" / "example_county.py"
    spec = importlib.util.spec_from_file_location("example_county", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (EXAMPLES / "offices.csv").read_bytes() == module.offices_csv()
    for name in ("power-list.xlsx", "guide.xlsx"):
        committed = read_xlsx_tables((EXAMPLES / name).read_bytes())[0].rows
        assert committed == read_xlsx_tables(module.FILES[name]())[0].rows, name
