"""Bundles (一件事) as list data: drafted by legal affairs, checked against the list in force, published by
a second person, immutable once published; the catalog's combined guide. See docs/bundles.md.

Every function takes the session, the acting user and ``now``; none commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from marshmallow.types import ErrorMessages
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.definition import load_form_definition
from power_lists.models import DelegationMode, PowerItem
from power_lists.queries import china_today, holdings, version_in_force
from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.bundles.composition import SEPARATE, Composition, ItemForm, compose
from service_hall.bundles.models import Bundle, BundleStatus, Theme
from service_hall.cases.schemas import flatten_errors
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MSG: ErrorMessages = {"required": "此项为必填项", "null": "此项不能为空", "invalid": "格式不正确"}


class _ItemIn(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Length(min=1, max=64, error="请填写事项编码"),
                         error_messages=_MSG)
    after = fields.List(fields.String(), load_default=list, error_messages=_MSG)


class BundleIn(Schema):
    """A bundle as legal affairs write it (the designer page and the demo post the same shape)."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, error_messages=_MSG, validate=validate.Regexp(
        _CODE_RE, error="编码只能由字母、数字、短横线和下划线组成（64字以内）"))
    name = fields.String(required=True, error_messages=_MSG,
                         validate=validate.Length(min=2, max=100, error="名称应为2至100字"))
    theme = fields.String(required=True, error_messages=_MSG,
                          validate=validate.OneOf([t.value for t in Theme], error="请选择主题"))
    description = fields.String(load_default="", validate=validate.Length(max=2000, error="说明不能超过2000字"))
    towns = fields.List(fields.String(), required=True, error_messages=_MSG,
                        validate=validate.Length(min=1, error="请至少选择一个乡镇（街道）"))
    items = fields.List(fields.Nested(_ItemIn), required=True, error_messages=_MSG,
                        validate=validate.Length(min=2, max=12, error="一件事应包含2至12个事项"))
    field_map = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()),
                            load_default=dict)
    material_map = fields.Dict(keys=fields.String(),
                               values=fields.Dict(keys=fields.String(), values=fields.String()), load_default=dict)
    resolutions = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)


