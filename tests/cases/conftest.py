from __future__ import annotations

import datetime as dt

import pytest

from forms.validators import id_number_check_char
from tests.cases.seed import BAISHA, QINGSHAN, seed_power_list

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32


def at(day: str, hour: int = 10) -> dt.datetime:
    """A Beijing-time moment on ``day``."""
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour - 8, 0, tzinfo=dt.timezone.utc)


def valid_id(prefix: str = "33012719850312001") -> str:
    return prefix + id_number_check_char(prefix)


@pytest.fixture
def world(app, factory):
    factory.demo_jurisdictions()
    seed_power_list(app)
    ids = {
        "applicant": factory.applicant(mobile="13900000001", name="李堃"),
        "other_applicant": factory.applicant(mobile="13900000002", name="张喆"),
        "clerk": factory.staff("clerk1", "clerk", QINGSHAN),
        "clerk2": factory.staff("clerk2", "clerk", QINGSHAN),
        "foreign_clerk": factory.staff("clerk.baisha", "clerk", BAISHA),
        "reviewer": factory.staff("rev1", "reviewer", QINGSHAN),
    }
    return ids


def form_data(**overrides):
    data = {
        "applicant_name": "李堃", "applicant_id": valid_id(), "phone": "13900000001",
        "site_village": "330199101001", "site_detail": "青山村3组12号", "area": "120",
        "period_start": "2026-12-01", "period_end": "2027-03-01",
    }
    data.update(overrides)
    return data
