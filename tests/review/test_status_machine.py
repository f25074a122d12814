"""The status machine: the documented diagram is the table, and every (power type, state, action) behaves
as the type's table says — through HTTP with the right actor: allowed combinations succeed, every other
one is refused with 409, a Chinese reason, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from power_lists.models import PowerType
from service_hall.audit.models import AuditRecord
from service_hall.cases.models import Application, CaseStatus
from service_hall.cases.transitions import (
    TABLE,
    TABLES,
    TYPE_CHANGES,
    Action,
    apply_transition,
    status_machine_markdown,
)
from service_hall.core.errors import Conflict
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.cases import SAMPLE_TERMS, SAMPLE_UNTIL, STEPS_TO, drive, load, new_case
from tests.factories.clock import at
from tests.factories.forms import generated_form_data
from tests.factories.power_list import ADJUDICATION, BENEFIT, CONFIRMATION, OTHER, PLEDGE, PUBLIC_SERVICE, REWARD
from tests.factories.web import api_token

ROOT = Path(__file__).resolve().parents[2]

# How a case gets into each state (on the 告知承诺 即办件 item, so every guard can be satisfied).
# What an allowed pair needs beyond the state (the guard's condition).
EXTRA = {(CaseStatus.SUBMITTED, Action.APPROVE_ON_PLEDGE): ("sign",),
         (CaseStatus.AWAITING_PREREQUISITE, Action.RESUBMIT): ("correction",),
         (CaseStatus.ACCEPTED, Action.COMPLETE_REVIEW): ("opinion1",),
         (CaseStatus.ACCEPTED, Action.APPROVE_ON_PLEDGE): ("sign",),
         (CaseStatus.APPROVED, Action.SUBMIT_STATEMENT): ("notify_revocation",),
         (CaseStatus.DELIVERED, Action.SUBMIT_STATEMENT): ("notify_revocation",),
         (CaseStatus.APPROVED, Action.REVOKE): ("notify_revocation", "statement"),
         (CaseStatus.DELIVERED, Action.REVOKE): ("notify_revocation", "statement")}

# The item of each power type (tests/factories/power_list.py) and how its cases reach each state: the
# 即办件 steps, with the other party heard first in a 裁决; a state the type never reaches is set directly.
TYPE_ITEMS = {PowerType.LICENSING: PLEDGE, PowerType.BENEFIT: BENEFIT, PowerType.CONFIRMATION: CONFIRMATION,
              PowerType.REWARD: REWARD, PowerType.ADJUDICATION: ADJUDICATION,
              PowerType.PUBLIC_SERVICE: PUBLIC_SERVICE, PowerType.OTHER: OTHER}
_IMMEDIATE = {**STEPS_TO, CaseStatus.APPROVED: ("accept", "approve"), CaseStatus.DELIVERED: ("accept", "approve",
                                                                                              "deliver"),
              CaseStatus.REVOKED: ("force_revoked",)}
_HEARD = ("accept", "party", "answer", "opinion1", "complete")
TYPE_STEPS = {
    PowerType.LICENSING: STEPS_TO,
    PowerType.BENEFIT: _IMMEDIATE, PowerType.CONFIRMATION: _IMMEDIATE, PowerType.REWARD: _IMMEDIATE,
    PowerType.OTHER: _IMMEDIATE,
    PowerType.PUBLIC_SERVICE: {**_IMMEDIATE, CaseStatus.SPECIAL_PROCEDURE: ("force_special",)},
    PowerType.ADJUDICATION: {**_IMMEDIATE, CaseStatus.SPECIAL_PROCEDURE: ("accept", "party", "hearing"),
                             CaseStatus.REVIEWED: _HEARD, CaseStatus.APPROVED: (*_HEARD, "approve"),
                             CaseStatus.DENIED: (*_HEARD, "deny"),
                             CaseStatus.DELIVERED: (*_HEARD, "approve", "deliver")},
}
TYPE_EXTRA = {PowerType.LICENSING: EXTRA,
              PowerType.ADJUDICATION: {(CaseStatus.ACCEPTED, Action.COMPLETE_REVIEW): ("party", "answer", "opinion1"),
                                       (CaseStatus.ACCEPTED, Action.RECORD_ANSWER): ("party",),
                                       (CaseStatus.AWAITING_PREREQUISITE, Action.RESUBMIT): ("correction",)}}
_DEFAULT_EXTRA = {(CaseStatus.ACCEPTED, Action.COMPLETE_REVIEW): ("opinion1",),
                  (CaseStatus.AWAITING_PREREQUISITE, Action.RESUBMIT): ("correction",)}

APPLICANT = "13900000001"
# action → (who, URL template, JSON body); {id} is the staff id, {ref} the applicant reference.
CALLS = {
    Action.RESUBMIT: (APPLICANT, "/api/v1/applications/{ref}/correction", {"materials": {}}),
    Action.ACCEPT: ("clerk1", "/api/v1/cases/{id}/accept", {}),
    Action.ACCEPT_WITH_PLEDGE: ("clerk1", "/api/v1/cases/{id}/pledge",
                                {"missing": ["M02"], "pledge_days": 5, "pledge_signed": True}),
    Action.REQUEST_CORRECTION: ("clerk1", "/api/v1/cases/{id}/correction",
                                {"items": [{"target": "M02", "problem": "请补交身份证明"}], "respond_days": 10}),
    Action.REFUSE: ("clerk1", "/api/v1/cases/{id}/refuse", {"reason": "不属于本机关职权"}),
    Action.WITHDRAW: (APPLICANT, "/api/v1/applications/{ref}/withdraw", {}),
    Action.SIGN_PLEDGE: (APPLICANT, "/api/v1/applications/{ref}/pledge", {"agree": True}),
    Action.APPROVE_ON_PLEDGE: ("boss1", "/api/v1/cases/{id}/pledge-approve",
                               {"terms": {"validity.until": SAMPLE_UNTIL}}),
    Action.START_SPECIAL: ("rev1", "/api/v1/cases/{id}/special", {"kind": "inspection", "note": "现场勘验，预计五日"}),
    Action.END_SPECIAL: ("rev1", "/api/v1/cases/{id}/special/end", {"outcome": "勘验符合要求"}),
    Action.RECORD_OPINION: ("rev2", "/api/v1/cases/{id}/opinions", {"opinion": "同意", "recommendation": "approve"}),
    Action.COMPLETE_REVIEW: ("rev1", "/api/v1/cases/{id}/complete-review", {}),
    Action.EXTEND: ("boss1", "/api/v1/cases/{id}/extend", {"reason": "需征求村民委员会意见"}),
    Action.APPROVE: ("boss2", "/api/v1/cases/{id}/approve", {"terms": SAMPLE_TERMS | {"validity.until": SAMPLE_UNTIL}}),
    Action.DENY: ("boss2", "/api/v1/cases/{id}/deny", {"reasons": "不符合规划"}),
    Action.DELIVER: ("clerk1", "/api/v1/cases/{id}/deliver", {"channel": "window", "recipient": "李堃",
                                                             "signer_name": "李堃", "signer_relation": "self"}),
    Action.PASS_CHECK: ("rev1", "/api/v1/cases/{id}/check", {"result": "passed", "finding": "经核查承诺属实"}),
    Action.NOTIFY_REVOCATION: ("boss2", "/api/v1/cases/{id}/revocation-notice",
                               {"reason": "以欺骗手段取得许可", "answer_days": 5}),
    Action.SUBMIT_STATEMENT: (APPLICANT, "/api/v1/applications/{ref}/statement", {"statement": "材料真实"}),
    Action.REVOKE: ("boss2", "/api/v1/cases/{id}/revoke", {"reason": "以欺骗手段取得许可"}),
    Action.NOTIFY_PARTY: ("rev1", "/api/v1/cases/{id}/party", {"party": "赵某", "answer_days": 15}),
    Action.RECORD_ANSWER: ("rev1", "/api/v1/cases/{id}/party/answer", {"answer": "该林地一直由我家经营"}),
}
# No endpoint refuses them with 409: tested below. The 一件事 order's three are the bundle flow's
# (tests/bundles/test_prerequisites.py takes their allowed paths).
DOMAIN_ONLY = {Action.SUBMIT, Action.DEEM_ACCEPT, Action.AWAIT_PREREQUISITE, Action.START_AFTER_PREREQUISITE,
               Action.TERMINATE}
SYSTEM_ONLY = {Action.DEEM_ACCEPT, Action.START_AFTER_PREREQUISITE, Action.TERMINATE}


def test_the_documented_diagram_is_the_table():
    doc = (ROOT / "docs" / "status-machine.md").read_text(encoding="utf-8")
    assert doc == status_machine_markdown(), "run: python scripts/status_machine.py"
    for (state, action), t in TABLE.items():
        assert f"    {state.value} --> {t.to.value}: {action.value}" in doc


def test_every_action_has_an_http_route_or_a_reason():
    assert set(Action) == set(CALLS) | DOMAIN_ONLY


def _snapshot(app, case_id):
    with app.app_context():
        case = db.session.get(Application, case_id)
        audits = db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.object_type == "application", AuditRecord.object_id == str(case_id),
            AuditRecord.action.not_in(["case.refused_attempt", "accountability.raise"])))
        return (case.status, case.row_version, len(case.notices), len(case.reviews), len(case.pauses),
                len(case.checks), len(case.deliveries), len(case.corrections), case.extension_days,
                case.pledge_signed_at, case.closed_at, audits)


class Caller:
    def __init__(self, app):
        self.app = app
        self.tokens = {}

    def __call__(self, action, case):
        who, url, body = CALLS[action]
        client = self.app.test_client()
        if who not in self.tokens:
            self.tokens[who] = api_token(client, who)
        return client.post(url.format(id=case.id, ref=case.ref), json=body, headers=self.tokens[who])


@pytest.mark.parametrize("state", list(CaseStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("power_type", list(TABLES), ids=lambda t: t.value)
def test_every_action_in_every_state_of_every_power_type(app, tworld, power_type, state):
    app.config["FIXED_NOW"] = at("2026-11-23", 11)
    item, steps = TYPE_ITEMS[power_type], TYPE_STEPS[power_type]
    table, extra = TABLES[power_type], TYPE_EXTRA.get(power_type, _DEFAULT_EXTRA)
    call = Caller(app)
    refused_case = new_case(app, item)
    drive(app, refused_case, *steps[state])
    assert load(app, refused_case).status == state
    for action in CALLS:
        transition = table.get((state, action))
        if transition is None:
            before = _snapshot(app, refused_case)
            resp = call(action, load(app, refused_case))
            assert resp.status_code == 409, (power_type, state, action, resp.get_json())
            message = resp.get_json()["message"]
            assert message and any("\u4e00" <= ch <= "\u9fff" for ch in message), (power_type, state, action)
            if action in TYPE_CHANGES[power_type].without:
                assert TYPE_CHANGES[power_type].without_reason in message
            assert _snapshot(app, refused_case) == before, (power_type, state, action)
            continue
        case_id = new_case(app, item)
        drive(app, case_id, *steps[state], *extra.get((state, action), ()))
        resp = call(action, load(app, case_id))
        assert resp.status_code in (200, 201), (power_type, state, action, resp.get_json())
        assert load(app, case_id).status == transition.to, (power_type, state, action)


def test_submit_and_deemed_acceptance_follow_the_table(app, rworld):
    """SUBMIT has no refusing endpoint (re-posting a submitted application returns it unchanged) and
    DEEM_ACCEPT is the system's: check them at the table, then take the allowed paths over HTTP."""
    for state in CaseStatus:
        for action in DOMAIN_ONLY:
            if (state, action) in TABLE:
                continue
            case_id = new_case(app, PLEDGE)
            drive(app, case_id, *STEPS_TO[state])
            with app.app_context():
                case = db.session.get(Application, case_id)
                actor = None if action in SYSTEM_ONLY else case.applicant
                with pytest.raises(Conflict):
                    apply_transition(db.session, case, action, actor=actor, now=at("2026-12-10"))
                db.session.rollback()
    # DRAFT → SUBMITTED: the applicant posts the draft's submission key again.
    app.config["FIXED_NOW"] = at("2026-11-23", 11)
    draft = new_case(app, PLEDGE)
    drive(app, draft, "draft")
    client = app.test_client()
    headers = api_token(client, APPLICANT)
    with app.app_context():
        case = db.session.get(Application, draft)
        key, file_id = case.submission_key, case.materials[0].file_id
        data = generated_form_data(case.applicant, PLEDGE)  # PLEDGE has only the form generated from its guide
    resp = client.post("/api/v1/applications", headers=headers, json={
        "town_code": "330199101000", "item_code": PLEDGE, "submission_key": key, "materials": {"M01": file_id},
        "data": data})
    assert resp.status_code == 201, resp.get_json()
    assert load(app, draft).status == CaseStatus.SUBMITTED
    # SUBMITTED → ACCEPTED by operation of law, when staff traffic runs the sweep after 5 working days.
    app.config["FIXED_NOW"] = at("2026-12-01", 9)
    staff = app.test_client()
    assert staff.get("/api/v1/cases", headers=api_token(staff, "clerk1")).status_code == 200
    deemed = load(app, draft)
    assert deemed.status == CaseStatus.ACCEPTED and deemed.deemed_accepted


def test_the_wrong_actor_is_refused_even_in_the_right_state(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23", 11)
    case_id = new_case(app, PLEDGE)
    drive(app, case_id, "accept", "opinion1", "complete")
    client = app.test_client()
    resp = client.post(f"/api/v1/cases/{case_id}/approve", json={}, headers=api_token(client, "rev1"))
    assert resp.status_code == 403
    assert load(app, case_id).status == CaseStatus.REVIEWED
    with app.app_context():
        assert user("rev1").id  # the reviewer exists; the role lacks the permission
