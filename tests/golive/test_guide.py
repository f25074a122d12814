"""The 办事指南 as a layer completed after the list, versioned with it."""

from __future__ import annotations

from pathlib import Path

from service_hall.extensions import db
from tests.factories.web import login, post_form
from tests.golive.conftest import COUNTY, EXAMPLES, cli_json, snapshot, write
from tests.golive.support import go_live, item_id, publish


def _guide(app, name: str, number: int):
    from power_lists.models import PowerItem, PowerListVersion

    with app.app_context():
        return (db.session.query(PowerItem).join(PowerListVersion)
                .filter(PowerItem.name == name, PowerListVersion.number == number).first().guide)


def test_a_guide_sheet_makes_a_draft_and_the_diff_shows_it(app, runner, factory, county):
    go_live(runner, factory, guide=False)
    assert _guide(app, "乡村建设规划许可证核发", 1) is None
    code, out = cli_json(runner, "power-list", "import-guide", str(EXAMPLES / "guide.xlsx"))
    assert code == 0 and out["version"] == 2 and len(out["changed"]) == 6
    guide = _guide(app, "乡村建设规划许可证核发", 2)
    assert (guide["case_type"], guide["statutory_days"], guide["promised_days"]) == ("promised", 20, 10)
    assert [(m["code"], m["name"], m["deferrable"], m["source"]) for m in guide["materials"]] == [
        ("M01", "乡村建设规划许可申请表", False, "申请人自备"), ("M02", "村民委员会意见", True, "村民委员会")]
    assert _guide(app, "乡村建设规划许可证核发", 1) is None  # the published version is untouched
    partial = _guide(app, "临时救助", 2)
    assert partial["statutory_days"] is None and partial["materials"][0]["name"] == "临时救助申请书"
    diff = runner.invoke(args=["power-list", "diff", "1", "2"]).output
    assert "变更 6 项" in diff and "办事指南：无 → 有" in diff
    # Importing the same sheet again changes nothing more.
    code, out = cli_json(runner, "power-list", "import-guide", str(EXAMPLES / "guide.xlsx"))
    assert (code, out["version"], out["changed"]) == (0, 2, [])


def test_re_importing_the_list_keeps_the_completed_guides(app, runner, factory, county):
    go_live(runner, factory)
    code, out = cli_json(runner, "power-list", "import", str(EXAMPLES / "power-list.xlsx"))
    assert (code, out["version"]) == (0, 2)
    assert _guide(app, "特困人员认定", 2) == _guide(app, "特困人员认定", 1) is not None
    assert "新增 0 项，取消 0 项，变更 0 项" in runner.invoke(args=["power-list", "diff", "1", "2"]).output


def test_a_bad_guide_sheet_is_rejected_whole_with_located_errors(app, runner, county, factory, tmp_path: Path):
    import io

    import openpyxl

    go_live(runner, factory, guide=False)
    wb = openpyxl.Workbook()
    wb.active.append(["事项名称", "子项", "材料名称", "必要性", "法定办结时限", "承诺办结时限", "办件类型"])
    wb.active.append(["乡村建设规划许可证核发", "", "申请表", "必要", 10, 20, "承诺件"])
    wb.active.append(["不存在的事项", "", "申请表", "必要", "", "", ""])
    wb.active.append(["特困人员认定", "", "申请书", "也许", 20, 10, "承诺件"])
    wb.active.append(["特困人员认定", "", "户口簿", "必要", 30, 10, ""])
    wb.active.append(["对露天焚烧秸秆的检查", "", "检查记录", "必要", "", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    before = snapshot(app)
    code, out = cli_json(runner, "power-list", "import-guide", write(tmp_path, "g.xlsx", buffer.getvalue()))
    assert code == 1
    errors = {(e["row"], e["column"]): e["message"] for e in out["errors"]}
    assert errors[(4, "必要性")] == "必要性应为“必要”或“非必要”，而不是“也许”"
    assert errors[(5, "法定办结时限（工作日）")] == "与第4行填写的值不一致：同一事项的该列只能填写一个值"
    assert snapshot(app) == before
    wb.active.delete_rows(4, 2)
    buffer = io.BytesIO()
    wb.save(buffer)
    code, out = cli_json(runner, "power-list", "import-guide", write(tmp_path, "h.xlsx", buffer.getvalue()))
    errors = {(e["row"], e["column"]): e["message"] for e in out["errors"]}
    assert errors == {
        (2, "承诺办结时限（工作日）"): "承诺办结时限（20个工作日）不得超过法定办结时限（10个工作日）",
        (3, "事项名称"): "清单中没有事项“不存在的事项”",
        (4, "事项名称"): "“对露天焚烧秸秆的检查”是行政检查事项，不受理申请，无需办事指南",
    }
    assert snapshot(app) == before


def test_legal_affairs_complete_a_guide_on_the_page(app, client, runner, factory, county):
    go_live(runner, factory)
    runner.invoke(args=["power-list", "import", str(EXAMPLES / "power-list.xlsx")])  # draft 2
    login(client, "legal-a")
    draft_item = item_id(app, "临时救助", 2)
    from power_lists.models import PowerItem

    with app.app_context():
        version_id = db.session.get(PowerItem, draft_item).version_id
    url = f"/legal/versions/{version_id}/items/{draft_item}/guide"
    page = client.get(url)
    assert page.status_code == 200 and "临时救助申请书" in page.get_data(as_text=True)
    form = {"guide.case_type": "promised", "guide.statutory_days": "10", "guide.promised_days": "15",
            "guide.materials": "M01｜临时救助申请书｜申请人自备｜1｜原件｜必要｜不容缺", "guide.visits": "1",
            "guide.online_depth": "4", "guide.result_name": "临时救助金"}
    bad = post_form(client, url, form)
    assert bad.status_code == 422
    assert "承诺办结时限（15个工作日）不得超过法定办结时限（10个工作日）" in bad.get_data(as_text=True)
    ok = post_form(client, url, {**form, "guide.promised_days": "5"})
    assert ok.status_code == 302
    assert (_guide(app, "临时救助", 2)["promised_days"], _guide(app, "临时救助", 1)["promised_days"]) == (5, None)
    # A published version's item has no guide page.
    published = item_id(app, "临时救助", 1)
    with app.app_context():
        v1 = db.session.get(PowerItem, published).version_id
    assert client.get(f"/legal/versions/{v1}/items/{published}/guide").status_code == 409
    publish(runner, "2026-02-01")
    assert COUNTY
