"""Validating submissions: every field type, conditional fields, tables, and all errors at once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import Schema, ValidationError

from forms.submission import (
    SubmissionContext,
    build_submission_schema,
    dump_submission,
    validate_submission,
)
from service_hall.core.errors import ValidationFailed
from tests.factories.accounts import valid_id
from tests.factories.forms import CTX, choice, definition, field, flip_check_char, valid_credit_code

ID = valid_id()
CREDIT = valid_credit_code()


def clean_one(spec: dict[str, Any], value: Any, ctx: SubmissionContext = CTX) -> Any:
    form = definition(spec)
    return validate_submission(form, {spec["name"]: value}, context=ctx).get(spec["name"])


def error_of(spec: dict[str, Any], value: Any, ctx: SubmissionContext = CTX) -> str:
    form = definition(spec)
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {spec["name"]: value}, context=ctx)
    assert list(info.value.details) == [spec["name"]], info.value.details
    return info.value.details[spec["name"]]


# --- accepted values, per type --------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "value", "expected"), [
    (field("v", "text"), "  王建国 ", "王建国"),
    (field("v", "text"), "两行\n合成一行", "两行 合成一行"),
    (field("v", "text", max_length=3), "青山村", "青山村"),
    (field("v", "text", pattern={"regex": r"[\u4e00-\u9fa5]+", "message": "请填写中文"}), "王五", "王五"),
    (field("v", "textarea"), "第一行\r\n第二行", "第一行\n第二行"),
    (field("v", "number"), "12.50", Decimal("12.50")),
    (field("v", "number"), 12.5, Decimal("12.5")),
    (field("v", "number"), 0.1, Decimal("0.1")),
    (field("v", "number"), "１２０", Decimal(120)),  # full-width digits from a Chinese IME
    (field("v", "number"), "1,200", Decimal(1200)),
    (field("v", "number", integer=True), "3", 3),
    (field("v", "number", integer=True), 3.0, 3),
    (field("v", "number", min=0, max=125), "125", Decimal(125)),
    (field("v", "number", decimal_places=2), "1.50", Decimal("1.50")),
    (field("v", "date"), "2026-03-02", dt.date(2026, 3, 2)),
    (field("v", "date"), "2026/3/2", dt.date(2026, 3, 2)),
    (field("v", "date"), "2026年3月2日", dt.date(2026, 3, 2)),
    (field("v", "date", max="today"), "2026-03-02", dt.date(2026, 3, 2)),
    (field("v", "date_range"), {"start": "2026-03-02", "end": "2026-03-02"},
     {"start": dt.date(2026, 3, 2), "end": dt.date(2026, 3, 2)}),
    (field("v", "date_range", max_span_days=90), {"start": "2026-03-02", "end": "2026-05-30"},
     {"start": dt.date(2026, 3, 2), "end": dt.date(2026, 5, 30)}),
    (choice("v", ["a", "b"]), "b", "b"),
    (choice("v", ["1", "2"]), 2, "2"),
    (choice("v", ["a", "b", "c"], multiple=True), ["c", "a", "c"], ["a", "c"]),
    (choice("v", ["a", "b"], multiple=True), "a", ["a"]),
    (field("v", "address"), {"village": "330199101002", "detail": " 3组  12号 "},
     {"village": "330199101002", "village_name": "石桥村", "detail": "3组 12号"}),
    (field("v", "id_number"), ID, ID),
    (field("v", "id_number"), ID.lower(), ID.upper()),
    (field("v", "id_number"), ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}), ID),
    (field("v", "credit_code"), CREDIT.lower(), CREDIT),
    (field("v", "mobile"), "+86 139 0571 0001", "13905710001"),
    (field("v", "boolean"), True, True),
    (field("v", "boolean"), False, False),
    (field("v", "boolean"), "on", True),
    (field("v", "boolean"), "否", False),
    (field("v", "boolean", required=True), "true", True),
], ids=lambda v: v["type"] if isinstance(v, dict) and "type" in v else None)
def test_value_accepted(spec, value, expected):
    assert clean_one(spec, value) == expected


# --- rejected values, per type, with the message the applicant sees ---------------------------------

@pytest.mark.parametrize(("spec", "value", "message"), [
    (field("v", "text"), 12, "应为文本"),
    (field("v", "text", max_length=3), "青山村委", "超过最大长度3个字"),
    (field("v", "text"), "x" * 201, "超过最大长度200个字"),
    (field("v", "text"), "a\x00b", "不能包含控制字符"),
    (field("v", "text", pattern={"regex": r"[\u4e00-\u9fa5]+", "message": "请填写中文"}), "Wang",
     "请填写中文"),
    (field("v", "textarea", max_length=5), "一二三\n四五六", "超过最大长度5个字"),
    (field("v", "number"), "十二", "请输入数字"),
    (field("v", "number"), "1e3", "请输入数字"),
    (field("v", "number"), True, "请输入数字"),
    (field("v", "number"), float("nan"), "请输入数字"),
    (field("v", "number"), [1], "请输入数字"),
    (field("v", "number", integer=True), "2.5", "请输入整数"),
    (field("v", "number", decimal_places=2), "1.005", "最多保留2位小数"),
    (field("v", "number", decimal_places=0), "1.5", "请输入整数"),
    (field("v", "number", min=1, unit="平方米"), "0.5", "不能小于1平方米"),
    (field("v", "number", max=125.5, unit="平方米"), "125.51", "不能大于125.5平方米"),
    (field("v", "date"), "02/03/2026", "日期格式应为YYYY-MM-DD"),
    (field("v", "date"), "2026-02-30", "日期不存在，请核对"),
    (field("v", "date"), 20260302, "日期格式应为YYYY-MM-DD"),
    (field("v", "date", max="today"), "2026-03-03", "日期不能晚于今天（2026-03-02）"),
    (field("v", "date", min="2026-01-01"), "2025-12-31", "日期不能早于2026-01-01"),
    (field("v", "date_range"), {"start": "2026-03-10", "end": "2026-03-09"}, "结束日期不能早于开始日期"),
    (field("v", "date_range"), {"start": "2026-03-10", "end": ""}, "请填写结束日期"),
    (field("v", "date_range"), {"start": "", "end": "2026-03-10"}, "请填写开始日期"),
    (field("v", "date_range"), {"start": "2026-3-x", "end": "2026-13-01"},
     "开始日期格式应为YYYY-MM-DD；结束日期不存在，请核对"),
    (field("v", "date_range"), "2026-03-01/2026-03-02", "应为包含开始日期（start）和结束日期（end）的对象"),
    (field("v", "date_range", max_span_days=90), {"start": "2026-03-02", "end": "2026-05-31"},
     "期限不能超过90天（含起止日）"),
    (field("v", "date_range", min="today"), {"start": "2026-03-01", "end": "2026-03-05"},
     "开始日期不能早于今天（2026-03-02）"),
    (choice("v", ["a", "b"]), "c", "请从给定选项中选择"),
    (choice("v", ["a", "b"]), ["a", "b"], "只能选择一项"),
    (choice("v", ["a", "b"]), True, "请从给定选项中选择"),
    (choice("v", ["a", "b"], multiple=True), ["a", "z"], "请从给定选项中选择"),
    (field("v", "address"), {"village": "330199999999", "detail": "1号"},
     "请选择本镇（街道）范围内的村（社区）"),
    (field("v", "address"), {"village": "330199101001", "detail": ""}, "请填写详细地址"),
    (field("v", "address"), {"village": "", "detail": "1号"}, "请选择村（社区）"),
    (field("v", "address", max_length=5), {"village": "330199101001", "detail": "青山村三组十二号"},
     "详细地址超过最大长度5个字"),
    (field("v", "address"), "青山村3组", "应为包含村（社区）代码（village）和详细地址（detail）的对象"),
    (field("v", "id_number"), flip_check_char(ID, "0123456789X"), "身份证号码校验位错误，请核对"),
    (field("v", "id_number"), ID[:-1], "身份证号码应为18位，前17位为数字，最后一位为数字或X"),
    (field("v", "id_number"), 330127198503120011, "应为文本"),
    (field("v", "credit_code"), flip_check_char(CREDIT, "0123456789ABCDEFGHJKLMNPQRTUWXY"),
     "统一社会信用代码校验位错误，请核对"),
    (field("v", "credit_code"), "91330127MA2H0000I1",
     "统一社会信用代码应为18位，由数字和大写字母（不含I、O、Z、S、V）组成"),
    (field("v", "mobile"), "0571-88888888", "请输入有效的11位手机号码"),
    (field("v", "boolean"), "maybe", "应为“是”或“否”"),
    (field("v", "boolean", required=True), False, "请勾选此项"),
    (field("v", "boolean", required=True), "off", "请勾选此项"),
], ids=lambda v: v["type"] if isinstance(v, dict) and "type" in v else None)
def test_value_rejected(spec, value, message):
    assert error_of(spec, value) == message


@pytest.mark.parametrize("type_", ["text", "textarea", "number", "date", "date_range", "address", "id_number",
                                   "credit_code", "mobile"])
@pytest.mark.parametrize("empty", [None, "", "   ", {"start": "", "end": ""}, {"village": "", "detail": " "}])
def test_required_field_left_empty(type_, empty):
    assert error_of(field("v", type_, required=True), empty) == "必填项"


@pytest.mark.parametrize("spec", [field("v", "text"), field("v", "number"), field("v", "date_range"),
                                  choice("v", ["a"], multiple=True), field("v", "address")])
@pytest.mark.parametrize("empty", [None, "", [], {"start": "", "end": ""}, {"village": "", "detail": ""}])
def test_optional_empty_field_is_left_out(spec, empty):
    form = definition(spec)
    assert validate_submission(form, {"v": empty}, context=CTX) == {}


def test_required_choice_and_table_messages():
    assert error_of(choice("v", ["a"], required=True), "") == "必填项"
    assert error_of(choice("v", ["a"], multiple=True, required=True), []) == "必填项"
    assert error_of(field("v", "boolean", required=True), None) == "请勾选此项"
    table = field("v", "table", required=True, min_rows=2, fields=[field("x", "text")])
    assert error_of(table, []) == "至少填写2行"


def test_unticked_optional_checkbox_is_false():
    form = definition(field("a", "boolean"), field("b", "text"))
    assert validate_submission(form, {"b": "x"}, context=CTX) == {"a": False, "b": "x"}


def test_unknown_fields_are_rejected():
    form = definition(field("a", "text"))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"a": "x", "b": "y"}, context=CTX)
    assert info.value.details == {"b": "不是本表单的字段"}


@pytest.mark.parametrize("data", [None, ["a"], "a=1"])
def test_submission_must_be_an_object(data):
    form = definition(field("a", "text"))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, data, context=CTX)
    assert info.value.details == {"_schema": "提交的数据应为对象"}


# --- conditional fields -------------------------------------------------------------------------------

CONDITIONAL = [
    choice("kind", ["person", "org"], required=True),
    field("applicant_id", "id_number", required=True, show_if={"field": "kind", "equals": "person"}),
    field("credit_code", "credit_code", required=True, show_if={"field": "kind", "equals": "org"}),
    field("lighting", "boolean"),
    field("hours", "text", required=True, show_if={"field": "lighting", "equals": True}),
    choice("reason", ["a", "other"], show_if={"field": "kind", "in": ["person"]}),
    field("reason_detail", "textarea", required=True, show_if={"field": "reason", "equals": "other"}),
    choice("scope", ["retail", "food", "other"], multiple=True),
    field("scope_detail", "text", required=True, show_if={"field": "scope", "equals": "other"}),
]


def test_shown_conditional_fields_are_required():
    form = definition(*CONDITIONAL)
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"kind": "person", "lighting": "on", "reason": "other",
                                   "scope": ["food", "other"]}, context=CTX)
    assert info.value.details == {"applicant_id": "必填项", "hours": "必填项", "reason_detail": "必填项",
                                  "scope_detail": "必填项"}


def test_hidden_fields_are_not_required_and_their_values_are_dropped():
    form = definition(*CONDITIONAL)
    clean = validate_submission(form, {
        "kind": "org", "credit_code": CREDIT,
        "applicant_id": "not even valid",  # hidden: neither checked nor kept
        "hours": "18:00-22:00",  # lighting not ticked
        "reason": "other", "reason_detail": "x",  # reason is hidden, so is its dependant
        "scope": ["retail"], "scope_detail": "y",
    }, context=CTX)
    assert clean == {"kind": "org", "credit_code": CREDIT, "lighting": False, "scope": ["retail"]}


def test_invalid_controller_hides_its_dependants():
    form = definition(*CONDITIONAL)
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"kind": "alien"}, context=CTX)
    assert info.value.details == {"kind": "请从给定选项中选择"}


def test_condition_on_false_checkbox_holds_when_unticked():
    form = definition(field("own_house", "boolean"),
                      field("renting_from", "text", required=True,
                            show_if={"field": "own_house", "equals": False}))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {}, context=CTX)
    assert info.value.details == {"renting_from": "必填项"}
    clean = validate_submission(form, {"own_house": True, "renting_from": "x"}, context=CTX)
    assert clean == {"own_house": True}


def test_conditional_table_and_conditional_column():
    form = definition(
        choice("organisation", ["individual", "family"], required=True),
        field("members", "table", required=True, show_if={"field": "organisation", "equals": "family"},
              fields=[
            field("name", "text", required=True),
            choice("relation", ["spouse", "other"], required=True),
            field("relation_detail", "text", required=True, show_if={"field": "relation", "equals": "other"}),
        ]),
    )
    clean = validate_submission(form, {"organisation": "individual", "members": [{"name": 1}]}, context=CTX)
    assert clean == {"organisation": "individual"}
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"organisation": "family"}, context=CTX)
    assert info.value.details == {"members": "至少填写1行"}
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"organisation": "family", "members": [
            {"name": "甲", "relation": "spouse", "relation_detail": "dropped"},
            {"name": "乙", "relation": "other"},
        ]}, context=CTX)
    assert info.value.details == {"members[1].relation_detail": "必填项"}


# --- tables -------------------------------------------------------------------------------------------

TABLE = field("rows", "table", required=True, min_rows=1, max_rows=3, fields=[
    field("name", "text", required=True),
    field("id_number", "id_number", required=True),
    field("area", "number", min=0, max=200, decimal_places=2),
])


def row(name: str = "张三", id_number: str = ID, area: Any = "10") -> dict[str, Any]:
    return {"name": name, "id_number": id_number, "area": area}


def test_table_rows_are_cleaned():
    form = definition(TABLE)
    clean = validate_submission(form, {"rows": [row(), row("李四", area=None)]}, context=CTX)
    assert clean == {"rows": [{"name": "张三", "id_number": ID, "area": Decimal(10)},
                              {"name": "李四", "id_number": ID}]}


def test_table_errors_carry_row_paths_and_come_all_at_once():
    form = definition(field("title", "text", required=True), TABLE)
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"rows": [
            row(),
            row(name="", area="-1"),
            row(id_number=flip_check_char(ID, "0123456789X"), area="300"),
        ]}, context=CTX)
    assert info.value.details == {
        "title": "必填项",
        "rows[1].name": "必填项",
        "rows[1].area": "不能小于0",
        "rows[2].id_number": "身份证号码校验位错误，请核对",
        "rows[2].area": "不能大于200",
    }


def test_table_row_count_limits():
    form = definition(TABLE)
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"rows": [row()] * 4}, context=CTX)
    assert info.value.details == {"rows": "最多填写3行"}
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"rows": []}, context=CTX)
    assert info.value.details == {"rows": "至少填写1行"}


def test_min_rows_applies_once_an_optional_table_has_rows():
    form = definition(field("rows", "table", min_rows=2, fields=[field("x", "text")]))
    assert validate_submission(form, {}, context=CTX) == {}
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"rows": [{"x": "a"}]}, context=CTX)
    assert info.value.details == {"rows": "至少填写2行"}


def test_table_without_max_rows_is_still_bounded():
    form = definition(field("rows", "table", fields=[field("x", "text")]))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"rows": [{"x": "a"}] * 201}, context=CTX)
    assert info.value.details == {"rows": "最多填写200行"}


@pytest.mark.parametrize(("value", "details"), [
    ("rows", {"rows": "应为由各行组成的列表"}),
    ({"0": {"x": "a"}}, {"rows": "应为由各行组成的列表"}),
    (["a", {"x": "b", "y": "c"}], {"rows[0]": "每一行应为对象", "rows[1].y": "不是本表单的字段"}),
])
def test_malformed_table_values(value, details):
    form = definition(field("rows", "table", fields=[field("x", "text")]))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(form, {"rows": value}, context=CTX)
    assert info.value.details == details


# --- schema, dump, context -----------------------------------------------------------------------------

def test_build_submission_schema_is_a_marshmallow_schema():
    form = definition(field("a", "text", required=True), TABLE)
    schema = build_submission_schema(form, context=CTX)
    assert isinstance(schema, Schema)
    assert schema.fields["a"].required
    assert schema.fields["a"].metadata["label"] == "字段a"
    with pytest.raises(ValidationError) as info:
        schema.load({"rows": [{}]})
    assert info.value.messages == {"a": ["必填项"],
                                   "rows": {0: {"name": ["必填项"], "id_number": ["必填项"]}}}


def test_schema_instance_can_be_reused():
    form = definition(*CONDITIONAL)
    schema = build_submission_schema(form, context=CTX)
    assert schema.load({"kind": "org", "credit_code": CREDIT})["credit_code"] == CREDIT
    assert schema.load({"kind": "person", "applicant_id": ID})["applicant_id"] == ID


def test_dump_is_json_safe_and_validates_back_to_the_same_values():
    form = definition(field("n", "number", decimal_places=2), field("d", "date"), field("r", "date_range"),
                      field("s", "address"), field("b", "boolean"), TABLE)
    clean = validate_submission(form, {"n": 0.1, "d": "2026-3-2",
                                       "r": {"start": "2026-03-02", "end": "2026-03-03"},
                                       "s": {"village": "330199101001", "detail": "1号"},
                                       "rows": [row(area=12.25)]}, context=CTX)
    dumped = dump_submission(form, clean)
    assert dumped == {"n": "0.1", "d": "2026-03-02", "r": {"start": "2026-03-02", "end": "2026-03-03"},
                      "s": {"village": "330199101001", "village_name": "青山村", "detail": "1号"}, "b": False,
                      "rows": [{"name": "张三", "id_number": ID, "area": "12.25"}]}
    assert json.loads(json.dumps(dumped)) == dumped
    assert validate_submission(form, dumped, context=CTX) == clean


def test_dump_with_context_validates_raw_input_first():
    form = definition(*CONDITIONAL)
    assert dump_submission(form, {"kind": "org", "credit_code": CREDIT.lower(), "applicant_id": "x"},
                           context=CTX) == {"kind": "org", "credit_code": CREDIT, "lighting": False}
    with pytest.raises(ValidationFailed):
        dump_submission(form, {"kind": "org"}, context=CTX)


def test_village_must_belong_to_the_town_in_context():
    spec = field("site", "address", required=True)
    value = {"village": "330199102001", "detail": "白沙村1号"}
    assert error_of(spec, value) == "请选择本镇（街道）范围内的村（社区）"
    baisha = SubmissionContext(today=CTX.today, villages={"330199102001": "白沙村"})
    assert clean_one(spec, value, baisha)["village_name"] == "白沙村"


def test_today_bound_follows_the_context():
    spec = field("start", "date", min="today")
    assert error_of(spec, "2026-03-01") == "日期不能早于今天（2026-03-02）"
    later = SubmissionContext(today=dt.date(2026, 2, 1), villages={})
    assert clean_one(spec, "2026-03-01", later) == dt.date(2026, 3, 1)
