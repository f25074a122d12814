"""The other watched deadlines whole: the supervision page shows the ten most urgent 送达 and 容缺 deadlines
and links to each kind's own list, which pages through all of them in due order, within the supervisor's
towns, for supervisors only."""

from __future__ import annotations

import re

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import intake
from service_hall.cases.models import Application
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.places import BAISHA
from tests.factories.power_list import ITEM
from tests.factories.web import signed_in


def _approved(app, n: int, *, town: str | None = None, day: str = "2026-11-05") -> list[int]:
    ids = []
    for i in range(n):
        kwargs = {"town": town} if town else {}
        case_id = new_case(app, applicant=f"1390000000{1 + i % 2}", day="2026-11-02", **kwargs)
        drive(app, case_id, "accept", "opinion1", "complete", day="2026-11-02")
        drive(app, case_id, "approve", day=day)
        ids.append(case_id)
    return ids


def _numbers(app, ids: list[int]) -> list[str]:
    return [load(app, case_id).case_number for case_id in ids]


def _walk(client, url: str) -> tuple[list[str], int]:
    """Every case number the list shows, following 下一页 to the end, and how many pages it took."""
    seen, pages = [], 0
    while url:
        resp = client.get(url)
        assert resp.status_code == 200
        page = resp.get_data(as_text=True)
        pages += 1
        seen += re.findall(r'<a href="/workbench/cases/\d+">([^<]+)</a>', page)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = nxt.group(1).replace("&amp;", "&") if nxt else ""
    return seen, pages


def test_the_delivery_list_pages_through_every_watched_case_in_due_order(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    early = _approved(app, 3, day="2026-11-05")  # delivery due 19 Nov: red
    late = _approved(app, 2, town=BAISHA, day="2026-11-09")  # due 23 Nov: today
    supervisor = signed_in(app)
    seen, pages = _walk(supervisor, "/supervision/deadlines?kind=delivery&size=2")
    assert sorted(seen) == sorted(_numbers(app, early + late)) and pages == 3
    assert set(seen[:3]) == set(_numbers(app, early))  # the earliest due first
    page = supervisor.get("/supervision/deadlines?kind=delivery").get_data(as_text=True)
    assert page.count("2026-11-19") == 3 and "已超期 2 个工作日" in page and "今日到期" in page
    assert "白沙镇" in page and "青山镇" in page

    town_only, _ = _walk(signed_in(app, "super.baisha"), "/supervision/deadlines?kind=delivery")
    assert sorted(town_only) == sorted(_numbers(app, late))


def test_the_pledge_list_shows_deferred_materials_due(app, rworld):
    case_id = new_case(app, ITEM)
    with app.app_context():
        case = db.session.get(Application, case_id)
        intake.accept_with_pledge(ctx_for(user("clerk1"), at("2026-11-23"), calendar=WorkingCalendar()), case,
                                  missing=["M02"], pledge_days=3, pledge_signed=True)
        db.session.commit()
    app.config["FIXED_NOW"] = at("2026-11-25")
    supervisor = signed_in(app)
    page = supervisor.get("/supervision/deadlines?kind=pledge").get_data(as_text=True)
    assert load(app, case_id).case_number in page and "2026-11-26" in page and "剩余 1 个工作日" in page
    assert load(app, case_id).case_number not in supervisor.get(
        "/supervision/deadlines?kind=delivery").get_data(as_text=True)
    # An unknown kind shows the delivery list rather than an error.
    assert "临期与超期的送达期限" in supervisor.get("/supervision/deadlines?kind=x").get_data(as_text=True)


def test_the_supervision_page_shows_the_ten_most_urgent_and_links_to_the_lists(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    ids = _approved(app, 11)
    page = signed_in(app).get("/supervision/").get_data(as_text=True)
    shown = [n for n in _numbers(app, ids) if n in page]
    assert len(shown) == 10 and "以上为最紧迫的 10 条" in page
    assert 'href="/supervision/deadlines?kind=delivery"' in page and 'href="/supervision/deadlines?kind=pledge"' in page


def test_the_deadline_lists_are_for_supervisors_only(app, rworld):
    for name in ("clerk1", "13900000001"):
        assert signed_in(app, name).get("/supervision/deadlines").status_code == 403
    assert app.test_client().get("/supervision/deadlines").status_code in (302, 401)
