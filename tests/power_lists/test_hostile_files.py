"""Hostile uploads of a power list (tests/data/hostile/): bombs, huge, truncated and mis-encoded files
are refused quickly and whole, each with a located error."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from power_lists.document import validate_document
from power_lists.errors import ImportRejected
from power_lists.files import MAX_ROWS, write_xlsx
from tests.factories.power_list import document, sample_item
from tests.power_lists.test_formats import read, rejected

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"

EXPECTED = {
    "truncated.xlsx": "已损坏或不完整",
    "image-named.xlsx": "PNG 图片",
    "truncated-utf8.json": "不完整",
    "utf16-without-bom.csv": "不是文本文件",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stored_hostile_file_is_refused_with_its_reason(name):
    messages = rejected(name, (HOSTILE / name).read_bytes())
    assert any(EXPECTED[name] in m for m in messages), messages


def test_a_merged_range_over_the_whole_sheet_is_read_quickly():
    started = time.monotonic()
    document_ = read("whole-sheet-merge.xlsx", (HOSTILE / "whole-sheet-merge.xlsx").read_bytes())
    assert time.monotonic() - started < 10
    assert len(document_["items"]) == 1


def _workbook_with(member: str, content: bytes) -> bytes:
    """A valid list workbook with one member replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(write_xlsx(validate_document(document(sample_item())))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(member, content)
    return out.getvalue()


def test_a_decompression_bomb_is_refused_before_it_inflates():
    # About 40 KB on the wire, 40 MB of whitespace inside the sheet.
    bomb = _workbook_with("xl/worksheets/sheet1.xml", b'<?xml version="1.0"?>' + b" " * (40 * 1024 * 1024))
    assert len(bomb) < 200 * 1024
    started = time.monotonic()
    messages = rejected("bomb.xlsx", bomb)
    assert time.monotonic() - started < 5
    assert any("xl/worksheets/sheet1.xml" in m and "压缩炸弹" in m for m in messages), messages


def test_a_member_compressed_too_well_is_refused():
    bomb = _workbook_with("xl/sharedStrings.xml", b"<a/>" * (2 * 1024 * 1024))  # 8 MB, ratio far above 150
    messages = rejected("ratio.xlsx", bomb)
    assert any("xl/sharedStrings.xml" in m and "压缩比" in m for m in messages), messages


def test_too_many_rows_in_a_workbook_are_refused_at_the_first_row_over():
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'
                   for n in range(1, MAX_ROWS + 50))
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<sheetData>{rows}</sheetData></worksheet>").encode()
    messages = rejected("long.xlsx", _workbook_with("xl/worksheets/sheet1.xml", sheet))
    assert messages == [f"第{MAX_ROWS + 1}行：工作表“赋权事项清单”超过 {MAX_ROWS} 行上限，此行起未读取；"
                        "请核对文件或分批导入"]


def test_a_csv_of_millions_of_rows_is_refused_quickly():
    huge = ("序号,事项名称\n" + "1,x\n" * 6_500_000).encode()
    started = time.monotonic()
    messages = rejected("huge.csv", huge)
    assert time.monotonic() - started < 10
    assert messages == [f"第{MAX_ROWS + 1}行：文件超过 {MAX_ROWS} 行上限，此行起未读取；请核对文件或分批导入"]


def test_a_json_list_of_too_many_items_is_refused():
    import json

    doc = {"format_version": 1, "county": {"code": "330199000000", "name": "清溪县"}, "items": [{}] * (MAX_ROWS + 1)}
    messages = rejected("many.json", json.dumps(doc).encode())
    assert any(f"超过 {MAX_ROWS} 项" in m for m in messages), messages


def test_the_staff_and_jurisdiction_imports_refuse_a_bomb_before_it_inflates(app):
    """The county's small tables (staff, jurisdictions, offices) share the reader of the power list's
    limits (service_hall/core/sheets.py)."""
    from service_hall.accounts.imports import preview_staff_import
    from service_hall.extensions import db
    from service_hall.jurisdictions.imports import preview_import
    from tests.factories.clock import NOW

    bomb = _workbook_with("xl/worksheets/sheet1.xml", b'<?xml version="1.0"?>' + b" " * (40 * 1024 * 1024))
    with app.app_context():
        for preview in (lambda: preview_staff_import(db.session, "staff.xlsx", bomb, now=NOW),
                        lambda: preview_import(db.session, "areas.xlsx", bomb, now=NOW)):
            started = time.monotonic()
            with pytest.raises(ImportRejected) as info:
                preview()
            assert time.monotonic() - started < 5
            assert any("压缩炸弹" in str(p) for p in info.value.problems), info.value.problems


def test_a_town_code_and_name_that_disagree_are_located():
    from power_lists.files import write_csv
    from tests.factories.places import QINGSHAN

    text = write_csv(validate_document(document(sample_item()))).decode("utf-8-sig")
    assert QINGSHAN in text
    line = next(row for row in text.splitlines()[1:] if QINGSHAN in row)
    cell = next(c for c in line.split(",") if QINGSHAN in c)
    bad = text.replace(cell, f"{QINGSHAN} 白沙镇")
    messages = rejected("a.csv", bad.encode("utf-8-sig"))
    expected = f"区划代码 {QINGSHAN} 是青山镇，与所写名称“白沙镇”不一致"
    assert any("第2行" in m and expected in m for m in messages), messages
