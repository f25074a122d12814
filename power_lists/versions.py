"""The life of a list version: draft → legal review → published with an effective date → superseded.

Every action writes an audit record. A county has at most one open version (draft or in review) at a
time, so that two drafts cannot silently undo each other. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from power_lists.document import dump_item, load_item, version_items
from power_lists.models import (
    FROZEN_STATUSES,
    DelegationMode,
    ItemDelegation,
    PowerItem,
    PowerListVersion,
    PowerType,
    VersionStatus,
)
from power_lists.offices import link_items
from power_lists.queries import china_today, latest_published, open_version
from power_lists.tabular import TownDirectory
from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from service_hall.offices.models import Office
from service_hall.offices.operations import ensure_offices

OBJECT_TYPE = "power_list_version"


def county_for(session: Session, actor: User | None, county_code: str | None = None) -> Jurisdiction:
    """The county whose list the actor maintains (their own county), or the one named by code.

    Raises NotFound when there is no such county or the actor belongs to another county.
    """
    if county_code:
        county = session.scalar(select(Jurisdiction).where(Jurisdiction.code == county_code,
                                                           Jurisdiction.level == JurisdictionLevel.COUNTY))
    elif actor is not None and actor.jurisdiction is not None:
        county = actor.jurisdiction.county
    else:
        counties = list(session.scalars(select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.COUNTY)))
        county = counties[0] if len(counties) == 1 else None
    if county is None or county.level is not JurisdictionLevel.COUNTY:
        raise NotFound("未找到县级区划")
    if actor is not None and actor.jurisdiction is not None and actor.jurisdiction.county.id != county.id:
        raise NotFound("未找到县级区划")
    return county


def town_directory(session: Session, county: Jurisdiction) -> TownDirectory:
    towns = session.scalars(select(Jurisdiction).where(Jurisdiction.parent_id == county.id,
                                                       Jurisdiction.level == JurisdictionLevel.TOWN))
    return TownDirectory({t.code: t.name for t in towns})


def _audit(session: Session, version: PowerListVersion, action: AuditAction, *, actor: User | None, now: dt.datetime,
           from_state: VersionStatus | None = None, reason: str | None = None,
           payload: dict[str, Any] | None = None) -> None:
    record(session, actor=actor, action=action, object_type=OBJECT_TYPE, object_id=version.id,
           now=now, jurisdiction_id=version.county_id, from_state=str(from_state) if from_state else None,
           to_state=str(version.status), reason=reason, payload={"number": version.number, **(payload or {})})


def record_change(session: Session, version: PowerListVersion, action: AuditAction, *, actor: User | None,
                  now: dt.datetime, payload: dict[str, Any] | None = None) -> None:
    """Audit a change to a version made outside this module (the guide layer). Raises nothing."""
    _audit(session, version, action, actor=actor, now=now, payload=payload)


def require_draft(version: PowerListVersion) -> None:
    """Raises Conflict unless the version is an editable draft."""
    if version.status in FROZEN_STATUSES:
        raise Conflict(f"{version.label}已发布，已发布的清单版本不可修改；请新建草稿后修改")
    if version.status is VersionStatus.IN_REVIEW:
        raise Conflict(f"{version.label}正在法制审核中，不可修改；如需修改请由审核人退回")


def _next_number(session: Session, county_id: int) -> int:
    current = session.scalar(select(func.max(PowerListVersion.number)).where(PowerListVersion.county_id == county_id))
    return (current or 0) + 1


def _refuse_second_open_version(session: Session, county_id: int) -> None:
    existing = open_version(session, county_id)
    if existing is not None:
        raise Conflict(f"已有未发布的{existing.label}（{existing.status.label}），请先发布或放弃该版本")


def _insert_items(session: Session, version: PowerListVersion, items: list[dict[str, Any]],
                  town_ids: dict[str, int]) -> None:
    """Bulk insert canonical items into a new draft (one statement per table, fast for thousands)."""
    rows = [{
        "version_id": version.id, "position": position, "code": item["code"], "name": item["name"],
        "sub_item": item["sub_item"], "power_type": PowerType(item["power_type"]),
        "setting_basis": item["setting_basis"], "implementing_basis": item["implementing_basis"],
        "original_department": item["original_department"], "receiving_body": item["receiving_body"],
        "delegation_mode": DelegationMode(item["delegation_mode"]), "responsibilities": item["responsibilities"],
        "accountability": item["accountability"], "accepts_applications": item["accepts_applications"],
        "two_reviewers": item["two_reviewers"], "separate_decider": item["separate_decider"],
        "guide": item["guide"], "note": item["note"],
    } for position, item in enumerate(items, start=1)]
    if not rows:
        return
    ids = list(session.scalars(insert(PowerItem).returning(PowerItem.id, sort_by_parameter_order=True), rows))
    delegations = [{
        "item_id": item_id, "town_id": town_ids[d["town"]],
        "valid_from": dt.date.fromisoformat(d["valid_from"]) if d["valid_from"] else None,
        "valid_until": dt.date.fromisoformat(d["valid_until"]) if d["valid_until"] else None,
    } for item_id, item in zip(ids, items, strict=True) for d in item["delegations"]]
    if delegations:
        session.execute(insert(ItemDelegation), delegations)
    session.expire(version, ["items"])


def _town_ids(session: Session, county: Jurisdiction) -> dict[str, int]:
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.id).where(
        Jurisdiction.parent_id == county.id, Jurisdiction.level == JurisdictionLevel.TOWN))
    return {code: town_id for code, town_id in rows}


_EDITION = re.compile(r"[（(]第\s*\d+\s*版[）)]\s*$")


def _plain_title(title: str) -> str:
    """The list's title without an edition mark: pages print the version's own label (第N版) after it."""
    return _EDITION.sub("", (title or "").strip()).strip()


def _new_version(session: Session, county: Jurisdiction, *, actor: User | None, now: dt.datetime, title: str,
                 note: str, based_on: PowerListVersion | None) -> PowerListVersion:
    number = _next_number(session, county.id)
    version = PowerListVersion(county_id=county.id, number=number, status=VersionStatus.DRAFT,
                               title=_plain_title(title) or f"{county.name}赋予乡镇（街道）行政权力事项清单",
                               note=note, created_at=now, created_by_id=actor.id if actor else None,
                               based_on_id=based_on.id if based_on else None, revocations=[])
    session.add(version)
    session.flush()
    return version


def create_draft(session: Session, county: Jurisdiction, *, actor: User | None, now: dt.datetime, title: str = "",
                 note: str = "") -> PowerListVersion:
    """A new draft holding a copy of the latest published version (empty if none).

    Raises Conflict if the county already has a draft or a version under review.
    """
    _refuse_second_open_version(session, county.id)
    base = latest_published(session, county.id)
    version = _new_version(session, county, actor=actor, now=now, title=title, note=note, based_on=base)
    if base is not None:
        _insert_items(session, version, version_items(base), _town_ids(session, county))
        link_items(session, version)
    _audit(session, version, AuditAction.POWER_LIST_CREATE_DRAFT, actor=actor, now=now,
           payload={"based_on": base.number if base else None})
    return version


def import_draft(session: Session, county: Jurisdiction, document: dict[str, Any], *, actor: User | None,
                 now: dt.datetime, filename: str = "", title: str = "", note: str = "") -> PowerListVersion:
    """A new draft holding exactly the items of a checked canonical document (see ``files.read_document``);
    the offices its 原实施部门 names that the county lacks are created first (``offices_for_document``).

    Raises Conflict if the county already has an open version, ValidationFailed if the document names a
    town that is not in the county.
    """
    _refuse_second_open_version(session, county.id)
    town_ids = _town_ids(session, county)
    unknown = sorted({d["town"] for item in document["items"] for d in item["delegations"]} - set(town_ids))
    if unknown:
        raise ValidationFailed("以下区划代码不是本县的乡镇（街道）：" + "、".join(unknown), details=unknown)
    meta = document.get("version") or {}
    version = _new_version(session, county, actor=actor, now=now, title=title or meta.get("title") or "",
                           note=note or meta.get("note") or "", based_on=latest_published(session, county.id))
    created = offices_for_document(session, county, document, actor=actor, now=now)
    _insert_items(session, version, document["items"], town_ids)
    link_items(session, version)
    _audit(session, version, AuditAction.POWER_LIST_IMPORT, actor=actor, now=now,
           payload={"filename": filename, "items": len(document["items"]),
                    "created_offices": [o.name for o in created]})
    return version


def offices_for_document(session: Session, county: Jurisdiction, document: dict[str, Any], *, actor: User | None,
                         now: dt.datetime) -> list[Office]:
    """Create the offices the document's 原实施部门 names that the county has no record of; returns them."""
    return ensure_offices(session, county, (i["original_department"] for i in document["items"]), actor=actor,
                          now=now)


