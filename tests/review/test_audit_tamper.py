"""The audit trail of a case journey made over HTTP is complete and tamper-evident: editing or deleting
one record in the database is found by `flask audit verify`."""

from __future__ import annotations

from sqlalchemy import select, text

from service_hall.audit.models import AuditRecord
from service_hall.extensions import db
from tests.factories.audit import as_attacker
from tests.factories.cases import new_case
from tests.factories.clock import at
from tests.factories.web import api_token


def _journey(app) -> int:
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    client = app.test_client()
    clerk, rev1, boss = (api_token(client, u) for u in ("clerk1", "rev1", "boss2"))
    steps = [(clerk, "accept", {}), (rev1, "opinions", {"opinion": "同意", "recommendation": "approve"}),
             (rev1, "complete-review", {}), (boss, "extend", {"reason": "需要补充勘验"}),
             (boss, "extend", {"reason": "再延一次"}),  # refused, and the refusal recorded
             (boss, "approve", {}), (clerk, "deliver", {"channel": "electronic", "recipient": "李堃"})]
    for headers, path, body in steps:
        client.post(f"/api/v1/cases/{case_id}/{path}", headers=headers, json=body)
    return case_id


def _records(app, case_id):
    with app.app_context():
        return [(r.seq, r.action, r.actor_role, r.jurisdiction_id, r.from_state, r.to_state, r.duty)
                for r in db.session.scalars(select(AuditRecord).where(AuditRecord.object_id == str(case_id))
                                            .order_by(AuditRecord.seq))]


def test_the_journey_is_recorded_with_actor_role_jurisdiction_states_and_duty(app, rworld, runner):
    case_id = _journey(app)
    records = _records(app, case_id)
    assert [r[1] for r in records] == ["case.submit", "case.accept", "case.record_opinion", "case.complete_review",
                                       "case.extend", "case.refused_attempt", "case.approve", "case.deliver"]
    by_action = {r[1]: r for r in records}
    assert by_action["case.approve"][2:6][0] == "decider" and by_action["case.approve"][4:6] == ("reviewed",
                                                                                                  "approved")
    assert by_action["case.deliver"][6] == "在法定期限内送达决定书"
    assert by_action["case.refused_attempt"][4] == "reviewed"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "哈希链校验通过" in result.output


def test_editing_one_record_in_the_database_is_detected(app, rworld, runner):
    case_id = _journey(app)
    seq = next(r[0] for r in _records(app, case_id) if r[1] == "case.approve")
    with app.app_context():
        # Someone with database access (on PostgreSQL a superuser, past the append-only trigger) rewrites
        # who approved and why.
        as_attacker()
        db.session.execute(text("UPDATE audit_records SET reason = :r, actor_role = 'clerk' WHERE seq = :s"),
                           {"r": "（已改）", "s": seq})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"第 {seq} 条：记录内容与哈希不符（记录被篡改）" in result.output
    assert "审计日志校验失败" in result.output


def test_deleting_one_record_in_the_database_is_detected(app, rworld, runner):
    case_id = _journey(app)
    seq = next(r[0] for r in _records(app, case_id) if r[1] == "case.refused_attempt")
    with app.app_context():
        as_attacker()
        db.session.execute(text("DELETE FROM audit_records WHERE seq = :s"), {"s": seq})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"缺少第 {seq} 至 {seq} 条记录（已被删除）" in result.output
