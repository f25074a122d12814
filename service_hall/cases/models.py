from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from power_lists.models import PowerItem
from service_hall.accounts.models import User
from service_hall.core.base import Base, UTCDateTime
from service_hall.documents.kinds import DeliveryChannel, NoticeKind
from service_hall.files.models import ApplicantFile
from service_hall.jurisdictions.models import Jurisdiction

# Partial and expression indexes of open cases, created by raw DDL (migrations 0016, 0032); the model/migration
# comparison skips them. docs/architecture.md, "Lists at scale".
UNMAPPED_INDEXES = frozenset({
    "ix_applications_open_town_queue", "ix_applications_open_queue", "ix_applications_open_town_number",
    "ix_applications_clock_statutory", "ix_applications_clock_promised", "ix_applications_clock_pledge",
})


def _enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class CaseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CORRECTION_REQUESTED = "correction_requested"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    SPECIAL_PROCEDURE = "special_procedure"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    DENIED = "denied"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in {CaseStatus.REFUSED, CaseStatus.DENIED, CaseStatus.DELIVERED, CaseStatus.WITHDRAWN,
                        CaseStatus.REVOKED}


STATUS_LABELS = {
    CaseStatus.DRAFT: "草稿",
    CaseStatus.SUBMITTED: "已提交，待受理",
    CaseStatus.CORRECTION_REQUESTED: "待补正材料",
    CaseStatus.ACCEPTED: "已受理，审查中",
    CaseStatus.REFUSED: "不予受理",
    CaseStatus.SPECIAL_PROCEDURE: "特别程序中",
    CaseStatus.REVIEWED: "审查完毕，待决定",
    CaseStatus.APPROVED: "准予许可",
    CaseStatus.DENIED: "不予许可",
    CaseStatus.DELIVERED: "已办结送达",
    CaseStatus.WITHDRAWN: "已撤回",
    CaseStatus.REVOKED: "已撤销",
}


