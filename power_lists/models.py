"""Tables of the power list: versions, items, town delegations and pending uploads.

A published (or superseded) version and its items never change. :func:`_guard_published_rows` refuses
such a change at flush time, whatever code path tries it, so the rule holds below the domain
functions too.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from service_hall.accounts.models import User
from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import Conflict
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.offices.models import Office


def _str_enum(enum_cls: type[enum.Enum], length: int) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class PowerType(enum.StrEnum):
    """职权类型."""

    LICENSING = "licensing"  # 行政许可
    PENALTY = "penalty"  # 行政处罚
    COERCION = "coercion"  # 行政强制
    LEVY = "levy"  # 行政征收
    BENEFIT = "benefit"  # 行政给付
    INSPECTION = "inspection"  # 行政检查
    CONFIRMATION = "confirmation"  # 行政确认
    REWARD = "reward"  # 行政奖励
    ADJUDICATION = "adjudication"  # 行政裁决
    OTHER = "other"  # 其他行政权力
    PUBLIC_SERVICE = "public_service"  # 公共服务

    @property
    def label(self) -> str:
        return POWER_TYPE_LABELS[self]

    @property
    def opens_application(self) -> bool:
        """Whether items of this type open the applicant flow by their nature (其他 decides per item)."""
        return self in APPLICATION_TYPES


POWER_TYPE_LABELS = {
    PowerType.LICENSING: "行政许可", PowerType.PENALTY: "行政处罚", PowerType.COERCION: "行政强制",
    PowerType.LEVY: "行政征收", PowerType.BENEFIT: "行政给付", PowerType.INSPECTION: "行政检查",
    PowerType.CONFIRMATION: "行政确认", PowerType.REWARD: "行政奖励", PowerType.ADJUDICATION: "行政裁决",
    PowerType.OTHER: "其他行政权力", PowerType.PUBLIC_SERVICE: "公共服务",
}
APPLICATION_TYPES = frozenset({PowerType.LICENSING, PowerType.BENEFIT, PowerType.CONFIRMATION, PowerType.REWARD,
                               PowerType.ADJUDICATION, PowerType.PUBLIC_SERVICE})


class DelegationMode(enum.StrEnum):
    """赋权方式: decides whose name goes on the decision (see :meth:`PowerItem.acting_authority`)."""

    DEVOLVED = "devolved"  # 下放（交由行使）: the town acts in its own name
    ENTRUSTED = "entrusted"  # 委托: the town acts in the entrusting department's name
    FRONT_WINDOW = "front_window"  # 窗口前移: the town takes intake and first review, the county decides

    @property
    def label(self) -> str:
        return DELEGATION_MODE_LABELS[self]


DELEGATION_MODE_LABELS = {DelegationMode.DEVOLVED: "下放", DelegationMode.ENTRUSTED: "委托",
                          DelegationMode.FRONT_WINDOW: "窗口前移"}


class DutyStage(enum.StrEnum):
    """Stages that carry 责任事项."""

    INTAKE = "intake"  # 受理
    REVIEW = "review"  # 审查
    DECISION = "decision"  # 决定
    DELIVERY = "delivery"  # 送达
    SUPERVISION = "supervision"  # 事后监管
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        return DUTY_STAGE_LABELS[self]


DUTY_STAGE_LABELS = {DutyStage.INTAKE: "受理", DutyStage.REVIEW: "审查", DutyStage.DECISION: "决定",
                     DutyStage.DELIVERY: "送达", DutyStage.SUPERVISION: "事后监管", DutyStage.OTHER: "其他"}


class CaseType(enum.StrEnum):
    """办件类型."""

    IMMEDIATE = "immediate"  # 即办件
    PROMISED = "promised"  # 承诺件

    @property
    def label(self) -> str:
        return {"immediate": "即办件", "promised": "承诺件"}[self.value]


ONLINE_DEPTH_LABELS = {1: "一级（办事指南公开）", 2: "二级（表格下载）", 3: "三级（网上预审）", 4: "四级（全程网办）"}


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    IN_REVIEW = "in_review"  # 法制审核中
    PUBLISHED = "published"  # 已发布
    SUPERSEDED = "superseded"  # 已被新版本替代

    @property
    def label(self) -> str:
        return {"draft": "草稿", "in_review": "法制审核中", "published": "已发布", "superseded": "已替代"}[self.value]


FROZEN_STATUSES = frozenset({VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED})


class PowerListVersion(Base):
    """One version of a county's list. Numbered 1, 2, … per county in order of creation."""

    __tablename__ = "power_list_versions"
    __table_args__ = (UniqueConstraint("county_id", "number", name="uq_power_list_versions_county_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    county: Mapped[Jurisdiction] = relationship()
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(_str_enum(VersionStatus, 16), default=VersionStatus.DRAFT,
        # Keep the stored value when it changes, so the frozen-rows guard below compares with it.
        active_history=True)
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("power_list_versions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    review_comment: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Items taken out of this draft with the reason, shown in the public change history:
    # [{"code", "name", "reason"}].
    revocations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    items: Mapped[list[PowerItem]] = relationship(back_populates="version", order_by="PowerItem.position",
                                                  cascade="all, delete-orphan")

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def label(self) -> str:
        return f"第{self.number}版"

    def __repr__(self) -> str:
        return f"<PowerListVersion {self.number} {self.status}>"


class PowerItem(Base):
    """One power (权力事项) of one version; the same ``code`` identifies the item across versions."""

    __tablename__ = "power_items"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_power_items_version_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("power_list_versions.id", ondelete="CASCADE"), index=True)
    version: Mapped[PowerListVersion] = relationship(back_populates="items")
    position: Mapped[int] = mapped_column(Integer)  # 序号
    code: Mapped[str] = mapped_column(String(64))  # 事项编码
    name: Mapped[str] = mapped_column(String(200))  # 事项名称
    sub_item: Mapped[str] = mapped_column(String(200), default="")  # 子项
    power_type: Mapped[PowerType] = mapped_column(_str_enum(PowerType, 20))
    setting_basis: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # 设定依据
    implementing_basis: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # 实施依据
    original_department: Mapped[str] = mapped_column(String(200))  # 原实施部门 as the list writes it
    # The office record of 原实施部门 (linked by name when the item is stored): its name, number prefix and
    # seal go on 委托 and 窗口前移 documents.
    original_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    original_office: Mapped[Office | None] = relationship()
    receiving_body: Mapped[str] = mapped_column(String(200))  # 承接主体
    delegation_mode: Mapped[DelegationMode] = mapped_column(_str_enum(DelegationMode, 16))
    responsibilities: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # 责任事项 by DutyStage
    accountability: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # 追责情形 + 依据
    accepts_applications: Mapped[bool] = mapped_column(Boolean, default=False)  # only for 其他行政权力
    two_reviewers: Mapped[bool] = mapped_column(Boolean, default=False)
    separate_decider: Mapped[bool] = mapped_column(Boolean, default=False)
    guide: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # 办事指南, see schemas.GuideSchema
    note: Mapped[str] = mapped_column(Text, default="")  # 备注
    delegations: Mapped[list[ItemDelegation]] = relationship(back_populates="item", cascade="all, delete-orphan",
                                                             order_by="ItemDelegation.id")

    def __repr__(self) -> str:
        return f"<PowerItem {self.code} {self.name}>"

    @property
    def full_name(self) -> str:
        return item_full_name(self.name, self.sub_item)

    @property
    def opens_application(self) -> bool:
        """Whether applicants may apply for this item online (enforcement items have no form)."""
        return item_opens_application(self.power_type, self.accepts_applications)

    # Convenience accessors for the case flow; an item without a guide gives the statutory defaults.
    @property
    def statutory_days(self) -> int | None:
        return (self.guide or {}).get("statutory_days")

    @property
    def promised_days(self) -> int | None:
        return (self.guide or {}).get("promised_days")

    @property
    def case_type(self) -> CaseType | None:
        value = (self.guide or {}).get("case_type")
        return CaseType(value) if value else None

    @property
    def materials(self) -> list[dict[str, Any]]:
        return list((self.guide or {}).get("materials") or [])

    @property
    def pledge_allowed(self) -> bool:
        return bool((self.guide or {}).get("pledge_allowed"))

    def duty(self, stage: DutyStage | str) -> str:
        """The 责任事项 text for a stage ('' when the list says nothing)."""
        return (self.responsibilities or {}).get(str(stage), "")

    def accountability_case(self, code: str) -> dict[str, str] | None:
        """The 追责情形 with this stable code (e.g. ``late_decision``), or None."""
        return next((a for a in self.accountability or [] if a.get("code") == code), None)

    def acting_authority(self, town: Jurisdiction) -> str:
        """Whose name goes on the decision: the town for 下放, the department for 委托 and 窗口前移 (the
        office record's name when the item is linked to one)."""
        if self.delegation_mode is DelegationMode.DEVOLVED:
            return town_authority_name(town)
        return self.original_office.name if self.original_office is not None else self.original_department


def item_full_name(name: str, sub_item: str | None) -> str:
    """事项名称（子项）."""
    return f"{name}（{sub_item}）" if sub_item else name


def item_opens_application(power_type: PowerType, accepts_applications: bool | None) -> bool:
    """Types that open the applicant flow by nature, and 其他行政权力 items marked as accepting them."""
    return power_type.opens_application or (power_type is PowerType.OTHER and bool(accepts_applications))


def town_authority_name(town: Jurisdiction) -> str:
    """青山镇 → 青山镇人民政府; 城东街道 → 城东街道办事处."""
    return town.name + ("办事处" if town.kind == "街道" else "人民政府")


class ItemDelegation(Base):
    """Town ``town`` holds ``item`` from ``valid_from`` (None: from the version's effective date) through
    ``valid_until`` inclusive (None: open-ended)."""

    __tablename__ = "power_item_delegations"
    __table_args__ = (UniqueConstraint("item_id", "town_id", name="uq_power_item_delegations_item_town"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("power_items.id", ondelete="CASCADE"), index=True)
    item: Mapped[PowerItem] = relationship(back_populates="delegations")
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    town: Mapped[Jurisdiction] = relationship()
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)

    def covers(self, on: dt.date) -> bool:
        started = self.valid_from is None or self.valid_from <= on
        return started and (self.valid_until is None or on <= self.valid_until)


class PendingImport(Base):
    """An uploaded file's checked content waiting for the user to confirm the preview.

    Kept in the database (not the cookie, not the local disk) so that any app server can finish it.
    """

    __tablename__ = "power_list_pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    filename: Mapped[str] = mapped_column(String(255))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- published rows never change -------------------------------------------------------------------

_FROZEN_MESSAGE = "已发布的清单版本不可修改，请基于现行版本新建草稿"
# The only change allowed on a published version: it becomes superseded.
_SUPERSEDE_COLUMNS = {"status", "superseded_at"}


def _old_status(version: PowerListVersion) -> VersionStatus | None:
    state = inspect(version)
    if state.pending or state.transient:
        return None
    hist = state.attrs.status.history
    if hist.deleted:
        return hist.deleted[0]
    return version.status


def _changed_columns(obj: Any) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


def _parent(obj: Any, attr: str) -> Any:
    value = getattr(obj, attr)
    if value is None:  # taken out of its parent's collection: look at what it belonged to
        deleted = inspect(obj).attrs[attr].history.deleted
        value = deleted[0] if deleted else None
    return value


def _version_of(obj: Any) -> PowerListVersion | None:
    if isinstance(obj, PowerItem):
        return _parent(obj, "version")
    if isinstance(obj, ItemDelegation):
        item = _parent(obj, "item")
        return _parent(item, "version") if item is not None else None
    return None


@event.listens_for(Session, "before_flush")
def _guard_published_rows(session: Session, flush_context: Any, instances: Any) -> None:
    """Refuse (Conflict) any insert, update or delete that would change a published version's rows."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, PowerListVersion):
            old = _old_status(obj)
            if old not in FROZEN_STATUSES:
                continue
            if obj in session.deleted:
                raise Conflict(_FROZEN_MESSAGE)
            changed = _changed_columns(obj)
            if changed - _SUPERSEDE_COLUMNS or (
                    "status" in changed and not (old is VersionStatus.PUBLISHED
                                                 and obj.status is VersionStatus.SUPERSEDED)):
                raise Conflict(_FROZEN_MESSAGE)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, PowerItem | ItemDelegation):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        version = _version_of(obj)
        if version is None:
            continue
        old = _old_status(version)
        # A version built and published in one go (the demo, a CLI import) is new in this flush.
        if old is not None and old is not VersionStatus.DRAFT:
            raise Conflict(_FROZEN_MESSAGE if old in FROZEN_STATUSES else "清单版本正在法制审核中，不可修改")
