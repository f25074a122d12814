"""The file formats: JSON (canonical, with a published schema), CSV and XLSX with Chinese headers;
round trips lose nothing, messy real-world spreadsheets are read, bad files are rejected whole with
every problem located."""

from __future__ import annotations

import io
import json

import jsonschema
import openpyxl
import pytest

from power_lists.demo import demo_document
from power_lists.document import comparable_items, validate_document
from power_lists.errors import ImportRejected
from power_lists.files import read_document, write_csv, write_document, write_json, write_xlsx
from power_lists.jsonschema import SCHEMA_PATH, render
from power_lists.tabular import HEADERS, TownDirectory
from tests.factories.places import BAISHA, COUNTY, QINGSHAN
from tests.factories.power_list import document, sample_item

TOWNS = TownDirectory({"330199001000": "城东街道", "330199002000": "城西街道", QINGSHAN: "青山镇",
                       BAISHA: "白沙镇", "330199103000": "石门镇", "330199104000": "桃源镇",
                       "330199201000": "龙潭乡"})


def read(name: str, data: bytes) -> dict:
    return read_document(name, data, TOWNS, county_code=COUNTY, county_name="清溪县")


def rejected(name: str, data: bytes) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        read(name, data)
    return [str(p) for p in info.value.problems]


@pytest.fixture(scope="module")
def demo() -> dict:
    return demo_document()


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_round_trip_is_lossless(demo, fmt):
    first = write_document(demo, fmt)
    back = read(f"list.{fmt}", first)
    assert comparable_items(back) == comparable_items(demo)
    again = read(f"list.{fmt}", write_document(back, fmt))
    assert comparable_items(again) == comparable_items(demo)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_that_looks_like_a_formula_stays_text(fmt):
    doc = validate_document(document(sample_item(note="=HYPERLINK(\"http://x\")", sub_item="-1")))
    back = read(f"a.{fmt}", write_document(doc, fmt))
    assert back["items"][0]["note"] == "=HYPERLINK(\"http://x\")" and back["items"][0]["sub_item"] == "-1"


def test_round_trip_across_formats(demo):
    via_csv = read("a.csv", write_csv(demo))
    via_xlsx = read("a.xlsx", write_xlsx(via_csv))
    via_json = read("a.json", write_json(via_xlsx))
    assert comparable_items(via_json) == comparable_items(demo)


def test_published_schema_is_generated_from_the_marshmallow_schemas(demo):
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(), "run: python -m power_lists.jsonschema"
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(write_json(demo)), schema)
    broken = json.loads(write_json(demo))
    broken["items"][0]["power_type"] = "许可"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_demo_list_has_every_power_type_and_delegation_mode(demo):
    assert len(demo["items"]) >= 40
    assert {i["power_type"] for i in demo["items"]} == {
        "licensing", "penalty", "coercion", "levy", "benefit", "inspection", "confirmation", "reward",
        "adjudication", "other", "public_service"}
    assert {i["delegation_mode"] for i in demo["items"]} == {"devolved", "entrusted", "front_window"}
    towns_per_item = {len(i["delegations"]) for i in demo["items"]}
    assert min(towns_per_item) < 7 == max(towns_per_item)


# --- messy spreadsheets -------------------------------------------------------------------------