def previous_items(session: Session, county: Jurisdiction) -> list[dict[str, Any]]:
    """The canonical items an import is compared with and keeps codes and guides from: the county's
    draft or version under review if any, else its latest published version. Raises nothing."""
    base = open_version(session, county.id) or latest_published(session, county.id)
    return version_items(base) if base is not None else []


def _office_ids(session: Session, county_id: int) -> dict[str, int]:
    return {name: office_id for name, office_id in session.execute(
        select(Office.name, Office.id).where(Office.county_id == county_id))}


def _apply_item(item: PowerItem, data: dict[str, Any], town_ids: dict[str, int], office_ids: dict[str, int]) -> None:
    unknown = [d["town"] for d in data["delegations"] if d["town"] not in town_ids]
    if unknown:
        raise ValidationFailed("事项信息有误，请按提示修改",
                               details={"delegations": "以下区划代码不是本县的乡镇（街道）：" + "、".join(unknown)})
    item.original_office_id = office_ids.get(data["original_department"].strip())
    for key in ("code", "name", "sub_item", "setting_basis", "implementing_basis", "original_department",
                "receiving_body", "responsibilities", "accountability", "accepts_applications", "two_reviewers",
                "separate_decider", "guide", "note"):
        setattr(item, key, data[key])
    item.power_type = PowerType(data["power_type"])
    item.delegation_mode = DelegationMode(data["delegation_mode"])
    wanted = {d["town"]: d for d in data["delegations"]}
    for delegation in list(item.delegations):
        if delegation.town.code not in wanted:
            item.delegations.remove(delegation)
    have = {d.town.code: d for d in item.delegations}
    for code, d in wanted.items():
        start = dt.date.fromisoformat(d["valid_from"]) if d["valid_from"] else None
        end = dt.date.fromisoformat(d["valid_until"]) if d["valid_until"] else None
        if code in have:
            have[code].valid_from, have[code].valid_until = start, end
        else:
            item.delegations.append(ItemDelegation(town_id=town_ids[code], valid_from=start, valid_until=end))


