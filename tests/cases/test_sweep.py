from __future__ import annotations

import datetime as dt

from power_lists.models import PowerListVersion, VersionStatus
from service_hall.cases.sweep import run_sweep
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from tests.factories.clock import at


def test_daily_sweep_supersedes_a_list_version_once_its_successor_is_in_force(app, world):
    with app.app_context():
        county = db.session.query(Jurisdiction).filter_by(code="330199000000").one()
        db.session.add(PowerListVersion(county=county, number=2, status=VersionStatus.PUBLISHED, title="第二版",
                                        effective_from=dt.date(2026, 12, 1), created_at=at("2026-11-01"),
                                        published_at=at("2026-11-02")))
        db.session.commit()
        assert run_sweep(db.session, now=at("2026-11-30")).superseded == []
        result = run_sweep(db.session, now=at("2026-12-01"))
        db.session.commit()
        assert [v.number for v in result.superseded] == [1]
        statuses = {v.number: v.status for v in db.session.query(PowerListVersion)}
        assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.PUBLISHED}
