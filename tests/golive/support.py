"""Take the example county through its files: offices, list, guide, publication."""

from __future__ import annotations

from typing import Any

from tests.golive.conftest import COUNTY, EXAMPLES, cli_json

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
