"""Exports never carry live formulas: text starting with = + - @ stays text in CSV and XLSX
(service_hall/core/cells.py)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from power_lists.document import validate_document
from power_lists.files import read_document, write_csv, write_xlsx
from tests.factories.clock import at
from tests.factories.places import COUNTY, QINGSHAN
from tests.factories.power_list import ITEM, document, sample_item
from tests.factories.web import signed_in
from tests.power_lists.test_formats import TOWNS

HOSTILE = {"name": "=HYPERLINK(\"http://evil.example\",\"点此\")", "sub_item": "+SUM(1,2)",
           "note": "@cmd|' /C calc'!A0", "original_department": "-2+3"}


def _doc() -> dict:
    return validate_document(document(sample_item(**HOSTILE)))


def test_csv_export_puts_an_apostrophe_before_formula_text():
    rows = list(csv.reader(io.StringIO(write_csv(_doc()).decode("utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    for value in HOSTILE.values():
        assert "'" + value in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_csv_export_reads_back_unchanged():
    back = read_document("a.csv", write_csv(_doc()), TOWNS, county_code=COUNTY)
    for key, value in HOSTILE.items():
        assert back["items"][0][key] == value


def test_power_list_xlsx_has_no_formula_cells():
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(_doc())))
    assert [c.coordinate for row in book.active.iter_rows() for c in row if c.data_type == "f"] == []


@pytest.mark.usefixtures("rworld")
def test_evaluation_xlsx_has_no_formula_cells(app):
    from sqlalchemy import text

    from service_hall.extensions import db
    from tests.factories.cases import new_case

    app.config["FIXED_NOW"] = at("2026-11-23")
    new_case(app, day="2026-11-02")
    with app.app_context():
        # As an imported list could have named it (published rows are frozen to the ORM, hence SQL).
        db.session.execute(text("UPDATE power_items SET name = :name WHERE code = :code"),
                           {"name": HOSTILE["name"], "code": ITEM})
        db.session.commit()
    resp = signed_in(app, "super").get("/supervision/evaluation.xlsx?from=2026-01-01&to=2026-11-23")
    assert resp.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    formulas = [f"{s.title}!{c.coordinate}" for s in book.worksheets for row in s.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []
    names = [c.value for row in book["事项汇总"].iter_rows() for c in row]
    assert HOSTILE["name"] in names


def _formulas(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [f"{s.title}!{c.coordinate}" for s in book.worksheets for row in s.iter_rows() for c in row
            if c.data_type == "f"]


def test_jurisdiction_exports_keep_formula_text_as_text(app, factory):
    from sqlalchemy import text

    from service_hall.extensions import db
    from service_hall.jurisdictions.imports import export_jurisdictions, preview_import

    factory.demo_jurisdictions()
    with app.app_context():
        db.session.execute(text("UPDATE jurisdictions SET name = :name WHERE code = :code"),
                           {"name": HOSTILE["name"], "code": QINGSHAN})
        db.session.commit()
        content = export_jurisdictions(db.session, "csv")
        cells = [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
        assert "'" + HOSTILE["name"] in cells
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
        xlsx = export_jurisdictions(db.session, "xlsx")
        assert _formulas(xlsx) == []
        # Both files import back with nothing changed: the apostrophe is not taken as part of the name.
        for fmt, data in (("csv", content), ("xlsx", xlsx)):
            assert preview_import(db.session, f"x.{fmt}", data, now=at("2026-11-23")).changes == ()
