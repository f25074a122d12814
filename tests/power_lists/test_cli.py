"""``flask power-list import / export / diff``."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from power_lists.demo import demo_document
from power_lists.document import comparable_items
from power_lists.files import write_csv, write_json
from power_lists.models import PowerListVersion, VersionStatus
from service_hall.extensions import db


def test_import_export_diff(app, runner, demo_list, legal, tmp_path):
    doc = demo_document()
    doc["items"] = doc["items"][:-1]
    doc["items"][0]["name"] = "农村村民宅基地审批（修订）"
    source = tmp_path / "清单.csv"
    source.write_bytes(write_csv(doc))
    result = runner.invoke(args=["power-list", "import", str(source), "--effective-from", "2099-01-01",
                                 "--publish-as", "fz1", "--review-by", "fz2"])
    assert result.exit_code == 0, result.output
    assert "已导入 44 个事项：第2版（已发布，2099-01-01 起生效）" in result.output
    with app.app_context():
        v2 = db.session.scalar(select(PowerListVersion).where(PowerListVersion.number == 2))
        assert v2.status is VersionStatus.PUBLISHED and v2.created_by.username == "fz1"
        assert v2.reviewed_by.username == "fz2"
    out = tmp_path / "out.json"
    result = runner.invoke(args=["power-list", "export", "--format", "json", "--version", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert comparable_items(json.loads(out.read_text(encoding="utf-8"))) == comparable_items(doc)
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"out.{fmt}"
        assert runner.invoke(args=["power-list", "export", "--format", fmt, "-o", str(path)]).exit_code == 0
        assert path.stat().st_size > 1000
    stdout = runner.invoke(args=["power-list", "export", "--format", "json", "--version", "1"])
    assert json.loads(stdout.stdout_bytes)["version"]["number"] == 1
    diff = runner.invoke(args=["power-list", "diff", "1", "2"])
    assert diff.exit_code == 0, diff.output
    assert "第1版 → 第2版：新增 0 项，取消 1 项，变更 1 项" in diff.output
    assert "事项名称：农村村民宅基地审批 → 农村村民宅基地审批（修订）" in diff.output
    assert runner.invoke(args=["power-list", "diff", "1", "9"]).exit_code == 1
    swept = runner.invoke(args=["power-list", "supersede"])
    assert swept.exit_code == 0 and "共 0 个版本标记为已替代" in swept.output  # v2 takes effect in 2099


def test_import_of_a_bad_file_prints_every_problem_and_exits_1(app, runner, demo_list, legal, tmp_path):
    doc = demo_document()
    doc["items"][1]["code"] = doc["items"][0]["code"]
    doc["items"][5]["setting_basis"] = []
    source = tmp_path / "bad.json"
    source.write_bytes(write_json(doc))
    result = runner.invoke(args=["power-list", "import", str(source)])
    assert result.exit_code == 1
    assert "第2项“items[1].code”：事项编码 330199-XK-001 与第1项重复" in result.output
    assert "第6项“items[5].setting_basis”：须至少填写一条设定依据" in result.output
    png = tmp_path / "list.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n0000")
    result = runner.invoke(args=["power-list", "import", str(png)])
    assert result.exit_code == 1 and "PNG 图片" in result.output
    same = runner.invoke(args=["power-list", "import", str(source), "--effective-from", "2099-01-01",
                               "--publish-as", "fz1", "--review-by", "fz1"])
    assert same.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PowerListVersion)) == 1


def test_same_person_cannot_publish_from_the_cli(app, runner, demo_list, legal, tmp_path):
    source = tmp_path / "ok.json"
    source.write_bytes(write_json(demo_document()))
    result = runner.invoke(args=["power-list", "import", str(source), "--effective-from", "2099-01-01",
                                 "--publish-as", "fz1", "--review-by", "fz1"])
    assert result.exit_code == 1 and "不能审核发布自己起草或提交的清单" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PowerListVersion)) == 1
