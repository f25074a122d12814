"""帮办代办: a filing on behalf of a walk-in applicant, bound on the server.

Step 1 (:func:`service_hall.cases.intake.walk_in_applicant`) finds the applicant and the town; this module
binds the outcome to the clerk in a signed, short-lived token, so the applicant is never named by an id a
clerk could change, and opens the token again only for that clerk in one of their own towns. What the
filing uploads is remembered by the caller under the token's ``nonce``; the applicant's other stored files
are offered only when the applicant, present, gave a 材料复用授权码 (service_hall/files/consent.py).
See docs/architecture.md, "帮办代办". No function commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.accounts.permissions import Role
from service_hall.cases.intake import WalkIn
from service_hall.core.errors import NotFound
from service_hall.files.models import ApplicantFile
from service_hall.files.store import applicant_files
from service_hall.jurisdictions.models import Jurisdiction

SALT = "walk-in"
MAX_AGE = 4 * 3600  # seconds a filing's link stays valid

NOT_ALLOWED_NOTE = ("未经申请人授权，不显示其以往上传的材料。如需复用，请回到第一步取得材料复用授权码（开通短信的，"
                    "点击“向申请人发送授权码”；否则请申请人登录后在“我的办件”页面生成），填入申请人当面告知的授权码后重新开始。")


@dataclass(frozen=True)
class Filing:
    """One open filing on behalf: who, where, what, whether stored files may be reused, and the nonce
    under which the caller keeps what this filing created."""

    applicant: User
    town: Jurisdiction
    item_code: str
    reuse_granted: bool
    nonce: str


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def sign(secret: str, clerk: User, walk_in: WalkIn) -> str:
    """The URL token of one filing on behalf (signed with the deployment's ``secret``). Raises nothing."""
    payload = {"c": clerk.id, "a": walk_in.applicant.id, "t": walk_in.town.code, "i": walk_in.item_code,
               "g": walk_in.reuse_granted, "n": secrets.token_urlsafe(8)}
    return _serializer(secret).dumps(payload)


def open_filing(session: Session, secret: str, token: str, *, clerk: User,
                towns: Sequence[Jurisdiction]) -> Filing:
    """The filing ``token`` names, for ``clerk`` acting in one of ``towns``.

    Raises NotFound, alike for a forged, expired or another clerk's token, a town no longer the clerk's,
    or an account that is not an applicant's — so that trying tokens reveals nothing.
    """
    try:
        payload = _serializer(secret).loads(token, max_age=MAX_AGE)
    except BadData:
        payload = None
    gone = NotFound("代办链接无效或已过期，请重新开始帮办代办")
    if not isinstance(payload, dict) or payload.get("c") != clerk.id:
        raise gone
    town = next((t for t in towns if t.code == payload.get("t")), None)
    applicant_id = payload.get("a")
    applicant = session.get(User, applicant_id) if isinstance(applicant_id, int) else None
    if town is None or applicant is None or applicant.role != Role.APPLICANT:
        raise gone
    return Filing(applicant, town, str(payload.get("i", "")), bool(payload.get("g")), str(payload.get("n", "")))


def offered_files(session: Session, filing: Filing, created: Iterable[int]) -> list[ApplicantFile]:
    """The applicant's stored files the clerk may attach: all of them with the applicant's code, otherwise
    only those this filing itself uploaded (ids in ``created``). Raises nothing."""
    mine = applicant_files(session, filing.applicant)
    if filing.reuse_granted:
        return mine
    made = set(created)
    return [f for f in mine if f.id in made]


def note_for(filing: Filing) -> str:
    """What the clerk is told about the applicant's stored files."""
    return "" if filing.reuse_granted else NOT_ALLOWED_NOTE


