"""Every state's case page renders for every role that may see it, offering only what the table allows."""

from __future__ import annotations

import pytest

from service_hall.cases.models import CaseStatus
from tests.factories.cases import STEPS_TO, drive, load, new_case
from tests.factories.clock import at
from tests.factories.power_list import PLEDGE
from tests.factories.web import login, open_decisions

BUTTONS = {"受理并准予许可": "on-the-spot", "提交审查意见": "opinion", "审查完毕": "complete-review",
           "准予许可": "approve", "记录送达": "deliver", "批准延长十个工作日": "extend", "记录核查结果": "check"}


@pytest.mark.parametrize("state", list(CaseStatus), ids=lambda s: s.value)
def test_case_pages_render_in_every_state(app, rworld, state):
    app.config["FIXED_NOW"] = at("2026-11-23", 11)
    case_id = new_case(app, PLEDGE)
    drive(app, case_id, *STEPS_TO[state])
    case = load(app, case_id)
    for username in ("clerk1", "rev1", "boss1", "super"):
        client = app.test_client()
        login(client, username)
        resp = client.get(f"/workbench/cases/{case_id}")
        assert resp.status_code == 200, (state, username)
        body = resp.get_data(as_text=True)
        assert case.status.label in body
        for label, path in BUTTONS.items():
            if f"/workbench/cases/{case_id}/{path}\"" in body:
                assert username in {"clerk1", "rev1", "boss1"}, (state, username, label)
    applicant = app.test_client()
    login(applicant, "13900000001")
    body = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    decided = state in (CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.REFUSED, CaseStatus.REVOKED,
                        CaseStatus.DELIVERED)  # delivered electronically: by the opening only
    assert ("已作出决定，待查收" in body) == decided  # a decision shows once its notice is opened (电子送达)
    if decided:
        assert open_decisions(applicant, case.ref)
        body = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert case.status.label in body
    # 好差评 at two points: once accepted (受理) and once ended (办结).
    assert ("服务评价（好差评）" in body) == (state.is_final or case.accepted_on is not None)
    assert ("签署承诺" in body) == (state in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED))  # until decided
