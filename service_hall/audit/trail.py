"""Writing and verifying the audit chain.

Each record's hash is an HMAC (SHA-256) with the audit key, which lives outside the database
(``AUDIT_KEY``, or the instance file ``audit_key``): whoever can edit the table cannot recompute the
chain after changing a row. What a key cannot show — the newest rows deleted and the head moved
back, or everything deleted — the checkpoints show: :func:`write_checkpoint` keeps the head's
sequence number and hash in a signed file outside the database (daily, ``flask audit checkpoint``),
and :func:`verify_chain` checks the chain still reaches every checkpoint. On PostgreSQL a trigger
also refuses UPDATE and DELETE on the table (migrations/versions/0013_hardening.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_str
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, String, Table, bindparam, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from service_hall.audit.actions import AuditAction
from service_hall.audit.models import AuditChainHead, AuditRecord

if TYPE_CHECKING:
    from service_hall.accounts.models import User

GENESIS = "0" * 64
_key: bytes | None = None
_pads: tuple[Any, Any] | None = None  # SHA-256 states after the key's inner and outer pads (RFC 2104)


def use_key(key: str | bytes | None) -> None:
    """Set the audit key (the app does at start); records appended from then on are keyed."""
    global _key, _pads
    _key = key.encode() if isinstance(key, str) else key
    _pads = _hmac_pads(_key) if _key is not None else None


def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    # HMAC-SHA256 hashes the key's two pads ahead of every message; hashed once here and copied per record,
    # a record costs a third of ``hmac.digest`` (which sets the key up anew each call).
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return (hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block)))


def _json(value: Any) -> str:
    """One value as ``json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    default=str)`` writes it, with the common scalars encoded directly."""
    if value is None:
        return "null"
    if type(value) is str:
        return _encode_str(value)
    if type(value) is int:
        return str(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _canonical_values(seq: Any, at: dt.datetime, actor_id: Any, actor_role: Any, jurisdiction_id: Any, action: Any,
                      object_type: Any, object_id: Any, from_state: Any, to_state: Any, reason: Any, duty: Any,
                      payload: Any, prev_hash: Any) -> bytes:
    """The hashed content of a record: the JSON object of its fields with sorted keys and no spaces,
    written field by field (the verification of millions of records spends its time here)."""
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")[:-6]  # as %Y-%m-%dT%H:%M:%S.%f, faster
    j = _json
    return (f'{{"action":{j(action)},"actor_id":{j(actor_id)},"actor_role":{j(actor_role)},"at":"{stamp}Z",'
            f'"duty":{j(duty)},"from_state":{j(from_state)},"jurisdiction_id":{j(jurisdiction_id)},'
            f'"object_id":{j(object_id)},"object_type":{j(object_type)},"payload":{j(payload) if payload else "{}"},'
            f'"prev_hash":{j(prev_hash)},"reason":{j(reason)},"seq":{j(seq)},"to_state":{j(to_state)}}}').encode()


def _canonical(rec: Any) -> bytes:
    """The hashed content of a record (an AuditRecord, or a row of its table with the same names)."""
    return _canonical_values(rec.seq, rec.at, rec.actor_id, rec.actor_role, rec.jurisdiction_id, rec.action,
                             rec.object_type, rec.object_id, rec.from_state, rec.to_state, rec.reason, rec.duty,
                             rec.payload, rec.prev_hash)


def _mac(content: bytes) -> str:
    """HMAC-SHA256 of ``content`` under the audit key, in hex (plain SHA-256 without a key)."""
    if _pads is None:
        return hashlib.sha256(content).hexdigest()
    inner, outer = _pads[0].copy(), _pads[1].copy()
    inner.update(content)
    outer.update(inner.digest())
    return outer.hexdigest()


def _digest(rec: Any) -> str:
    """HMAC-SHA-256 with the audit key (plain SHA-256 only where no key is set: outside the app)."""
    return _mac(_canonical(rec))


_EMPTY_PAYLOADS = frozenset({"{}", "null", "[]", "", '""', "0", "false"})  # what ``payload or {}`` turns into {}

# The columns a record's hash covers (see _canonical), besides its own hash.
_HASHED = ("seq", "at", "actor_id", "actor_role", "jurisdiction_id", "action", "object_type", "object_id",
           "from_state", "to_state", "reason", "duty", "payload", "prev_hash")


def resign_chain(connection: Connection, key: bytes, *, batch: int = 5000) -> int:
    """Re-sign with ``key`` a chain written before there was an audit key (plain SHA-256), after checking
    that chain is intact; done once, by migration 0013. Reads only the hashed columns, in batches by
    ``seq``, so it neither depends on columns added later nor holds the chain in memory. Returns the
    number of records. Raises ValueError (nothing changed) when the unkeyed chain is already broken."""
    table = cast(Table, AuditRecord.__table__)
    columns = [table.c.id, table.c.hash, *(table.c[name] for name in _HASHED)]
    change = (update(table).where(table.c.id == bindparam("b_id"))
              .values(prev_hash=bindparam("b_prev"), hash=bindparam("b_hash")))
    prev_plain = prev_keyed = GENESIS
    last_seq = count = 0
    while rows := connection.execute(select(*columns).where(table.c.seq > last_seq)
                                     .order_by(table.c.seq).limit(batch)).all():
        changes = []
        for row in rows:
            if row.prev_hash != prev_plain or hashlib.sha256(_canonical(row)).hexdigest() != row.hash:
                raise ValueError(f"审计链在第 {row.seq} 条记录处已不完整，请先运行 flask audit verify 查明原因")
            prev_plain = row.hash
            keyed = SimpleNamespace(**{**row._mapping, "prev_hash": prev_keyed})
            digest = hmac.new(key, _canonical(keyed), hashlib.sha256).hexdigest()
            changes.append({"b_id": row.id, "b_prev": prev_keyed, "b_hash": digest})
            prev_keyed = digest
        connection.execute(change, changes)
        last_seq, count = rows[-1].seq, count + len(rows)
    head = cast(Table, AuditChainHead.__table__)
    connection.execute(update(head).where(head.c.id == 1).values(hash=prev_keyed))
    return count


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


ANCHOR_PREFIX = "审计链"
_ANCHOR_HEX = 32  # 128 bits of the head's hash: enough to recognise it, short enough to print


def anchor(session: Session) -> str:
    """The chain's head as a short text (``审计链 SEQ:HASH``) that signed documents carry, so that every
    PDF an applicant keeps also anchors the chain outside the database. Raises nothing."""
    head = session.get(AuditChainHead, 1)
    seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS)
    return f"{ANCHOR_PREFIX} {seq}:{digest[:_ANCHOR_HEX]}"


def parse_anchor(text: str | None) -> tuple[int, str] | None:
    """(seq, hash prefix) of an :func:`anchor` found in ``text`` (e.g. a signature's reason), or None."""
    import re

    found = re.search(rf"{ANCHOR_PREFIX} (\d+):([0-9a-f]{{{_ANCHOR_HEX}}})", text or "")
    return (int(found.group(1)), found.group(2)) if found else None


def _payload_json(text: str | None) -> str:
    """The canonical form of a stored payload (its JSON text): ``{}`` for the empty ones."""
    if text is None or text in _EMPTY_PAYLOADS:
        return "{}"
    value = json.loads(text)
    return _json(value) if value else "{}"


def _sql_json(column: str) -> str:
    # pg_catalog's to_json escapes a text exactly as json.encoder.encode_basestring does (quotes, backslash,
    # \b \f \n \r \t, other controls as \u00xx); qualified so that no function of another schema stands in.
    return f"coalesce(pg_catalog.to_json({column})::text, 'null')"


# The canonical content of every record (see _canonical_values) assembled by PostgreSQL in two pieces, before
# and after the payload, which Python re-encodes when there is one: the server builds the text on its own core
# while this process computes the HMACs, and no timestamp or row object is made per record.
_PG_CONTENTS = f"""
SELECT seq, prev_hash, hash, payload::text,
       pg_catalog.convert_to('{{"action":' || {_sql_json("action")} || ',"actor_id":' || {_sql_json("actor_id")}
           || ',"actor_role":' || {_sql_json("actor_role")}
           || ',"at":"' || pg_catalog.to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z"'
           || ',"duty":' || {_sql_json("duty")} || ',"from_state":' || {_sql_json("from_state")}
           || ',"jurisdiction_id":' || {_sql_json("jurisdiction_id")} || ',"object_id":' || {_sql_json("object_id")}
           || ',"object_type":' || {_sql_json("object_type")} || ',"payload":', 'UTF8'),
       pg_catalog.convert_to(',"prev_hash":' || {_sql_json("prev_hash")} || ',"reason":' || {_sql_json("reason")}
           || ',"seq":' || {_sql_json("seq")} || ',"to_state":' || {_sql_json("to_state")} || '}}', 'UTF8')
FROM audit_records ORDER BY seq
"""
_BATCH = 10000


def _hashed_contents(session: Session) -> Iterator[tuple[int, str, str, bytes]]:
    """(seq, prev_hash, hash, canonical content) of every record in order, a batch at a time: memory stays
    flat whatever the chain's length."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        import psycopg

        raw = cast(psycopg.Connection[Any], connection.connection.driver_connection)
        cursor: psycopg.Cursor[Any] | psycopg.ServerCursor[Any]
        if psycopg.pq.version() >= 170000:  # libpq streams in chunks: the server sends on while rows are checked
            cursor = raw.cursor(binary=True)
            rows: Iterator[Any] = cursor.stream(_PG_CONTENTS, size=_BATCH)
        else:
            cursor = raw.cursor("audit_verify", binary=True)
            cursor.itersize = _BATCH
            rows = iter(cursor.execute(_PG_CONTENTS))
        with cursor:
            for seq, prev_hash, digest, payload, before, after in rows:
                empty = payload is None or payload in _EMPTY_PAYLOADS
                yield seq, prev_hash, digest, before + (b"{}" if empty else _payload_json(payload).encode()) + after
        return
    table = cast(Table, AuditRecord.__table__)
    # The payload comes as its stored text, parsed only when not empty (most records carry none).
    columns = [sql_cast(table.c[name], String) if name == "payload" else table.c[name] for name in _HASHED]
    payload_at = _HASHED.index("payload")
    result = session.execute(select(*columns, table.c.hash).order_by(table.c.seq),
                           execution_options={"stream_results": True, "yield_per": _BATCH})
    for row in result:
        values = list(row)
        text = values[payload_at]
        values[payload_at] = None if text is None or text in _EMPTY_PAYLOADS else json.loads(text)
        yield values[0], values[13], values[14], _canonical_values(*values[:14])


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(session: Session, checkpoints: Sequence[Checkpoint] = (),
                 anchors: Sequence[tuple[str, tuple[int, str]]] = ()) -> list[ChainProblem]:
    """Walk the chain in order; report every edited, inserted or deleted record, every checkpoint the
    chain no longer reaches (newest records deleted), and every document anchor — (document name,
    (seq, hash prefix)) read from signed PDFs — whose record is gone or changed. Raises nothing."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    hashes: dict[int, str] = {}
    wanted = {c.seq for c in checkpoints} | {seq for _, (seq, _) in anchors}
    mac = _mac
    for seq, prev_hash, digest, content in _hashed_contents(session):
        if seq in wanted:
            hashes[seq] = digest
        if seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"缺少第 {expected_seq} 至 {seq - 1} 条记录（已被删除）"))
        if prev_hash != prev:
            problems.append(ChainProblem(seq, "前序哈希不匹配（前一条记录被改动或删除）"))
        if mac(content) != digest:
            problems.append(ChainProblem(seq, "记录内容与哈希不符（记录被篡改）"))
        prev = digest
        expected_seq = seq + 1
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append(ChainProblem(head.seq, "链尾与最后一条记录不一致（末尾记录被删除）"))
    for checkpoint in checkpoints:
        if not checkpoint.authentic():
            problems.append(ChainProblem(checkpoint.seq, f"检查点 {checkpoint.at} 的签名无效（检查点文件被改动）"))
        elif checkpoint.seq and hashes.get(checkpoint.seq) != checkpoint.hash:
            found = "已不存在" if checkpoint.seq not in hashes else "与检查点记录的哈希不符"
            problems.append(ChainProblem(checkpoint.seq, f"检查点 {checkpoint.at} 记录的第 {checkpoint.seq} 条记录"
                                                         f"{found}（记录被删除或改写）"))
    for name, (seq, prefix) in anchors:
        if seq and not hashes.get(seq, "").startswith(prefix):
            found = "已不存在" if seq not in hashes else "与文书中记录的哈希不符"
            problems.append(ChainProblem(seq, f"签章文书 {name} 记录的第 {seq} 条记录{found}（记录被删除或改写）"))
    return problems


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed with the audit key; kept outside the database."""

    seq: int
    hash: str
    at: str
    mac: str

    def _expected_mac(self) -> str | None:
        if _key is None:
            return None
        return hmac.new(_key, f"audit-checkpoint:{self.seq}:{self.hash}:{self.at}".encode(),
                        hashlib.sha256).hexdigest()

    def authentic(self) -> bool:
        expected = self._expected_mac()
        return expected is not None and hmac.compare_digest(expected, self.mac)


def write_checkpoint(session: Session, directory: str | Path, *, now: dt.datetime) -> Path:
    """Write the head's checkpoint as ``audit-checkpoint-YYYYMMDD.json`` (one per day; a later run on
    the same day replaces it). Raises RuntimeError without an audit key, OSError if it cannot write."""
    if _key is None:
        raise RuntimeError("未配置审计密钥（AUDIT_KEY）")
    head = session.get(AuditChainHead, 1)
    seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS)
    at = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    unsigned = Checkpoint(seq, digest, at, "")
    checkpoint = Checkpoint(seq, digest, at, unsigned._expected_mac() or "")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-checkpoint-{now.astimezone(dt.UTC):%Y%m%d}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(checkpoint.__dict__, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_checkpoints(directory: str | Path) -> list[Checkpoint]:
    """Every checkpoint file in ``directory`` (none if it does not exist). A file that cannot be read
    counts as a checkpoint with an invalid signature, so that damage is reported, not skipped."""
    folder = Path(directory)
    found = []
    for path in sorted(folder.glob("audit-checkpoint-*.json")) if folder.is_dir() else []:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            found.append(Checkpoint(int(raw["seq"]), str(raw["hash"]), str(raw["at"]), str(raw["mac"])))
        except (OSError, ValueError, KeyError, TypeError):
            found.append(Checkpoint(0, "", path.name, ""))
    return found
