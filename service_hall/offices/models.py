"""Offices (县级部门) and town service windows (便民服务中心窗口).

An office is the body whose name, document-number prefix and seal appear on 委托 and 窗口前移
documents (see docs/power-list-format.md, "Offices"). A service window is where an applicant goes
for items that are not open online yet.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_hall.core.base import Base, UTCDateTime
from service_hall.jurisdictions.models import Jurisdiction


class Office(Base):
    """A county department: ``name`` as printed (清溪县住房和城乡建设局), ``short_name`` for document
    numbers (清溪住建), ``credit_code`` its 统一社会信用代码 ('' until an administrator fills it in),
    ``seal_text`` the text of its seal (usually the name)."""

    __tablename__ = "offices"
    __table_args__ = (UniqueConstraint("county_id", "name", name="uq_offices_county_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    county: Mapped[Jurisdiction] = relationship()
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(50))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    seal_text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Office {self.name}>"

    @property
    def is_complete(self) -> bool:
        """Whether an administrator has given it a 统一社会信用代码 (offices made from a list have none)."""
        return bool(self.credit_code)


class ServiceWindow(Base):
    """The town's 便民服务中心 window: where to go for items that are not open online."""

    __tablename__ = "service_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), unique=True)
    town: Mapped[Jurisdiction] = relationship()
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(50), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
