"""Fixtures for the search: the demo county with its published demo list and the demo aliases."""

from __future__ import annotations

from typing import Any

import pytest

from service_hall.extensions import db
from tests.factories.clock import NOW

COUNTY = "330199000000"
QINGSHAN = "330199101000"
CHENGDONG = "330199001000"


@pytest.fixture
def demo_search(app: Any, factory: Any) -> None:
    """清溪县 with its towns, the published demo list and the demo aliases; the clock pinned to NOW."""
    from power_lists.demo import load_demo_power_list
    from service_hall.jurisdictions.operations import by_code
    from service_hall.search.aliases import load_demo_aliases

    factory.demo_jurisdictions()
    app.config["FIXED_NOW"] = NOW
    with app.app_context():
        assert load_demo_power_list(db.session, now=NOW)
        load_demo_aliases(db.session, by_code(db.session, COUNTY), now=NOW)
        db.session.commit()