def _code_taken(session: Session, version: PowerListVersion, code: str, except_id: int | None = None) -> bool:
    query = select(PowerItem.id).where(PowerItem.version_id == version.id, PowerItem.code == code)
    if except_id is not None:
        query = query.where(PowerItem.id != except_id)
    return session.scalar(query) is not None


def add_item(session: Session, version: PowerListVersion, raw: dict[str, Any], *, actor: User | None,
             now: dt.datetime) -> PowerItem:
    """Add an item to a draft. Raises Conflict (not a draft) or ValidationFailed/ImportRejected (bad input,
    duplicate code, town outside the county)."""
    require_draft(version)
    data = load_item(raw)
    if _code_taken(session, version, data["code"]):
        raise ValidationFailed("事项信息有误，请按提示修改",
                               details={"code": f"本版本已有编码为 {data['code']} 的事项"})
    position = (session.scalar(select(func.max(PowerItem.position)).where(PowerItem.version_id == version.id)) or 0) + 1
    town_ids = _town_ids(session, version.county)
    item = PowerItem(version_id=version.id, position=position)
    _apply_item(item, data, town_ids, _office_ids(session, version.county_id))
    session.add(item)
    version.revocations = [r for r in version.revocations or [] if r["code"] != data["code"]]
    session.flush()
    session.expire(version, ["items"])
    _audit(session, version, AuditAction.POWER_LIST_ITEM_ADD, actor=actor, now=now,
           payload={"code": item.code, "name": item.name})
    return item


def update_item(session: Session, item: PowerItem, raw: dict[str, Any], *, actor: User | None,
                now: dt.datetime) -> PowerItem:
    """Change an item of a draft. Raises Conflict (published or in review) or ValidationFailed."""
    version = item.version
    require_draft(version)
    data = load_item(raw)
    if _code_taken(session, version, data["code"], except_id=item.id):
        raise ValidationFailed("事项信息有误，请按提示修改",
                               details={"code": f"本版本已有编码为 {data['code']} 的事项"})
    before = dump_item(item)
    town_ids = _town_ids(session, version.county)
    _apply_item(item, data, town_ids, _office_ids(session, version.county_id))
    session.flush()
    session.refresh(item)
    after = dump_item(item)
    changed = sorted(k for k in after if after[k] != before.get(k))
    _audit(session, version, AuditAction.POWER_LIST_ITEM_UPDATE, actor=actor, now=now,
           payload={"code": item.code, "fields": changed})
    return item


