"""The version workflow, immutability of published versions, the diff, "which powers did town X hold on
date D", and the entrustment announcements — through the domain functions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from power_lists import queries, versions
from power_lists.announcements import entrustment_announcements
from power_lists.diff import diff_versions
from power_lists.document import validate_document
from power_lists.models import ItemDelegation, PowerItem, PowerListVersion, VersionStatus
from service_hall.accounts.models import User
from service_hall.audit.models import AuditRecord
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction
from tests.factories.clock import NOW
from tests.factories.places import BAISHA, QINGSHAN
from tests.factories.power_list import document, sample_item

D = dt.date


def _town(session, code):
    return session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def _users(session, legal):
    return session.get(User, legal[0]), session.get(User, legal[1])


def _publish_new(session, drafter, reviewer, items, effective, *, now=NOW):
    county = versions.county_for(session, drafter)
    version = versions.import_draft(session, county, validate_document(document(*items)), actor=drafter, now=now)
    versions.submit_for_review(session, version, actor=drafter, now=now)
    versions.publish(session, version, effective, actor=reviewer, now=now)
    return version


def test_draft_review_publish_and_supersede(ctx, demo_list, legal):
    drafter, reviewer = _users(ctx, legal)
    county = versions.county_for(ctx, drafter)
    v1 = queries.version_in_force(ctx, county.id, D(2026, 11, 23))
    draft = versions.create_draft(ctx, county, actor=drafter, now=NOW)
    assert draft.number == 2 and len(draft.items) == len(v1.items)
    with pytest.raises(Conflict, match="已有未发布的第2版"):
        versions.create_draft(ctx, county, actor=reviewer, now=NOW)
    item = next(i for i in draft.items if i.code == "330199-XK-001")
    versions.revoke_item(ctx, item, "上级收回该项权力", actor=drafter, now=NOW)
    versions.add_item(ctx, draft, sample_item("330199-XK-901"), actor=drafter, now=NOW)
    versions.submit_for_review(ctx, draft, actor=drafter, now=NOW)
    with pytest.raises(Conflict, match="法制审核中"):
        versions.add_item(ctx, draft, sample_item("330199-XK-902"), actor=drafter, now=NOW)
    with pytest.raises(PermissionDenied, match="不能审核发布自己起草或提交的清单"):
        versions.publish(ctx, draft, D(2027, 1, 1), actor=drafter, now=NOW)
    with pytest.raises(ValidationFailed, match="不得早于发布之日"):
        versions.publish(ctx, draft, D(2026, 11, 1), actor=reviewer, now=NOW)
    assert versions.publish(ctx, draft, D(2027, 1, 1), actor=reviewer, now=NOW) == []
    assert v1.status is VersionStatus.PUBLISHED  # still in force until 2027-01-01
    assert queries.version_in_force(ctx, county.id, D(2026, 12, 31)) == v1
    assert queries.version_in_force(ctx, county.id, D(2027, 1, 1)) == draft
    done = versions.supersede_due(ctx, county.id, now=dt.datetime(2027, 1, 1, 1, tzinfo=dt.UTC))
    assert done == [v1] and v1.status is VersionStatus.SUPERSEDED
    actions = list(ctx.scalars(select(AuditRecord.action).where(AuditRecord.object_type == "power_list_version")
                               .order_by(AuditRecord.seq)))
    assert actions[-6:] == ["power_list.create_draft", "power_list.item.revoke", "power_list.item.add",
                            "power_list.submit", "power_list.publish", "power_list.supersede"]


def test_reject_sends_back_to_draft_with_comment(ctx, demo_list, legal):
    drafter, reviewer = _users(ctx, legal)
    draft = versions.create_draft(ctx, versions.county_for(ctx, drafter), actor=drafter, now=NOW)
    versions.submit_for_review(ctx, draft, actor=drafter, now=NOW)
    with pytest.raises(ValidationFailed, match="审核意见"):
        versions.reject(ctx, draft, " ", actor=reviewer, now=NOW)
    versions.reject(ctx, draft, "第3项依据条款有误", actor=reviewer, now=NOW)
    assert draft.status is VersionStatus.DRAFT and draft.review_comment == "第3项依据条款有误"


def test_published_versions_never_change(ctx, demo_list, legal):
    drafter, _ = _users(ctx, legal)
    county = versions.county_for(ctx, drafter)
    v1 = queries.latest_published(ctx, county.id)
    item = v1.items[0]
    with pytest.raises(Conflict, match="已发布"):
        versions.update_item(ctx, item, sample_item(item.code), actor=drafter, now=NOW)
    with pytest.raises(Conflict, match="已发布"):
        versions.revoke_item(ctx, item, "理由", actor=drafter, now=NOW)
    with pytest.raises(Conflict, match="已发布"):
        versions.add_item(ctx, v1, sample_item(), actor=drafter, now=NOW)
    # Below the domain functions, the flush guard refuses it too.
    item.name = "偷偷改名"
    with pytest.raises(Conflict):
        ctx.flush()
    ctx.rollback()
    item = ctx.get(PowerItem, item.id)
    item.delegations.append(ItemDelegation(town_id=_town(ctx, BAISHA).id))
    with pytest.raises(Conflict):
        ctx.flush()
    ctx.rollback()
    ctx.delete(ctx.get(PowerItem, item.id))
    with pytest.raises(Conflict):
        ctx.flush()
    ctx.rollback()
    v1 = ctx.get(PowerListVersion, v1.id)
    v1.effective_from = D(2025, 1, 1)
    with pytest.raises(Conflict):
        ctx.flush()
    ctx.rollback()
    v1 = ctx.get(PowerListVersion, v1.id)
    v1.status = VersionStatus.DRAFT
    with pytest.raises(Conflict):
        ctx.flush()
    ctx.rollback()


def test_an_expired_published_version_cannot_be_turned_back_into_a_draft(ctx, demo_list, legal):
    """The guard compares with the stored status even when the row was expired before the change."""
    drafter, _ = _users(ctx, legal)
    v1 = queries.latest_published(ctx, versions.county_for(ctx, drafter).id)
    item = v1.items[0]
    item_id = item.id
    ctx.expire(v1)
    v1.status = VersionStatus.DRAFT  # set without the old value loaded
    item.name = "偷偷改名"
    with pytest.raises(Conflict, match="已发布"):
        ctx.flush()
    ctx.rollback()
    assert ctx.get(PowerItem, item_id).name != "偷偷改名"


def test_which_powers_a_town_held_on_a_date(ctx, factory, legal):
    factory.demo_jurisdictions()
    drafter, reviewer = _users(ctx, legal)
    qingshan, baisha = _town(ctx, QINGSHAN), _town(ctx, BAISHA)
    early = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    _publish_new(ctx, drafter, reviewer, [
        sample_item("A", delegations=[{"town": QINGSHAN}, {"town": BAISHA, "valid_from": "2026-03-01"}]),
        sample_item("B", delegations=[{"town": QINGSHAN, "valid_until": "2026-06-30"}]),
    ], D(2026, 1, 1), now=early)
    _publish_new(ctx, drafter, reviewer, [
        sample_item("A", name="改名后的事项", delegations=[{"town": QINGSHAN}]),
        sample_item("C", delegations=[{"town": BAISHA}]),
    ], D(2026, 9, 1), now=early)

    def held(town, day):
        codes = [i.code for i in queries.items_for_town(ctx, town.id, day)]
        # The many-towns form that reports use gives the same answer.
        assert [h.code for h in queries.holdings(ctx, [qingshan, baisha], day)[town.id]] == codes
        return codes

    assert held(qingshan, D(2025, 12, 31)) == []
    assert held(qingshan, D(2026, 1, 1)) == ["A", "B"]
    assert held(baisha, D(2026, 2, 28)) == []
    assert held(baisha, D(2026, 3, 1)) == ["A"]
    assert held(qingshan, D(2026, 6, 30)) == ["A", "B"]
    assert held(qingshan, D(2026, 7, 1)) == ["A"]
    assert held(qingshan, D(2026, 9, 1)) == ["A"]
    assert held(baisha, D(2026, 9, 1)) == ["C"]
    assert queries.holdings(ctx, [qingshan], D(2026, 9, 1))[qingshan.id][0].name == "改名后的事项"
    assert queries.item_for_town(ctx, "A", qingshan.id, D(2026, 9, 1)).name == "改名后的事项"
    assert queries.item_for_town(ctx, "A", qingshan.id, D(2026, 8, 31)).name == "测试许可事项"
    with pytest.raises(NotFound, match="白沙镇在2026-02-01未承接编码为 A 的事项"):
        queries.item_for_town(ctx, "A", baisha.id, D(2026, 2, 1))
    with pytest.raises(NotFound):
        queries.items_for_town(ctx, _town(ctx, "330199000000").id, D(2026, 1, 1))


def test_diff_field_by_field(ctx, factory, legal):
    factory.demo_jurisdictions()
    drafter, reviewer = _users(ctx, legal)
    early = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    old = _publish_new(ctx, drafter, reviewer, [sample_item("A"), sample_item("B")], D(2026, 1, 1), now=early)
    changed = sample_item("A", power_type="confirmation", delegations=[
        {"town": QINGSHAN, "valid_until": "2026-12-31"}, {"town": BAISHA}])
    changed["guide"] = {**changed["guide"], "promised_days": 5}
    new = _publish_new(ctx, drafter, reviewer, [changed, sample_item("C")], D(2026, 6, 1), now=early)
    diff = diff_versions(ctx, old, new)
    assert [i.code for i in diff.added] == ["C"] and [i.code for i in diff.revoked] == ["B"]
    (change,) = diff.changed
    fields = {(f.label, f.old, f.new) for f in change.changes}
    assert ("职权类型", "行政许可", "行政确认") in fields
    assert ("承诺办结时限（工作日）", "10", "5") in fields
    assert ("赋权乡镇", "—", "新增 白沙镇（随清单生效，长期）") in fields
    assert ("赋权乡镇", "青山镇（随清单生效，长期）", "青山镇（随清单生效至2026-12-31）") in fields


def test_entrustment_announcement_text(ctx, demo_list):
    county = versions.county_for(ctx, None)
    version = queries.latest_published(ctx, county.id)
    announcements = entrustment_announcements(version)
    road = next(a for a in announcements if a.town_code == "330199001000"
                and a.entrusting_authority == "清溪县住房和城乡建设局")
    assert road.entrusted_authority == "城东街道办事处"
    text = road.text
    assert "《中华人民共和国行政许可法》第二十四条" in text and "《中华人民共和国行政处罚法》第二十条" in text
    assert "委托机关：清溪县住房和城乡建设局" in text and "受委托机关：城东街道办事处" in text
    assert "临时占用城市道路审批（事项编码：330199-XK-003" in text
    assert "以委托机关名义实施" in text and "不得再委托其他组织或者个人实施" in text
    assert "委托期限：自2026年1月1日起至委托解除之日止" in text
    pilot = next(a for a in announcements if a.town_code == "330199201000")
    assert "至2026年12月31日止" in pilot.text
    # Devolved items never appear; entrusted items name the department on decisions.
    assert all("农村村民宅基地审批" not in a.text for a in announcements)
    item = queries.item_for_town(ctx, "330199-XK-003", _town(ctx, "330199001000").id, D(2026, 5, 1))
    assert item.acting_authority(_town(ctx, "330199001000")) == "清溪县住房和城乡建设局"
    homestead = queries.item_for_town(ctx, "330199-XK-001", _town(ctx, QINGSHAN).id, D(2026, 5, 1))
    assert homestead.acting_authority(_town(ctx, QINGSHAN)) == "青山镇人民政府"


def test_demo_loader_is_idempotent_and_complete(ctx, demo_list):
    from power_lists.demo import DEMO_FORM_KEYS, load_demo_power_list

    assert load_demo_power_list(ctx, now=NOW) is False
    assert ctx.scalar(select(func.count()).select_from(PowerListVersion)) == 1
    county = versions.county_for(ctx, None)
    version = queries.version_in_force(ctx, county.id, D(2026, 1, 1))
    codes = {i.code: i for i in version.items}
    assert set(DEMO_FORM_KEYS) <= set(codes)
    assert all(codes[c].opens_application and codes[c].guide for c in DEMO_FORM_KEYS)
    assert set(DEMO_FORM_KEYS.values()) == {
        "zhaijidi", "xiangcun_guihua", "linshi_zhandao", "huwai_guanggao", "geti_dengji", "dibao", "weifang_gaizao",
        "shengyu", "canji_butie", "linshi_jiuzhu", "gaoling_jintie", "ranqi_jingying", "shigong_xuke",
        "yangquan_dengji"}
    assert codes["330199-QT-001"].opens_application  # 其他行政权力 that accepts applications
    assert not codes["330199-CF-001"].opens_application
    homestead = codes["330199-XK-001"]
    assert homestead.statutory_days == 20 and homestead.promised_days == 10
    assert homestead.accountability_case("late_decision")["basis"] == "《中华人民共和国行政许可法》第七十四条"
    assert homestead.duty("intake").startswith("公示依法应当提交的材料")
    assert codes["330199-XK-007"].case_type.value == "immediate" and codes["330199-XK-007"].promised_days == 0


def test_an_entrustment_keeps_its_start_date_across_versions(ctx, demo_list, legal):
    drafter, reviewer = _users(ctx, legal)
    county = versions.county_for(ctx, drafter)
    draft = versions.create_draft(ctx, county, actor=drafter, now=NOW)
    versions.submit_for_review(ctx, draft, actor=drafter, now=NOW)
    versions.publish(ctx, draft, D(2026, 12, 2), actor=reviewer, now=NOW)
    history = queries.versions(ctx, county.id, published_only=True)
    road = next(a for a in entrustment_announcements(draft, history) if a.town_code == "330199001000"
                and a.entrusting_authority == "清溪县住房和城乡建设局")
    assert "委托期限：自2026年1月1日起" in road.text  # in force since version 1, not since version 2


def test_the_demo_list_was_published_before_it_took_effect(ctx, demo_list):
    from power_lists.queries import china_today

    county = versions.county_for(ctx, None)
    for version in queries.versions(ctx, county.id, published_only=True):
        assert china_today(version.published_at) <= version.effective_from
