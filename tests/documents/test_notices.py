"""Statutory notices and decisions: every kind renders, states what the law requires, and names the
issuing authority according to the delegation mode."""

from __future__ import annotations

import dataclasses

import pytest

from service_hall.documents import Authority, DocumentDataError, NoticeKind, render_notice
from service_hall.documents.context import REQUIRED_FIELDS, NoticeData
from tests.factories.documents import DEPARTMENT, RARE_NAME, TOWN, make_notice
from tests.factories.pdf import pdf_text

COUNTY_DEPARTMENT = "临安县自然资源和规划局"


@pytest.fixture(scope="module")
def texts() -> dict[NoticeKind, str]:
    """Extracted text of every kind, issued under 委托 (entrustment)."""
    return {kind: pdf_text(render_notice(kind, make_notice(kind))) for kind in NoticeKind}


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_renders_with_title_number_applicant_and_issuer(texts, kind: NoticeKind) -> None:
    text = texts[kind]
    assert kind.title in text
    assert "临市监许〔2025〕12号" in text
    assert RARE_NAME in text
    # The other party of a 裁决 is not shown the applicant's ID number.
    assert ("330185********1234" in text) is (kind is not NoticeKind.PARTY_NOTICE)
    # 委托: issued in the entrusting department's name, the town named as the entrusted body.
    assert DEPARTMENT in text
    assert f"（受委托实施机关：{TOWN}）" in text
    assert "2025年3月3日" in text


@pytest.mark.parametrize(
    ("authority", "present", "absent"),
    [
        pytest.param(Authority.devolved(TOWN), [TOWN], [DEPARTMENT, "受委托"], id="下放"),
        pytest.param(Authority.entrusted(department=DEPARTMENT, town=TOWN),
                     [DEPARTMENT, TOWN, "受委托实施机关"], [], id="委托"),
        pytest.param(Authority.front_window(COUNTY_DEPARTMENT), [COUNTY_DEPARTMENT], [TOWN, "受委托"],
                     id="窗口前移"),
    ],
)
def test_authority_follows_the_delegation_mode(
    authority: Authority, present: list[str], absent: list[str],
) -> None:
    text = pdf_text(render_notice(NoticeKind.APPROVAL, make_notice(NoticeKind.APPROVAL, authority=authority)))
    for name in present:
        assert name in text
    for name in absent:
        assert name not in text


def test_authority_constructors() -> None:
    entrusted = Authority.entrusted(department=DEPARTMENT, town=TOWN)
    assert (entrusted.issuer, entrusted.entrusted_body) == (DEPARTMENT, TOWN)
    assert (Authority.devolved(TOWN).issuer, Authority.devolved(TOWN).entrusted_body) == (TOWN, None)
    assert Authority.front_window(COUNTY_DEPARTMENT).issuer == COUNTY_DEPARTMENT


def test_correction_notice_lists_every_item_once_with_the_deadline(texts) -> None:
    text = texts[NoticeKind.CORRECTION]
    for item in make_notice(NoticeKind.CORRECTION).items:
        assert text.count(f"{item.material}：{item.problem}") == 1
    assert "一次性告知" in text
    assert "（共3项）" in text
    assert "请于2025年3月20日前提交" in text


def test_acceptance_states_the_decision_deadline(texts) -> None:
    assert "决定予以受理" in texts[NoticeKind.ACCEPTANCE]
    assert "本机关将于2025年3月28日前作出行政许可决定" in texts[NoticeKind.ACCEPTANCE]
    assert "即为受理" not in texts[NoticeKind.ACCEPTANCE]


def test_acceptance_by_operation_of_law_says_so() -> None:
    notice = make_notice(NoticeKind.ACCEPTANCE, deemed_accepted=True)
    assert "自收到申请材料之日起即为受理" in pdf_text(render_notice(NoticeKind.ACCEPTANCE, notice))


def test_refusal_gives_reason_competent_office_and_remedies(texts) -> None:
    text = texts[NoticeKind.REFUSAL]
    assert "理由：申请事项依法不需要取得行政许可" in text
    assert "决定不予受理" in text
    assert "请你（单位）向临安县卫生健康局申请" in text
    assert "60日内向临安县人民政府申请行政复议" in text
    assert "6个月内依法向临安县人民法院提起行政诉讼" in text


