"""一件事 as list data: drafted, checked against the list in force, published by a second person; the
combined guide; bad input refused with its reason (docs/bundles.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_hall.bundles import versions
from service_hall.bundles.models import Bundle, BundleStatus
from service_hall.core.errors import Conflict, PermissionDenied, ValidationFailed
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.bundles import ADVERT, HOMESTEAD, PLANNING, demo_world, rural_housing
from tests.factories.clock import NOW
from tests.factories.places import COUNTY, QINGSHAN, jurisdiction

LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def demo(app):
    demo_world(app)
    with app.app_context():
        yield


def _draft(raw=None, by="legal"):
    return versions.save_draft(db.session, jurisdiction(COUNTY), raw or rural_housing(), actor=user(by), now=NOW)


def test_a_draft_is_published_by_a_second_legal_officer_and_never_changes_after(demo):
    draft = _draft()
    assert draft.status is BundleStatus.DRAFT and draft.version == 1
    with pytest.raises(PermissionDenied, match="起草人以外"):
        versions.publish(db.session, draft, actor=user("legal"), now=LATER)
    versions.publish(db.session, draft, actor=user("legal2"), now=LATER)
    db.session.commit()
    assert draft.status is BundleStatus.PUBLISHED
    assert [b.code for b in versions.offered_in(db.session, jurisdiction(QINGSHAN), LATER)] == ["rural-housing"]
    assert versions.offered_in(db.session, jurisdiction(QINGSHAN), NOW) == []  # not before it was published
    draft.name = "改名"
    with pytest.raises(Conflict, match="已发布的一件事版本不可修改"):
        db.session.flush()
    db.session.rollback()
    # A change is a new version; the published one stays in force until the new one is published.
    second = _draft(rural_housing(name="农村建房一件事（第二版）"))
    assert second.version == 2
    assert versions.bundle_in_force(db.session, jurisdiction(COUNTY), "rural-housing", LATER).version == 1


def test_an_item_twice_an_unknown_item_and_a_cycle_are_refused_when_saving(demo):
    with pytest.raises(ValidationFailed) as twice:
        _draft(rural_housing(items=[{"code": HOMESTEAD}, {"code": HOMESTEAD}]))
    assert "重复列入" in twice.value.details["items[1].code"]
    with pytest.raises(ValidationFailed) as unknown:
        _draft(rural_housing(items=[{"code": HOMESTEAD}, {"code": "330199-XK-999"}]))
    assert "不在现行清单中" in unknown.value.details["items[1].code"]
    with pytest.raises(ValidationFailed) as cycle:
        _draft(rural_housing(items=[{"code": HOMESTEAD, "after": [PLANNING]},
                                    {"code": PLANNING, "after": [HOMESTEAD]}]))
    assert cycle.value.details["items"].startswith("办理顺序存在循环：")
    assert "农村村民宅基地审批" in cycle.value.details["items"]
    with pytest.raises(ValidationFailed) as shape:
        _draft(rural_housing(items=[{"code": HOMESTEAD}], theme="nonsense", name=""))
    assert set(shape.value.details) >= {"items", "theme", "name"}
    assert db.session.scalar(select(Bundle)) is None


def test_an_item_the_town_does_not_hold_is_refused_at_publishing_with_the_town_named(demo):
    draft = _draft(rural_housing(items=[{"code": HOMESTEAD}, {"code": ADVERT}], resolutions={}))
    with pytest.raises(ValidationFailed) as exc:
        versions.publish(db.session, draft, actor=user("legal2"), now=LATER)
    assert exc.value.details["items[1].code"] == "青山镇未承接“大型户外广告设置审批”，不能在该乡镇（街道）列入本一件事"
    assert draft.status is BundleStatus.DRAFT


def test_an_unresolved_conflict_blocks_publishing_and_choosing_a_definition_resolves_it(demo):
    draft = _draft(rural_housing(resolutions={}))
    with pytest.raises(ValidationFailed) as exc:
        versions.publish(db.session, draft, actor=user("legal2"), now=LATER)
    message = exc.value.details["conflicts.applicant_name"]
    assert "长度上限不同（农村村民宅基地审批：30；乡村建设规划许可证核发：100）" in message
    resolved = _draft(rural_housing())
    versions.publish(db.session, resolved, actor=user("legal2"), now=LATER)


def test_publishing_a_bundle_whose_item_was_revoked_from_the_list_is_refused(demo):
    from power_lists import versions as lists
    from power_lists.models import PowerItem

    draft = _draft()
    county = jurisdiction(COUNTY)
    new_list = lists.create_draft(db.session, county, actor=user("legal"), now=NOW, title="第二版")
    planning = db.session.scalar(select(PowerItem).where(PowerItem.version_id == new_list.id,
                                                         PowerItem.code == PLANNING))
    lists.revoke_item(db.session, planning, "收回县级行使", actor=user("legal"), now=NOW)
    lists.submit_for_review(db.session, new_list, actor=user("legal"), now=NOW)
    lists.publish(db.session, new_list, NOW.date(), actor=user("legal2"), now=NOW)
    with pytest.raises(ValidationFailed) as exc:
        versions.publish(db.session, draft, actor=user("legal2"), now=LATER)
    assert "不在现行清单中（可能已被取消）" in exc.value.details["items[1].code"]


def test_the_combined_guide_lists_each_material_once_and_counts_the_critical_path(demo):
    bundle = versions.publish(db.session, _draft(), actor=user("legal2"), now=LATER)
    guide = versions.combined_guide(db.session, bundle, jurisdiction(QINGSHAN), LATER)
    assert [i.name for i in guide.items] == ["农村村民宅基地审批", "乡村建设规划许可证核发"]
    assert guide.items[0].office == "青山镇人民政府"
    id_cards = [m for m in guide.materials if m.name == "居民身份证"]
    assert len(id_cards) == 1 and id_cards[0].items == ("农村村民宅基地审批", "乡村建设规划许可证核发")
    # The planning permit needs the homestead approval: 10 + 10 promised working days, one visit.
    assert (guide.promised_days, guide.sum_promised_days, guide.visits) == (20, 20, 1)
    assert guide.critical_path == ["农村村民宅基地审批", "乡村建设规划许可证核发"]
    parallel = versions.combined_guide(db.session, _draft(rural_housing(
        code="parallel", items=[{"code": HOMESTEAD}, {"code": PLANNING}])), None, LATER)
    assert (parallel.promised_days, parallel.sum_promised_days) == (10, 20)


def test_the_demo_publishes_three_bundles_through_the_ordinary_checks(app):
    from service_hall.bundles.demo import load_demo_bundles
    from service_hall.demo import load_demo

    with app.app_context():
        load_demo(db.session, now=NOW)
        county = jurisdiction(COUNTY)
        names = {b.name: b for b in versions.in_force(db.session, county, LATER)}
        assert set(names) == {"农村建房一件事", "个体工商户开业一件事", "高龄老人一件事"}
        assert all(versions.problems(db.session, b, LATER) == {} for b in names.values())
        assert all(b.saved_by.username == "legal" and b.published_by.username == "legal2" for b in names.values())
        shop = versions.combined_guide(db.session, names["个体工商户开业一件事"], jurisdiction("330199001000"), LATER)
        assert shop.critical_path == ["个体工商户登记（设立登记）", "大型户外广告设置审批"]
        assert load_demo_bundles(db.session, now=LATER) == []  # idempotent
