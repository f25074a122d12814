"""Lists page by keyset (docs/architecture.md, "Lists at scale"): following 下一页 and 上一页 walks every
case once in order, filters survive the links, and a cursor that cannot be read gives the first page."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from service_hall.cases.models import Application
from service_hall.extensions import db
from tests.factories.cases import new_case
from tests.factories.web import api_token, login, signed_in

LINK = re.compile(r'<a rel="(next|prev)" href="([^"]+)">(下一页|上一页)</a>')
NUMBER = re.compile(r'<a href="/workbench/cases/(\d+)">')


def _links(body: str) -> dict[str, str]:
    return {rel: href.replace("&amp;", "&") for rel, href, _ in LINK.findall(body)}


def _cases(app: Any, n: int) -> list[int]:
    ids = [new_case(app, day=f"2026-11-{10 + i:02d}") for i in range(n)]
    return ids


def test_clerk_walks_the_queue_page_by_page_and_back(app, client, world):
    ids = _cases(app, 5)
    login(client, "clerk1")
    first = client.get("/workbench/?size=2").get_data(as_text=True)
    seen: list[int] = [int(i) for i in NUMBER.findall(first)]
    assert len(seen) == 2 and "上一页" not in first and "下一页" in first
    pages = [first]
    while "next" in _links(pages[-1]):
        assert "size=2" in _links(pages[-1])["next"]
        pages.append(client.get(_links(pages[-1])["next"]).get_data(as_text=True))
        seen += [int(i) for i in NUMBER.findall(pages[-1])]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 5
    assert len(pages) == 3 and "下一页" not in pages[-1]
    # Nearest intake deadline first: the earliest submitted case leads.
    assert seen[0] == ids[0]
    back = client.get(_links(pages[-1])["prev"]).get_data(as_text=True)
    assert [int(i) for i in NUMBER.findall(back)] == [int(i) for i in NUMBER.findall(pages[1])]


def test_a_filter_is_kept_across_pages_and_a_closed_status_shows_nothing(app, client, world):
    ids = _cases(app, 3)
    login(client, "clerk1")
    client.get("/workbench/")  # the deadline sweep may have deemed them accepted by now
    with app.app_context():
        status = db.session.get(Application, ids[0]).status.value
    body = client.get(f"/workbench/?status={status}&size=1").get_data(as_text=True)
    assert f"status={status}" in _links(body)["next"]
    closed = client.get("/workbench/?status=delivered").get_data(as_text=True)
    assert "暂无在办件" in closed


def test_an_unreadable_cursor_gives_the_first_page(app, client, world):
    ids = _cases(app, 2)
    login(client, "clerk1")
    for cursor in ("not-a-cursor", "WyJ4IiwgWzFdXQ", "%%%", "W10"):
        resp = client.get(f"/workbench/?cursor={cursor}")
        assert resp.status_code == 200
        assert sorted(int(i) for i in NUMBER.findall(resp.get_data(as_text=True))) == sorted(ids)


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(["n", values]).encode()).decode().rstrip("=")


def test_a_cursor_whose_values_do_not_fit_the_list_gives_the_first_page(app, rworld):
    """A cursor is the client's to send: one that decodes but holds a text where the list's key is a date,
    a naive time where it is a UTC time, or another list's key, is read as no cursor, never a 500."""
    ids = _cases(app, 2)
    odd = (["abc", 1], [{"d": "2026-01-01"}, "x"], [{"t": "2026-01-01T00:00:00"}, 1], [1.5, None],
           [[1], {"d": "2026-01-01"}], [{"t": "2026-01-01T00:00:00+00:00"}, True])
    lists = {"clerk1": ["/workbench/", "/workbench/?sort=number", "/api/v1/cases"],
             "super": ["/supervision/", "/supervision/deadlines?kind=delivery", "/supervision/deadlines?kind=pledge"],
             "13900000001": ["/portal/", "/api/v1/applications"]}
    for name, urls in lists.items():
        client = signed_in(app, name)
        headers = api_token(client, name)
        for url in urls:
            for values in odd:
                resp = client.get(url + ("&" if "?" in url else "?") + "cursor=" + _cursor(values), headers=headers)
                assert resp.status_code == 200, (url, values, resp.status_code)
    clerk = signed_in(app, "clerk1")
    page = clerk.get("/workbench/?cursor=" + _cursor(["abc", 1])).get_data(as_text=True)
    assert sorted(int(i) for i in NUMBER.findall(page)) == sorted(ids)


def test_portal_pages_the_applicants_cases_newest_first(app, client, world):
    ids = _cases(app, 3)
    login(client, "13900000001")
    first = client.get("/portal/?size=2").get_data(as_text=True)
    with app.app_context():
        numbers = {i: db.session.get(Application, i).case_number for i in ids}
    assert numbers[ids[2]] in first and numbers[ids[0]] not in first
    second = client.get(_links(first)["next"]).get_data(as_text=True)
    assert numbers[ids[0]] in second and "上一页" in second and "下一页" not in second


def test_api_lists_give_the_next_cursor_in_the_headers(app, client, world):
    ids = _cases(app, 3)
    headers = api_token(client, "clerk1")
    got: list[int] = []
    url = "/api/v1/cases?size=2"
    while url:
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200
        got += [c["id"] for c in resp.get_json()]
        cursor = resp.headers.get("X-Next-Cursor")
        url = f"/api/v1/cases?size=2&cursor={cursor}" if cursor else ""
    assert sorted(got) == sorted(ids)
    mine = client.get("/api/v1/applications?size=1", headers=api_token(client, "13900000001"))
    assert len(mine.get_json()) == 1 and 'rel="next"' in mine.headers["Link"]
