"""Fixtures for the power list: the demo county with its published demo list and two legal officers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.accounts import LEGAL_OFFICERS
from tests.factories.clock import NOW
from tests.factories.power_list import demo_list as publish_demo_list


@pytest.fixture
def demo_list(app: Any, factory: Any) -> None:
    """清溪县 with its towns and the published demo list (effective 2026-01-01)."""
    factory.demo_jurisdictions()
    publish_demo_list(app)


@pytest.fixture
def legal(factory: Any) -> tuple[int, int]:
    """Two legal officers of the county (ids): a drafter and a reviewer."""
    factory.demo_jurisdictions()
    return tuple(factory.all_staff(LEGAL_OFFICERS).values())


@pytest.fixture
def fixed_now(app: Any) -> Any:
    app.config["FIXED_NOW"] = NOW
    return NOW
