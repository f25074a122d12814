"""Stored form definitions, versioned per power item like the power list itself.

Each item has at most one draft (the highest version number) and any number of published versions.
A published row is never changed or deleted — an ORM guard refuses it — so an application that points
at the version it was submitted with keeps those rules for good.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint, event, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from forms.definition import FormDefinition, dump_form_definition, load_form_definition
from service_hall.core.base import Base, TimestampMixin, UTCDateTime
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class FormStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "published": "已发布"}[self.value]


class FormDefinitionVersion(TimestampMixin, Base):
    """One version of one item's form definition (the JSON format of :mod:`forms.definition`)."""

    __tablename__ = "form_definitions"
    __table_args__ = (UniqueConstraint("item_code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[FormStatus] = mapped_column(
        Enum(FormStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        # Keep the old value when it changes, so the immutability guard sees what was stored.
        active_history=True,
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Four eyes, like the power list: whoever saved the draft last cannot publish it (None: a command).
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<FormDefinitionVersion {self.item_code} v{self.version} {self.status.value}>"

    @property
    def form(self) -> FormDefinition:
        """The stored definition as dataclasses. Raises ValidationFailed if the row was corrupted."""
        return load_form_definition(self.definition)


@event.listens_for(Session, "before_flush")
def _published_rows_are_immutable(session: Session, flush_context: Any, instances: Any) -> None:
    # before_flush (not before_update) so that the stored status can still be loaded if it expired.
    for obj in session.dirty:
        if (isinstance(obj, FormDefinitionVersion) and session.is_modified(obj, include_collections=False)
                and _stored_status(obj) == FormStatus.PUBLISHED):
            raise Conflict("已发布的表单版本不能修改，请发布新版本")
    for obj in session.deleted:
        if isinstance(obj, FormDefinitionVersion) and _stored_status(obj) == FormStatus.PUBLISHED:
            raise Conflict("已发布的表单版本不能删除")


def _stored_status(target: FormDefinitionVersion) -> FormStatus | None:
    """The status as it is in the database, before any change pending in this session."""
    state = inspect(target)
    if state.pending or state.transient:
        return None
    history = state.attrs.status.history
    if history.deleted:
        return history.deleted[0]
    return target.status


def _check_inputs(item_code: str, now: dt.datetime) -> None:
    if not item_code or len(item_code) > 64:
        raise ValidationFailed("事项编码无效", details={"item_code": "事项编码应为1到64个字符"})
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")


def _normalised(definition: FormDefinition | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(definition, FormDefinition):
        return dump_form_definition(definition)
    return dump_form_definition(load_form_definition(definition))


def _draft(session: Session, item_code: str, *, lock: bool = False) -> FormDefinitionVersion | None:
    query = select(FormDefinitionVersion).where(FormDefinitionVersion.item_code == item_code,
                                                FormDefinitionVersion.status == FormStatus.DRAFT)
    if lock:
        # Two people publishing at once: the second waits, then finds no draft left.
        query = query.with_for_update()
    return session.scalars(query).first()


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:
        # Two people saved the same item's form at once; the unique (item_code, version) caught it.
        raise Conflict("该事项的表单刚被他人修改，请刷新后重试") from None


def save_form_draft(session: Session, item_code: str, definition: FormDefinition | Mapping[str, Any],
                    now: dt.datetime, *, actor_id: int | None = None) -> FormDefinitionVersion:
    """Create or replace the item's draft (one per item, numbered after every existing version), saved by
    the account ``actor_id`` (who then cannot publish it).

    Raises ValidationFailed (malformed definition, with located ``details``) and Conflict (a concurrent
    save; the session must then be rolled back).
    """
    _check_inputs(item_code, now)
    data = _normalised(definition)
    draft = _draft(session, item_code)
    if draft is None:
        latest = session.scalar(select(func.max(FormDefinitionVersion.version))
                                .where(FormDefinitionVersion.item_code == item_code))
        draft = FormDefinitionVersion(item_code=item_code, version=(latest or 0) + 1,
                                      status=FormStatus.DRAFT, created_at=now)
        session.add(draft)
    draft.definition = data
    draft.drafted_by_id = actor_id
    _flush(session)
    return draft


def publish_form_draft(session: Session, item_code: str, now: dt.datetime, *,
                       actor_id: int | None = None) -> FormDefinitionVersion:
    """Publish the item's draft as of ``now`` by the account ``actor_id``; from then on the row never
    changes. The account that saved the draft cannot publish it.

    Raises NotFound (no draft), PermissionDenied (own draft), ValidationFailed (the draft no longer loads)
    and Conflict.
    """
    _check_inputs(item_code, now)
    draft = _draft(session, item_code, lock=True)
    if draft is None:
        raise NotFound("该事项没有待发布的表单草稿")
    if actor_id is not None and actor_id == draft.drafted_by_id:
        raise PermissionDenied("不能发布自己起草的表单，须由另一名法制审核人员发布")
    load_form_definition(draft.definition)
    draft.status = FormStatus.PUBLISHED
    draft.published_at = now
    draft.published_by_id = actor_id
    _flush(session)
    return draft


def discard_form_draft(session: Session, item_code: str) -> None:
    """Drop the item's draft. Raises NotFound (no draft)."""
    draft = _draft(session, item_code)
    if draft is None:
        raise NotFound("该事项没有表单草稿")
    session.delete(draft)
    session.flush()


def form_draft(session: Session, item_code: str) -> FormDefinitionVersion | None:
    """The item's draft, if any. Raises nothing."""
    return _draft(session, item_code)


def publish_form_definition(session: Session, item_code: str,
                            definition: FormDefinition | Mapping[str, Any],
                            now: dt.datetime, *, drafted_by_id: int | None = None,
                            published_by_id: int | None = None) -> FormDefinitionVersion:
    """Publish ``definition`` as the item's next version, in force from ``now`` (a pending draft is
    replaced by it), drafted and published by two accounts (None for the demo loader).

    Raises ValidationFailed (malformed definition, with located ``details``), PermissionDenied (the same
    account twice) and Conflict (a concurrent publish; the session must then be rolled back).
    """
    save_form_draft(session, item_code, definition, now, actor_id=drafted_by_id)
    return publish_form_draft(session, item_code, now, actor_id=published_by_id)


def form_version(session: Session, item_code: str, version: int) -> FormDefinitionVersion:
    """One version of the item's form. Raises NotFound."""
    row = session.scalar(select(FormDefinitionVersion).where(FormDefinitionVersion.item_code == item_code,
                                                             FormDefinitionVersion.version == version))
    if row is None:
        raise NotFound(f"该事项没有第{version}版表单")
    return row


def current_form_definition(session: Session, item_code: str,
                            at: dt.datetime) -> FormDefinitionVersion | None:
    """The published version in force at ``at`` (the latest published at or before it), or None.

    Raises nothing.
    """
    return session.scalars(
        select(FormDefinitionVersion)
        .where(FormDefinitionVersion.item_code == item_code,
               FormDefinitionVersion.status == FormStatus.PUBLISHED,
               FormDefinitionVersion.published_at <= at)
        .order_by(FormDefinitionVersion.published_at.desc(), FormDefinitionVersion.version.desc())
        .limit(1)
    ).first()


def form_definition_versions(session: Session, item_code: str) -> list[FormDefinitionVersion]:
    """Every version of the item's form, newest first (the draft, if any, comes first). Raises nothing."""
    return list(session.scalars(
        select(FormDefinitionVersion).where(FormDefinitionVersion.item_code == item_code)
        .order_by(FormDefinitionVersion.version.desc())
    ))


def draft_codes(session: Session, codes: list[str]) -> set[str]:
    """The item codes among ``codes`` that have a form draft. Raises nothing."""
    if not codes:
        return set()
    return set(session.scalars(select(FormDefinitionVersion.item_code).where(
        FormDefinitionVersion.item_code.in_(codes), FormDefinitionVersion.status == FormStatus.DRAFT)))