def _load(raw: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return dict(BundleIn().load(raw))
    except ValidationError as exc:
        raise ValidationFailed("一件事内容有误，请按提示修改", details=flatten_errors(exc.messages)) from exc


@dataclass(frozen=True)
class Member:
    """One item of a bundle as the list in force holds it (None when it is no longer in the list)."""

    code: str
    after: tuple[str, ...]
    item: PowerItem | None
    form: ItemForm | None


def _item_in_force(session: Session, county: Jurisdiction, code: str, on: dt.date) -> PowerItem | None:
    version = version_in_force(session, county.id, on)
    if version is None:
        return None
    return session.scalar(select(PowerItem).where(PowerItem.version_id == version.id, PowerItem.code == code))


def members(session: Session, bundle: Bundle, now: dt.datetime) -> list[Member]:
    """The bundle's items as the list in force and their published forms stand at ``now``."""
    from forms.models import current_form_definition

    out = []
    for entry in bundle.items:
        code = str(entry["code"])
        item = _item_in_force(session, bundle.county, code, china_today(now))
        version = current_form_definition(session, code, now) if item is not None else None
        form = (ItemForm(code, item.full_name, load_form_definition(version.definition))
                if item is not None and version is not None else None)
        out.append(Member(code, tuple(entry.get("after") or []), item, form))
    return out


def _cycle(items: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """A cycle in the order (item codes, first repeated at the end), or None."""
    graph = {str(i["code"]): [str(a) for a in i.get("after") or []] for i in items}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(code: str) -> list[str] | None:
        state[code] = 1
        path.append(code)
        for before in graph.get(code, []):
            if state.get(before) == 1:
                return [*path[path.index(before):], before]
            if before not in state and (found := visit(before)) is not None:
                return found
        state[code] = 2
        path.pop()
        return None

    for code in graph:
        if code not in state and (found := visit(code)) is not None:
            return found
    return None


def problems(session: Session, bundle: Bundle, now: dt.datetime, *, structure_only: bool = False) -> dict[str, str]:
    """Every reason the bundle cannot be published as it stands at ``now``, located ``items[i].code``,
    ``items[i].after``, ``towns[j]`` or ``conflicts.<key>``. ``structure_only``: only what a draft may
    not be saved with either — an item twice or not in the list, a bad order or cycle, a bad town."""
    structure: dict[str, str] = {}
    later: dict[str, str] = {}  # what the list and the forms must still provide before publishing
    today = china_today(now)
    towns = _towns(session, bundle.county, bundle.towns, structure)
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    entries = bundle.items
    codes = [str(i["code"]) for i in entries]
    for i, member in enumerate(members(session, bundle, now)):
        path = f"items[{i}].code"
        for before in member.after:
            if before == member.code:
                structure[f"items[{i}].after"] = "事项不能以自身结果为前置"
            elif before not in codes:
                structure[f"items[{i}].after"] = f"前置事项 {before} 不在本一件事中"
        if member.code in seen:
            structure[path] = f"事项 {member.code} 重复列入（已在第{seen[member.code] + 1}项）"
            continue
        seen[member.code] = i
        item = member.item
        if item is None:
            structure[path] = f"事项 {member.code} 不在现行清单中（可能已被取消），不能列入一件事"
            continue
        names[member.code] = item.full_name
        if not item.opens_application:
            later[path] = f"“{item.full_name}”不接受申请，不能列入一件事"
            continue
        for town in towns:
            if not any(d.town_id == town.id and d.covers(today) for d in item.delegations):
                later[path] = f"{town.name}未承接“{item.full_name}”，不能在该乡镇（街道）列入本一件事"
                break
        else:
            if member.form is None:
                later[path] = f"“{item.full_name}”尚无已发布的申请表单"
    if not any(k.endswith(".after") for k in structure) and (cycle := _cycle(entries)) is not None:
        structure["items"] = "办理顺序存在循环：" + " → ".join(names.get(c, c) for c in cycle)
    if structure_only:
        return structure
    errors = {**later, **structure}
    if not errors:
        for conflict in composition(session, bundle, now).unresolved:
            errors[f"conflicts.{conflict.key}"] = (f"“{conflict.label}”在各事项表单中要求不同，尚未处理："
                                                   + "；".join(conflict.differences))
    return errors


def _towns(session: Session, county: Jurisdiction, codes: Sequence[str], errors: dict[str, str]) -> list[Jurisdiction]:
    out = []
    for j, code in enumerate(codes):
        town = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
        if town is None or town.level is not JurisdictionLevel.TOWN or town.county.id != county.id:
            errors[f"towns[{j}]"] = f"{code} 不是本县的乡镇（街道）"
        elif town in out:
            errors[f"towns[{j}]"] = f"{town.name}重复"
        else:
            out.append(town)
    return out


def composition(session: Session, bundle: Bundle, now: dt.datetime) -> Composition:
    """The bundle's composed form from its items' forms in force at ``now`` (items without one left out)."""
    forms = [m.form for m in members(session, bundle, now) if m.form is not None]
    return compose(bundle.name, forms, field_map=bundle.field_map, material_map=bundle.material_map,
                   resolutions=bundle.resolutions)


def _audit(session: Session, bundle: Bundle, action: AuditAction, *, actor: User | None, now: dt.datetime,
           payload: dict[str, Any] | None = None) -> None:
    record(session, actor=actor, action=action, object_type="bundle", object_id=bundle.id, now=now,
           jurisdiction_id=bundle.county_id,
           payload={"code": bundle.code, "version": bundle.version, **(payload or {})})


def draft_of(session: Session, county: Jurisdiction, code: str) -> Bundle | None:
    return session.scalar(select(Bundle).where(Bundle.county_id == county.id, Bundle.code == code,
                                               Bundle.status == BundleStatus.DRAFT))


def save_draft(session: Session, county: Jurisdiction, raw: Mapping[str, Any], *, actor: User | None,
               now: dt.datetime) -> Bundle:
    """Create or replace the bundle's draft (one per code, numbered after its published versions).

    The shape is checked at once (ValidationFailed, located); what depends on the list — items held by
    the towns, forms, conflicts — is checked again at publishing (see :func:`problems`), and an item
    twice, an unknown item or a cycle is refused already here.
    """
    data = _load(raw)
    content = {
        "name": data["name"].strip(), "theme": Theme(data["theme"]), "description": data["description"].strip(),
        "towns": list(dict.fromkeys(t.strip() for t in data["towns"] if t.strip())),
        "items": [{"code": i["code"].strip(), "after": [a.strip() for a in i["after"] if a.strip()]}
                  for i in data["items"]],
        "field_map": {k: dict(v) for k, v in data["field_map"].items()},
        "material_map": {k: dict(v) for k, v in data["material_map"].items()},
        "resolutions": {k: v for k, v in data["resolutions"].items() if v},
    }
    # Checked on an unsaved copy: a refused draft leaves nothing behind.
    with session.no_autoflush:
        errors = problems(session, Bundle(county=county, **content), now, structure_only=True)
    if errors:
        raise ValidationFailed("一件事内容有误，请按提示修改", details=errors)
    draft = draft_of(session, county, data["code"])
    if draft is None:
        latest = session.scalar(select(func.max(Bundle.version)).where(Bundle.county_id == county.id,
                                                                       Bundle.code == data["code"]))
        draft = Bundle(county=county, code=data["code"], version=(latest or 0) + 1, status=BundleStatus.DRAFT,
                       created_at=now)
        session.add(draft)
    for key, value in content.items():
        setattr(draft, key, value)
    draft.saved_by_id = actor.id if actor is not None else None
    session.flush()
    _audit(session, draft, AuditAction.BUNDLE_SAVE_DRAFT, actor=actor, now=now)
    return draft


def publish(session: Session, bundle: Bundle, *, actor: User, now: dt.datetime) -> Bundle:
    """Publish the draft: in force from ``now``, never changed afterwards. Someone other than the last
    editor must publish. Raises PermissionDenied (the editor publishing), Conflict (not a draft),
    ValidationFailed with every problem of :func:`problems` (an item revoked or not held by a town, a
    cycle, an unresolved conflict …)."""
    if bundle.status is not BundleStatus.DRAFT:
        raise Conflict("该一件事版本已发布")
    if bundle.saved_by_id is not None and bundle.saved_by_id == actor.id:
        raise PermissionDenied("一件事须由起草人以外的法制审核人员审核发布")
    errors = problems(session, bundle, now)
    if errors:
        raise ValidationFailed("一件事不能发布，请先处理以下问题", details=errors)
    bundle.status = BundleStatus.PUBLISHED
    bundle.published_at = now
    bundle.published_by_id = actor.id
    session.flush()
    _audit(session, bundle, AuditAction.BUNDLE_PUBLISH, actor=actor, now=now)
    return bundle


def discard_draft(session: Session, bundle: Bundle, *, actor: User, now: dt.datetime) -> None:
    if bundle.status is not BundleStatus.DRAFT:
        raise Conflict("已发布的一件事版本不可删除")
    _audit(session, bundle, AuditAction.BUNDLE_DISCARD, actor=actor, now=now)
    session.delete(bundle)
    session.flush()


def bundles_of(session: Session, county: Jurisdiction) -> list[Bundle]:
    """Every version of every bundle of the county (drafts included), by code then newest first."""
    return list(session.scalars(select(Bundle).where(Bundle.county_id == county.id)
                                .order_by(Bundle.code, Bundle.version.desc())))


def in_force(session: Session, county: Jurisdiction, now: dt.datetime) -> list[Bundle]:
    """The county's bundles in force at ``now``: the latest published version of each code."""
    rows = session.scalars(select(Bundle).where(Bundle.county_id == county.id, Bundle.status == BundleStatus.PUBLISHED,
                                                Bundle.published_at <= now)
                           .order_by(Bundle.code, Bundle.version.desc()))
    latest: dict[str, Bundle] = {}
    for b in rows:
        latest.setdefault(b.code, b)
    return sorted(latest.values(), key=lambda b: (b.theme.value, b.name))


def bundle_in_force(session: Session, county: Jurisdiction, code: str, now: dt.datetime) -> Bundle:
    """Raises NotFound."""
    found = next((b for b in in_force(session, county, now) if b.code == code), None)
    if found is None:
        raise NotFound("未找到该一件事")
    return found


def get_bundle(session: Session, county: Jurisdiction, bundle_id: int) -> Bundle:
    bundle = session.get(Bundle, bundle_id)
    if bundle is None or bundle.county_id != county.id:
        raise NotFound("未找到该一件事")
    return bundle


def _suspensions(session: Session, bundle: Bundle, towns: Sequence[Jurisdiction],
                 on: dt.date) -> dict[str, str | None]:
    """For each of ``towns`` (by code), why it can't take applications for ``bundle`` on ``on``, or None.

    A bundle is checked against the list when it is published; a list published later may revoke one of
    its items or take it back from a town, and from the day that list takes effect the bundle is not
    offered there (docs/bundles.md, "Offered")."""
    held = holdings(session, [t for t in towns if t.code in bundle.towns], on)
    out: dict[str, str | None] = {}
    for town in towns:
        if town.code not in bundle.towns:
            out[town.code] = f"{town.name}未开通“{bundle.name}”"
            continue
        codes = {h.code for h in held[town.id]}
        missing = next((c for c in bundle.item_codes if c not in codes), None)
        if missing is None:
            out[town.code] = None
        elif (item := _item_in_force(session, bundle.county, missing, on)) is None:
            out[town.code] = f"“{bundle.name}”暂停办理：事项 {missing} 不在现行清单中（可能已被取消）"
        else:
            out[town.code] = f"“{bundle.name}”在{town.name}暂停办理：{town.name}已不再承接“{item.full_name}”"
    return out


def suspension(session: Session, bundle: Bundle, town: Jurisdiction, now: dt.datetime) -> str | None:
    """Why ``town`` can't take applications for ``bundle`` at ``now`` (None when it can): not one of its
    towns, or an item revoked from the list in force or no longer held by the town."""
    return _suspensions(session, bundle, [town], china_today(now))[town.code]


def offering_towns(session: Session, bundle: Bundle, now: dt.datetime | dt.date) -> list[str]:
    """The codes of the bundle's towns that take applications for it at ``now`` (or on that date)."""
    on = now if not isinstance(now, dt.datetime) else china_today(now)
    places = list(session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(bundle.towns))))
    reasons = _suspensions(session, bundle, places, on)
    return [code for code in bundle.towns if code in reasons and reasons[code] is None]


