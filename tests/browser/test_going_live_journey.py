"""An administrator imports the staff list on the page, sees the initial passwords once, and a new
colleague signs in with one and is made to choose a password of their own before anything else."""

from __future__ import annotations

import io

from playwright.sync_api import expect

from tests.browser.pages import flash, submit_and_wait, upload
from tests.browser.support import describe, run_axe, serious, sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff_file() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["清溪县青山镇便民服务中心工作人员名单"])
    sheet.merge_cells("A1:D1")
    sheet.append(["姓名", "手机号", "角色", "所属乡镇/部门"])
    sheet.append(["周兼任", "13719900001", "审查人员、负责人", "青山镇"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_admin_imports_staff_and_the_new_colleague_changes_the_initial_password(live, signed_in, page):
    admin = signed_in("admin", at="/admin/users")
    admin.get_by_role("link", name="批量导入工作人员").click()
    assert not serious(run_axe(admin)), describe(serious(run_axe(admin)))
    admin.get_by_label("工作人员名单").set_input_files(upload("名单.xlsx", _staff_file(), XLSX))
    submit_and_wait(admin, "上传并预览")
    expect(admin.get_by_role("table", name="将导入的账号")).to_contain_text("审查人员、负责人")
    assert not serious(run_axe(admin)), describe(serious(run_axe(admin)))
    submit_and_wait(admin, "确认导入")
    table = admin.get_by_role("table", name="新建账号及初始密码")
    expect(table).to_contain_text("周兼任")
    assert not serious(run_axe(admin)), describe(serious(run_axe(admin)))
    password = table.locator("code").first.inner_text().strip()

    sign_in(page, "13719900001", password)
    expect(flash(page)).to_contain_text("首次登录，请先修改初始密码")
    page.goto("/workbench/")
    assert page.url.endswith("/account")
    page.get_by_label("原密码").fill(password)
    page.get_by_label("新密码").fill("Qingshan-2026")
    submit_and_wait(page, "修改密码")
    expect(flash(page)).to_contain_text("密码已修改")
    page.goto("/workbench/")
    assert page.url.endswith("/workbench/")


def test_admin_previews_the_jurisdictions_file(live, signed_in):
    admin = signed_in("admin", at="/admin/users")
    admin.get_by_role("link", name="行政区划").click()
    expect(admin.get_by_role("table", name="现有区划")).to_contain_text("清溪县（330199000000）")
    with admin.expect_download() as download:
        admin.get_by_role("link", name="CSV").click()
    content = download.value.path().read_bytes()
    admin.get_by_label("区划文件").set_input_files(upload("区划.csv", content, "text/csv"))
    submit_and_wait(admin, "上传并预览")
    expect(admin.get_by_text("文件与现有区划一致，无需导入。")).to_be_visible()
    assert not serious(run_axe(admin)), describe(serious(run_axe(admin)))
