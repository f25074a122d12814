"""Audit action names: one enum whose values are what the chain stores, with the labels staff read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from service_hall.accounts.models import User
from service_hall.accounts.operations import add_staff, set_active
from service_hall.audit.actions import AuditAction, label_of
from service_hall.audit.models import AuditRecord
from service_hall.calendar.entry import enter_calendar, remove_calendar_entry
from service_hall.cases.transitions import Action
from service_hall.core.errors import NotFound
from tests.factories.accounts import PASSWORD
from tests.factories.clock import NOW

ROOT = Path(__file__).resolve().parents[2]


def test_every_case_transition_is_an_audit_action_with_the_same_label() -> None:
    for action in Action:
        assert AuditAction(f"case.{action.value}").label == action.label


def test_every_action_has_a_chinese_label() -> None:
    for action in AuditAction:
        assert action.label and not action.label.isascii()


def test_label_of_reads_unknown_names_as_themselves() -> None:
    assert label_of("case.accept") == "受理"
    assert label_of("power_list.publish") == "审核通过并发布"
    assert label_of("something.else") == "something.else"
    assert label_of("") == ""


def test_action_names_written_as_strings_in_the_code_are_audit_actions() -> None:
    written = set()
    for path in [*ROOT.glob("service_hall/**/*.py"), *ROOT.glob("power_lists/**/*.py")]:
        written |= set(re.findall(r'\baction="([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert written, "the pattern no longer finds the call sites"
    assert written <= {a.value for a in AuditAction}


def _actions(session) -> list[tuple[str, str]]:
    return [(r.action, r.object_id) for r in session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]


def test_account_and_calendar_operations_write_their_own_audit_records(ctx, factory) -> None:
    factory.demo_jurisdictions()
    admin = ctx.get(User, factory.staff("admin1", "admin", "330199000000"))
    user = add_staff(ctx, {"username": "clerk9", "real_name": "测试人员", "role": "clerk",
                           "jurisdiction_code": "330199101000", "password": PASSWORD}, actor=admin, now=NOW)
    set_active(ctx, user.id, False, actor=admin, now=NOW)
    enter_calendar(ctx, "2027-01-01 休 元旦", actor=admin, now=NOW)
    assert remove_calendar_entry(ctx, "2027-01-01", actor=admin, now=NOW) == dt.date(2027, 1, 1)
    with pytest.raises(NotFound):
        remove_calendar_entry(ctx, "2027-01-01", actor=admin, now=NOW)
    with pytest.raises(NotFound):
        remove_calendar_entry(ctx, "2027-13-01", actor=admin, now=NOW)
    assert _actions(ctx) == [(AuditAction.USER_CREATE, str(user.id)), (AuditAction.USER_DEACTIVATE, str(user.id)),
                             (AuditAction.CALENDAR_ENTER, "2027"), (AuditAction.CALENDAR_REMOVE, "2027-01-01")]
