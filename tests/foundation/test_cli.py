from __future__ import annotations

from sqlalchemy import select, text

from service_hall.accounts.models import User
from service_hall.audit.trail import record
from service_hall.extensions import db
from tests.conftest import NOW
from tests.foundation.test_audit_chain import _as_attacker as as_attacker


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
