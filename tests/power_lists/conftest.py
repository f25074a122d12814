"""Fixtures for the power list: the demo county with its published demo list and two legal officers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from service_hall.extensions import db
from tests.conftest import NOW

COUNTY = "330199000000"
QINGSHAN = "330199101000"
BAISHA = "330199102000"
CHENGDONG = "330199001000"


@pytest.fixture
def demo_list(app: Any, factory: Any) -> None:
    """清溪县 with its towns and the published demo list (effective 2026-01-01)."""
    from power_lists.demo import load_demo_power_list

    factory.demo_jurisdictions()
    with app.app_context():
        assert load_demo_power_list(db.session, now=NOW)
        db.session.commit()


@pytest.fixture
def legal(factory: Any) -> tuple[int, int]:
    """Two legal officers of the county (ids): a drafter and a reviewer."""
    factory.demo_jurisdictions()
    return factory.staff("fz1", "legal", COUNTY), factory.staff("fz2", "legal", COUNTY)


@pytest.fixture
def fixed_now(app: Any) -> Any:
    app.config["FIXED_NOW"] = NOW
    return NOW


def sample_item(code: str = "330199-XK-901", **overrides: Any) -> dict[str, Any]:
    """A valid raw item in the canonical JSON form."""
    item: dict[str, Any] = {
        "code": code, "name": "测试许可事项", "power_type": "licensing",
        "setting_basis": [{"law": "中华人民共和国城乡规划法", "article": "第四十一条", "text": ""}],
        "original_department": "清溪县自然资源和规划局", "receiving_body": "乡镇人民政府",
        "delegation_mode": "devolved",
        "delegations": [{"town": QINGSHAN, "valid_from": None, "valid_until": None}],
        "accountability": [{"code": "late_decision", "situation": "逾期未作出决定的",
                            "basis": "《中华人民共和国行政许可法》第七十四条"}],
        "guide": {"case_type": "promised", "statutory_days": 20, "promised_days": 10,
                  "materials": [{"code": "M01", "name": "申请书"}]},
    }
    item.update(overrides)
    return item


def document(*items: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": 1, "county": {"code": COUNTY, "name": "清溪县"},
            "items": [copy.deepcopy(i) for i in items]}
