"""What the evaluation report shows, defined once for the page, the PDF and the spreadsheet: the figure
columns (header, attribute, kind) and the bar charts (label, fraction of the longest bar, printed value)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from markupsafe import Markup

from service_hall.evaluation.report import BundleFigures, EvaluationReport, Figures


class Kind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    SCORE = "score"
    AVERAGE = "average"  # days or visits per case, to one or two decimals


@dataclass(frozen=True)
class Column:
    header: str
    attribute: str
    kind: Kind = Kind.COUNT

    def value(self, figures: Figures | BundleFigures) -> int | float | None:
        return getattr(figures, self.attribute)

    def text(self, figures: Figures | BundleFigures) -> str:
        return show(self.value(figures), self.kind)


FIGURE_COLUMNS = (
    Column("收件", "received"),
    Column("作出决定", "decided"),
    Column("准予许可", "approved"),
    Column("不予许可", "denied"),
    Column("不予受理", "refused"),
    Column("撤回", "withdrawn"),
    Column("视为受理", "deemed_accepted"),
    Column("按承诺时限办结率", "on_time_rate", Kind.RATE),
    Column("法定时限内办结率", "statutory_rate", Kind.RATE),
    Column("最多跑一次比例", "at_most_one_rate", Kind.RATE),
    Column("评价数", "ratings"),
    Column("平均评分", "average_rating", Kind.SCORE),
    Column("好评率", "satisfaction_rate", Kind.RATE),
    Column("差评", "poor_ratings"),
    Column("追责情形", "triggers"),
)

# 一件事 per bundle (docs/bundles.md, "Figures"): on the page, in the PDF and in the spreadsheet.
BUNDLE_COLUMNS = (
    Column("收件", "received"),
    Column("已办结", "finished"),
    Column("全程用时（自然日，平均）", "average_days", Kind.AVERAGE),
    Column("各事项用时之和（自然日，平均）", "average_item_days", Kind.AVERAGE),
    Column("到现场次数（每件）", "visits_per_case", Kind.AVERAGE),
)
BUNDLE_NOTE = ("一件事：全程用时自提交至最后一个事项作出决定（或终止）；各事项用时之和为各事项分别用时相加，"
               "即逐项申请、依次办理所需时间。")

COLUMN = {c.attribute: c for c in FIGURE_COLUMNS}
# What the public monthly statistics show (accountability and visit records stay internal).
PUBLIC_COLUMNS = tuple(COLUMN[a] for a in ("received", "decided", "approved", "denied", "refused", "on_time_rate",
                                           "statutory_rate", "ratings", "average_rating", "satisfaction_rate"))
# The per-power table of the PDF, which runs to many pages on a long list.
COMPACT_COLUMNS = tuple(COLUMN[a] for a in ("received", "decided", "on_time_rate", "statutory_rate", "ratings",
                                            "average_rating", "poor_ratings", "triggers"))
# Beyond this many unused powers the PDF gives counts per town; the spreadsheet always lists them all.
PDF_UNUSED_LISTED = 200
BAR_COLOUR = "#2b6cb0"
EXCEL_FORMATS = {Kind.COUNT: "0", Kind.RATE: "0.0%", Kind.SCORE: "0.00", Kind.AVERAGE: "0.0#"}


def show(value: Any, kind: Kind) -> str:
    if value is None:
        return "—"
    if kind is Kind.RATE:
        return f"{value * 100:.1f}%"
    if kind is Kind.SCORE:
        return f"{value:.2f}"
    if kind is Kind.AVERAGE:
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Bar:
    label: str
    fraction: float  # of the chart's width, 0–1
    text: str

    @property
    def svg(self) -> Markup:
        """The bar as inline SVG (no text inside, so it needs no font), shared by the page and the PDF."""
        return Markup('<svg viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
                      f'<rect x="0" y="0" width="{self.fraction * 100:.1f}" height="4" fill="{BAR_COLOUR}"/></svg>')


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]


FULL_SCALE = {Kind.RATE: 1.0, Kind.SCORE: 5.0}  # counts are scaled to the largest one


def _chart(title: str, rows: list[tuple[str, Figures]], column: Column) -> Chart:
    values = [column.value(f) for _, f in rows]
    scale = FULL_SCALE.get(column.kind) or max([v for v in values if v is not None] + [1])
    return Chart(title, [Bar(label, (value or 0) / scale, show(value, column.kind))
                         for (label, _), value in zip(rows, values, strict=True)])


def charts(report: EvaluationReport) -> list[Chart]:
    """Cases per town, on-time rate per town, and cases per month."""
    towns = [(t.town.name, t.figures) for t in report.towns]
    months = [(f"{m.start.year}年{m.start.month}月", f) for m, f in report.months]
    return [_chart("各乡镇（街道）收件数", towns, COLUMN["received"]),
            _chart("各乡镇（街道）按承诺时限办结率", towns, COLUMN["on_time_rate"]),
            _chart("逐月收件数", months, COLUMN["received"])]
