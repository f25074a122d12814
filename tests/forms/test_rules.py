"""The rule language: parsing, type-checking against the definition, evaluation on submit, and the
hostile expressions it must refuse cheaply (deep nesting, huge numbers, unknown functions, no eval)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from forms.definition import dump_form_definition, load_form_definition
from forms.definition.rules import (
    MAX_DEPTH,
    MAX_EXPRESSION_LENGTH,
    Environment,
    RuleSyntaxError,
    check_rule_expression,
    holds,
    parse_expression,
)
from forms.submission import SubmissionContext, submission_json_schema, validate_submission
from service_hall.core.errors import ValidationFailed
from tests.factories.accounts import valid_id
from tests.factories.forms import raw_definition

TODAY = dt.date(2026, 12, 2)
CTX = SubmissionContext(today=TODAY)

SENIOR = raw_definition(
    {"name": "applicant_id", "label": "身份证号码", "type": "id_number", "required": True},
    {"name": "building_area", "label": "建筑面积", "type": "number"},
    {"name": "area_limit", "label": "面积上限", "type": "number"},
    {"name": "start_date", "label": "开工日期", "type": "date"},
    {"name": "marital", "label": "婚姻状况", "type": "choice",
     "options": [{"value": "single", "label": "未婚"}, {"value": "married", "label": "已婚"}]},
    {"name": "spouse_name", "label": "配偶姓名", "type": "text"},
    {"name": "rooms", "label": "房间", "type": "table",
     "fields": [{"name": "room", "label": "名称", "type": "text"},
                {"name": "area", "label": "面积", "type": "number"}]},
)
SENIOR["rules"] = [
    {"field": "applicant_id", "check": "age(applicant_id) >= 80", "message": "年满80周岁的老年人方可申请高龄津贴"},
    {"field": "building_area", "check": "building_area <= area_limit", "message": "建筑面积不能超过面积上限"},
    {"field": "start_date", "check": "start_date >= today() and start_date <= today() + 90",
     "message": "开工日期应在今天起90天内"},
    {"field": "spouse_name", "when": "marital == 'married'", "check": "present(spouse_name)",
     "message": "已婚的请填写配偶姓名"},
    {"field": "rooms", "check": "sum(rooms.area) <= area_limit", "message": "各房间面积之和不能超过面积上限"},
]

OLD = valid_id("33012719400101001")  # 86 on TODAY
YOUNG = valid_id("33012719850312001")


def _submit(**values):
    return validate_submission(load_form_definition(SENIOR), {"applicant_id": OLD, **values}, context=CTX)


def _errors(**values) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as exc:
        _submit(**values)
    return exc.value.details


def test_age_from_the_id_number():
    assert _submit()["applicant_id"] == OLD
    assert _errors(applicant_id=YOUNG) == {"applicant_id": "年满80周岁的老年人方可申请高龄津贴"}


def test_the_80th_birthday_counts_from_that_day():
    born = valid_id("33012719461202001")  # 80 on TODAY exactly
    day_before = valid_id("33012719461203001")
    assert _submit(applicant_id=born)
    assert "applicant_id" in _errors(applicant_id=day_before)


def test_sums_and_limits():
    assert _submit(building_area="120", area_limit="150")
    assert _errors(building_area="160", area_limit="150") == {"building_area": "建筑面积不能超过面积上限"}
    rows = [{"room": "堂屋", "area": "80"}, {"room": "卧室", "area": "90"}]
    assert _errors(rooms=rows, area_limit="150") == {"rooms": "各房间面积之和不能超过面积上限"}
    assert _submit(rooms=rows, area_limit="200")


def test_dates_relative_to_today():
    assert _submit(start_date="2026-12-10")
    assert _errors(start_date="2026-12-01") == {"start_date": "开工日期应在今天起90天内"}
    assert _errors(start_date="2027-03-15") == {"start_date": "开工日期应在今天起90天内"}


def test_required_if():
    assert _errors(marital="married") == {"spouse_name": "已婚的请填写配偶姓名"}
    assert _submit(marital="married", spouse_name="王芳")
    assert _submit(marital="single")


def test_a_rule_whose_fields_are_empty_does_not_apply_and_all_failures_are_reported_together():
    assert _submit()  # no area, no limit, no date: nothing to compare
    errors = _errors(applicant_id=YOUNG, building_area="160", area_limit="150", marital="married")
    assert set(errors) == {"applicant_id", "building_area", "spouse_name"}


def test_rules_round_trip_and_old_definitions_still_load():
    loaded = load_form_definition(SENIOR)
    assert dump_form_definition(loaded)["rules"] == SENIOR["rules"]
    old = raw_definition({"name": "a", "label": "甲", "type": "text"})
    assert "rules" not in dump_form_definition(load_form_definition(old))


def test_the_json_schema_states_the_rules_in_words():
    schema = submission_json_schema(load_form_definition(SENIOR))
    assert "年满80周岁的老年人方可申请高龄津贴" in schema["description"]
    assert "age(applicant_id) >= 80" in schema["description"]


@pytest.mark.parametrize(("rule", "path", "message"), [
    ({"check": "age(applicant_id) >=", "message": "m"}, "rules[0].check", "第21个字符处：表达式不完整"),
    ({"check": "nobody > 1", "message": "m"}, "rules[0].check", "引用了不存在的字段「nobody」"),
    ({"check": "eval('1')", "message": "m"}, "rules[0].check", "未知函数「eval」"),
    ({"check": "__import__('os')", "message": "m"}, "rules[0].check", "未知函数「__import__」"),
    ({"check": "building_area > start_date", "message": "m"}, "rules[0].check", "不能比较数字与日期"),
    ({"check": "building_area + 1", "message": "m"}, "rules[0].check", "结果应为条件"),
    ({"check": "age(building_area) > 1", "message": "m"}, "rules[0].check", "第1个参数应为文本"),
    ({"check": "rooms.width > 1", "message": "m"}, "rules[0].check", "没有组成部分「width」"),
    ({"check": "true", "when": "marital ==", "message": "m"}, "rules[0].when", "表达式不完整"),
    ({"field": "ghost", "check": "true", "message": "m"}, "rules[0].field", "引用了不存在的字段「ghost」"),
    ({"check": "true"}, "rules[0].message", "必填"),
])
def test_a_bad_rule_is_a_definition_error_at_its_place(rule, path, message):
    raw = {**SENIOR, "rules": [rule]}
    with pytest.raises(ValidationFailed) as exc:
        load_form_definition(raw)
    assert message in exc.value.details[path], exc.value.details


def test_deep_nesting_is_refused_at_parse_time():
    deep = "(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5) + " > 0"
    with pytest.raises(RuleSyntaxError, match="嵌套过深"):
        parse_expression(deep)
    with pytest.raises(RuleSyntaxError, match="嵌套过深"):
        parse_expression("not " * (MAX_DEPTH + 5) + "true")
    with pytest.raises(RuleSyntaxError, match="嵌套过深"):
        parse_expression("-" * (MAX_DEPTH + 5) + "1 > 0")


def test_long_expressions_and_huge_numbers_are_refused():
    with pytest.raises(RuleSyntaxError, match="不能超过"):
        parse_expression("1 + " * MAX_EXPRESSION_LENGTH + "1")
    with pytest.raises(RuleSyntaxError, match="记号"):
        parse_expression("+".join(["1"] * 150) + " > 0")
    with pytest.raises(RuleSyntaxError, match="数字过大"):
        parse_expression("building_area < 1" + "0" * 40)


def test_arithmetic_out_of_range_fails_the_rule_quickly():
    raw = {**SENIOR, "rules": [{"field": "building_area", "message": "超出范围",
                                "check": " * ".join(["building_area"] * 25) + " > 0"}]}
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as exc:
        validate_submission(load_form_definition(raw), {"applicant_id": OLD, "building_area": "999999999"},
                            context=CTX)
    assert exc.value.details == {"building_area": "超出范围"}
    assert time.monotonic() - started < 1


def test_division_by_zero_fails_the_rule():
    raw = {**SENIOR, "rules": [{"field": "building_area", "message": "比例不符",
                                "check": "building_area / area_limit <= 1"}]}
    with pytest.raises(ValidationFailed) as exc:
        validate_submission(load_form_definition(raw), {"applicant_id": OLD, "building_area": "5", "area_limit": "0"},
                            context=CTX)
    assert exc.value.details == {"building_area": "比例不符"}


def test_nothing_but_the_language_runs():
    # Names resolve to form values only; attribute access on them is not Python's.
    scope = {}
    for text in ("().__class__", "''.join", "[1][0]", "a; b", "lambda: 1", "1 if 1 else 2", "x = 1", "`id`"):
        with pytest.raises(RuleSyntaxError):
            check_rule_expression(text, scope)


def test_operators_and_functions():
    from forms.definition.rules import FieldType_

    scope = {"d": FieldType_("date", "日"), "n": FieldType_("number", "数"), "s": FieldType_("text", "字"),
             "c": FieldType_("list:text", "多选"), "p": FieldType_("range", "期间", {"start": "date", "end": "date"})}
    env = Environment({"d": dt.date(2026, 1, 31), "n": 7, "s": "青山村", "c": ["a", "b"],
                       "p": {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 1)}}, TODAY)
    cases = {
        "n == 7 && s != '石桥村'": True, "n in [1, 7]": True, "'b' in c": True, "not ('z' in c)": True,
        "'z' not in c": True, "length(s) == 3": True, "abs(-n) == 7": True, "max(n, 3, 10) == 10": True,
        "min(d, today()) == d": True, "days_between(p.start, p.end) == 59": True, "p.end - p.start == 59": True,
        "add_days(d, 1) == p.start + 31": True, "add_years(d, 1) > d": True, "years_between(d, today()) == 0": True,
        "n / 2 == 3.5": True, "n * 2 - 4 > 9 || false": True, "“青山村” == s": True, "present(s)": True,
        "birthdate('330127194001010018') < d": True,
    }
    for text, expected in cases.items():
        assert holds(check_rule_expression(text, scope), env) is expected, text
    assert holds(check_rule_expression("n > 1", scope), Environment({}, TODAY)) is None
    assert holds(check_rule_expression("present(n)", scope), Environment({}, TODAY)) is False
    assert Decimal("3.5") == Decimal(7) / 2


def test_rules_are_checked_alongside_the_field_errors():
    raw = {**SENIOR, "fields": [*SENIOR["fields"], {"name": "name", "label": "姓名", "type": "text",
                                                   "required": True}]}
    with pytest.raises(ValidationFailed) as exc:
        validate_submission(load_form_definition(raw), {"applicant_id": YOUNG}, context=CTX)
    assert exc.value.details == {"name": "必填项", "applicant_id": "年满80周岁的老年人方可申请高龄津贴"}


def test_the_demo_senior_allowance_form_refuses_someone_under_80():
    from forms.demo import DEMO_FORMS, DEMO_SUBMISSIONS, DEMO_TODAY, DEMO_VILLAGES

    form = load_form_definition(DEMO_FORMS["senior_allowance"])
    context = SubmissionContext(today=DEMO_TODAY, villages=DEMO_VILLAGES)
    example = DEMO_SUBMISSIONS["senior_allowance"]
    assert validate_submission(form, example, context=context)
    with pytest.raises(ValidationFailed) as exc:
        validate_submission(form, {**example, "elder_id": YOUNG}, context=context)
    assert exc.value.details == {"elder_id": "年满80周岁的老年人方可申请高龄津贴（按身份证号码中的出生日期计算）"}
