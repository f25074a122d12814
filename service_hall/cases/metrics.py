"""Figures supervisors watch: "one visit at most" (最多跑一次) measured from the recorded visits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from service_hall.cases.models import Application, CaseStatus, Visit
from service_hall.jurisdictions.models import Jurisdiction

FINISHED = (CaseStatus.DELIVERED, CaseStatus.REFUSED, CaseStatus.DENIED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED)


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


def visit_figures(session: Session, towns: Iterable[Jurisdiction]) -> list[TownVisits]:
    """Per town, over its finished applications: how many needed no visit, at most one, and the mean."""
    towns = list(towns)
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
        out.append(TownVisits(town=town, finished=int(r[1]) if r else 0, visits=int(r[2] or 0) if r else 0,
                              zero_visits=int(r[3] or 0) if r else 0, at_most_one=int(r[4] or 0) if r else 0))
    return out

