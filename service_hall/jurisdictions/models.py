from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_hall.core.base import Base


class JurisdictionLevel(enum.StrEnum):
    COUNTY = "county"  # 县（市、区）
    TOWN = "town"  # 乡镇、街道
    VILLAGE = "village"  # 村、社区


class Jurisdiction(Base):
    """An administrative area. Staff belong to exactly one; a county account oversees its towns.

    Areas are never deleted: a town abolished or merged (撤并) gets ``closed_on`` and keeps its cases,
    documents and history; from that day it takes no new applications and no new staff
    (docs/going-live.md).
    """

    __tablename__ = "jurisdictions"
    __table_args__ = (CheckConstraint("length(code) = 12", name="code_12_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # 镇 / 乡 / 街道 / 县 / 村 / 社区 — as printed on documents.
    kind: Mapped[str] = mapped_column(String(10))
    level: Mapped[JurisdictionLevel] = mapped_column(
        Enum(JurisdictionLevel, native_enum=False, length=10,
             values_callable=lambda e: [m.value for m in e])
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Jurisdiction]] = relationship(back_populates="parent", order_by="Jurisdiction.code")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)  # 撤销或撤并之日
    closed_note: Mapped[str | None] = mapped_column(String(200))  # e.g. 并入三溪镇

    def is_open_on(self, day: dt.date) -> bool:
        """Whether the area still exists on ``day`` (it closes at the start of ``closed_on``)."""
        return self.closed_on is None or day < self.closed_on

    def __repr__(self) -> str:
        return f"<Jurisdiction {self.code} {self.name}>"

    @property
    def county(self) -> Jurisdiction:
        node = self
        while node.level != JurisdictionLevel.COUNTY and node.parent is not None:
            node = node.parent
        return node

    @property
    def town(self) -> Jurisdiction | None:
        node: Jurisdiction | None = self
        while node is not None and node.level != JurisdictionLevel.TOWN:
            node = node.parent
        return node
