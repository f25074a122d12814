"""The form designer's operations on an item's application form (save a draft, publish it by a second
person, discard it), audited. The editing steps themselves are in :mod:`forms.editing`; this module
finds the working definition and stores it. See docs/forms.md, "The designer".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from forms.models import (
    FormDefinitionVersion,
    current_form_definition,
    discard_form_draft,
    form_draft,
    publish_form_draft,
    save_form_draft,
)
from power_lists.item_forms import default_form
from power_lists.models import PowerItem
from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record

OBJECT_TYPE = "form"


@dataclass(frozen=True)
class WorkingForm:
    """What the designer edits: the draft, else a copy of the published form, else the generated one."""

    raw: dict[str, Any]
    draft: FormDefinitionVersion | None
    published: FormDefinitionVersion | None

    @property
    def source(self) -> str:
        if self.draft is not None:
            return f"草稿（第{self.draft.version}版，尚未发布）"
        if self.published is not None:
            return f"现行表单（第{self.published.version}版）"
        return "由办事指南生成的默认表单（尚未设计）"


def working_form(session: Session, item: PowerItem, now: dt.datetime) -> WorkingForm:
    """The definition the designer starts from. Raises nothing."""
    draft = form_draft(session, item.code)
    published = current_form_definition(session, item.code, now)
    if draft is not None:
        return WorkingForm(dict(draft.definition), draft, published)
    if published is not None:
        return WorkingForm(dict(published.definition), None, published)
    return WorkingForm(default_form(item), None, None)


def _audit(session: Session, action: AuditAction, item: PowerItem, row: FormDefinitionVersion | None, *,
           actor: User | None, now: dt.datetime, version: int | None = None) -> None:
    record(session, actor=actor, action=action, object_type=OBJECT_TYPE, object_id=item.code, now=now,
           jurisdiction_id=item.version.county_id,
           payload={"version": row.version if row is not None else version})


def save_design(session: Session, item: PowerItem, raw: Any, *, actor: User | None,
                now: dt.datetime) -> FormDefinitionVersion:
    """Store ``raw`` as the item's draft. Raises ValidationFailed (located ``details``; nothing stored) and
    Conflict."""
    row = save_form_draft(session, item.code, raw, now, actor_id=actor.id if actor else None)
    _audit(session, AuditAction.FORM_SAVE_DRAFT, item, row, actor=actor, now=now)
    return row


def publish_design(session: Session, item: PowerItem, *, actor: User | None,
                   now: dt.datetime) -> FormDefinitionVersion:
    """Publish the item's draft; applications made from now on use it, earlier ones keep their version.

    Raises NotFound (no draft), PermissionDenied (the actor saved the draft), ValidationFailed, Conflict.
    """
    row = publish_form_draft(session, item.code, now, actor_id=actor.id if actor else None)
    _audit(session, AuditAction.FORM_PUBLISH, item, row, actor=actor, now=now)
    return row


def discard_design(session: Session, item: PowerItem, *, actor: User | None, now: dt.datetime) -> None:
    """Drop the item's draft. Raises NotFound (no draft)."""
    draft = form_draft(session, item.code)
    number = draft.version if draft is not None else None
    discard_form_draft(session, item.code)
    _audit(session, AuditAction.FORM_DISCARD, item, None, actor=actor, now=now, version=number)
