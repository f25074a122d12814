"""The evaluation report as a spreadsheet (openpyxl, with native bar charts) and as a PDF (the document
pipeline's WeasyPrint and CJK fonts). Flask-free."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from service_hall.cases.clock import local_date
from service_hall.core.cells import keep_as_text
from service_hall.evaluation.report import EvaluationReport
from service_hall.evaluation.tables import (
    BUNDLE_COLUMNS,
    BUNDLE_NOTE,
    COMPACT_COLUMNS,
    EXCEL_FORMATS,
    FIGURE_COLUMNS,
    PDF_UNUSED_LISTED,
    charts,
)

if TYPE_CHECKING:
    from openpyxl.chart import BarChart
    from openpyxl.worksheet.worksheet import Worksheet

# openpyxl is imported by the functions that write a workbook: a web worker that never exports does not
# carry it (docs/architecture.md, "Long work in the worker").
HEADER_COLOUR = "DDE7F3"


def file_stem(report: EvaluationReport) -> str:
    return f"赋权事项评估报告_{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"


def _title_rows(sheet: Worksheet, title: str, report: EvaluationReport, scope: str, width: int) -> int:
    keep_as_text(sheet.cell(row=1, column=1, value=title))
    from openpyxl.styles import Font

    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=f"统计范围：{scope}　统计期间：{report.period.label}")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    return 3  # the header row


def _table(sheet: Worksheet, header_row: int, headers: Sequence[str], rows: Iterable[Sequence[Any]],
           formats: dict[int, str], widths: dict[int, int]) -> int:
    """Write a header and rows from ``header_row``; returns the last row written."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for col, text in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOUR)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    last = header_row
    for last, values in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(values, start=1):
            cell = keep_as_text(sheet.cell(row=last, column=col, value=value))
            if col in formats:
                cell.number_format = formats[col]
    for col in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(col, 11)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2).coordinate
    return last


def _figure_formats(offset: int) -> dict[int, str]:
    return {offset + i: EXCEL_FORMATS[c.kind] for i, c in enumerate(FIGURE_COLUMNS, start=1)}


def _bar_chart(sheet: Worksheet, title: str, column: int, first: int, last: int, *, percent: bool) -> BarChart:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    chart.height = max(6.0, 0.6 * (last - first + 1) + 2)
    chart.width = 16
    chart.add_data(Reference(sheet, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    if percent:
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
    return chart


def to_xlsx(report: EvaluationReport, *, scope: str, title: str = "赋权事项评估报告") -> bytes:
    """Sheets 乡镇汇总 (with bar charts), 事项汇总, 未使用的事项, 一件事, 逐月统计."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    headers = [c.header for c in FIGURE_COLUMNS]
    column_of = {c.attribute: i for i, c in enumerate(FIGURE_COLUMNS)}  # 0-based among the figures

    towns = book.worksheets[0]  # the one sheet a new workbook starts with
    towns.title = "乡镇汇总"
    town_headers = ["乡镇（街道）", "承接事项", "可申请事项", "已使用事项", "未使用事项", *headers]
    start = _title_rows(towns, title, report, scope, len(town_headers))
    town_rows = [[t.town.name, len(t.held), t.held_applications, t.used, len(t.unused),
                  *(c.value(t.figures) for c in FIGURE_COLUMNS)] for t in report.towns]
    total = ["合计", sum(len(t.held) for t in report.towns), sum(t.held_applications for t in report.towns),
             sum(t.used for t in report.towns), report.unused_total, *(c.value(report.total) for c in FIGURE_COLUMNS)]
    last = _table(towns, start, town_headers, [*town_rows, total], _figure_formats(5), {1: 16})
    for cell in towns[last]:
        cell.font = Font(bold=True)
    if report.towns:
        first, final = start + 1, start + len(report.towns)
        anchor_row = last + 3
        towns.add_chart(_bar_chart(towns, "各乡镇（街道）收件数", 6 + column_of["received"], first, final,
                                   percent=False), f"A{anchor_row}")
        towns.add_chart(_bar_chart(towns, "各乡镇（街道）按承诺时限办结率", 6 + column_of["on_time_rate"], first,
                                   final, percent=True), f"J{anchor_row}")

    powers = book.create_sheet("事项汇总")
    power_headers = ["事项编码", "事项名称", "职权类型", "赋权方式", "承接乡镇数", *headers, "未使用的乡镇（街道）"]
    start = _title_rows(powers, title, report, scope, len(power_headers))
    _table(powers, start, power_headers, [
        [p.code, p.name, p.power_type.label if p.power_type else "",
         p.delegation_mode.label if p.delegation_mode else "", len(p.towns_holding),
         *(c.value(p.figures) for c in FIGURE_COLUMNS), "、".join(t.name for t in p.towns_unused)]
        for p in report.powers], _figure_formats(5), {1: 18, 2: 30, len(power_headers): 30})

    unused = book.create_sheet("未使用的事项")
    start = _title_rows(unused, title, report, scope, 5)
    _table(unused, start, ["乡镇（街道）", "事项编码", "事项名称", "职权类型", "赋权方式"], [
        [t.town.name, p.code, p.name, p.power_type.label, p.delegation_mode.label]
        for t in report.towns for p in t.unused], {}, {1: 16, 2: 18, 3: 30})

    bundles = book.create_sheet("一件事")
    start = _title_rows(bundles, title, report, scope, len(BUNDLE_COLUMNS) + 1)
    last = _table(bundles, start, ["一件事", *(c.header for c in BUNDLE_COLUMNS)],
                  [[b.name, *(c.value(b) for c in BUNDLE_COLUMNS)] for b in report.bundles]
                  or [["统计期间没有“一件事”申请"]],
                  {i: EXCEL_FORMATS[c.kind] for i, c in enumerate(BUNDLE_COLUMNS, start=2)}, {1: 24, 4: 16, 5: 16})
    bundles.cell(row=last + 2, column=1, value=BUNDLE_NOTE)

    months = book.create_sheet("逐月统计")
    start = _title_rows(months, title, report, scope, len(headers) + 1)
    _table(months, start, ["月份", *headers],
           [[f"{m.start.year}年{m.start.month}月", *(c.value(f) for c in FIGURE_COLUMNS)] for m, f in report.months],
           _figure_formats(1), {1: 12})

    book.properties.title = title
    book.properties.creator = "service_hall"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(report: EvaluationReport, *, scope: str, title: str = "赋权事项评估报告",
           generated_at: dt.datetime | None = None) -> bytes:
    """The report as a landscape A4 PDF with the same tables and the bar charts."""
    from service_hall.documents.rendering import html_to_pdf, render_html

    html = render_html("evaluation_report.html", {
        "title": title, "scope": scope, "report": report, "columns": FIGURE_COLUMNS, "compact": COMPACT_COLUMNS,
        "bundle_columns": BUNDLE_COLUMNS, "bundle_note": BUNDLE_NOTE,
        "list_unused": report.unused_total <= PDF_UNUSED_LISTED, "charts": charts(report),
        "generated_on": local_date(generated_at or dt.datetime.now(dt.UTC))})
    return html_to_pdf(html)
