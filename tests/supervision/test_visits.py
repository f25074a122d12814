"""'One visit at most' is a measured figure on the supervisor's page."""

from __future__ import annotations

from service_hall.cases.metrics import visit_figures
from service_hall.cases.models import Application, CaseStatus, Visit
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from tests.factories.clock import at
from tests.factories.web import apply_online, login, post_form


def test_visits_are_counted_per_town_over_finished_cases(app, client, factory, world):
    factory.staff("sup1", "supervisor", "330199000000")
    applicant = app.test_client()
    login(applicant, "13900000001")
    for _ in range(3):
        apply_online(applicant)
    with app.app_context():
        cases = db.session.query(Application).order_by(Application.id).all()
        ids = [c.id for c in cases]
        refs = [c.ref for c in cases]
    clerk = app.test_client()
    login(clerk, "clerk1")
    # Case 1: two visits, case 2: one visit, case 3: none; all three end (refused / withdrawn).
    for case_id, visits in zip(ids, (2, 1, 0), strict=True):
        for _ in range(visits):
            post_form(clerk, f"/workbench/cases/{case_id}", {"visitor_name": "李堃", "purpose": "窗口咨询"},
                      action=f"/workbench/cases/{case_id}/visits")
    for case_id in ids[:2]:
        post_form(clerk, f"/workbench/cases/{case_id}", {"reason": "不属于本机关职权"},
                  action=f"/workbench/cases/{case_id}/refuse")
    post_form(applicant, f"/portal/applications/{refs[2]}", {"confirm": "1"},
              action=f"/portal/applications/{refs[2]}/withdraw")
    with app.app_context():
        assert db.session.query(Visit).count() == 3
        assert {c.status for c in db.session.query(Application)} == {CaseStatus.REFUSED, CaseStatus.WITHDRAWN}
        qingshan = db.session.query(Jurisdiction).filter_by(code="330199101000").one()
        figures = visit_figures(db.session, [qingshan])[0]
        assert (figures.finished, figures.zero_visits, figures.at_most_one, figures.visits) == (3, 1, 2, 3)
    supervisor = app.test_client()
    login(supervisor, "sup1")
    app.config["FIXED_NOW"] = at("2026-11-24")
    page = supervisor.get("/supervision/").get_data(as_text=True)
    assert "最多跑一次比例" in page and "66.7%" in page and "1.00" in page
    assert page.count("最多跑一次比例") == 1 and "<title>电子监察 · " in page  # the table is in the body only
