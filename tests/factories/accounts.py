"""Accounts: staff of every role and applicants, created through the domain functions and committed
like a request would."""

from __future__ import annotations

from typing import Any

from forms.validators import id_number_check_char
from tests.factories.clock import NOW
from tests.factories.places import BAISHA, COUNTY, QINGSHAN

PASSWORD = "Passw0rd-Test"

# username → (role, jurisdiction code): every role of the flows, in 青山镇, 白沙镇 and the county.
STAFF = {
    "clerk1": ("clerk", QINGSHAN), "rev1": ("reviewer", QINGSHAN), "rev2": ("reviewer", QINGSHAN),
    "boss1": ("decider", QINGSHAN), "boss2": ("decider", QINGSHAN), "super": ("supervisor", COUNTY),
    "clerk.baisha": ("clerk", BAISHA), "boss.baisha": ("decider", BAISHA), "super.baisha": ("supervisor", BAISHA),
}

# The county's legal officers (司法所) of the power-list tests: a drafter and a reviewer.
LEGAL_OFFICERS = {"fz1": ("legal", COUNTY), "fz2": ("legal", COUNTY)}

# mobile → name of the applicants the flows use.
APPLICANTS = {"13900000001": "李堃", "13900000002": "张喆", "13900000003": "王龑"}


def valid_id(prefix: str = "33012719850312001") -> str:
    """A resident identity number with a correct check character."""
    return prefix + id_number_check_char(prefix)


class Factory:
    """Builds accounts and places through the domain functions, committing like a request would."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def demo_jurisdictions(self) -> None:
        from tests.factories.places import demo_jurisdictions

        demo_jurisdictions(self.app)

    def staff(self, username: str, role: str, jurisdiction_code: str, password: str = PASSWORD) -> int:
        from service_hall.accounts.operations import create_staff
        from service_hall.extensions import db

        with self.app.app_context():
            user = create_staff(db.session, {"username": username, "real_name": "测试人员", "role": role,
                                             "jurisdiction_code": jurisdiction_code, "password": password},
                                now=NOW)
            db.session.commit()
            return user.id

    def applicant(self, mobile: str = "13900000001", name: str = "李堃", password: str = PASSWORD,
                  id_number: str | None = None) -> int:
        from service_hall.accounts.operations import register_applicant
        from service_hall.extensions import db

        if id_number is None:
            id_number = valid_id("33012719850312" + mobile[-3:])
        with self.app.app_context():
            user = register_applicant(db.session, {
                "applicant_type": "person", "real_name": name, "mobile": mobile, "id_number": id_number,
                "password": password, "password_confirm": password}, now=NOW)
            db.session.commit()
            return user.id

    def applicants(self, count: int) -> dict[str, int]:
        """The first ``count`` of ``APPLICANTS`` as ``applicant``, ``other_applicant``, ``third_applicant``."""
        keys = ("applicant", "other_applicant", "third_applicant")
        return {key: self.applicant(mobile=mobile, name=name)
                for key, (mobile, name) in zip(keys[:count], APPLICANTS.items(), strict=False)}

    def all_staff(self, accounts: dict[str, tuple[str, str]] = STAFF) -> dict[str, int]:
        """Every account of ``accounts`` (username → id)."""
        return {username: self.staff(username, role, town) for username, (role, town) in accounts.items()}


def user(username: str) -> Any:
    """The account with this username or mobile, in the current app context's session."""
    from service_hall.accounts.models import User
    from service_hall.extensions import db

    return db.session.query(User).filter((User.username == username) | (User.mobile == username)).one()
