"""The demo county 清溪县 and its towns, as ``service_hall.demo`` loads them."""

from __future__ import annotations

from typing import Any

COUNTY = "330199000000"  # 清溪县
QINGSHAN = "330199101000"  # 青山镇
BAISHA = "330199102000"  # 白沙镇
CHENGDONG = "330199001000"  # 城东街道


def demo_jurisdictions(app: Any) -> None:
    """The county with its towns and villages, committed."""
    from service_hall.demo import load_jurisdictions
    from service_hall.extensions import db

    with app.app_context():
        load_jurisdictions(db.session)
        db.session.commit()


def jurisdiction(code: str) -> Any:
    """The jurisdiction with ``code``, in the current app context's session."""
    from service_hall.extensions import db
    from service_hall.jurisdictions.models import Jurisdiction

    return db.session.query(Jurisdiction).filter_by(code=code).one()
