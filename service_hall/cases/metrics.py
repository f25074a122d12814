"""Figures supervisors watch: "one visit at most" (最多跑一次) measured from the recorded visits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from service_hall.cases.figures import FINISHED, DailyFigures, TownVisitTotals
from service_hall.cases.models import Application, Visit
from service_hall.jurisdictions.models import Jurisdiction


@dataclass(frozen=True)
class TownVisits:
    town: Jurisdiction
    finished: int  # 办结件数
    zero_visits: int  # 零跑腿
    at_most_one: int  # 最多跑一次
    visits: int  # 来访次数合计

    @property
    def at_most_one_rate(self) -> float | None:
        return self.at_most_one / self.finished if self.finished else None

    @property
    def average(self) -> float | None:
        return self.visits / self.finished if self.finished else None


def visit_figures(session: Session, towns: Iterable[Jurisdiction], *, source: str = "aggregates") -> list[TownVisits]:
    """Per town, over its finished applications: how many needed no visit, at most one, and the mean.

    ``source``: "aggregates" (the towns' totals kept with the daily figures, service_hall/cases/figures.py —
    what the page uses: a row per town), "daily" (the daily figures summed) or "scan" (every finished
    case and its visits counted — the definition, kept to check against)."""
    towns = list(towns)
    if source == "aggregates":
        rows = session.execute(select(
            TownVisitTotals.town_id, TownVisitTotals.finished, TownVisitTotals.finished_visits,
            TownVisitTotals.finished_no_visit, TownVisitTotals.finished_at_most_one)
            .where(TownVisitTotals.town_id.in_([t.id for t in towns]))).all()
    elif source == "daily":
        rows = session.execute(select(
            DailyFigures.town_id, func.sum(DailyFigures.finished), func.sum(DailyFigures.finished_visits),
            func.sum(DailyFigures.finished_no_visit), func.sum(DailyFigures.finished_at_most_one))
            .where(DailyFigures.town_id.in_([t.id for t in towns])).group_by(DailyFigures.town_id)).all()
    else:
        per_case = (select(Application.id.label("case_id"), Application.town_id.label("town_id"),
                           func.count(Visit.id).label("n"))
                    .outerjoin(Visit, Visit.application_id == Application.id)
                    .where(Application.status.in_(FINISHED), Application.town_id.in_([t.id for t in towns]))
                    .group_by(Application.id, Application.town_id)).subquery()
        rows = session.execute(select(
            per_case.c.town_id, func.count(), func.sum(func.coalesce(per_case.c.n, 0)),
            func.sum(case((per_case.c.n == 0, 1), else_=0)), func.sum(case((per_case.c.n <= 1, 1), else_=0)))
            .group_by(per_case.c.town_id)).all()
    by_town = {r[0]: r for r in rows}
    out = []
    for town in towns:
        r = by_town.get(town.id)
        out.append(TownVisits(town=town, finished=int(r[1] or 0) if r else 0, visits=int(r[2] or 0) if r else 0,
                              zero_visits=int(r[3] or 0) if r else 0, at_most_one=int(r[4] or 0) if r else 0))
    return out
