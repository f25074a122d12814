"""The audit chain survives a database-level attacker: rewritten rows with recomputed hashes, deleted
newest rows with the head moved back, or everything deleted, are all found by `flask audit verify`;
on PostgreSQL the table refuses UPDATE and DELETE outright (service_hall/audit/trail.py)."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

from service_hall.audit.models import AuditChainHead, AuditRecord
from service_hall.audit.trail import GENESIS, _canonical, record
from service_hall.extensions import db
from tests.factories.audit import as_attacker
from tests.factories.clock import NOW
from tests.factories.database import is_postgres


@pytest.fixture
def chain(app, factory, tmp_path):
    factory.demo_jurisdictions()
    original = app.config["AUDIT_CHECKPOINT_PATH"]
    app.config["AUDIT_CHECKPOINT_PATH"] = str(tmp_path / "checkpoints")
    with app.app_context():
        for i in range(5):
            record(db.session, actor=None, action="test.action", object_type="case", object_id=i, now=NOW,
                   reason=f"第{i}次")
        db.session.commit()
    yield
    app.config["AUDIT_CHECKPOINT_PATH"] = original


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_a_row_rewritten_with_recomputed_hashes_is_detected(app, chain, runner):
    with app.app_context():
        as_attacker()
        prev = GENESIS
        for rec in db.session.query(AuditRecord).order_by(AuditRecord.seq):
            if rec.seq == 3:
                rec.reason = "被改过"
            rec.prev_hash = prev
            rec.hash = prev = hashlib.sha256(_canonical(rec)).hexdigest()  # what the attacker can compute
        head = db.session.get(AuditChainHead, 1)
        head.hash = prev
        db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1 and "第 1 条：记录内容与哈希不符" in result.output


def test_newest_rows_deleted_and_the_head_moved_back_are_detected(app, chain, runner):
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    with app.app_context():
        as_attacker()
        four = db.session.query(AuditRecord).filter_by(seq=4).one()
        db.session.execute(text("DELETE FROM audit_records WHERE seq = 5"))
        head = db.session.get(AuditChainHead, 1)
        head.seq, head.hash = 4, four.hash
        db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1 and "第 5 条记录已不存在" in result.output


def test_everything_deleted_is_detected(app, chain, runner):
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    with app.app_context():
        as_attacker()
        db.session.execute(text("DELETE FROM audit_records"))
        db.session.execute(text("DELETE FROM audit_chain_head"))
        db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1 and "第 5 条记录已不存在" in result.output


def test_an_edited_checkpoint_file_is_detected(app, chain, runner, tmp_path):
    out = runner.invoke(args=["audit", "checkpoint"])
    assert out.exit_code == 0
    path = next((tmp_path / "checkpoints").glob("audit-checkpoint-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["seq"] = 3
    path.write_text(json.dumps(data), encoding="utf-8")
    result = _verify(runner)
    assert result.exit_code == 1 and "签名无效" in result.output


def test_an_intact_chain_with_its_checkpoint_passes(app, chain, runner):
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    with app.app_context():
        record(db.session, actor=None, action="test.action", object_type="case", object_id=9, now=NOW)
        db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 0 and "核对检查点 1 个" in result.output


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize("statement", ["UPDATE audit_records SET reason = 'x' WHERE seq = 2",
                                       "DELETE FROM audit_records WHERE seq = 5", "TRUNCATE audit_records CASCADE"])
def test_postgresql_refuses_changes_to_the_audit_table(app, chain, statement):
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_a_chain_written_before_the_key_is_re_signed_once(app, factory):
    """What migration 0013 does to existing records: verify them unkeyed, then re-sign with the key."""
    from service_hall.audit import trail

    factory.demo_jurisdictions()
    key = trail._key
    with app.app_context():
        try:
            trail.use_key(None)
            for i in range(3):
                record(db.session, actor=None, action="test.action", object_type="case", object_id=i, now=NOW)
            assert trail.verify_chain(db.session) == []
            trail.use_key(key)
            assert trail.verify_chain(db.session) != []
            as_attacker()  # the migration re-signs before it installs the append-only trigger
            assert trail.resign_chain(db.session.connection(), key, batch=2) == 3
            db.session.expire_all()
            assert trail.verify_chain(db.session) == []
        finally:
            trail.use_key(key)
            db.session.rollback()


def test_signed_documents_anchor_the_chain(app, cworld, runner, tmp_path, monkeypatch):
    """Every signed PDF carries the chain's head in its signature's reason; `audit verify --document` finds
    the chain wiped or cut back behind a document an applicant holds, checkpoints or not."""
    from service_hall.audit.trail import parse_anchor
    from service_hall.documents.signing import signature_reason
    from tests.factories.cases import approved_case
    from tests.factories.certificates import certificate_pdf

    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_PATH", str(tmp_path / "no-checkpoints"))
    pdf = tmp_path / "证照.pdf"
    pdf.write_bytes(certificate_pdf(app, approved_case(app)))
    seq, prefix = parse_anchor(signature_reason(pdf.read_bytes()))
    assert seq > 0 and len(prefix) == 32
    result = runner.invoke(args=["audit", "verify", "--document", str(pdf)])
    assert result.exit_code == 0 and "签章文书 1 份" in result.output, result.output
    with app.app_context():
        as_attacker()
        db.session.execute(text("DELETE FROM audit_records"))
        db.session.execute(text("DELETE FROM audit_chain_head"))
        db.session.commit()
    assert _verify(runner).exit_code == 0  # without checkpoints nor documents, an empty chain looks whole
    result = runner.invoke(args=["audit", "verify", "--document", str(pdf)])
    assert result.exit_code == 1
    assert f"签章文书 证照.pdf 记录的第 {seq} 条记录已不存在" in result.output


def test_records_hashed_before_the_field_by_field_encoding_still_verify(app, factory, runner, tmp_path):
    """A chain keyed with the plain ``json.dumps`` form of each record (how records were hashed before the
    encoding was written field by field) verifies unchanged; content the fast path hands to JSON (nested
    payloads, quotes, control characters, non-BMP text, booleans) included."""
    import datetime as dt
    import hmac as _hmac

    from service_hall.audit import trail

    factory.demo_jurisdictions()
    app.config["AUDIT_CHECKPOINT_PATH"] = str(tmp_path / "checkpoints")
    payloads = [{}, {"b": [1, 2.5, None], "a": "引号\"与\\反斜杠\n换行"}, {"z": True, "表": {"y": "𠀀", "x": False}}]
    with app.app_context():
        key = trail._key
        assert key is not None
        prev = GENESIS
        for seq, payload in enumerate(payloads, start=1):
            at = (NOW + dt.timedelta(microseconds=seq)).astimezone(dt.UTC)
            body = {"seq": seq, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "actor_id": None, "actor_role": None,
                    "jurisdiction_id": None, "action": "test.action", "object_type": "case", "object_id": str(seq),
                    "from_state": "a\tb", "to_state": None, "reason": "第\u2028次", "duty": "职责", "payload": payload,
                    "prev_hash": prev}
            plain = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
            digest = _hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()
            db.session.add(AuditRecord(seq=seq, at=at, actor_id=None, actor_role=None, jurisdiction_id=None,
                                       action="test.action", object_type="case", object_id=str(seq),
                                       from_state="a\tb", to_state=None, reason="第\u2028次", duty="职责",
                                       payload=payload, prev_hash=prev, hash=digest))
            prev = digest
        db.session.add(AuditChainHead(id=1, seq=len(payloads), hash=prev))
        db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "共 3 条记录，哈希链校验通过" in result.output


def test_the_content_read_back_for_verification_is_what_was_hashed(app, factory):
    """On PostgreSQL the server assembles each record's canonical content (service_hall/audit/trail.py);
    it must be byte for byte what Python hashed when appending, for any text a field can hold: every control
    character, quotes, backslashes, line and paragraph separators, non-BMP text, empty strings, numbers,
    nulls, whole-second timestamps given in another zone, and payloads of every kind."""
    import datetime as dt

    from service_hall.audit import trail

    factory.demo_jurisdictions()
    awkward = "".join(chr(c) for c in range(1, 32)) + '"\\/\x7f\u2028\u2029𠀀引号\'é'
    zone = dt.timezone(dt.timedelta(hours=8))
    with app.app_context():
        for i, (long, short) in enumerate([(awkward, '\x01\x1f"\\\t\n𠀀é'), ("", ""), ("普通", "普通"), (None, None)]):
            record(db.session, actor=None, action=f"test.{short}", object_type=short or "case",
                   object_id=long if long is not None else i, jurisdiction_id=None,
                   now=NOW.replace(microsecond=0).astimezone(zone) + dt.timedelta(microseconds=i),
                   from_state=short, to_state=short, reason=long, duty=long,
                   payload=[{}, {"k": long, "n": [1, 2.5, None, True]}, {"表": {"b": 1, "a": awkward}}, None][i])
        db.session.commit()
        records = db.session.query(AuditRecord).order_by(AuditRecord.seq).all()
        read_back = [content for *_, content in trail._hashed_contents(db.session)]
        assert read_back == [_canonical(rec) for rec in records]
        assert trail.verify_chain(db.session) == []


@pytest.mark.parametrize("key", [b"", b"k", b"s" * 32, b"b" * 64, b"l" * 65, "密钥".encode() * 40])
def test_the_record_mac_is_hmac_sha256_for_any_key_length(key):
    """The chain's MAC is computed from the key's pads hashed once (service_hall/audit/trail.py): it must be
    RFC 2104 HMAC-SHA256 for keys shorter than, equal to and longer than SHA-256's block."""
    import hmac as _hmac

    from service_hall.audit import trail

    saved = trail._key
    try:
        trail.use_key(key)
        for content in (b"", b"{}", "审计记录".encode() * 200):
            assert trail._mac(content) == _hmac.new(key, content, hashlib.sha256).hexdigest()
            assert trail._mac(content) == trail._mac(content)  # the pads are copied, never consumed
    finally:
        trail.use_key(saved)
