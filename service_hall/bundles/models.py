"""Tables of 一件事: bundle versions (list data, immutable once published), bundle cases and the
combined correction notices. See docs/bundles.md.

A bundle case links the ordinary item cases (``applications``) through ``bundle_case_items``; the item
cases keep their own clock, office, reviewers, notices and audit — nothing of them is copied here.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from service_hall.accounts.models import User
from service_hall.cases.models import Application
from service_hall.core.base import Base, UTCDateTime
from service_hall.core.errors import Conflict
from service_hall.jurisdictions.models import Jurisdiction


def _str_enum(enum_cls: type[enum.Enum], length: int) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Theme(enum.StrEnum):
    """The life event a bundle serves (主题)."""

    BIRTH = "birth"  # 出生
    INDIVIDUAL_BUSINESS = "individual_business"  # 开办个体工商户
    RURAL_HOUSING = "rural_housing"  # 农村建房
    EMPLOYMENT = "employment"  # 就业
    RETIREMENT = "retirement"  # 退休
    ELDERLY = "elderly"  # 高龄老人
    DEATH = "death"  # 身后事
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        return THEME_LABELS[self]


THEME_LABELS = {Theme.BIRTH: "出生", Theme.INDIVIDUAL_BUSINESS: "开办个体工商户", Theme.RURAL_HOUSING: "农村建房",
                Theme.EMPLOYMENT: "就业", Theme.RETIREMENT: "退休", Theme.ELDERLY: "高龄老人",
                Theme.DEATH: "身后事", Theme.OTHER: "其他"}


class BundleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "published": "已发布"}[self.value]


class Delivery(enum.StrEnum):
    """How the results reach the applicant."""

    TOGETHER = "together"  # 统一出件: every result delivered together once all items are decided
    EACH = "each"  # each result as soon as it is ready

    @property
    def label(self) -> str:
        return {"together": "统一出件（全部办结后一并送达）", "each": "逐项出件（每项办结即送达）"}[self.value]


class Bundle(Base):
    """One version of one bundle (一件事) of a county. ``code`` identifies the bundle across versions.

    ``items``: ``[{"code": item code, "after": [item codes whose result this item needs]}]`` in the
    order shown; ``towns``: the town codes that offer it; ``field_map`` / ``material_map``:
    ``{item code: {field name or material code: shared key, or "" for asked on its own}}`` where legal
    affairs overrode the catalogue's suggestion; ``resolutions``: ``{shared key: item code whose
    definition asks it, or "separate"}`` for the conflicts they resolved.
    """

    __tablename__ = "bundles"
    __table_args__ = (UniqueConstraint("county_id", "code", "version", name="uq_bundles_county_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    county: Mapped[Jurisdiction] = relationship()
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[BundleStatus] = mapped_column(_str_enum(BundleStatus, 16), active_history=True)
    name: Mapped[str] = mapped_column(String(100))
    theme: Mapped[Theme] = mapped_column(_str_enum(Theme, 32))
    description: Mapped[str] = mapped_column(Text, default="")
    towns: Mapped[list[str]] = mapped_column(JSON, default=list)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    field_map: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    material_map: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    resolutions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_by: Mapped[User | None] = relationship(foreign_keys=[saved_by_id])
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def item_codes(self) -> list[str]:
        return [str(i["code"]) for i in self.items]

    def after(self, code: str) -> list[str]:
        """The items whose result ``code`` needs (empty: it runs in parallel)."""
        return next((list(i.get("after") or []) for i in self.items if i["code"] == code), [])

    def __repr__(self) -> str:
        return f"<Bundle {self.code} v{self.version} {self.status}>"


class BundleCase(Base):
    """One submission of a bundle: the applicant's one application, linking one case per item."""

    __tablename__ = "bundle_cases"
    __table_args__ = (UniqueConstraint("applicant_id", "submission_key", name="uq_bundle_cases_applicant_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), index=True)
    bundle: Mapped[Bundle] = relationship()
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    town: Mapped[Jurisdiction] = relationship()
    submission_key: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    delivery: Mapped[Delivery] = mapped_column(_str_enum(Delivery, 16), default=Delivery.TOGETHER)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the composed form's values
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    links: Mapped[list[BundleCaseItem]] = relationship(back_populates="bundle_case", order_by="BundleCaseItem.position",
                                                       cascade="all, delete-orphan")
    corrections: Mapped[list[BundleCorrection]] = relationship(order_by="BundleCorrection.id",
                                                               cascade="all, delete-orphan")

    @property
    def cases(self) -> list[Application]:
        return [link.application for link in self.links]


class BundleCaseItem(Base):
    """The case of one item of a bundle case."""

    __tablename__ = "bundle_case_items"
    __table_args__ = (UniqueConstraint("application_id", name="uq_bundle_case_items_application"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_case_id: Mapped[int] = mapped_column(ForeignKey("bundle_cases.id", ondelete="CASCADE"), index=True)
    bundle_case: Mapped[BundleCase] = relationship(back_populates="links")
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    application: Mapped[Application] = relationship()
    item_code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class BundleCorrection(Base):
    """一次性告知 of a bundle case: every item's missing pieces in one notice. Each item case still gets
    its own 补正材料告知书 and clock pause (the law applies item by item); this gathers them.

    ``items``: ``[{"item_code", "item_name", "case_number", "target", "name", "problem", "shared"}]``.
    """

    __tablename__ = "bundle_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_case_id: Mapped[int] = mapped_column(ForeignKey("bundle_cases.id", ondelete="CASCADE"), index=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    respond_by: Mapped[dt.date | None] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


# --- published versions never change ----------------------------------------------------------------

def _stored_status(bundle: Bundle) -> BundleStatus | None:
    state = inspect(bundle)
    if state.pending or state.transient:
        return None
    history = state.attrs.status.history
    return history.deleted[0] if history.deleted else bundle.status


@event.listens_for(Session, "before_flush")
def _published_bundles_are_immutable(session: Session, flush_context: Any, instances: Any) -> None:
    """Refuse (Conflict) any change to, or deletion of, a published bundle version."""
    for obj in list(session.dirty) + list(session.deleted):
        if (isinstance(obj, Bundle) and _stored_status(obj) is BundleStatus.PUBLISHED
                and (obj in session.deleted or session.is_modified(obj, include_collections=False))):
            raise Conflict("已发布的一件事版本不可修改，请新建草稿")


class ReusedMaterial(Base):
    """免提交: a material given by reusing what the applicant already has — an e-certificate this system
    issued, or a material an earlier case accepted — instead of an upload. ``consent`` says how the
    applicant agreed: ``session`` (they did it themselves, signed in) or ``signed`` (their signed consent
    at the window, confirmed by the clerk)."""

    __tablename__ = "reused_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("applicant_files.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    source_material_id: Mapped[int | None] = mapped_column(ForeignKey("application_materials.id"))
    label: Mapped[str] = mapped_column(String(300))  # what it is, as shown: 电子证照 农村宅基地批准书 编号…
    status_at_reuse: Mapped[str] = mapped_column(String(20))
    consent: Mapped[str] = mapped_column(String(10))
    reused_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reused_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class OpinionRequest(Base):
    """征求意见: a reviewer asks another town, or a county office (answered by the county's reviewers), for
    its opinion on a case by a deadline. The time counts within the decision period (the clock runs); a
    special procedure of 行政许可法 第四十五条 that stops it is started with its own action."""

    __tablename__ = "opinion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    application: Mapped[Application] = relationship()
    target_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    target: Mapped[Jurisdiction] = relationship()
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    office_name: Mapped[str | None] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def asked_of(self) -> str:
        return self.office_name or self.target.name

    def state(self, today: dt.date) -> str:
        if self.answered_at is not None:
            return "已答复"
        return "已逾期" if self.due_on < today else "待答复"
