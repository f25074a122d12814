"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.audit.actions import AuditAction
from service_hall.audit.models import AuditChainHead, AuditRecord

if TYPE_CHECKING:
    from service_hall.accounts.models import User

GENESIS = "0" * 64


def _canonical(rec: Any) -> bytes:
    """The hashed content of a record (an AuditRecord, or a row of its table with the same names)."""
    at = rec.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "seq": rec.seq, "at": at, "actor_id": rec.actor_id, "actor_role": rec.actor_role,
        "jurisdiction_id": rec.jurisdiction_id, "action": rec.action, "object_type": rec.object_type,
        "object_id": rec.object_id, "from_state": rec.from_state, "to_state": rec.to_state,
        "reason": rec.reason, "duty": rec.duty, "payload": rec.payload or {}, "prev_hash": rec.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _digest(rec: Any) -> str:
    return hashlib.sha256(_canonical(rec)).hexdigest()


def record(session: Session, *, actor: User | None, action: AuditAction | str, object_type: str, object_id: object,
           now: dt.datetime, jurisdiction_id: int | None = None, from_state: str | None = None,
           to_state: str | None = None, reason: str | None = None, duty: str | None = None,
           payload: dict[str, Any] | None = None) -> AuditRecord:
    """Append one record to the chain (in the caller's transaction). Never raises for content.

    ``action`` is an :class:`AuditAction`; a plain string is stored as given (older call sites, tests).
    """
    head = session.scalar(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update())
    if head is None:
        head = AuditChainHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    if jurisdiction_id is None and actor is not None:
        jurisdiction_id = actor.jurisdiction_id
    rec = AuditRecord(
        seq=head.seq + 1, at=now, actor_id=actor.id if actor else None,
        actor_role=str(actor.role) if actor else None, jurisdiction_id=jurisdiction_id, action=str(action),
        object_type=object_type, object_id=str(object_id), from_state=from_state, to_state=to_state,
        reason=reason, duty=duty, payload=json.loads(json.dumps(payload or {}, default=str)),
        prev_hash=head.hash,
    )
    rec.hash = _digest(rec)
    head.seq = rec.seq
    head.hash = rec.hash
    session.add(rec)
    session.flush()
    return rec


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(session: Session) -> list[ChainProblem]:
    """Walk the chain in order; report every edited, inserted or deleted record."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    # Plain rows through a server-side cursor, a batch at a time: memory stays flat whatever the chain's
    # length (no ORM objects, no client-side buffer of the whole result).
    rows = session.execute(select(AuditRecord.__table__).order_by(AuditRecord.seq),
                           execution_options={"stream_results": True, "yield_per": 2000})
    for rec in rows:
        if rec.seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"缺少第 {expected_seq} 至 {rec.seq - 1} 条记录（已被删除）"))
        if rec.prev_hash != prev:
            problems.append(ChainProblem(rec.seq, "前序哈希不匹配（前一条记录被改动或删除）"))
        if _digest(rec) != rec.hash:
            problems.append(ChainProblem(rec.seq, "记录内容与哈希不符（记录被篡改）"))
        prev = rec.hash
        expected_seq = rec.seq + 1
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append(ChainProblem(head.seq, "链尾与最后一条记录不一致（末尾记录被删除）"))
    return problems
