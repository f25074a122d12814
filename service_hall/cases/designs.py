"""Outcome designs authored by legal affairs, versioned: an item's decision content (what the decider
fixes, :mod:`service_hall.cases.decisions`) and the certificate types of the 证照目录
(:mod:`service_hall.certificates.types`). docs/architecture.md, "Decision content and certificate types".

A design has at most one draft (the highest version) and any number of published versions; the draft is
published by a second person (not its last editor), and the version in force is the latest published
one. A published row never changes, so a case decided under a version keeps what it printed.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import Conflict, NotFound, PermissionDenied


class DesignKind(enum.StrEnum):
    DECISION = "decision"  # key: the item code
    CERTIFICATE_TYPE = "certificate_type"  # key: the certificate type code

    @property
    def label(self) -> str:
        return {"decision": "决定内容", "certificate_type": "证照类型"}[self.value]


class DesignStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "published": "已发布"}[self.value]


def _str_enum(cls: type[enum.Enum], length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class OutcomeDesign(Base):
    """One version of one design (its JSON in ``definition``)."""

    __tablename__ = "outcome_designs"
    __table_args__ = (UniqueConstraint("kind", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DesignKind] = mapped_column(_str_enum(DesignKind, 20))
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[DesignStatus] = mapped_column(_str_enum(DesignStatus, 16))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_by: Mapped[User | None] = relationship(foreign_keys=[saved_by_id])
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])


Check = Callable[[dict[str, Any]], dict[str, Any]]  # normalises a definition; raises ValidationFailed


def draft_of(session: Session, kind: DesignKind, key: str) -> OutcomeDesign | None:
    return session.scalars(select(OutcomeDesign).where(
        OutcomeDesign.kind == kind, OutcomeDesign.key == key, OutcomeDesign.status == DesignStatus.DRAFT)).first()


def published(session: Session, kind: DesignKind, key: str) -> OutcomeDesign | None:
    """The version in force (the latest published), or None. Raises nothing."""
    return session.scalars(select(OutcomeDesign).where(
        OutcomeDesign.kind == kind, OutcomeDesign.key == key, OutcomeDesign.status == DesignStatus.PUBLISHED)
        .order_by(OutcomeDesign.version.desc()).limit(1)).first()


def versions(session: Session, kind: DesignKind, key: str) -> list[OutcomeDesign]:
    """Every version, newest first. Raises nothing."""
    return list(session.scalars(select(OutcomeDesign).where(OutcomeDesign.kind == kind, OutcomeDesign.key == key)
                                .order_by(OutcomeDesign.version.desc())))


def keys(session: Session, kind: DesignKind) -> list[str]:
    """Every key that has a version of ``kind``, sorted. Raises nothing."""
    return list(session.scalars(select(OutcomeDesign.key).where(OutcomeDesign.kind == kind).distinct()
                                .order_by(OutcomeDesign.key)))


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("该设计刚被他人修改，请刷新后重试") from None


def save_draft(session: Session, kind: DesignKind, key: str, definition: dict[str, Any], *, check: Check,
               actor: User | None, now: dt.datetime) -> OutcomeDesign:
    """Create or replace the draft of ``key`` with ``definition`` once ``check`` accepts it. Raises
    ValidationFailed (from ``check``, located), Conflict (a concurrent save)."""
    data = check(definition)
    draft = draft_of(session, kind, key)
    if draft is None:
        latest = session.scalar(select(func.max(OutcomeDesign.version)).where(
            OutcomeDesign.kind == kind, OutcomeDesign.key == key))
        draft = OutcomeDesign(kind=kind, key=key, version=(latest or 0) + 1, status=DesignStatus.DRAFT)
        session.add(draft)
    draft.definition = data
    draft.saved_at = now
    draft.saved_by_id = actor.id if actor else None
    _flush(session)
    record(session, actor=actor, action=AuditAction.OUTCOME_DESIGN_SAVE, object_type=kind.value, object_id=key,
           now=now, payload={"version": draft.version})
    return draft


def publish(session: Session, kind: DesignKind, key: str, *, check: Check, actor: User | None,
            now: dt.datetime, second_person: bool = True) -> OutcomeDesign:
    """Publish the draft of ``key``: checked again as it stands now (what it refers to may have changed
    since it was saved), by someone other than its last editor. Nothing changes when refused.
    Raises NotFound (no draft), PermissionDenied (own draft), ValidationFailed (located), Conflict."""
    draft = draft_of(session, kind, key)
    if draft is None:
        raise NotFound("没有待发布的草稿")
    if second_person and actor is not None and draft.saved_by_id == actor.id:
        raise PermissionDenied("草稿须由另一名法制审核人员发布，不能发布自己保存的草稿")
    data = check(draft.definition)
    draft.definition = data
    draft.status = DesignStatus.PUBLISHED
    draft.published_at = now
    draft.published_by_id = actor.id if actor else None
    _flush(session)
    record(session, actor=actor, action=AuditAction.OUTCOME_DESIGN_PUBLISH, object_type=kind.value, object_id=key,
           now=now, payload={"version": draft.version})
    return draft


def publish_now(session: Session, kind: DesignKind, key: str, definition: dict[str, Any], *, check: Check,
                now: dt.datetime) -> OutcomeDesign:
    """Save and publish in one step, by the system (the demo loader and the import). Raises like
    :func:`save_draft`."""
    save_draft(session, kind, key, definition, check=check, actor=None, now=now)
    return publish(session, kind, key, check=check, actor=None, now=now, second_person=False)