def test_refusal_without_competent_office_omits_the_referral() -> None:
    notice = make_notice(NoticeKind.REFUSAL, competent_office="")
    assert "不属于本机关职权范围" not in pdf_text(render_notice(NoticeKind.REFUSAL, notice))


def test_extension_gives_reason_and_new_deadline(texts) -> None:
    text = texts[NoticeKind.EXTENSION]
    assert "需现场核查经营场所" in text
    assert "经本机关负责人批准" in text
    assert "将于2025年4月11日前作出行政许可决定" in text


def test_approval_states_the_permit(texts) -> None:
    text = texts[NoticeKind.APPROVAL]
    assert "决定准予行政许可" in text
    assert "JY13301850012345" in text
    assert "自2025年3月3日至2030年3月2日" in text


def test_denial_lists_reasons_and_both_remedies(texts) -> None:
    text = texts[NoticeKind.DENIAL]
    assert "理由如下" in text
    assert "经营场所与住宅未有效隔离" in text  # list markers are drawn apart, so not part of the match
    assert "未配备食品安全管理人员" in text
    assert "决定不予行政许可" in text
    assert "60日内向临安县人民政府申请行政复议" in text
    assert "6个月内依法向临安县人民法院提起行政诉讼" in text


def test_delivery_receipt_records_how_when_and_to_whom(texts) -> None:
    text = texts[NoticeKind.DELIVERY]
    assert "准予行政许可决定书" in text
    assert "电子送达" in text
    assert "2025年3月3日14时05分" in text
    assert f"签收人{RARE_NAME}（本人，网上查阅）" in text  # who actually signed, how and when
    assert "签收时间2025年3月3日14时05分" in text
    assert "送达人张三" in text


def test_long_correction_list_flows_onto_further_pages() -> None:
    from service_hall.documents import CorrectionItem

    items = tuple(CorrectionItem(f"第{n}项材料", "未提交") for n in range(1, 41))
    text = pdf_text(render_notice(NoticeKind.CORRECTION, make_notice(NoticeKind.CORRECTION, items=items)))
    assert "第40项材料：未提交" in text
    assert "共2页" in text or "共3页" in text


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_missing_required_fields_are_named(kind: NoticeKind) -> None:
    full = make_notice(kind)
    empty = {
        name: () if isinstance(value, tuple) else "" if isinstance(value, str) else None
        for name in REQUIRED_FIELDS[kind] for value in [getattr(full, name)]
    }
    data = make_notice(kind, **empty)
    with pytest.raises(DocumentDataError) as excinfo:
        render_notice(kind, data)
    for name in REQUIRED_FIELDS[kind]:
        assert name in str(excinfo.value)


def test_required_fields_exist_for_every_kind() -> None:
    names = {field.name for field in dataclasses.fields(NoticeData)}
    assert set(REQUIRED_FIELDS) == set(NoticeKind)
    for required in REQUIRED_FIELDS.values():
        assert set(required) <= names


@pytest.mark.parametrize("kind", [k for k in NoticeKind if k.template.startswith("decision_outcome")]
                         + [NoticeKind.PARTY_NOTICE])
def test_outcomes_of_other_power_types_cite_no_licensing_law_nor_its_seal(texts, kind: NoticeKind) -> None:
    text = texts[kind]
    assert "行政许可" not in text
    assert "第三十八条" not in text


def test_licensing_notices_bear_the_licensing_seal_the_others_the_office_seal() -> None:
    from service_hall.documents import render_notice
    from tests.factories.pdf import pdf_text

    for kind in (NoticeKind.ACCEPTANCE, NoticeKind.CORRECTION, NoticeKind.REFUSAL, NoticeKind.EXTENSION):
        licensing = pdf_text(render_notice(kind, make_notice(kind)))
        other = pdf_text(render_notice(kind, make_notice(kind, licensing=False)))
        assert "行政许可专用章" in licensing and "行政许可法" in licensing, kind
        assert "行政许可专用章" not in other and "行政许可法" not in other, kind


def test_benefit_decision_states_the_amount_and_schedule(texts) -> None:
    text = texts[NoticeKind.BENEFIT_GRANT]
    assert "给付决定书" in text and "200元" in text.replace(" ", "") and "按月发放" in text
