"""一件事 in the evaluation report: per bundle, over a period, the bundle cases received, those finished,
how long they took end to end against what the same items would have taken one after another, and
the visits they needed (docs/bundles.md, "Figures").

Definitions, in the words the report prints:
- 收件: bundle cases submitted in the period.
- 已办结: of those, the ones whose every item case has ended (decided, refused or withdrawn).
  An item case ends with its decision (准予 / 不予) or its closing.
- 全程用时（自然日）: per finished bundle case, from its submission to the end of its last item case,
  averaged; 各事项用时之和: the same items' own durations (each from its submission to its end) added
  up, averaged — what applying item by item, one after another, would have taken.
- 到现场次数: visits recorded on any of its item cases, per bundle case.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from service_hall.bundles.models import BundleCase, BundleCaseItem
from service_hall.cases.clock import local_date
from service_hall.cases.models import Application, Visit
from service_hall.evaluation.report import BundleFigures, EvaluationReport


def _end(case: Application) -> dt.datetime | None:
    """When the item case ended: its decision, or its closing (refused, withdrawn); None while open."""
    if case.status.is_final:
        return case.closed_at or case.decided_at
    return case.decided_at


def bundle_figures(session: Session, town_ids: Sequence[int], first: dt.datetime,
                   after: dt.datetime) -> list[BundleFigures]:
    """The figures of every bundle with cases submitted in [first, after) in ``town_ids``, by name."""
    rows = list(session.scalars(
        select(BundleCase).where(BundleCase.town_id.in_(list(town_ids)), BundleCase.submitted_at >= first,
                                 BundleCase.submitted_at < after)
        .options(selectinload(BundleCase.links).selectinload(BundleCaseItem.application),
                 selectinload(BundleCase.bundle))))
    visits: dict[int, int] = {}
    if rows:
        for bundle_case_id, count in session.execute(
                select(BundleCaseItem.bundle_case_id, func.count(Visit.id))
                .join(Visit, Visit.application_id == BundleCaseItem.application_id)
                .where(BundleCaseItem.bundle_case_id.in_([r.id for r in rows]))
                .group_by(BundleCaseItem.bundle_case_id)):
            visits[bundle_case_id] = count
    out: dict[str, BundleFigures] = defaultdict(lambda: BundleFigures("", ""))
    for bundle_case in rows:
        figures = out[bundle_case.bundle.code]
        figures.code, figures.name = bundle_case.bundle.code, bundle_case.bundle.name
        figures.received += 1
        figures.visits += visits.get(bundle_case.id, 0)
        cases = bundle_case.cases
        ends = [_end(c) for c in cases]
        if not cases or any(e is None for e in ends):
            continue
        figures.finished += 1
        start = local_date(bundle_case.submitted_at)
        figures.end_to_end_days += (max(local_date(e) for e in ends if e) - start).days
        figures.item_days += sum((local_date(e) - local_date(c.submitted_at or bundle_case.submitted_at)).days
                                 for c, e in zip(cases, ends, strict=True) if e)
    return sorted(out.values(), key=lambda f: f.name)


def add_to_report(session: Session, report: EvaluationReport) -> EvaluationReport:
    """Fill ``report.bundles`` for the report's towns and period: the page, the spreadsheet and the PDF."""
    report.bundles = bundle_figures(session, [t.town.id for t in report.towns], *report.period.utc_bounds())
    return report