def revoke_item(session: Session, item: PowerItem, reason: str, *, actor: User | None, now: dt.datetime) -> None:
    """Take an item out of a draft (取消/收回) with the reason shown in the public change history.

    Raises Conflict (not a draft) or ValidationFailed (no reason).
    """
    version = item.version
    require_draft(version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写取消（收回）事项的理由", details={"reason": "请填写取消（收回）事项的理由"})
    version.revocations = [*[r for r in version.revocations or [] if r["code"] != item.code],
                           {"code": item.code, "name": item.full_name, "reason": reason}]
    session.delete(item)
    session.flush()
    _audit(session, version, AuditAction.POWER_LIST_ITEM_REVOKE, actor=actor, now=now, reason=reason,
           payload={"code": item.code, "name": item.full_name})


def discard_draft(session: Session, version: PowerListVersion, *, actor: User | None, now: dt.datetime) -> None:
    """Delete a draft. Raises Conflict unless it is a draft."""
    require_draft(version)
    _audit(session, version, AuditAction.POWER_LIST_DISCARD, actor=actor, now=now)
    session.delete(version)
    session.flush()


def submit_for_review(session: Session, version: PowerListVersion, *, actor: User | None, now: dt.datetime,
                      note: str = "") -> None:
    """Send a draft to legal review. Raises Conflict (not a draft) or ValidationFailed (no items)."""
    require_draft(version)
    if not version.items:
        raise ValidationFailed("清单中没有任何事项，不能提交审核")
    version.status = VersionStatus.IN_REVIEW
    version.submitted_at = now
    version.submitted_by_id = actor.id if actor else None
    if note:
        version.note = note
    session.flush()
    _audit(session, version, AuditAction.POWER_LIST_SUBMIT, actor=actor, now=now, from_state=VersionStatus.DRAFT)


def _require_other_reviewer(version: PowerListVersion, actor: User | None) -> None:
    if actor is not None and actor.id in {version.created_by_id, version.submitted_by_id}:
        raise PermissionDenied("不能审核发布自己起草或提交的清单，须由另一名法制审核人员审核")


def reject(session: Session, version: PowerListVersion, comment: str, *, actor: User | None,
           now: dt.datetime) -> None:
    """Send a version under review back to draft with the reviewer's comment.

    Raises Conflict (not in review), PermissionDenied (own draft) or ValidationFailed (no comment).
    """
    if version.status is not VersionStatus.IN_REVIEW:
        raise Conflict(f"{version.label}不在审核中（当前：{version.status.label}）")
    _require_other_reviewer(version, actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed("退回时请填写审核意见", details={"comment": "退回时请填写审核意见"})
    version.status = VersionStatus.DRAFT
    version.review_comment = comment
    version.reviewed_by_id = actor.id if actor else None
    session.flush()
    _audit(session, version, AuditAction.POWER_LIST_REJECT, actor=actor, now=now, from_state=VersionStatus.IN_REVIEW,
           reason=comment)


def publish(session: Session, version: PowerListVersion, effective_from: dt.date | None, *, actor: User | None,
            now: dt.datetime, comment: str = "") -> list[PowerListVersion]:
    """Approve a version under review and publish it with its effective date; returns the versions this
    made superseded at once (an effective date in the future supersedes on that day — see
    :func:`supersede_due`).

    Raises Conflict (not in review), PermissionDenied (the reviewer drafted or submitted it) or
    ValidationFailed (no date, a date before today, or not after the current version's date).
    """
    if version.status is not VersionStatus.IN_REVIEW:
        raise Conflict(f"{version.label}不在审核中（当前：{version.status.label}），不能发布")
    _require_other_reviewer(version, actor)
    today = china_today(now)
    if effective_from is None:
        raise ValidationFailed("请填写生效日期", details={"effective_from": "请填写生效日期"})
    if effective_from < today:
        raise ValidationFailed("生效日期不得早于发布之日", details={"effective_from": "生效日期不得早于发布之日"})
    current = latest_published(session, version.county_id)
    if current is not None and current.effective_from is not None and effective_from <= current.effective_from:
        message = f"生效日期须晚于{current.label}的生效日期（{current.effective_from.isoformat()}）"
        raise ValidationFailed(message, details={"effective_from": message})
    version.status = VersionStatus.PUBLISHED
    version.effective_from = effective_from
    version.reviewed_by_id = actor.id if actor else None
    version.review_comment = (comment or "").strip()
    version.published_at = now
    session.flush()
    _audit(session, version, AuditAction.POWER_LIST_PUBLISH, actor=actor, now=now, from_state=VersionStatus.IN_REVIEW,
           payload={"effective_from": effective_from.isoformat()})
    return supersede_due(session, version.county_id, now=now)


def supersede_due(session: Session, county_id: int, *, now: dt.datetime) -> list[PowerListVersion]:
    """Mark published versions superseded once a later one has taken effect (idempotent; run daily too)."""
    today = china_today(now)
    published = list(session.scalars(select(PowerListVersion).where(
        PowerListVersion.county_id == county_id, PowerListVersion.status == VersionStatus.PUBLISHED)
        .order_by(PowerListVersion.effective_from)))
    in_force = [v for v in published if v.effective_from is not None and v.effective_from <= today]
    done = []
    for version in in_force[:-1]:
        version.status = VersionStatus.SUPERSEDED
        version.superseded_at = now
        done.append(version)
    session.flush()
    for version in done:
        _audit(session, version, AuditAction.POWER_LIST_SUPERSEDE, actor=None, now=now,
               from_state=VersionStatus.PUBLISHED)
    return done


def get_item_in_version(session: Session, version: PowerListVersion, item_id: int) -> PowerItem:
    """An item loaded through its version, so an id from another version cannot reach it. Raises NotFound."""
    item = session.get(PowerItem, item_id)
    if item is None or item.version_id != version.id:
        raise NotFound("未找到该事项")
    return item


# --- item form (the same cell encodings as the spreadsheet) -------------------------------------

def raw_item_from_cells(session: Session, county: Jurisdiction, cells: dict[str, str]) -> dict[str, Any]:
    """Read an item edit form whose inputs are named like the spreadsheet columns' paths.

    Raises ImportRejected with every cell that cannot be read.
    """
    from power_lists.errors import ImportRejected
    from power_lists.tabular import row_to_item

    raw, problems = row_to_item(cells, town_directory(session, county), row=None)
    if problems:
        raise ImportRejected(problems, message="事项信息有误，请按提示修改")
    return raw


# --- pending imports (upload → preview → confirm) ------------------------------------------------

PENDING_LIFETIME = dt.timedelta(hours=2)


def stage_import(session: Session, county: Jurisdiction, document: dict[str, Any], *, filename: str,
                 actor: User | None, now: dt.datetime) -> str:
    """Keep a checked upload server-side until the user confirms the preview; returns its random token."""
    import secrets

    from sqlalchemy import delete

    from power_lists.models import PendingImport

    session.execute(delete(PendingImport).where(PendingImport.created_at < now - PENDING_LIFETIME))
    token = secrets.token_urlsafe(24)
    session.add(PendingImport(token=token, county_id=county.id, created_by_id=actor.id if actor else None,
                              created_at=now, filename=filename[:255], document=document))
    session.flush()
    return token


def pending_import(session: Session, token: str, *, actor: User | None, now: dt.datetime) -> Any:
    """The staged upload with this token, only for the person who uploaded it.

    Raises NotFound when unknown, expired or someone else's.
    """
    from power_lists.models import PendingImport

    pending = session.scalar(select(PendingImport).where(PendingImport.token == token))
    if (pending is None or pending.created_at < now - PENDING_LIFETIME
            or pending.created_by_id != (actor.id if actor else None)):
        raise NotFound("导入预览已失效，请重新上传文件")
    return pending


def confirm_import(session: Session, token: str, *, actor: User | None, now: dt.datetime) -> PowerListVersion:
    """Turn a staged upload into a new draft. Raises NotFound (expired) or Conflict (an open version exists)."""
    pending = pending_import(session, token, actor=actor, now=now)
    county = session.get(Jurisdiction, pending.county_id)
    assert county is not None
    version = import_draft(session, county, pending.document, actor=actor, now=now, filename=pending.filename)
    session.delete(pending)
    session.flush()
    return version