class Application(Base):
    """One application (办件), pinned to the power item row and form version in force when submitted."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("applicant_id", "submission_key"),
                      Index("ix_applications_applicant_created", "applicant_id", "created_at", "id"),
                      Index("ix_applications_town_received", "town_id", "received_on"),
                      Index("ix_applications_town_decided", "town_id", "decided_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Unguessable public reference used in links (the integer id never appears in applicant URLs).
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 帮办代办 clerk
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    town: Mapped[Jurisdiction] = relationship()
    power_item_id: Mapped[int] = mapped_column(ForeignKey("power_items.id"))
    # The list row in force when the application was submitted; its rules govern the case to the end.
    power_item: Mapped[PowerItem] = relationship(lazy="joined", innerjoin=True)
    item_code: Mapped[str] = mapped_column(String(64), index=True)
    item_name: Mapped[str] = mapped_column(String(200))
    form_definition_id: Mapped[int | None] = mapped_column(ForeignKey("form_definitions.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Double click / retry protection: one application per (applicant, key).
    submission_key: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    intake_due_on: Mapped[dt.date | None] = mapped_column(Date)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    deemed_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    promised_days: Mapped[int] = mapped_column(Integer, default=0)
    statutory_days: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # 承诺办结期限
    statutory_due_on: Mapped[dt.date | None] = mapped_column(Date)  # 法定办结期限
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    pledge_materials: Mapped[list[str]] = mapped_column(JSON, default=list)  # 容缺 material codes
    pledge_due_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # 告知承诺制: the applicant's signed pledge (text as signed) that the conditions are met.
    pledge_signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    pledge_text: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    row_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 - SQLAlchemy reads it once

    materials: Mapped[list[ApplicationMaterial]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationMaterial.id")
    corrections: Mapped[list[CorrectionNotice]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="CorrectionNotice.id")
    pauses: Mapped[list[ClockPause]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ClockPause.id")
    notices: Mapped[list[Notice]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Notice.id")
    reviews: Mapped[list[ReviewOpinion]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ReviewOpinion.id")
    checks: Mapped[list[FollowUpCheck]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="FollowUpCheck.id")
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Delivery.id")
    triggers: Mapped[list[AccountabilityTrigger]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="AccountabilityTrigger.id")


class ApplicationMaterial(Base):
    __tablename__ = "application_materials"
    __table_args__ = (UniqueConstraint("application_id", "material_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="materials")
    material_code: Mapped[str] = mapped_column(String(32))
    material_name: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[int] = mapped_column(ForeignKey("applicant_files.id"))
    file: Mapped[ApplicantFile] = relationship()
    attached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CorrectionNotice(Base):
    """补正材料告知书: one notice listing every missing or faulty item (一次性告知)."""

    __tablename__ = "correction_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="corrections")
    # [{"target": material code or "field:<name>", "name":…, "problem":…, and "before"/"after" once corrected}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    respond_by: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class PauseKind(enum.StrEnum):
    CORRECTION = "correction"  # 补正
    HEARING = "hearing"  # 听证
    INSPECTION = "inspection"  # 现场勘验
    TESTING = "testing"  # 检验、检测、检疫
    EXPERT_REVIEW = "expert_review"  # 专家评审

    @property
    def label(self) -> str:
        return {"correction": "补正材料", "hearing": "听证", "inspection": "现场勘验",
                "testing": "检验检测检疫", "expert_review": "专家评审"}[self.value]


class ClockPause(Base):
    """A period the statutory clock stands still."""

    __tablename__ = "clock_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="pauses")
    kind: Mapped[PauseKind] = mapped_column(_enum(PauseKind))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)  # what the hearing / inspection … found

    @property
    def running(self) -> bool:
        return self.ended_on is None


class Notice(Base):
    """A dated written notice to the applicant; its text facts are frozen in ``content``."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="notices")
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind))
    number: Mapped[str] = mapped_column(String(64), unique=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    document_blob_id: Mapped[int | None] = mapped_column(ForeignKey("stored_blobs.id"))


class Visit(Base):
    """A physical visit to the service hall — "one visit" is a measured figure."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_town_at", "town_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    visitor_name: Mapped[str] = mapped_column(String(50))
    purpose: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Counter(Base):
    """Gap-free sequences (case numbers, notice numbers, certificate numbers) per scope and year;
    the row is locked while incremented, so concurrent issuers queue instead of colliding."""

    __tablename__ = "counters"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Recommendation(enum.StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    # Its words depend on the power type: service_hall.cases.transitions.RECOMMENDATION_LABELS.


class ReviewOpinion(Base):
    """One reviewer's substantive review (审查意见); items with ``two_reviewers`` need two different ones."""

    __tablename__ = "review_opinions"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="reviews")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer: Mapped[User] = relationship()
    opinion: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[Recommendation] = mapped_column(_enum(Recommendation, 16))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CheckResult(enum.StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "待核查", "passed": "核查属实", "failed": "承诺不实"}[self.value]


class FollowUpCheck(Base):
    """事后核查: after an approval on the applicant's pledge (告知承诺制), the office checks the pledge."""

    __tablename__ = "follow_up_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="checks")
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    result: Mapped[CheckResult] = mapped_column(_enum(CheckResult, 16), index=True)
    finding: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_by: Mapped[User | None] = relationship()


SIGNER_RELATIONS = {"self": "本人", "agent": "代收人"}


