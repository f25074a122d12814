"""Demo power list of 清溪县: one published version effective 2026-01-01 with 45 items across every power
type and all three delegation modes; not every town receives every item.

The list is a file in the canonical format (``fixtures/demo-list.json``, format_version 1) and is loaded
through the list's own import path. Idempotent: if the county already has a version, nothing is added.
``DEMO_FORM_KEYS`` maps item codes to the keys of the demo form definitions; items without a key have no
form.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.document import validate_document
from service_hall.jurisdictions.models import Jurisdiction

COUNTY_CODE = "330199000000"
EFFECTIVE_FROM = dt.date(2026, 1, 1)
PUBLISHED_AT = dt.datetime(2025, 12, 19, 2, 0, tzinfo=dt.UTC)  # published before it took effect
DEMO_LIST = Path(__file__).resolve().parent / "fixtures" / "demo-list.json"

DEMO_FORM_KEYS: dict[str, str] = {
    "330199-XK-001": "zhaijidi",
    "330199-XK-002": "xiangcun_guihua",
    "330199-XK-003": "linshi_zhandao",
    "330199-XK-004": "huwai_guanggao",
    "330199-XK-007": "geti_dengji",
    "330199-GF-001": "dibao",
    "330199-GF-005": "weifang_gaizao",
    "330199-QR-002": "shengyu",
    "330199-GF-003": "canji_butie",
    "330199-GF-002": "linshi_jiuzhu",
    "330199-GF-004": "gaoling_jintie",
    "330199-XK-005": "ranqi_jingying",
    "330199-XK-006": "shigong_xuke",
    "330199-QT-001": "yangquan_dengji",
}


def demo_document() -> dict[str, Any]:
    """The demo list as a checked canonical document (checked as an uploaded JSON list is).

    Raises OSError when the fixture is missing, ValueError when it is not JSON, ImportRejected when it is
    not a valid list.
    """
    return validate_document(json.loads(DEMO_LIST.read_text(encoding="utf-8")))


def load_demo_power_list(session: Session, *, now: dt.datetime) -> bool:
    """Create and publish the demo list unless the county already has a list. Returns True if created.

    Raises ImportRejected when the fixture names a town the county does not have.
    """
    from power_lists.files import read_document
    from power_lists.models import PowerListVersion, VersionStatus
    from power_lists.versions import _audit, import_draft, town_directory
    from service_hall.audit.actions import AuditAction

    county = session.scalar(select(Jurisdiction).where(Jurisdiction.code == COUNTY_CODE))
    if county is None:
        return False
    if session.scalar(select(PowerListVersion.id).where(PowerListVersion.county_id == county.id).limit(1)):
        return False
    document = read_document(DEMO_LIST.name, DEMO_LIST.read_bytes(), town_directory(session, county),
                             county_code=county.code, county_name=county.name)
    version = import_draft(session, county, document, actor=None, now=now, filename="demo")
    # The demo list took effect before the demo starts. It is entered as the county published it — some
    # days before it took effect, as the rules require — rather than through review today, which would
    # refuse an effective date in the past. The audit record says when it was entered, and as what.
    version.status = VersionStatus.PUBLISHED
    version.effective_from = EFFECTIVE_FROM
    version.submitted_at = version.published_at = PUBLISHED_AT
    version.review_comment = "演示数据"
    session.flush()
    _audit(session, version, AuditAction.POWER_LIST_PUBLISH, actor=None, now=now, from_state=VersionStatus.DRAFT,
           payload={"effective_from": EFFECTIVE_FROM.isoformat(), "published_at": PUBLISHED_AT.isoformat(),
                    "demo": True})
    return True
