"""Search in everyday words on the demo list, on whichever database the suite runs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from power_lists.models import PowerItem
from service_hall.extensions import db
from service_hall.search.models import SearchDocument
from service_hall.search.query import Filters, fts5_expression, search
from tests.factories.clock import NOW
from tests.search.conftest import CHENGDONG, QINGSHAN

TODAY = NOW.date()


def _codes(outcome, n=3):
    return [h.code for h in outcome.hits[:n]]


@pytest.mark.parametrize(("query", "code"), [
    ("饭店", "330199-XK-007"),
    ("小饭馆", "330199-XK-007"),
    ("我要开个小饭馆", "330199-XK-007"),
    ("养狗", "330199-QT-001"),
    ("老人 80", "330199-GF-004"),
    ("家里老人满80了", "330199-GF-004"),
    ("建房", "330199-XK-001"),
    ("建房", "330199-XK-002"),
    ("想翻建老房子", "330199-XK-001"),
    ("开店", "330199-XK-007"),
    ("宅基地", "330199-XK-001"),
    ("养犬", "330199-QT-001"),
    ("高龄津贴", "330199-GF-004"),
    ("gljt", "330199-GF-004"),  # pinyin initials
    ("高林津贴", "330199-GF-004"),  # a homophone typo
    ("老人８０", "330199-GF-004"),  # full-width digits
])
def test_everyday_words_find_the_item_in_the_top_three(app, demo_search, query, code):
    with app.app_context():
        outcome = search(db.session, query, on=TODAY)
        assert code in _codes(outcome), (query, [(h.code, h.name, h.score) for h in outcome.hits[:5]])


@pytest.mark.parametrize("query", [
    "", "   ", "，。！？、…", '"', '"*"', "*", "NEAR", "NEAR(饭店 养狗)", "饭店:养狗", "(", ")", "name:饭店",
    "饭店 AND", "OR", "-", "^", "' OR 1=1 --", "饭店'; DROP TABLE power_items; --", "饭店\x00", "🐶", "养狗🐶",
    "Ｗｉｆｉ", "abc养狗123", "饭" * 500, "a" * 500, "８０", "{names}: 饭店", "\"饭店\"*", "饭店 NOT 养狗",
])
def test_bad_input_gives_results_or_nothing_never_an_error(app, demo_search, query):
    with app.app_context():
        outcome = search(db.session, query, on=TODAY)
        assert isinstance(outcome.hits, list)
        assert len(outcome.text) <= 60


def test_syntax_characters_are_quoted_for_fts5():
    assert fts5_expression(['a"b', "near"]) == '"near"* OR "a""b"*' or '"a""b"' in fts5_expression(['a"b'])
    assert fts5_expression(["饭店"]) == '"饭店" OR "fandian"*'


def test_town_filter_keeps_the_towns_items_only(app, demo_search):
    with app.app_context():
        from service_hall.jurisdictions.operations import by_code

        urban = by_code(db.session, CHENGDONG)
        rural = by_code(db.session, QINGSHAN)
        # 宅基地 is for rural towns only.
        assert "330199-XK-001" not in _codes(search(db.session, "宅基地", on=TODAY, filters=Filters(town=urban)), 20)
        hits = search(db.session, "宅基地", on=TODAY, filters=Filters(town=rural)).hits
        assert hits[0].code == "330199-XK-001" and hits[0].town == QINGSHAN


def test_power_type_and_channel_filters(app, demo_search):
    from power_lists.models import PowerType

    with app.app_context():
        hits = search(db.session, "建房", on=TODAY, filters=Filters(power_type=PowerType.PENALTY)).hits
        assert all(h.power_type is PowerType.PENALTY for h in hits)
        for channel in ("online", "window"):
            assert all(h.channel == channel
                       for h in search(db.session, "登记", on=TODAY, filters=Filters(channel=channel)).hits)


def test_hits_are_highlighted_and_best_first(app, demo_search):
    with app.app_context():
        hits = search(db.session, "宅基地", on=TODAY).hits
        assert [s.score for s in hits] == sorted((s.score for s in hits), reverse=True)
        assert ("宅基地", True) in hits[0].name_marks
        dog = search(db.session, "养狗", on=TODAY).hits[0]
        assert dog.aliases == ["养狗"]
        rule = search(db.session, "一户一宅", on=TODAY).hits[0]  # found in the guide's 受理条件
        assert rule.code == "330199-XK-001" and ("一户", True) in rule.snippet_marks
        assert "符合“" in "".join(run for run, _ in rule.snippet_marks)  # the guide's punctuation as written


def test_publishing_indexes_and_rebuild_restores(app, demo_search):
    from service_hall.search.index import rebuild

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(SearchDocument))
        assert count == db.session.scalar(select(func.count()).select_from(PowerItem)) > 40
        db.session.execute(SearchDocument.__table__.delete())
        assert search(db.session, "宅基地", on=TODAY).hits == []
        assert rebuild(db.session) == count
        assert search(db.session, "宅基地", on=TODAY).hits[0].code == "330199-XK-001"
        db.session.commit()