def offered(session: Session, county: Jurisdiction, now: dt.datetime) -> list[Bundle]:
    """The county's bundles in force that some town offers at ``now``."""
    return [b for b in in_force(session, county, now) if offering_towns(session, b, now)]


def offered_in(session: Session, town: Jurisdiction, now: dt.datetime) -> list[Bundle]:
    """The bundles in force that ``town`` offers at ``now``."""
    return [b for b in in_force(session, town.county, now) if suspension(session, b, town, now) is None]


# --- the combined guide -----------------------------------------------------------------------------

@dataclass(frozen=True)
class GuideItem:
    code: str
    name: str
    office: str
    mode: DelegationMode
    promised_days: int
    statutory_days: int
    visits: int
    after: tuple[str, ...]


@dataclass(frozen=True)
class GuideMaterial:
    name: str
    required: bool
    items: tuple[str, ...]  # item names that use it
    shared: bool


@dataclass(frozen=True)
class CombinedGuide:
    """一次告知: one guide for the whole bundle."""

    items: list[GuideItem]
    materials: list[GuideMaterial]
    promised_days: int  # the critical path of the order, in promised working days
    statutory_days: int
    sum_promised_days: int  # what applying item by item would promise
    visits: int
    critical_path: list[str]


def critical_path(items: Sequence[GuideItem], days: str = "promised_days") -> tuple[int, list[str]]:
    """The longest chain of the order (items that need another's result wait for it; the others run in
    parallel): its length in working days and its item names."""
    by_code = {i.code: i for i in items}
    memo: dict[str, tuple[int, list[str]]] = {}

    def longest(code: str) -> tuple[int, list[str]]:
        if code not in memo:
            item = by_code[code]
            best = max((longest(a) for a in item.after if a in by_code), default=(0, []), key=lambda x: x[0])
            memo[code] = (best[0] + int(getattr(item, days)), best[1] + [item.name])
        return memo[code]

    return max((longest(c) for c in by_code), default=(0, []), key=lambda x: x[0])


