"""Legal-affairs staff change the power list through the pages: export the list in force, import the
edited file, submit it, have a second person review and publish it, and see the public catalog change."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.browser.pages import QINGSHAN_NAME, fact, flash, submit_and_wait, upload
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM

NEW_CODE = "330199-XK-090"
NEW_NAME = "临时占用村道审批"

NEEDED = ("legal.index", "legal.version", "legal.export_job", "legal.upload", "legal.import_preview",
          "legal.import_confirm", "legal.submit", "legal.review", "catalog.town", "catalog.history",
          "catalog.version_changes")


def _edited(document: dict) -> bytes:
    """The exported list with one item added for 青山镇: a copy of the licensing item, new code and name."""
    items = document["items"]
    added = json.loads(json.dumps(next(i for i in items if i["code"] == ITEM)))
    added.update(code=NEW_CODE, name=NEW_NAME)
    if "position" in added:
        added["position"] = max(i.get("position", 0) for i in items) + 1
    items.append(added)
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def test_legal_staff_import_a_change_a_second_person_publishes_it_and_the_catalog_shows_it(
        live, make_context, signed_in):
    missing = [e for e in NEEDED if not live.has_endpoint(e)]
    assert not missing, f"power-list pages missing: {', '.join(missing)}"
    live.set_now("2026-11-24")

    # 1. The drafter exports the list in force and imports the edited file.
    legal = signed_in("legal", at="/")
    legal.get_by_role("link", name="清单管理", exact=True).click()
    legal.locator("dl.facts dt:text-is('现行版本') + dd a").click()
    legal.get_by_role("button", name="导出 JSON").click()  # made in the background; its page offers the file
    with legal.expect_download() as download:
        legal.get_by_role("link", name=re.compile(r"下载 power-list-.+\.json")).click(timeout=60_000)
    document = json.loads(download.value.path().read_bytes())
    assert any(i["code"] == ITEM for i in document["items"])

    legal.get_by_role("link", name="权力清单管理").click()
    legal.get_by_role("link", name="导入清单文件").click()
    legal.get_by_label("清单文件").set_input_files(upload("清溪县赋权清单-调整.json", _edited(document),
                                                     "application/json"))
    submit_and_wait(legal, "上传并预览")
    assert "/legal/import/" in legal.url, legal.locator("main").inner_text()[:2000]
    expect(legal.get_by_role("heading", level=1)).to_contain_text("导入预览")
    expect(legal.get_by_text("新增 1 项，取消 0 项，变更 0 项")).to_be_visible()
    expect(legal.get_by_role("table", name="新增事项")).to_contain_text(NEW_NAME)
    submit_and_wait(legal, "确认导入为草稿")
    expect(flash(legal)).to_contain_text("草稿")
    expect(fact(legal, "状态")).to_contain_text("草稿")
    draft_url = legal.url

    submit_and_wait(legal, "提交法制审核")
    expect(flash(legal)).to_contain_text("须由另一名法制审核人员审核发布")

    # 2. The drafter may not approve their own change.
    legal.get_by_role("link", name="审核", exact=True).click()
    legal.get_by_label("审核通过并发布").check()
    legal.get_by_label("生效日期（发布时必填）").fill("2026-12-01")
    submit_and_wait(legal, "提交审核结论")
    expect(legal.get_by_role("heading", level=1)).to_contain_text("须由另一名法制审核人员审核")

    # 3. A second legal-affairs officer reviews the differences and publishes with an effective date.
    reviewer = signed_in("legal2", at=draft_url)
    reviewer.get_by_role("link", name="审核", exact=True).click()
    expect(reviewer.get_by_role("table", name="新增事项")).to_contain_text(NEW_CODE)
    reviewer.get_by_label("审核通过并发布").check()
    reviewer.get_by_label("生效日期（发布时必填）").fill("2026-12-01")
    reviewer.get_by_label("审核意见（退回时必填）").fill("经审核，符合赋权程序")
    submit_and_wait(reviewer, "提交审核结论")
    expect(flash(reviewer)).to_contain_text("已发布，自2026-12-01起生效")
    expect(fact(reviewer, "审核人")).to_have_text("吴审之")

    # 4. The public sees the announcement and, from the effective date, the new item in 青山镇's list.
    public = make_context().new_page()
    public.goto("/")
    public.get_by_role("link", name="赋权事项公开").click()
    public.get_by_role("link", name="清单版本及调整情况").click()
    row = public.get_by_role("row").filter(has_text="2026-12-01")
    expect(row).to_be_visible()
    row.get_by_role("link", name="查看调整情况").click()
    expect(public.get_by_text("新增 1 项，取消 0 项，变更 0 项")).to_be_visible()
    expect(public.get_by_role("table", name="新增事项")).to_contain_text(NEW_NAME)

    public.goto(f"/catalog/towns/{QINGSHAN}")
    expect(public.get_by_role("heading", level=1)).to_contain_text(QINGSHAN_NAME)
    expect(public.get_by_role("link", name=NEW_NAME, exact=True)).to_have_count(0)  # not in force before 2026-12-01
    public.get_by_label("查询日期").fill("2026-12-01")
    submit_and_wait(public, "查询")
    expect(public.get_by_role("link", name=NEW_NAME, exact=True)).to_be_visible()
    # Its guide is complete: it takes applications online with the form generated from the guide.
    expect(public.get_by_role("link", name=f"可在线申请 ：{NEW_NAME}")).to_be_visible()
    public.get_by_role("link", name=NEW_NAME, exact=True).click()
    expect(public.get_by_role("heading", level=1)).to_have_text(NEW_NAME)
    expect(fact(public, "事项编码")).to_have_text(NEW_CODE)
