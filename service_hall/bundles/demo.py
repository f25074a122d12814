"""The demo county's three bundles (一件事), drafted by ``legal`` and published by ``legal2`` through the
ordinary checks (docs/bundles.md). Idempotent: a bundle whose code exists is left alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.bundles import versions
from service_hall.bundles.models import Bundle
from service_hall.jurisdictions.models import Jurisdiction

COUNTY_CODE = "330199000000"
DEMO_BUNDLES: list[dict[str, Any]] = [
    {"code": "rural-housing", "name": "农村建房一件事", "theme": "rural_housing",
     "description": "宅基地审批与乡村建设规划许可一张表单、一套材料：宅基地批准后即核发乡村建设规划许可证。",
     "towns": ["330199101000", "330199102000", "330199103000", "330199104000", "330199201000"],
     "items": [{"code": "330199-XK-001", "after": []}, {"code": "330199-XK-002", "after": ["330199-XK-001"]}],
     "resolutions": {"applicant_name": "330199-XK-001"}},
    {"code": "open-shop", "name": "个体工商户开业一件事", "theme": "individual_business",
     "description": "个体工商户设立登记与户外广告（招牌）设置审批一次申请；取得营业执照后审批广告设置。",
     "towns": ["330199001000", "330199002000"],
     "items": [{"code": "330199-XK-007", "after": []}, {"code": "330199-XK-004", "after": ["330199-XK-007"]}],
     # 设置单位名称 is the shop's name, not the operator's: asked in the advertising part.
     "field_map": {"330199-XK-004": {"applicant_name": ""}}},
    {"code": "senior", "name": "高龄老人一件事", "theme": "elderly",
     "description": "高龄津贴申领与城乡居民基本养老保险参保登记一次办理，参保登记由县人力社保局决定（窗口前移）。",
     "towns": ["330199001000", "330199002000", "330199101000", "330199102000", "330199103000"],
     "items": [{"code": "330199-GF-004", "after": []}, {"code": "330199-GG-003", "after": []}]},
]


def load_demo_bundles(session: Session, *, now: dt.datetime) -> list[Bundle]:
    """Draft and publish the demo bundles the county does not have yet; returns those published."""
    county = session.scalar(select(Jurisdiction).where(Jurisdiction.code == COUNTY_CODE))
    drafter = session.scalar(select(User).where(User.username == "legal"))
    publisher = session.scalar(select(User).where(User.username == "legal2"))
    if county is None or publisher is None:
        return []
    done = []
    for raw in DEMO_BUNDLES:
        if session.scalar(select(Bundle.id).where(Bundle.county_id == county.id, Bundle.code == raw["code"])):
            continue
        draft = versions.save_draft(session, county, raw, actor=drafter, now=now)
        done.append(versions.publish(session, draft, actor=publisher, now=now))
    return done