def combined_guide(session: Session, bundle: Bundle, town: Jurisdiction | None, now: dt.datetime) -> CombinedGuide:
    """The bundle's one guide: its items with offices and limits, materials listed once, the promised
    days of the critical path and the visits (one window: at most the most any item needs)."""
    items = []
    for m in members(session, bundle, now):
        if m.item is None:
            continue
        guide = m.item.guide or {}
        office = (m.item.acting_authority(town) if town is not None else
                  m.item.original_office.name if m.item.original_office is not None else m.item.original_department)
        items.append(GuideItem(m.code, m.item.full_name, office, m.item.delegation_mode,
                               int(guide.get("promised_days") or 0), int(guide.get("statutory_days") or 20),
                               int(guide.get("visits") or 0), m.after))
    comp = composition(session, bundle, now)
    names = {i.code: i.name for i in items}
    materials = []
    for section in comp.sections:
        for mat in section.definition.materials:
            targets = comp.material_targets.get(mat.code, [])
            materials.append(GuideMaterial(mat.name, mat.required, tuple(names.get(c, c) for c, _ in targets),
                                           section.item_code is None))
    promised, path = critical_path(items)
    statutory, _ = critical_path(items, "statutory_days")
    return CombinedGuide(items, materials, promised, statutory, sum(i.promised_days for i in items),
                         max((i.visits for i in items), default=0), path)


__all__ = ["SEPARATE", "BundleIn", "CombinedGuide", "bundle_in_force", "bundles_of", "combined_guide", "composition",
           "draft_of", "in_force", "members", "offered", "offered_in", "offering_towns", "problems", "publish",
           "save_draft", "suspension"]
