"""The search page, the search API, the guided questions, the elder-mode switch and the rebuild command."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service_hall.extensions import db
from service_hall.search.models import SearchMiss
from tests.search.conftest import CHENGDONG, QINGSHAN

BAD = ["", "   ", '"', "*", "NEAR", "NEAR(饭店, 2)", "饭店:养狗", "(", '"饭店"*', "' OR 1=1 --", "饭" * 300,
       "８０", "Ｗｉｆｉ养狗", "🐶", "，。！", "%", "_", "\\", "<script>alert(1)</script>"]


def test_api_search_shape_best_first(client, demo_search):
    resp = client.get("/api/v1/search", query_string={"q": "小饭馆"})
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert results[0] == {"kind": "item", "code": "330199-XK-007", "name": "个体工商户登记（设立登记）", "town": None,
                          "score": results[0]["score"]}
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert set(results[0]) == {"kind", "code", "name", "town", "score"}


def test_api_search_by_town(client, demo_search):
    rural = client.get("/api/v1/search", query_string={"q": "宅基地", "town": QINGSHAN}).get_json()["results"]
    assert rural[0]["code"] == "330199-XK-001" and rural[0]["town"] == QINGSHAN
    urban = client.get("/api/v1/search", query_string={"q": "宅基地", "town": CHENGDONG}).get_json()["results"]
    assert "330199-XK-001" not in [r["code"] for r in urban]


@pytest.mark.parametrize("query", BAD)
def test_api_bad_queries_never_fail(client, demo_search, query):
    resp = client.get("/api/v1/search", query_string={"q": query})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert isinstance(resp.get_json()["results"], list)


@pytest.mark.parametrize("query", BAD)
def test_page_bad_queries_never_fail(client, demo_search, query):
    resp = client.get("/catalog/search", query_string={"q": query})
    assert resp.status_code == 200
    assert "<script>alert" not in resp.get_data(as_text=True)


def test_a_nul_byte_in_the_query_is_refused_by_the_input_layer(client, demo_search):
    """Like every text field (service_hall/web/input_guard.py): 400 with the reason, never a search."""
    resp = client.get("/api/v1/search", query_string={"q": "饭店\x00"})
    assert resp.status_code == 400 and "空字符" in resp.get_json()["message"]
    resp = client.get("/catalog/search", query_string={"q": "饭店\x00"})
    assert resp.status_code == 400 and "空字符" in resp.get_data(as_text=True)


def test_api_bad_filters_are_explained(client, demo_search):
    resp = client.get("/api/v1/search", query_string={"q": "养狗", "town": "青山", "channel": "x", "type": "y"})
    assert resp.status_code == 422
    body = resp.get_json()
    assert "区划代码应为12位数字" in str(body) and "办理方式" in str(body) and "职权类型不正确" in str(body)
    # A well-formed code of no town is a 404, as in /api/v1/bundles (the document can't list the towns).
    for code in ("999999999999", "330199000000"):
        resp = client.get("/api/v1/search", query_string={"q": "养狗", "town": code})
        assert resp.status_code == 404 and resp.get_json()["message"] in ("区划不存在", "未找到该乡镇（街道）")
    assert client.get("/api/v1/search", query_string={"q": "养狗", "limit": "x"}).status_code == 422


def test_page_highlights_and_links(client, demo_search):
    html = client.get("/catalog/search", query_string={"q": "养狗", "town": CHENGDONG}).get_data(as_text=True)
    assert "养犬登记" in html and "<mark>养狗</mark>" in html
    assert f"/portal/apply/{CHENGDONG}/330199-QT-001" in html
    html = client.get("/catalog/search", query_string={"q": "养狗", "town": QINGSHAN}).get_data(as_text=True)
    assert "没有找到与“养狗”相关的事项（青山镇）" in html  # 养犬登记 is for the urban streets only
    html = client.get("/catalog/search", query_string={"q": "宅基地"}).get_data(as_text=True)
    assert "<mark>宅基地</mark>" in html and "青山镇" in html


def test_page_bad_filter_searches_everything_with_a_message(client, demo_search):
    resp = client.get("/catalog/search", query_string={"q": "养狗", "town": "nope"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "未找到该乡镇（街道）" in html and "养犬登记" in html


def test_zero_result_queries_are_logged_without_personal_data(client, app, demo_search):
    client.get("/catalog/search", query_string={"q": "办理护照 13912345678"})
    client.get("/api/v1/search", query_string={"q": "办理护照 13912345678"})
    client.get("/catalog/search", query_string={"q": "养狗"})  # found: not logged
    client.get("/catalog/search", query_string={"q": "，，"})  # nothing to look for: not logged
    with app.app_context():
        rows = db.session.scalars(select(SearchMiss)).all()
        assert [(r.query, r.count) for r in rows] == [("办理护照 ＊", 2)]


def test_every_public_page_has_the_search_box(client, demo_search):
    for page in ("/", "/catalog/", f"/catalog/towns/{QINGSHAN}", "/login", "/catalog/guided"):
        html = client.get(page).get_data(as_text=True)
        assert 'role="search"' in html and 'action="/catalog/search"' in html, page


def test_guided_questions_without_javascript(client, demo_search):
    resp = client.get("/catalog/guided")
    assert "开店做生意" in resp.get_data(as_text=True)
    first = client.get("/catalog/guided/open_shop").get_data(as_text=True)
    assert "店开在哪个乡镇（街道）？" in first and 'type="radio"' in first
    second = client.get("/catalog/guided/open_shop", query_string={"town": QINGSHAN}).get_data(as_text=True)
    assert "店里卖不卖吃的" in second and f'name="town" value="{QINGSHAN}"' in second
    bad = client.get("/catalog/guided/open_shop", query_string={"town": QINGSHAN, "food": "maybe"})
    assert bad.status_code == 422 and "请从下列选项中选择一项" in bad.get_data(as_text=True)
    unanswered = client.get("/catalog/guided/open_shop", query_string={"town": QINGSHAN, "_q": "food"})
    assert unanswered.status_code == 422 and "请从下列选项中选择一项" in unanswered.get_data(as_text=True)
    done = client.get("/catalog/guided/open_shop",
                      query_string={"town": QINGSHAN, "food": "yes", "sign": "no", "who": "agent"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "个体工商户登记" in html and "青山镇便民服务中心" in html
    assert "经营场所使用证明" in html and "家庭成员关系证明" in html and "授权委托书" in html
    assert "食品经营许可" in html and "大型户外广告设置审批" not in html
    answers = {"town": QINGSHAN, "food": "no", "sign": "no", "who": "self"}
    alone = client.get("/catalog/guided/open_shop", query_string=answers).get_data(as_text=True)
    assert "家庭成员关系证明" not in alone and "授权委托书" not in alone


def test_guided_item_not_held_by_the_town_points_elsewhere(client, demo_search):
    html = client.get("/catalog/guided/build_house", query_string={
        "town": CHENGDONG, "plan": "new", "old_home": "no"}).get_data(as_text=True)
    assert "城东街道未承接此事项" in html and "青山镇" in html
    assert "现有宅基地或住房的不动产权属证明" not in html
    with_home = client.get("/catalog/guided/build_house", query_string={
        "town": QINGSHAN, "plan": "rebuild", "poor": "no", "old_home": "yes"}).get_data(as_text=True)
    assert "现有宅基地或住房的不动产权属证明" in with_home and "农村危房改造补助" not in with_home


def test_guided_unknown_questionnaire_is_404(client, demo_search):
    assert client.get("/catalog/guided/nope").status_code == 404


def test_questionnaires_name_items_of_the_demo_list():
    from power_lists.demo import demo_document
    from service_hall.guidance.questionnaires import questionnaires

    items = {i["code"]: i for i in demo_document()["items"]}
    for questionnaire in questionnaires().values():
        for rule in questionnaire.outcomes:
            for code in rule["items"] + list(rule["include_materials"]):
                assert code in items, (questionnaire.key, code)
            for code, materials in rule["include_materials"].items():
                assert set(materials) <= {m["code"] for m in items[code]["guide"]["materials"]}


def test_elder_mode_switch(client, demo_search):
    page = "/catalog/search?q=养狗"
    resp = client.post("/elder-mode", data={"on": "1", "next": page})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/catalog/search?q=")
    html = client.get("/catalog/").get_data(as_text=True)
    assert 'class="elder"' in html and "0571-6400 0000" in html and "切换到标准版" in html
    resp = client.post("/elder-mode", data={"on": "0", "next": "https://evil.example/"})
    assert resp.headers["Location"] == "/"  # never off-site
    html = client.get("/").get_data(as_text=True)
    assert 'class="elder"' not in html


def test_rebuild_command(runner, app, demo_search):
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "45 个事项" in result.output


def test_public_pages_set_no_session_cookie_for_the_elder_switch(client, demo_search):
    resp = client.get("/catalog/search?q=养狗")
    assert "session" not in resp.headers.get("Set-Cookie", "")
    resp = client.post("/elder-mode", data={"on": "1", "next": "/catalog/"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/catalog/"
    assert "elder_mode=1" in resp.headers["Set-Cookie"] and "HttpOnly" in resp.headers["Set-Cookie"]
