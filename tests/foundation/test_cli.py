from __future__ import annotations

from sqlalchemy import select, text

from service_hall.accounts.models import User
from service_hall.audit.trail import record
from service_hall.extensions import db
from tests.factories.audit import as_attacker
from tests.factories.clock import NOW


def test_users_create(runner, app, factory):
    factory.demo_jurisdictions()
    result = runner.invoke(args=["users", "create", "--username", "rev1", "--name", "审查员", "--role", "reviewer",
                                 "--jurisdiction", "330199101000", "--password", "Str0ng-pass"])
    assert result.exit_code == 0, result.output
    assert "已创建账号 rev1" in result.output
    result = runner.invoke(args=["users", "create", "--username", "rev2", "--name", "审查员", "--role", "reviewer",
                                 "--jurisdiction", "330199101000", "--password", "weak"])
    assert result.exit_code == 1
    assert "密码至少8位" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "rev2")) is None


def test_demo_load_is_idempotent_and_prints_passwords_once(runner, app):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    for username in ("admin", "legal", "supervisor", "clerk", "reviewer", "decider", "13800000001"):
        assert username in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert "演示数据已存在" in second.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
    assert {str(r) for r in roles} >= {"applicant", "clerk", "reviewer", "decider", "legal", "supervisor", "admin"}


def test_audit_verify_detects_edited_and_deleted_records(runner, app, factory):
    factory.demo_jurisdictions()
    with app.app_context():
        for i in range(5):
            record(db.session, actor=None, action="test.action", object_type="case", object_id=i, now=NOW,
                   reason=f"第{i}次")
        db.session.commit()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "共 5 条记录" in ok.output
    with app.app_context():
        as_attacker()
        db.session.execute(text("UPDATE audit_records SET reason = '被改过' WHERE seq = 3"))
        db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1
    assert "第 3 条" in bad.output and "篡改" in bad.output
    with app.app_context():
        as_attacker()
        db.session.execute(text("UPDATE audit_records SET reason = '第2次' WHERE seq = 3"))
        db.session.execute(text("DELETE FROM audit_records WHERE seq = 5"))
        db.session.commit()
    deleted = runner.invoke(args=["audit", "verify"])
    assert deleted.exit_code == 1 and "末尾记录被删除" in deleted.output


def test_the_cli_resets_a_password_and_re_enables_an_account(app, runner, factory):
    from service_hall.accounts.models import User
    from service_hall.extensions import db
    from tests.factories.web import login

    factory.demo_jurisdictions()
    factory.staff("admin1", "admin", "330199000000")
    with app.app_context():
        user = db.session.query(User).filter_by(username="admin1").one()
        user.active = False
        db.session.commit()
    result = runner.invoke(args=["users", "enable", "admin1"])
    assert result.exit_code == 0 and "已启用账号 admin1" in result.output
    result = runner.invoke(args=["users", "reset-password", "admin1"])
    assert result.exit_code == 0 and "临时密码" in result.output
    password = result.output.split("临时密码（只显示这一次）：")[1].split()[0]
    client = app.test_client()
    resp = login(client, "admin1", password)
    assert "/account" in resp.headers["Location"]  # the temporary password must be changed first
    assert runner.invoke(args=["users", "enable", "nobody"]).exit_code == 1


def test_the_last_administrator_cannot_be_disabled(app, client, factory):
    from tests.factories.web import login, post_form

    factory.demo_jurisdictions()
    admin_id = factory.staff("admin1", "admin", "330199000000")
    login(client, "admin1")
    resp = post_form(client, "/admin/users", {"active": "0"}, action=f"/admin/users/{admin_id}/active")
    assert resp.status_code == 422 and "确认停用" in resp.get_data(as_text=True)  # one click disables nothing
    resp = post_form(client, "/admin/users", {"active": "0", "confirm": "1"}, action=f"/admin/users/{admin_id}/active")
    assert resp.status_code == 409 and "不能停用最后一名管理员" in resp.get_data(as_text=True)
    second = factory.staff("admin2", "admin", "330199000000")
    resp = post_form(client, "/admin/users", {"active": "0", "confirm": "1"},
                     action=f"/admin/users/{second}/active")
    assert resp.status_code == 302
