"""Files as counties keep them, a snapshot of what the imports may change, and the example county taken
through its files: offices, list, guide, publication."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import text

from service_hall.extensions import db
from tests.golive.conftest import cli_json

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = ["区划代码", "名称", "上级区划代码", "类型"]
YUNLING = [
    HEADER,
    ["330188000000", "云岭县", "", "县"],
    ["330188001000", "城关街道", "330188000000", "街道"],
    ["330188101000", "三溪镇", "330188000000", "镇"],
    ["330188201000", "桃源乡", "330188000000", "乡"],
    ["330188001001", "城关社区", "330188001000", "社区"],
    ["330188101001", "三溪村", "330188101000", "村"],
    ["330188101002", "溪口村", "330188101000", "村"],
    ["330188201001", "桃源村", "330188201000", "村"],
]
COUNTY, CHENGGUAN, SANXI, TAOYUAN = "330188000000", "330188001000", "330188101000", "330188201000"
SANXI_VILLAGE = "330188101001"
STAFF_HEADER = ["姓名", "手机号", "角色", "所属乡镇/部门"]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, title: str | None = None) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def snapshot(app: Any) -> list[Any]:
    """Every row the imports can write, to compare before and after a rejected file."""
    with app.app_context():
        tables = ["jurisdictions", "users", "user_roles", "audit_records"]
        return [list(db.session.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()) for t in tables]


def import_yunling(app: Any, rows: list[list[str]] | None = None) -> None:
    from service_hall.jurisdictions.imports import import_jurisdictions
    from tests.factories.clock import NOW

    with app.app_context():
        import_jurisdictions(db.session, "j.csv", csv_bytes(rows or YUNLING), now=NOW)
        db.session.commit()

# --- the example county's list, guide and publication ---------------------------------------

FORM = {"format_version": 1, "title": "申请表",
        "fields": [{"name": "applicant_name", "label": "申请人姓名", "type": "text", "required": True,
                    "max_length": 50}],
        "materials": []}


def go_live(runner: Any, factory: Any, *, guide: bool = True, effective_from: str = "2026-01-01") -> None:
    """Offices, list and (optionally) guide imported, then published by two legal officers."""
    factory.staff("legal-a", "legal", COUNTY)
    factory.staff("legal-b", "legal", COUNTY)
    assert runner.invoke(args=["offices", "import", str(EXAMPLES / "offices.csv")]).exit_code == 0
    assert cli_json(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"))[0] == 0
    if guide:
        result = runner.invoke(args=["power-list", "import-guide", str(EXAMPLES / "guide.xlsx")])
        assert result.exit_code == 0, result.output
    publish(runner, effective_from)


def publish(runner: Any, effective_from: str) -> None:
    import datetime as dt

    from service_hall.core import base

    # Publication refuses dates before today: publish "on" the effective date.
    day = dt.date.fromisoformat(effective_from)
    real = base.utcnow
    base.utcnow = lambda: dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC)  # type: ignore[assignment]
    try:
        import service_hall.cli_power_list as cli

        saved = cli.utcnow
        cli.utcnow = base.utcnow  # type: ignore[assignment]
        result = runner.invoke(args=["power-list", "publish", "--as", "legal-a", "--review-by", "legal-b",
                                     "--effective-from", effective_from])
        cli.utcnow = saved
    finally:
        base.utcnow = real  # type: ignore[assignment]
    assert result.exit_code == 0, result.output


def item_id(app: Any, name: str, number: int | None = None) -> int:
    from power_lists.models import PowerItem, PowerListVersion
    from service_hall.extensions import db

    with app.app_context():
        query = db.session.query(PowerItem).join(PowerListVersion).filter(PowerItem.name == name)
        if number is not None:
            query = query.filter(PowerListVersion.number == number)
        return query.order_by(PowerListVersion.number.desc()).first().id