def _county_sheet() -> openpyxl.Workbook:
    """Like a county's published sheet: title rows, a two-row header with 责任事项 merged over its stages,
    a 事项名称 merged over two 子项 rows, full-width spaces, blank rows and a note under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["清溪县赋予乡镇（街道）县级行政权力事项目录"])
    ws.merge_cells("A1:L1")
    ws.append(["（2026年版）", None, None, None, None, None, None, "填报单位：县司法局"])
    ws.append([])
    ws.append(["序号", "事项名称", "子项", "事项编码", "职权类型", "设定依据", "原实施部门", "承接主体", "赋权方式",
               "赋权乡镇", "责任事项", None, "备注  "])
    ws.append([None, None, None, None, None, None, None, None, None, None, "受理", "审查", None])
    for col in "ABCDEFGHIJM":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("K4:L4")
    ws.append([1, "个体工商户登记", "设立登记", "X-001", "行政许可", "《促进个体工商户发展条例》第九条",
               "县市场监督管理局", "乡镇人民政府", "委托", "青山镇\n白沙镇", "当场登记", "形式审查", ""])
    ws.append([2, None, "变更登记", "X-002", "行政许可", "市场主体登记管理条例第二十四条",
               "县市场监督管理局", "乡镇人民政府", "委托", "330199101000 青山镇", "受理", "审查", ""])
    ws.merge_cells("B6:B7")
    ws.append([3, "对乱扔垃圾的处罚\u3000", None, "X-003  ", "行政处罚", "《城市市容和环境卫生管理条例》第三十四条",
               "县综合行政执法局", "乡镇人民政府", "下放", "全部乡镇（街道）", None, None, "　试点　"])
    ws.append([])
    ws.append(["注：本目录自2026年1月1日起施行。"])
    ws.merge_cells("A10:M10")
    return wb


def _bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_messy_xlsx_with_titles_merged_cells_and_two_row_header():
    doc = read("县清单.xlsx", _bytes(_county_sheet()))
    items = {i["code"]: i for i in doc["items"]}
    assert list(items) == ["X-001", "X-002", "X-003"]
    assert items["X-002"]["name"] == "个体工商户登记"  # merged 事项名称
    assert items["X-002"]["setting_basis"] == [{"law": "市场主体登记管理条例", "article": "第二十四条", "text": ""}]
    assert items["X-001"]["responsibilities"]["intake"] == "当场登记"
    assert items["X-001"]["responsibilities"]["review"] == "形式审查"
    assert [d["town"] for d in items["X-001"]["delegations"]] == [QINGSHAN, BAISHA]
    assert items["X-003"]["name"] == "对乱扔垃圾的处罚" and items["X-003"]["note"] == "试点"
    assert len(items["X-003"]["delegations"]) == 7
    assert items["X-003"]["delegation_mode"] == "devolved"


def _csv_text() -> str:
    header = ",".join(["序号", "事项名称", "事项编码", "职权类型", "设定依据", "原实施部门", "承接主体",
                       "赋权方式", "赋权乡镇", "生效日期", "截止日期", "办件类型", "法定办结时限（工作日）",
                       "承诺办结时限（工作日）", "申请材料"])
    row = ",".join(["1", "乡村建设规划许可证核发", "330199-XK-002", "行政许可",
                    "《中华人民共和国城乡规划法》第四十一条", "县自然资源和规划局", "乡镇人民政府", "下放",
                    "\"青山镇\n白沙镇（2026-03-01至2026-12-31）\"", "2026-01-01", "", "承诺件", "20", "10",
                    "\"M01｜申请表\nM02|身份证明|申请人自备|1|复印件|必要|可容缺\""])
    return f"清溪县赋权事项清单,,,\n\n{header},,\n{row},,\n,,,,\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_counties_use(encoding):
    doc = read("清单.csv", _csv_text().replace("\n", "\r\n").encode(encoding))
    (item,) = doc["items"]
    assert item["name"] == "乡村建设规划许可证核发"
    assert item["delegations"] == [
        {"town": QINGSHAN, "town_name": "青山镇", "valid_from": "2026-01-01", "valid_until": None},
        {"town": BAISHA, "town_name": "白沙镇", "valid_from": "2026-03-01", "valid_until": "2026-12-31"}]
    assert item["guide"]["materials"][1] == {"code": "M02", "name": "身份证明", "source": "申请人自备",
                                             "paper_copies": 1, "form": "复印件", "required": True,
                                             "deferrable": True}


def test_gb18030_only_characters_survive():
    text = _csv_text().replace("乡村建设规划许可证核发", "乡村建设规划许可证核发（䶮堃）")
    (item,) = read("a.csv", text.encode("gb18030"))["items"]
    assert item["name"] == "乡村建设规划许可证核发（䶮堃）"


# --- bad input ----------------------------------------------------------------------------------

def _sheet(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["清单"])
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h, "") if isinstance(row, dict) else "" for h in HEADERS])
    return _bytes(wb)


def _row(**cells: object) -> dict:
    base = {"序号": 1, "事项名称": "事项", "事项编码": "A-1", "职权类型": "行政许可",
            "设定依据": "《中华人民共和国城乡规划法》第四十一条", "原实施部门": "县规划局", "承接主体": "乡镇人民政府",
            "赋权方式": "下放", "赋权乡镇": "青山镇", "办件类型": "承诺件", "法定办结时限（工作日）": 20,
            "承诺办结时限（工作日）": 10}
    base.update(cells)
    return base


def test_every_problem_of_a_bad_sheet_is_located_and_nothing_is_returned():
    messages = rejected("bad.xlsx", _sheet([
        _row(),
        _row(**{"事项编码": "A-1"}),  # duplicate
        _row(**{"事项编码": "A-3", "职权类型": "行政审批"}),
        _row(**{"事项编码": "A-4", "赋权方式": "授权"}),
        _row(**{"事项编码": "A-5", "承诺办结时限（工作日）": 30}),
        _row(**{"事项编码": "A-6", "赋权乡镇": "330199999000 不存在镇\n青山镇\n火星镇"}),
        _row(**{"事项编码": "A-7", "设定依据": ""}),
        _row(**{"事项编码": "A-8", "法定办结时限（工作日）": "二十天"}),
    ]))
    text = "\n".join(messages)
    assert "第4行“事项编码”列：事项编码 A-1 与第3行重复" in text
    assert "第5行“职权类型”列：未知的职权类型“行政审批”" in text
    assert "第6行“赋权方式”列：未知的赋权方式“授权”" in text
    assert "第7行“承诺办结时限（工作日）”列：承诺办结时限（30个工作日）不得超过法定办结时限（20个工作日）" in text
    assert "第8行“赋权乡镇”列：区划代码 330199999000 不是本县的乡镇（街道）；未找到乡镇（街道）“火星镇”" in text
    assert "第9行“设定依据”列：须至少填写一条设定依据" in text
    assert "第10行“法定办结时限（工作日）”列：法定办结时限应为整数" in text
    assert len(messages) == 7


def test_bad_json_items_are_located_by_item_and_field():
    doc = document(sample_item("A-1"), sample_item("A-1"), sample_item("A-3", power_type="permit"),
                   sample_item("A-4", delegations=[{"town": "330199999000"}]),
                   sample_item("A-5", setting_basis=[{"law": "城乡规划法"}]),
                   sample_item("A-6", delegation_mode="entrusted", power_type="coercion"))
    messages = rejected("list.json", json.dumps(doc, ensure_ascii=False).encode())
    text = "\n".join(messages)
    assert "第2项“items[1].code”：事项编码 A-1 与第1项重复" in text
    assert "第3项“items[2].power_type”：取值应为" in text
    assert "第5项“items[4].setting_basis[0].article”：此项为必填项" in text
    assert "行政强制措施权不得委托" in text
    # Towns are checked only once the document is well-formed; a clean file with a foreign town:
    town_messages = rejected("l.json", json.dumps(document(sample_item(
        "B-1", delegations=[{"town": "330199999000"}]))).encode())
    assert town_messages == ["第1项“items[0].delegations[0].town”：区划代码 330199999000 不是本县的乡镇（街道）"]


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("list.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG 图片"),
    ("list.xlsx", b"just some text, not a workbook", "内容不是 Excel 工作簿"),
    ("list.csv", b"\x00\x01\x02\x03binary", "不是文本文件"),
    ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "旧版 Office 文件"),
    ("list.json", b'{"format_version": 1, "items": [', "JSON 格式错误（第1行"),
    ("list.json", json.dumps({"format_version": 2, "items": []}).encode(), "不支持的 format_version"),
    ("list.csv", b"", "文件为空"),
    ("list.csv", "完全无关的表格,第二列\n1,2\n".encode(), "未找到表头"),
])
def test_wrong_files_are_rejected_with_a_reason(name, data, expected):
    messages = rejected(name, data)
    assert any(expected in m for m in messages), messages


def test_truncated_xlsx_is_rejected(demo):
    data = write_xlsx(validate_document(document(sample_item())))
    messages = rejected("list.xlsx", data[: len(data) // 2])
    assert messages == [messages[0]] and "已损坏或不完整" in messages[0]


def test_wrong_encoding_is_rejected():
    # UTF-16 without a BOM is neither UTF-8 nor GB18030 text with a header.
    assert rejected("list.csv", _csv_text().encode("utf-16-le")) == ["文件不是文本文件，无法作为 CSV 或 JSON 读取"]
    (message,) = rejected("list.csv", _csv_text().encode("big5", errors="replace"))
    assert "未找到表头" in message and "请确认编码为 UTF-8 或 GBK" in message
    (message,) = rejected("list.json", json.dumps(document(sample_item()), ensure_ascii=False).encode("gbk"))
    assert message == "JSON 文件应使用 UTF-8 编码"


def test_validate_document_normalises_full_width_spaces():
    doc = validate_document(document(sample_item(name="\u3000测试事项 ", note=" 备注\u3000")))
    assert doc["items"][0]["name"] == "测试事项" and doc["items"][0]["note"] == "备注"


def test_bad_delegations_are_reported_like_any_field():
    doc = document(sample_item("A", delegations=[{"town": QINGSHAN, "valid_until": "2026-13-01"}]),
                   sample_item("B", delegations=[{"town": QINGSHAN, "valid_from": "2026-05-01",
                                                  "valid_until": "2026-04-30"}]),
                   sample_item("C", delegations=[{"town": "青山镇"}]),
                   sample_item("D", delegations=[{"town": QINGSHAN, "since": "2026-01-01"}]))
    messages = rejected("l.json", json.dumps(doc, ensure_ascii=False).encode())
    assert messages == [
        "第1项“items[0].delegations[0].valid_until”：日期格式应为 YYYY-MM-DD",
        "第2项“items[1].delegations[0].valid_until”：截止日期不能早于生效日期",
        "第3项“items[2].delegations[0].town”：乡镇（街道）区划代码应为12位数字",
        "第4项“items[3].delegations[0].since”：未知字段",
    ]
