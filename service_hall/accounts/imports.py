"""Staff accounts from a file: 姓名, 手机号, 角色 (one or several), 所属乡镇/部门, optionally 用户名.

A row whose mobile number belongs to an existing staff account updates that account's name, roles and
place (its password is kept); other rows create accounts with a generated initial password that is
shown once and must be changed at first login. Accounts missing from the file are left alone
(disable them on the accounts page). All or nothing, every problem located (docs/going-live.md).
Nothing here commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import User, UserRole
from service_hall.accounts.operations import generate_password, hash_password
from service_hall.accounts.permissions import ROLE_LABELS, Role
from service_hall.accounts.placement import placement_problem
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.core.errors import Conflict
from service_hall.core.problems import ImportRejected, Problem
from service_hall.core.sheets import clean_code, read_sheet
from service_hall.core.validators import InvalidValue, check_mobile
from service_hall.jurisdictions.imports import local_date
from service_hall.jurisdictions.models import Jurisdiction

NAME, MOBILE, ROLES, PLACE, USERNAME = "姓名", "手机号", "角色", "所属乡镇/部门", "用户名"
COLUMNS = [NAME, MOBILE, ROLES, PLACE, USERNAME]
SYNONYMS = {
    "手机号码": MOBILE, "手机": MOBILE, "联系电话": MOBILE, "移动电话": MOBILE,
    "所属乡镇（部门）": PLACE, "所属乡镇(部门)": PLACE, "所属乡镇": PLACE, "所属乡镇（街道）": PLACE,
    "所属区划": PLACE, "所属单位": PLACE, "单位": PLACE, "部门": PLACE, "所在单位": PLACE,
    "角色（可多个）": ROLES, "岗位": ROLES, "登录名": USERNAME, "账号": USERNAME,
}
MAX_ROWS = 2000

# Chinese role names as the pages show them, the English identifiers, and the usual other names.
ROLE_WORDS: dict[str, Role] = {
    **{label: role for role, label in ROLE_LABELS.items()},
    **{role.value: role for role in Role},
    "窗口受理人员": Role.CLERK, "综合窗口": Role.CLERK, "窗口人员": Role.CLERK, "受理人员": Role.CLERK,
    "审查员": Role.REVIEWER, "审核人员": Role.REVIEWER,
    "首席代表": Role.DECIDER, "审批负责人": Role.DECIDER,
    "法制审核": Role.LEGAL, "司法所": Role.LEGAL, "法制审核员": Role.LEGAL,
    "电子监察": Role.SUPERVISOR, "监察人员": Role.SUPERVISOR, "督查人员": Role.SUPERVISOR,
    "管理员": Role.ADMIN,
}
_ROLE_SPLIT = re.compile(r"[、,，;；/／|]+|\s+")
_USERNAME_RE = re.compile(r"^([a-z][a-z0-9_.-]{2,63}|1\d{10})$")


def roles_help() -> str:
    return "、".join(ROLE_LABELS[r] for r in Role if r is not Role.APPLICANT)


def parse_roles(text: str) -> tuple[list[Role], list[str]]:
    """The roles named in a cell, in order and without repeats, and the words that name no role."""
    roles: list[Role] = []
    unknown: list[str] = []
    for word in filter(None, _ROLE_SPLIT.split(text)):
        role = ROLE_WORDS.get(word) or ROLE_WORDS.get(word.lower())
        if role is None:
            unknown.append(word)
        elif role not in roles:
            roles.append(role)
    return roles, unknown



@dataclass(frozen=True)
class StaffEntry:
    """One row of the file and what importing it does: created, updated (``changes`` says what) or
    unchanged."""

    row: int
    real_name: str
    mobile: str
    username: str
    roles: tuple[str, ...]
    jurisdiction_code: str
    jurisdiction_name: str
    action: str
    changes: tuple[str, ...] = ()

    @property
    def roles_label(self) -> str:
        return "、".join(Role(r).label for r in self.roles)


@dataclass(frozen=True)
class StaffPlan:
    entries: tuple[StaffEntry, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {a: sum(1 for e in self.entries if e.action == a) for a in ("created", "updated", "unchanged")}

    @property
    def fingerprint(self) -> str:
        body = json.dumps([asdict(e) for e in self.entries], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:32]

    def as_dict(self) -> dict[str, object]:
        return {**self.counts, "accounts": [asdict(e) for e in self.entries], "errors": []}


@dataclass(frozen=True)
class StaffImportResult:
    """The plan written, and the initial passwords of the accounts created ({username: password}) —
    they exist nowhere else and are shown once."""

    plan: StaffPlan
    passwords: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        body = self.plan.as_dict()
        accounts: list[dict[str, object]] = body["accounts"]  # type: ignore[assignment]  # as_dict's shape
        for account in accounts:
            account["initial_password"] = self.passwords.get(str(account["username"]))
        return body


class _Places:
    """Resolves a 所属乡镇/部门 cell (a 12-digit code or a name) to a jurisdiction."""

    def __init__(self, session: Session) -> None:
        self.all = list(session.scalars(select(Jurisdiction)))
        self.by_code = {j.code: j for j in self.all}

    def find(self, text: str, on: dt.date) -> tuple[Jurisdiction | None, str | None]:
        code = clean_code(text)
        if code.isdigit():
            place = self.by_code.get(code)
            return (place, None) if place else (None, f"未找到区划代码 {code}，请先导入区划文件")
        named = [j for j in self.all if j.name == text]
        if len(named) > 1:
            named = [j for j in named if j.is_open_on(on)] or named
        if not named:
            return None, f"未找到名为“{text}”的县、乡镇（街道）或村（社区）；县直部门人员请填写县名或县级区划代码"
        if len(named) > 1:
            codes = "、".join(f"{j.code}（{j.parent.name if j.parent else ''}）" for j in named)
            return None, f"名为“{text}”的区划有多个，请改填区划代码：{codes}"
        return named[0], None


def preview_staff_import(session: Session, filename: str, data: bytes, *, now: dt.datetime,
                         max_rows: int = MAX_ROWS) -> StaffPlan:
    """Check a staff file against the database; writes nothing.

    Raises ImportRejected listing every problem (row, column, reason in Chinese): unknown role or
    place, a role placed where it has no work, a bad or repeated mobile, a taken username.
    """
    sheet = read_sheet(filename, data, required=[NAME, MOBILE, ROLES, PLACE], optional=[USERNAME],
                       synonyms=SYNONYMS, max_rows=max_rows)
    today = local_date(now)
    places = _Places(session)
    # Only the accounts the file can touch (there may be many applicants).
    mobiles, usernames = set(), set()
    for _, cells in sheet.rows:
        with contextlib.suppress(InvalidValue):
            mobiles.add(check_mobile(clean_code(cells.get(MOBILE, ""))))
        usernames.add(cells.get(USERNAME, "").lower())
    users_by_mobile = {u.mobile: u for u in session.scalars(select(User).where(User.mobile.in_(mobiles)))}
    users_by_name = {u.username: u for u in session.scalars(select(User).where(
        User.username.in_(usernames | mobiles)))}
    problems: list[Problem] = []
    entries: list[StaffEntry] = []
    seen_mobiles: dict[str, int] = {}
    seen_usernames: dict[str, int] = {}
    for number, cells in sheet.rows:
        before = len(problems)
        name = cells.get(NAME, "")
        if not name:
            problems.append(Problem("姓名不能为空", row=number, column=NAME))
        elif not 2 <= len(name) <= 50:
            problems.append(Problem("姓名应为2至50个字", row=number, column=NAME))
        mobile = ""
        raw_mobile = cells.get(MOBILE, "")
        try:
            mobile = check_mobile(clean_code(raw_mobile))
        except InvalidValue:
            problems.append(Problem(f"手机号“{raw_mobile}”无效，应为11位手机号码" if raw_mobile else "手机号不能为空",
                                    row=number, column=MOBILE))
        existing = users_by_mobile.get(mobile) if mobile else None
        if mobile:
            if mobile in seen_mobiles:
                problems.append(Problem(f"手机号 {mobile} 与第{seen_mobiles[mobile]}行重复", row=number, column=MOBILE))
            seen_mobiles.setdefault(mobile, number)
            if existing is not None and not existing.is_staff:
                problems.append(Problem(f"手机号 {mobile} 已注册为申请人账号，工作人员账号请使用其他手机号",
                                        row=number, column=MOBILE))
        roles, unknown = parse_roles(cells.get(ROLES, ""))
        if unknown:
            problems.append(Problem(f"角色“{'、'.join(unknown)}”无法识别，应为{roles_help()}",
                                    row=number, column=ROLES))
        elif not roles:
            problems.append(Problem("角色不能为空", row=number, column=ROLES))
        place_text = cells.get(PLACE, "")
        place = None
        if not place_text:
            problems.append(Problem("所属乡镇/部门不能为空", row=number, column=PLACE))
        else:
            place, message = places.find(place_text, today)
            if message:
                problems.append(Problem(message, row=number, column=PLACE))
        if place is not None:
            for role in roles:
                message = placement_problem(role, place, on=today)
                if message:
                    problems.append(Problem(message, row=number, column=PLACE))
                    break
        username = cells.get(USERNAME, "").lower() or (
            existing.username if existing is not None and existing.is_staff else mobile)
        if cells.get(USERNAME) and not _USERNAME_RE.match(username):
            problems.append(Problem("用户名应为3至64位小写字母、数字或 _ . -，以字母开头（或填手机号）",
                                    row=number, column=USERNAME))
        elif username:
            holder = users_by_name.get(username)
            if existing is not None and existing.is_staff and existing.username != username:
                problems.append(Problem(f"手机号 {mobile} 已属于账号 {existing.username}，用户名须一致或不填",
                                        row=number, column=USERNAME if cells.get(USERNAME) else MOBILE))
            elif holder is not None and holder is not existing:
                problems.append(Problem(f"用户名 {username} 已被其他账号使用",
                                        row=number, column=USERNAME if cells.get(USERNAME) else MOBILE))
            if username in seen_usernames and seen_usernames[username] != number and username != mobile:
                problems.append(Problem(f"用户名 {username} 与第{seen_usernames[username]}行重复",
                                        row=number, column=USERNAME))
            seen_usernames.setdefault(username, number)
        if len(problems) > before or place is None:
            continue
        role_values = tuple(r.value for r in roles)
        changes: tuple[str, ...] = ()
        if existing is None:
            action = "created"
        else:
            what: list[str] = []
            if existing.real_name != name:
                what.append("name")
            # The primary role is ordered; the others are a set.
            if existing.role is not roles[0] or set(existing.roles[1:]) != set(roles[1:]):
                what.append("roles")
            if existing.jurisdiction_id != place.id:
                what.append("jurisdiction")
            changes = tuple(what)
            action = "updated" if what else "unchanged"
        entries.append(StaffEntry(number, name, mobile, username, role_values, place.code, place.name, action,
                                  changes))
    if problems:
        raise ImportRejected(problems)
    return StaffPlan(tuple(entries))


def _set_roles(user: User, roles: list[Role]) -> None:
    user.role = roles[0]
    wanted = set(roles[1:])
    for grant in list(user.extra_roles):
        if grant.role not in wanted:
            user.extra_roles.remove(grant)
    held = {grant.role for grant in user.extra_roles}
    for role in roles[1:]:
        if role not in held:
            user.extra_roles.append(UserRole(role=role))


def import_staff(session: Session, filename: str, data: bytes, *, now: dt.datetime, actor: User | None = None,
                 expected: str | None = None, max_rows: int = MAX_ROWS) -> StaffImportResult:
    """Check the file and write it (all or nothing); returns the plan and the new initial passwords.

    ``expected`` is the fingerprint of the preview the user confirmed. Raises ImportRejected with every
    located problem, or Conflict when the accounts changed since that preview.
    """
    plan = preview_staff_import(session, filename, data, now=now, max_rows=max_rows)
    if expected is not None and plan.fingerprint != expected:
        raise Conflict("账号数据在预览之后已发生变化，请重新上传文件并核对预览")
    places = {j.code: j for j in session.scalars(select(Jurisdiction).where(
        Jurisdiction.code.in_({e.jurisdiction_code for e in plan.entries})))}
    passwords: dict[str, str] = {}
    for entry in plan.entries:
        if entry.action == "unchanged":
            continue
        roles = [Role(r) for r in entry.roles]
        if entry.action == "created":
            password = generate_password()
            user = User(username=entry.username, role=roles[0], real_name=entry.real_name, mobile=entry.mobile,
                        password_hash=hash_password(password), jurisdiction=places[entry.jurisdiction_code],
                        must_change_password=True, created_at=now)
            session.add(user)
            passwords[entry.username] = password
        else:
            user = session.scalars(select(User).where(User.mobile == entry.mobile)).one()
            user.real_name = entry.real_name
            user.jurisdiction = places[entry.jurisdiction_code]
        _set_roles(user, roles)
        session.flush()
        record(session, actor=actor, action=AuditAction(f"user.import.{entry.action}"), object_type="user",
               object_id=user.id,
               now=now, payload={"username": user.username, "roles": list(entry.roles),
                                 "jurisdiction": entry.jurisdiction_code, "changes": list(entry.changes)})
    return StaffImportResult(plan, passwords)
