"""Certificate numbers stay unique and gap-free when heads approve at the same moment (PostgreSQL; SQLite
serialises writers, so the race cannot happen there)."""

from __future__ import annotations

import threading

import pytest

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import review
from service_hall.cases.models import Application
from service_hall.certificates.models import Certificate
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.cases import drive, new_case
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.database import is_postgres
from tests.factories.power_list import QUICK

pytestmark = [pytest.mark.skipif(not is_postgres(), reason="concurrency is proven on PostgreSQL (TEST_DATABASE_URL)"),
              pytest.mark.postgres_only, pytest.mark.committing]

PARALLEL = 8


def test_parallel_approvals_take_numbers_one_to_n(app, cworld):
    case_ids = [new_case(app, QUICK) for _ in range(PARALLEL)]
    for case_id in case_ids:
        drive(app, case_id, "accept")
    barrier = threading.Barrier(PARALLEL)
    errors: list[BaseException] = []

    def approve(case_id: int) -> None:
        try:
            with app.app_context():
                case = db.session.get(Application, case_id)
                head = user("boss2")
                barrier.wait()
                review.approve(ctx_for(head, at("2026-11-23"), calendar=WorkingCalendar()), case)
                db.session.commit()
        except BaseException as exc:  # reported below; a thread must not swallow it
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(case_id,)) for case_id in case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        numbers = sorted(db.session.scalars(db.select(Certificate.number)))
        issued = {c.application_id: c.number for c in db.session.scalars(db.select(Certificate))}
    assert numbers == [f"3301991012026{seq:06d}" for seq in range(1, PARALLEL + 1)]
    assert set(issued) == set(case_ids)
