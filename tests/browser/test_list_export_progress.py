"""In Chromium: a legal officer exports the power list in force as XLSX, made in the background; the job's
page shows its progress (a progress bar with the percent and the stage, refreshing itself without
JavaScript) and then the download."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_the_list_export_is_made_in_the_background_with_its_progress_shown(live, signed_in):
    live.set_now("2026-11-24")
    page: Page = signed_in("legal")
    page.get_by_role("link", name="清单管理", exact=True).click()
    page.locator("dl.facts dt:text-is('现行版本') + dd a").click()
    page.get_by_role("button", name="导出 XLSX").click()
    expect(page).to_have_url(re.compile(r"/legal/exports/\d+$"))
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"状态：.+（\d+%）"))
    expect(page.locator("progress")).to_be_visible()
    link = page.get_by_role("link", name=re.compile(r"下载 power-list-\d+-v\d+\.xlsx"))
    expect(link).to_be_visible(timeout=60_000)
    expect(status).to_contain_text("已完成，文件已生成（100%）")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert download.value.path().read_bytes()[:2] == b"PK"
