"""Staff from a file: several roles per person, placement rules, initial passwords changed at first login."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import select

from power_lists.errors import ImportRejected
from service_hall.accounts.imports import import_staff, preview_staff_import
from service_hall.accounts.models import User
from service_hall.accounts.operations import hash_password
from service_hall.accounts.permissions import Permission, Role
from service_hall.extensions import db
from tests.factories.accounts import PASSWORD
from tests.factories.clock import NOW
from tests.factories.web import api_token, csrf_token, login, post_form
from tests.golive.support import (
    CHENGGUAN,
    COUNTY,
    EXAMPLES,
    SANXI,
    SANXI_VILLAGE,
    STAFF_HEADER,
    YUNLING,
    csv_bytes,
    import_yunling,
    snapshot,
    xlsx_bytes,
)


def _accounts(app) -> dict[str, tuple]:
    with app.app_context():
        return {u.username: (u.real_name, tuple(r.value for r in u.roles), u.jurisdiction.code, u.must_change_password)
                for u in db.session.scalars(select(User).where(User.role != Role.APPLICANT))}


def _import(app, rows, name="staff.csv"):
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    with app.app_context():
        result = import_staff(db.session, name, content, now=NOW)
        db.session.commit()
        return result


# --- the command line ------------------------------------------------------------------------------

def test_example_staff_import_with_two_roles_and_passwords_shown_once(app, runner):
    assert runner.invoke(args=["jurisdictions", "import", str(EXAMPLES / "jurisdictions.csv")]).exit_code == 0
    result = runner.invoke(args=["users", "import", str(EXAMPLES / "staff.xlsx")])
    assert result.exit_code == 0, result.output
    assert "已导入工作人员账号：新建 6，更新 0，未变 0" in result.output
    assert re.search(r"新建：13901880005\s+李审批（审查人员、负责人，城关街道）  初始密码 [A-Za-z2-9]{12}",
                     result.output)
    accounts = _accounts(app)
    assert len(accounts) == 6
    assert accounts["13901880005"] == ("李审批", ("reviewer", "decider"), CHENGGUAN, True)
    assert accounts["13901880006"][1:3] == (("clerk", "reviewer"), SANXI)
    assert accounts["13901880001"][1:3] == (("admin",), COUNTY)
    again = runner.invoke(args=["users", "import", str(EXAMPLES / "staff.xlsx"), "--json"])
    body = json.loads(again.output)
    assert again.exit_code == 0 and body["created"] == 0 and body["unchanged"] == 6
    assert all(a["initial_password"] is None for a in body["accounts"])


def test_rejected_staff_file_exits_1_and_changes_nothing(app, runner, tmp_path):
    import_yunling(app)
    before = snapshot(app)
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([STAFF_HEADER, ["王窗口", "13901880004", "窗口大师", "城关街道"]]))
    result = runner.invoke(args=["users", "import", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"] == [{
        "row": 2, "column": "角色",
        "message": f"角色“窗口大师”无法识别，应为{ROLES}"}]
    assert snapshot(app) == before


# --- what a file can say ---------------------------------------------------------------------------

def test_roles_by_chinese_name_or_identifier_and_place_by_code_or_name(app):
    import_yunling(app)
    result = _import(app, [["用户名", *STAFF_HEADER],
                           ["", "林 一", "139 0188 0011", "clerk,Reviewer", CHENGGUAN],
                           ["sanxi.boss", "钱二", "+8613901880012", "负责人，监督人员", "\u3000三溪镇"],
                           ["", "孙三", "13901880013", "legal", "云岭县"]])
    assert sorted(result.passwords) == ["13901880011", "13901880013", "sanxi.boss"]
    accounts = _accounts(app)
    assert accounts["13901880011"] == ("林 一", ("clerk", "reviewer"), CHENGGUAN, True)
    assert accounts["sanxi.boss"][1:3] == (("decider", "supervisor"), SANXI)
    assert accounts["13901880013"][1:3] == (("legal",), COUNTY)


def test_existing_staff_are_updated_not_duplicated_and_keep_their_password(app, factory):
    import_yunling(app)
    factory.staff("clerk1", "clerk", CHENGGUAN)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "clerk1")).mobile = "13901880021"
        db.session.commit()
    result = _import(app, [STAFF_HEADER, ["测试人员", "13901880021", "综合窗口受理人员、审查人员", "城关街道"]])
    assert result.plan.counts == {"created": 0, "updated": 1, "unchanged": 0}
    assert result.plan.entries[0].changes == ("roles",) and result.passwords == {}
    assert _accounts(app)["clerk1"] == ("测试人员", ("clerk", "reviewer"), CHENGGUAN, False)
    three = [STAFF_HEADER, ["测试人员", "13901880021", "审查人员、综合窗口受理人员、监督人员", "城关街道"]]
    assert _import(app, three).plan.counts["updated"] == 1
    three[1][2] = "审查人员、监督人员、综合窗口受理人员"  # the same roles in another order: no change
    assert _import(app, three).plan.counts == {"created": 0, "updated": 0, "unchanged": 1}
    again = _import(app, [STAFF_HEADER, ["测试人员", "13901880021", "审查人员", "城关街道"]])
    assert again.plan.counts["updated"] == 1
    assert _accounts(app)["clerk1"][1] == ("reviewer",)


ROLES = "综合窗口受理人员、审查人员、负责人、法制审核人员、监督人员、系统管理员"
ROW = ["王窗口", "13901880004", "综合窗口受理人员", "城关街道"]

BAD_STAFF = {
    "unknown role": ([["王窗口", "13901880004", "综合窗口受理人员、门卫", "城关街道"]],
                     [(2, "角色", f"角色“门卫”无法识别，应为{ROLES}")]),
    "applicant role": ([["王窗口", "13901880004", "申请人", "城关街道"]],
                       [(2, "所属乡镇/部门", "申请人账号由群众自行注册，不能作为工作人员导入")]),
    "no role": ([["王窗口", "13901880004", "", "城关街道"]], [(2, "角色", "角色不能为空")]),
    "unknown town": ([["王窗口", "13901880004", "综合窗口受理人员", "白云镇"]],
                     [(2, "所属乡镇/部门",
                       "未找到名为“白云镇”的县、乡镇（街道）或村（社区）；县直部门人员请填写县名或县级区划代码")]),
    "unknown code": ([["王窗口", "13901880004", "综合窗口受理人员", "330188999000"]],
                     [(2, "所属乡镇/部门", "未找到区划代码 330188999000，请先导入区划文件")]),
    "duplicate mobile in the file": ([ROW, ["王二窗", "13901880004", "审查人员", "城关街道"]],
                                     [(3, "手机号", "手机号 13901880004 与第2行重复")]),
    "mobile of an applicant": ([["王窗口", "13900000001", "综合窗口受理人员", "城关街道"]],
                               [(2, "手机号", "手机号 13900000001 已注册为申请人账号，工作人员账号请使用其他手机号")]),
    "bad mobile": ([["王窗口", "1390188", "综合窗口受理人员", "城关街道"]],
                   [(2, "手机号", "手机号“1390188”无效，应为11位手机号码")]),
    "clerk on a village": ([["王窗口", "13901880004", "综合窗口受理人员", SANXI_VILLAGE]],
                           [(2, "所属乡镇/部门", "综合窗口受理人员只能设在乡镇（街道），三溪村是村（社区）")]),
    "decider on the county": ([["王窗口", "13901880004", "审查人员、负责人", "云岭县"]],
                              [(2, "所属乡镇/部门", "审查人员只能设在乡镇（街道），云岭县是县级区划")]),
    "supervisor on a village": ([["王窗口", "13901880004", "监督人员", "三溪村"]],
                                [(2, "所属乡镇/部门", "监督人员只能设在县级或乡镇（街道），三溪村是村（社区）")]),
    "legal staff in a town": ([["王窗口", "13901880004", "法制审核人员", "三溪镇"]],
                              [(2, "所属乡镇/部门", "法制审核人员只能设在县级，三溪镇是乡镇（街道）")]),
    "username taken": ([["用户名", *STAFF_HEADER], ["admin1", *ROW]],
                       [(2, "用户名", "用户名 admin1 已被其他账号使用")]),
    "bad username": ([["用户名", *STAFF_HEADER], ["王", *ROW]],
                     [(2, "用户名", "用户名应为3至64位小写字母、数字或 _ . -，以字母开头（或填手机号）")]),
    "empty name": ([["", "13901880004", "综合窗口受理人员", "城关街道"]], [(2, "姓名", "姓名不能为空")]),
}


@pytest.mark.parametrize("case", sorted(BAD_STAFF))
def test_bad_staff_files_are_rejected_whole(app, factory, case):
    import_yunling(app)
    factory.applicant(mobile="13900000001")
    factory.staff("admin1", "admin", COUNTY)
    rows, expected = BAD_STAFF[case]
    good = ["李四", "13901880099", "审查人员", "三溪镇"]  # a good row does not save the file
    rows = [*rows, ["", *good]] if rows[0][0] == "用户名" else [STAFF_HEADER, *rows, good]
    before = snapshot(app)
    with app.app_context(), pytest.raises(ImportRejected) as caught:
        import_staff(db.session, "staff.csv", csv_bytes(rows), now=NOW)
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == expected
    assert snapshot(app) == before


def test_ambiguous_names_ask_for_the_code_and_closed_towns_take_no_staff(app):
    import_yunling(app, [*YUNLING, ["330188201002", "三溪村", "330188201000", "村"]])
    with app.app_context(), pytest.raises(ImportRejected) as caught:
        row = ["王窗口", "13901880004", "监督人员", "三溪村"]
        preview_staff_import(db.session, "s.csv", csv_bytes([STAFF_HEADER, row]), now=NOW)
    assert [p.message for p in caught.value.problems] == [
        "名为“三溪村”的区划有多个，请改填区划代码：330188101001（三溪镇）、330188201002（桃源乡）"]
    import_yunling(app, [r for r in YUNLING if not r[0].startswith("330188101")])
    with app.app_context(), pytest.raises(ImportRejected) as caught:
        preview_staff_import(db.session, "s.csv", csv_bytes([STAFF_HEADER, ["王窗口", "13901880004", "审查人员",
                                                                            SANXI]]), now=NOW)
    assert caught.value.problems[0].message == "三溪镇已于 2026-11-23 撤销，不能再设置工作人员账号"


def test_empty_and_damaged_staff_files(app):
    with app.app_context():
        for content, name, message in [(b"", "s.csv", "文件为空"),
                                       (xlsx_bytes([STAFF_HEADER])[:500], "s.xlsx", "文件已损坏"),
                                       (csv_bytes([STAFF_HEADER]), "s.csv", "表头下没有数据行")]:
            with pytest.raises(ImportRejected) as caught:
                preview_staff_import(db.session, name, content, now=NOW)
            assert caught.value.problems[0].message.startswith(message)


# --- several roles, one person ---------------------------------------------------------------------

def test_a_person_with_two_roles_can_do_what_either_grants(app):
    import_yunling(app)
    _import(app, [STAFF_HEADER, ["钱二", "13901880012", "审查人员、监督人员", "三溪镇"],
                  ["赵四", "13901880014", "审查人员", "三溪镇"]])
    with app.app_context():
        both = db.session.scalar(select(User).where(User.username == "13901880012"))
        one = db.session.scalar(select(User).where(User.username == "13901880014"))
        assert both.can(Permission.CASE_REVIEW) and both.can(Permission.SUPERVISION_READ)
        assert not both.can(Permission.CASE_DECIDE)
        assert one.can(Permission.CASE_REVIEW) and not one.can(Permission.SUPERVISION_READ)
        assert both.roles_label == "审查人员、监督人员"
        for user in (both, one):
            user.must_change_password = False
            user.password_hash = hash_password(PASSWORD)
        db.session.commit()
    for username, supervision in (("13901880012", 200), ("13901880014", 403)):
        client = app.test_client()
        login(client, username)
        assert client.get("/workbench/").status_code == 200
        assert client.get("/supervision/").status_code == supervision


# --- first login ----------------------------------------------------------------------------------

def test_initial_password_must_be_changed_at_first_login(app):
    import_yunling(app)
    result = _import(app, [STAFF_HEADER, ["王窗口", "13901880004", "综合窗口受理人员", "城关街道"]])
    password = result.passwords["13901880004"]
    client = app.test_client()
    resp = login(client, "13901880004", password)
    assert resp.headers["Location"].endswith("/account")
    page = client.get("/account").get_data(as_text=True)
    assert "首次登录，请先修改初始密码" in page and "管理员发放的初始密码" in page
    resp = client.get("/workbench/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    headers = api_token(client, "13901880004", password)
    assert client.get("/api/v1/cases", headers=headers).status_code == 403
    resp = post_form(client, "/account", {"old_password": password, "new_password": password})
    assert resp.status_code == 422 and "新密码不能与原密码相同" in resp.get_data(as_text=True)
    resp = post_form(client, "/account", {"old_password": password, "new_password": "Yunling-2026x"})
    assert resp.status_code == 302
    assert client.get("/workbench/").status_code == 200
    assert _accounts(app)["13901880004"][3] is False


# --- the administration page -----------------------------------------------------------------------

@pytest.fixture
def admin(app, factory):
    import_yunling(app)
    factory.staff("admin1", "admin", COUNTY)
    client = app.test_client()
    login(client, "admin1")
    return client


def _upload(client, content: bytes, name: str = "staff.xlsx"):
    return client.post("/admin/users/import", data={
        "csrf_token": csrf_token(client, "/admin/users/import"), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data")


def test_admin_previews_confirms_and_sees_passwords_once(app, admin):
    content = (EXAMPLES / "staff.xlsx").read_bytes()
    before = snapshot(app)
    resp = _upload(admin, content)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "新建 6，更新 0，未变 0" in page and "审查人员、负责人" in page
    assert snapshot(app) == before
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    resp = admin.post("/admin/users/import/confirm", data={"csrf_token": csrf_token(admin, "/account"), "token": token})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    passwords = re.findall(r"<code>([A-Za-z2-9]{12})</code>", page)
    assert len(passwords) == 6 and "只在此显示这一次" in page
    assert len(_accounts(app)) == 7
    # The same confirmation again would import a different plan (all unchanged now): refused.
    resp = admin.post("/admin/users/import/confirm", data={"csrf_token": csrf_token(admin, "/account"), "token": token})
    assert resp.status_code == 409
    # The accounts page lists every role.
    assert "审查人员、负责人" in admin.get("/admin/users").get_data(as_text=True)
    # The new account opens with the password shown, and must change it.
    first = app.test_client()
    assert login(first, "13901880005", passwords[4]).headers["Location"].endswith("/account")


def test_admin_sees_located_errors_and_nothing_is_written(app, admin):
    before = snapshot(app)
    resp = _upload(admin, xlsx_bytes([STAFF_HEADER, ["王窗口", "13901880004", "综合窗口受理人员", "云岭县"]],
                                     title="云岭县工作人员名单"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "第3行" in page and "综合窗口受理人员只能设在乡镇（街道），云岭县是县级区划" in page
    assert snapshot(app) == before


def test_staff_import_needs_the_admin_role(app, factory):
    import_yunling(app)
    factory.staff("clerk9", "clerk", CHENGGUAN)
    client = app.test_client()
    login(client, "clerk9")
    assert client.get("/admin/users/import").status_code == 403
    assert client.get("/admin/jurisdictions/import").status_code == 403
