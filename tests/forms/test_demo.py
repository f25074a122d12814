"""The demo forms: all load, cover the typical town items, and their filled examples validate."""

from __future__ import annotations

import json

import pytest

from forms.definition import FieldType, dump_form_definition, load_form_definition
from forms.demo import DEMO_FORMS, DEMO_SUBMISSIONS, DEMO_TODAY, DEMO_VILLAGES
from forms.submission import SubmissionContext, dump_submission, validate_submission
from forms.validators import credit_code_check_char, id_number_check_char
from service_hall.core.errors import ValidationFailed

CTX = SubmissionContext(today=DEMO_TODAY, villages=DEMO_VILLAGES)
TITLES = {"农村村民宅基地审批", "乡村建设规划许可证核发", "临时占用城市道路审批", "大型户外广告设置审批",
          "个体工商户登记", "最低生活保障审核确认", "农村危房改造补助", "残疾人两项补贴", "临时救助",
          "养犬登记"}


def test_at_least_twelve_typical_items():
    assert len(DEMO_FORMS) >= 12
    titles = {d["title"] for d in DEMO_FORMS.values()}
    assert titles >= TITLES
    assert any("生育" in t for t in titles) and any("高龄" in t for t in titles)
    assert any("燃气" in t for t in titles) and any("施工许可" in t for t in titles)
    assert DEMO_FORMS.keys() == DEMO_SUBMISSIONS.keys()


@pytest.mark.parametrize("key", sorted(DEMO_FORMS))
def test_demo_form_loads_and_round_trips(key):
    form = load_form_definition(DEMO_FORMS[key])
    assert load_form_definition(json.loads(json.dumps(dump_form_definition(form)))) == form
    assert form.materials, "every item's guide lists materials"
    assert any(m.required for m in form.materials)
    assert any(f.required for f in form.fields)


@pytest.mark.parametrize("key", sorted(DEMO_FORMS))
def test_demo_example_validates_and_survives_storage(key):
    form = load_form_definition(DEMO_FORMS[key])
    clean = validate_submission(form, DEMO_SUBMISSIONS[key], context=CTX)
    stored = json.loads(json.dumps(dump_submission(form, clean)))
    assert validate_submission(form, stored, context=CTX) == clean


def _identity_values(key: str):
    """(type, value) of every ID number and credit code in a demo example, table rows included."""
    form = load_form_definition(DEMO_FORMS[key])
    example = DEMO_SUBMISSIONS[key]
    for spec in form.fields:
        if spec.type == FieldType.TABLE:
            for row in example.get(spec.name, []):
                for sub in spec.fields:
                    if sub.name in row:
                        yield sub.type, row[sub.name]
        elif spec.name in example:
            yield spec.type, example[spec.name]


def test_demo_identity_numbers_carry_correct_check_characters():
    checks = {FieldType.ID_NUMBER: id_number_check_char, FieldType.CREDIT_CODE: credit_code_check_char}
    found = [(t, v) for key in DEMO_FORMS for t, v in _identity_values(key) if t in checks]
    assert len(found) > 20
    for ftype, value in found:
        assert value[17] == checks[ftype](value[:17]), value


def test_homestead_form_has_the_expected_parts():
    form = load_form_definition(DEMO_FORMS["homestead"])
    members = form.field("members")
    assert members.type == FieldType.TABLE
    assert [c.type for c in members.fields][:2] == [FieldType.TEXT, FieldType.ID_NUMBER]
    assert form.field("site").type == FieldType.ADDRESS
    assert form.field("site_area").unit == "平方米"
    assert any(m.deferrable for m in form.materials)


def test_road_occupation_period_is_limited_to_ninety_days():
    form = load_form_definition(DEMO_FORMS["road_occupation"])
    data = {**DEMO_SUBMISSIONS["road_occupation"], "period": {"start": "2026-03-10", "end": "2026-06-30"}}
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, data, context=CTX)
    assert info.value.details == {"period": "期限不能超过90天（含起止日）"}
