"""The application form of an item: the designed one published for its code, or else the default
generated from the item's 办事指南 (see :mod:`forms.generated`). One place decides, for the apply page,
the API, the readiness report and the case pages alike. See docs/forms.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.definition import FormDefinition, load_form_definition
from forms.generated import generated_definition
from forms.models import FormDefinitionVersion, current_form_definition
from power_lists.models import FROZEN_STATUSES, PowerItem, PowerListVersion
from power_lists.queries import china_today
from service_hall.core.errors import NotFound


@dataclass(frozen=True)
class ItemForm:
    """A form as applicants get it: the stored version (None when generated) and its definition."""

    item_code: str
    version: FormDefinitionVersion | None
    raw: dict[str, Any]
    definition: FormDefinition

    @property
    def generated(self) -> bool:
        return self.version is None

    @property
    def version_number(self) -> int | None:
        return self.version.version if self.version is not None else None

    @property
    def version_id(self) -> int | None:
        return self.version.id if self.version is not None else None

    def as_document(self) -> dict[str, Any]:
        """The API and file shape: ``{"item_code", "version", "definition"}`` (+ ``"generated": true``)."""
        out: dict[str, Any] = {"item_code": self.item_code, "version": self.version_number,
                               "definition": self.raw}
        if self.generated:
            out["generated"] = True
        return out


def default_form(item: PowerItem) -> dict[str, Any]:
    """The form generated from the item's guide, in the JSON format. Raises nothing."""
    return generated_definition(name=item.full_name, power_type=str(item.power_type), guide=item.guide)


def form_in_force(session: Session, item: PowerItem, at: dt.datetime) -> ItemForm:
    """The form applicants of ``item`` fill in at ``at``. Raises nothing."""
    version = current_form_definition(session, item.code, at)
    if version is not None:
        return ItemForm(item.code, version, version.definition, load_form_definition(version.definition))
    raw = default_form(item)
    return ItemForm(item.code, None, raw, load_form_definition(raw))


def pinned_form(session: Session, form_definition_id: int | None, item: PowerItem | None) -> FormDefinition | None:
    """The form an application was made with: the stored version it names, or (None) the form generated
    from the item version it was made for. Raises nothing."""
    if form_definition_id is not None:
        version = session.get(FormDefinitionVersion, form_definition_id)
        if version is not None:  # kept by the session, so a page asking twice reads it once
            session.info.setdefault("pinned_forms", {})[form_definition_id] = version
        return _loaded(version.definition) if version is not None else None
    if item is None:
        return None
    return _loaded(default_form(item))


# Definitions already checked, by the digest of their JSON: a case page shows the form its case was made
# with, which never changes once the case is filed, so the process checks each one once (the definition is
# frozen dataclasses; at most _LOADED_MAX are kept, the least recently used dropped first).
_LOADED: OrderedDict[bytes, FormDefinition] = OrderedDict()
_LOADED_MAX = 256
_LOADED_LOCK = threading.Lock()  # a background job's thread may load forms beside the requests


def _loaded(raw: dict[str, Any]) -> FormDefinition:
    key = hashlib.blake2b(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode(), digest_size=20).digest()
    with _LOADED_LOCK:
        found = _LOADED.get(key)
        if found is not None:
            _LOADED.move_to_end(key)
            return found
    found = load_form_definition(raw)
    with _LOADED_LOCK:
        _LOADED[key] = found
        while len(_LOADED) > _LOADED_MAX:
            _LOADED.popitem(last=False)
    return found


def public_item(session: Session, item_code: str, at: dt.datetime) -> PowerItem:
    """The item with this code as a published list in force holds it (the latest such list when several
    counties' lists have it). Raises NotFound."""
    today = china_today(at)
    item = session.scalars(
        select(PowerItem).join(PowerListVersion, PowerItem.version_id == PowerListVersion.id)
        .where(PowerItem.code == item_code, PowerListVersion.status.in_(FROZEN_STATUSES),
               PowerListVersion.effective_from <= today)
        .order_by(PowerListVersion.effective_from.desc(), PowerListVersion.number.desc()).limit(1)).first()
    if item is None or not item.opens_application:
        raise NotFound(f"未找到编码为 {item_code} 的申请类事项")
    return item


def item_to_design(session: Session, county_id: int, item_code: str) -> PowerItem:
    """The item a county's legal affairs design the form of: in the county's newest list version that has
    it (a draft's guide counts, so the form can be ready when the list is published). Raises NotFound."""
    item = session.scalars(
        select(PowerItem).join(PowerListVersion, PowerItem.version_id == PowerListVersion.id)
        .where(PowerItem.code == item_code, PowerListVersion.county_id == county_id)
        .order_by(PowerListVersion.number.desc()).limit(1)).first()
    if item is None:
        raise NotFound(f"本县清单中没有编码为 {item_code} 的事项")
    if not item.opens_application:
        raise NotFound(f"{item.full_name}不是申请类事项，没有申请表单")
    return item


def latest_item(session: Session, item_code: str) -> PowerItem:
    """The item with this code in the newest list version of any county (for commands that move forms
    between deployments). Raises NotFound."""
    item = session.scalars(
        select(PowerItem).join(PowerListVersion, PowerItem.version_id == PowerListVersion.id)
        .where(PowerItem.code == item_code).order_by(PowerListVersion.id.desc()).limit(1)).first()
    if item is None:
        raise NotFound(f"清单中没有编码为 {item_code} 的事项")
    return item