class Delivery(Base):
    """送达记录: which result document reached whom, how and when (行政许可法 第四十四条)."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="deliveries")
    channel: Mapped[DeliveryChannel] = mapped_column(_enum(DeliveryChannel, 16))
    delivered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recipient: Mapped[str] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(String(200), default="")
    document_number: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User] = relationship()
    # Who actually signed for it, as the clerk records it: name, 本人 (self) or 代收人 (agent), and when;
    # 留置送达 has a witness instead; 电子送达 the applicant's opening (docs/notifications.md).
    signer_name: Mapped[str] = mapped_column(String(50), default="")
    signer_relation: Mapped[str] = mapped_column(String(8), default="")
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    witness: Mapped[str] = mapped_column(String(50), default="")

    @property
    def signer_relation_label(self) -> str:
        return SIGNER_RELATIONS.get(self.signer_relation, "")


class TriggerSeverity(enum.StrEnum):
    WARNING = "warning"  # 预警 (e.g. past the promised limit, still within the statutory one)
    ACCOUNTABILITY = "accountability"  # 追责情形

    @property
    def label(self) -> str:
        return {"warning": "预警", "accountability": "追责情形"}[self.value]


class AccountabilityTrigger(Base):
    """A 追责情形 of the case's pinned item that an event matched; supervisors resolve it with a note.

    ``code``/``situation``/``basis`` come from the item's own accountability list when it names the code,
    otherwise from the law's default text (``listed`` is False then).
    """

    __tablename__ = "accountability_triggers"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship(back_populates="triggers")
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[TriggerSeverity] = mapped_column(_enum(TriggerSeverity, 16))
    code: Mapped[str] = mapped_column(String(64))
    situation: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_by: Mapped[User | None] = relationship()
    note: Mapped[str | None] = mapped_column(Text)


class Rating(Base):
    """好差评 (GB/T 39734): the applicant's rating of one stage of a case — 受理 (``accepted``) or 办结
    (``finished``), once each. ``score`` is 整体满意度 (1–5); ``indicators`` the indicator set of the way the
    case was handled (网上 or 窗口, ``mode``); ``tags`` the reasons of a 差评. The hall may appeal a rating
    (申诉复核), a supervisor decides; an upheld appeal takes the rating out of the statistics."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("application_id", "stage"),
                      Index("ix_ratings_town_rated", "town_id", "rated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    application: Mapped[Application] = relationship()
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(16), default="finished")  # "accepted" 受理 | "finished" 办结
    mode: Mapped[str] = mapped_column(String(8), default="online")  # "online" 网上 | "window" 窗口
    score: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The one rating again after a verified rectification (整改后再评价); the first stays on record.
    revised_score: Mapped[int | None] = mapped_column(Integer)
    revised_indicators: Mapped[dict[str, int] | None] = mapped_column(JSON)
    revised_comment: Mapped[str | None] = mapped_column(Text)
    revised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rectification: Mapped[RectificationTask | None] = relationship(back_populates="rating", uselist=False)
    # 申诉复核: the hall's appeal and the supervisor's decision.
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    appealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal_upheld: Mapped[bool | None] = mapped_column(Boolean)
    appeal_note: Mapped[str | None] = mapped_column(Text)
    appeal_decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    appeal_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_poor(self) -> bool:
        return self.score <= 2

    @property
    def final_score(self) -> int:
        """The score that counts: the revised one after a rectification, else the first."""
        return self.revised_score if self.revised_score is not None else self.score

    @property
    def final_indicators(self) -> dict[str, int]:
        found = dict(self.revised_indicators or self.indicators or {})
        found["overall"] = self.final_score
        return found

    @property
    def appeal_pending(self) -> bool:
        return self.appealed_at is not None and self.appeal_decided_at is None

    @property
    def counted(self) -> bool:
        """Whether the statistics count it: not when an appeal against it was upheld."""
        return self.appeal_upheld is not True


class RectificationTask(Base):
    """整改: opened by a poor rating; closed by the town's callback to the applicant (回访)."""

    __tablename__ = "rectification_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[Rating] = relationship(back_populates="rectification")
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application: Mapped[Application] = relationship()
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_on: Mapped[dt.date] = mapped_column(Date)
    callback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    callback_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    callback_by: Mapped[User | None] = relationship(foreign_keys=[callback_by_id])
    callback_outcome: Mapped[str | None] = mapped_column(Text)
    # A supervisor checks the rectification and the callback before the task closes.
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    verification_note: Mapped[str | None] = mapped_column(Text)

    @property
    def is_open(self) -> bool:
        """Waiting for the town's callback."""
        return self.callback_at is None

    @property
    def awaiting_verification(self) -> bool:
        return self.callback_at is not None and self.verified_at is None

    @property
    def is_closed(self) -> bool:
        return self.verified_at is not None
