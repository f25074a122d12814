"""The made-up county of docs/examples (云岭县, 330188) and helpers to import its files from the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service_hall.extensions import db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COUNTY = "330188000000"
SANXI, TAOYUAN, CHENGGUAN = "330188101000", "330188201000", "330188001000"
TOWNS = {SANXI: ("三溪镇", "镇"), TAOYUAN: ("桃源乡", "乡"), CHENGGUAN: ("城关街道", "街道")}


def make_county(app: Any) -> None:
    """The example county and its three towns (and one village), made with the model directly."""
    from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

    with app.app_context():
        county = Jurisdiction(code=COUNTY, name="云岭县", kind="县", level=JurisdictionLevel.COUNTY)
        db.session.add(county)
        db.session.flush()
        for code, (name, kind) in TOWNS.items():
            town = Jurisdiction(code=code, name=name, kind=kind, level=JurisdictionLevel.TOWN, parent_id=county.id)
            db.session.add(town)
            db.session.flush()
            db.session.add(Jurisdiction(code=code[:9] + "201", name=f"{name}一村", kind="村",
                                        level=JurisdictionLevel.VILLAGE, parent_id=town.id))
        db.session.commit()


@pytest.fixture
def county(app: Any) -> str:
    make_county(app)
    return COUNTY


def cli_json(runner: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(args=[*args, "--json"])
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1])


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def snapshot(app: Any) -> dict[str, int]:
    """Row counts of the tables an import writes (to prove a rejection wrote nothing)."""
    from sqlalchemy import func, select

    from power_lists.models import ItemDelegation, PowerItem, PowerListVersion
    from service_hall.audit.models import AuditRecord
    from service_hall.offices.models import Office

    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (PowerListVersion, PowerItem, ItemDelegation, Office, AuditRecord)}
