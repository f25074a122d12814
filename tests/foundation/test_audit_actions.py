"""Audit action names: one enum whose values are what the chain stores, with the labels staff read."""

from __future__ import annotations

import re
from pathlib import Path

from service_hall.audit.actions import AuditAction, label_of
from service_hall.cases.transitions import Action

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
