from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_hall.accounts.permissions import Permission, Role, role_has
from service_hall.core.base import Base, TimestampMixin, UTCDateTime
from service_hall.jurisdictions.models import Jurisdiction


def _str_enum(enum_cls: type[enum.Enum], length: int) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ApplicantType(enum.StrEnum):
    PERSON = "person"  # 自然人
    ENTERPRISE = "enterprise"  # 法人或其他组织

    @property
    def label(self) -> str:
        return {"person": "自然人", "enterprise": "法人或其他组织"}[self.value]


class User(TimestampMixin, Base):
    """An account. Applicants register themselves and log in with their mobile number; staff accounts
    are created by an administrator, belong to exactly one jurisdiction and log in with a username."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_str_enum(Role, 16))
    real_name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    applicant_type: Mapped[ApplicantType | None] = mapped_column(_str_enum(ApplicantType, 16))
    id_number: Mapped[str | None] = mapped_column(String(18))  # 居民身份证号码 (person)
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码 (enterprise)
    organisation_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    jurisdiction: Mapped[Jurisdiction | None] = relationship()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Set for generated initial passwords: the login flow sends the user to change it first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # ``role`` is the primary role (shown first, written on audit records); a person holding more than
    # one role (a head who also reviews) has the others here.
    extra_roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                       lazy="selectin", order_by="UserRole.role")
    # Raised when the password changes or is reset: every session and API token issued before dies
    # (service_hall/accounts/credentials.py).
    credential_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # 动态验证码 (service_hall/accounts/second_factor.py): the TOTP secret of a staff account that turned it
    # on, and the last time step used (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # Flask-Login protocol, kept here so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def roles(self) -> tuple[Role, ...]:
        """Every role the account holds, the primary one first."""
        extra = sorted({grant.role for grant in self.extra_roles} - {self.role}, key=list(Role).index)
        return (self.role, *extra)

    @property
    def roles_label(self) -> str:
        return "、".join(role.label for role in self.roles)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def can(self, permission: Permission) -> bool:
        """True when any of the account's roles grants the permission."""
        return self.active and any(role_has(role, permission) for role in self.roles)

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def display_name(self) -> str:
        return self.organisation_name or self.real_name

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class UserRole(Base):
    """A further role held by an account besides its primary ``User.role``."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(_str_enum(Role, 16), primary_key=True)
    user: Mapped[User] = relationship(back_populates="extra_roles")


class ApiToken(TimestampMixin, Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    credential_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
