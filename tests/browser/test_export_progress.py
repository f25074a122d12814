"""In Chromium: a supervisor asks for the evaluation report as a PDF made in the background, sees its
progress (a progress bar with the percent and the stage, the page refreshing itself without JavaScript),
and downloads the file when it is ready."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_the_evaluation_pdf_is_made_in_the_background_with_its_progress_shown(live, signed_in):
    live.set_now("2026-11-23")
    page: Page = signed_in("supervisor")
    page.goto("/supervision/evaluation?from=2026-01-01&to=2026-11-23")
    page.get_by_role("button", name="后台生成 PDF 报告").click()
    expect(page).to_have_url(re.compile(r"/supervision/exports/\d+$"))
    expect(page.get_by_role("heading", name="导出赋权事项评估报告")).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"状态：.+（\d+%）"))
    expect(page.locator("progress")).to_be_visible()
    # The page refreshes itself every two seconds until the file is ready.
    link = page.get_by_role("link", name=re.compile(r"下载 赋权事项评估报告_20260101-20261123\.pdf"))
    expect(link).to_be_visible(timeout=90_000)
    expect(status).to_contain_text("已完成，文件已生成（100%）")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
