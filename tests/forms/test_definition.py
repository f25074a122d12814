"""Loading form definitions: good ones become dataclasses, bad ones are rejected whole with every
problem located."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from forms.definition import (
    DEFAULT_ACCEPT,
    DEFAULT_MAX_BYTES,
    TODAY,
    FieldType,
    FormDefinition,
    dump_form_definition,
    load_form_definition,
)
from forms.validators import InvalidValue
from service_hall.core.errors import ValidationFailed
from tests.factories.forms import choice, field, raw_definition


def rejected(raw) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        load_form_definition(raw)
    assert info.value.message == "表单定义有误"
    return info.value.details


FULL = raw_definition(
    choice("kind", ["person", "org"], required=True, help="请选择"),
    field("applicant_id", "id_number", required=True, show_if={"field": "kind", "equals": "person"}),
    field("credit_code", "credit_code", required=True, show_if={"field": "kind", "in": ["org"]}),
    field("name", "text", max_length=20,
          pattern={"regex": r"[\u4e00-\u9fa5·]+", "message": "请填写中文姓名"}),
    field("note", "textarea", max_length=300),
    field("area", "number", min=0, max=125.5, decimal_places=2, unit="平方米"),
    field("floors", "number", integer=True, min=1, max=3),
    field("born", "date", min="1900-01-01", max="today"),
    field("period", "date_range", required=True, min="today", max_span_days=90),
    field("site", "address", required=True, max_length=80),
    field("mobile", "mobile"),
    field("agree", "boolean", required=True),
    field("members", "table", min_rows=1, max_rows=5, fields=[
        field("name", "text", required=True),
        choice("relation", ["self", "other"], required=True),
        field("relation_detail", "text", show_if={"field": "relation", "equals": "other"}),
    ]),
    materials=[{"code": "M01", "name": "身份证"},
               {"code": "M02", "name": "设计图", "deferrable": True, "accept": ["application/pdf"],
                "max_bytes": 1024}],
)


def test_full_definition_loads_into_dataclasses():
    form = load_form_definition(FULL)
    assert isinstance(form, FormDefinition)
    assert [f.name for f in form.fields][:3] == ["kind", "applicant_id", "credit_code"]
    assert form.field("kind").type is FieldType.CHOICE
    assert form.field("applicant_id").show_if.equals == "person"
    assert form.field("credit_code").show_if.in_ == ("org",)
    area = form.field("area")
    assert (area.min, area.max, area.decimal_places) == (Decimal(0), Decimal("125.5"), 2)
    born = form.field("born")
    assert (born.min, born.max) == (dt.date(1900, 1, 1), TODAY)
    assert form.field("members").subfield("relation").options[1].value == "other"
    m1, m2 = form.materials
    assert (m1.required, m1.deferrable, m1.accept, m1.max_bytes) == (True, False, DEFAULT_ACCEPT,
                                                                     DEFAULT_MAX_BYTES)
    assert (m2.deferrable, m2.accept, m2.max_bytes) == (True, ("application/pdf",), 1024)


def test_dump_then_load_is_lossless_and_json_safe():
    form = load_form_definition(FULL)
    dumped = dump_form_definition(form)
    assert json.loads(json.dumps(dumped)) == dumped
    assert load_form_definition(dumped) == form
    assert dump_form_definition(load_form_definition(dumped)) == dumped
    # Only the keys a type accepts are written out.
    assert set(dumped["fields"][0]) == {"name", "label", "type", "required", "help", "options", "multiple"}


def test_default_max_length_bounds_free_text():
    form = load_form_definition(raw_definition(field("a", "text"), field("b", "textarea"),
                                               field("c", "address"), field("d", "text", max_length=5)))
    assert [f.length_limit for f in form.fields] == [200, 2000, 100, 5]


def test_condition_notes():
    form = load_form_definition(raw_definition(
        choice("kind", ["a", "b", "c"], label="类型"),
        field("x", "text", show_if={"field": "kind", "equals": "a"}),
        field("y", "text", show_if={"field": "kind", "in": ["b", "c"]}),
        field("flag", "boolean", label="有车"),
        field("z", "text", show_if={"field": "flag", "equals": True}),
        field("w", "text", show_if={"field": "flag", "equals": False}),
        choice("many", ["p", "q"], label="范围", multiple=True),
        field("v", "text", show_if={"field": "many", "equals": "q"}),
    ))
    notes = {f.name: form.condition_note(f) for f in form.fields}
    assert notes["kind"] is None
    assert notes["x"] == "仅当「类型」为「选项a」时填写"
    assert notes["y"] == "仅当「类型」为「选项b」或「选项c」时填写"
    assert notes["z"] == "仅当勾选「有车」时填写"
    assert notes["w"] == "仅当未勾选「有车」时填写"
    assert notes["v"] == "仅当「范围」包括「选项q」时填写"


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param({"title": "x", "fields": []}, {"format_version": "必填", "fields": "表单至少需要一个字段"},
                 id="missing-version-and-no-fields"),
    pytest.param({**raw_definition(field("a", "text")), "format_version": 2},
                 {"format_version": "不支持的格式版本，当前为 1"}, id="future-version"),
    pytest.param({**raw_definition(field("a", "text")), "colour": "red"}, {"colour": "不支持的属性"},
                 id="unknown-top-level-key"),
    pytest.param(raw_definition(field("a", "text"), field("b", "text"), field("c", "text"),
                                field("d", "choice", options=[])),
                 {"fields[3].options": "选择题至少需要一个选项"}, id="choice-without-options"),
    pytest.param(raw_definition(field("a", "choice")), {"fields[0].options": "选择题至少需要一个选项"},
                 id="choice-options-missing"),
    pytest.param(raw_definition(field("a", "text"), field("a", "number")),
                 {"fields[1].name": "字段名「a」与 fields[0] 重复"}, id="duplicate-names"),
    pytest.param(raw_definition(field("Applicant", "text")),
                 {"fields[0].name": "字段名只能由小写字母、数字和下划线组成，以字母开头，不超过40个字符"},
                 id="bad-name"),
    pytest.param(raw_definition(field("period", "date_range"), field("period_start", "date")),
                 {"fields[1].name": "字段名「period_start」与「period」字段的输入项重名"},
                 id="compound-clash"),
    pytest.param(raw_definition(field("a", "rainbow")), {"fields[0].type": "不支持的字段类型：rainbow"},
                 id="unknown-type"),
    pytest.param(raw_definition(field("a", "text", options=[{"value": "x", "label": "X"}])),
                 {"fields[0].options": "文本字段不支持该属性"}, id="attribute-not-for-type"),
    pytest.param(raw_definition(field("a", "text", colour="red")), {"fields[0].colour": "不支持的属性"},
                 id="unknown-field-key"),
    pytest.param(raw_definition({"name": "a", "type": "text"}), {"fields[0].label": "必填"},
                 id="label-missing"),
    pytest.param(raw_definition(field("a", "text", show_if={"field": "nope", "equals": "x"})),
                 {"fields[0].show_if.field": "引用了不存在的字段「nope」"}, id="show-if-unknown-field"),
    pytest.param(raw_definition(field("a", "text", show_if={"field": "b", "equals": "x"}),
                                choice("b", ["x"])),
                 {"fields[0].show_if.field": "只能引用排在前面的字段，「b」在本字段之后"},
                 id="show-if-later-field"),
    pytest.param(raw_definition(choice("a", ["x"], show_if={"field": "a", "equals": "x"})),
                 {"fields[0].show_if.field": "不能引用字段自身"}, id="show-if-self"),
    pytest.param(raw_definition(field("a", "text"),
                                field("b", "text", show_if={"field": "a", "equals": "x"})),
                 {"fields[1].show_if.field": "只能依据选择题或勾选项显示"}, id="show-if-text-controller"),
    pytest.param(raw_definition(choice("a", ["x"]),
                                field("b", "text", show_if={"field": "a", "equals": "y"})),
                 {"fields[1].show_if.equals": "「a」没有选项值「y」"}, id="show-if-unknown-option"),
    pytest.param(raw_definition(field("a", "boolean"),
                                field("b", "text", show_if={"field": "a", "equals": "yes"})),
                 {"fields[1].show_if.equals": "勾选项的条件值应为 true 或 false"},
                 id="show-if-boolean-value"),
    pytest.param(raw_definition(choice("a", ["x"]), field("b", "text", show_if={"field": "a"})),
                 {"fields[1].show_if": "equals 与 in 须设置且只能设置其一"}, id="show-if-no-condition"),
    pytest.param(raw_definition(choice("a", ["x"]), field("b", "text", show_if={"field": "a", "in": []})),
                 {"fields[1].show_if.in": "至少需要一个值"}, id="show-if-empty-in"),
    pytest.param(raw_definition(field("a", "number", min=10, max=1)),
                 {"fields[0].min": "最小值不能大于最大值"}, id="number-min-above-max"),
    pytest.param(raw_definition(field("a", "number", min="ten")), {"fields[0].min": "应为数字"},
                 id="number-bound-not-number"),
    pytest.param(raw_definition(field("a", "number", integer=True, decimal_places=2)),
                 {"fields[0].decimal_places": "整数字段不能设置小数位数"}, id="integer-with-decimals"),
    pytest.param(raw_definition(field("a", "date", max="2026/01/01")),
                 {"fields[0].max": "应为YYYY-MM-DD格式的日期或 today"}, id="date-bound-format"),
    pytest.param(raw_definition(field("a", "date_range", min="2026-02-01", max="2026-01-01")),
                 {"fields[0].min": "最早日期不能晚于最晚日期"}, id="date-bounds-reversed"),
    pytest.param(raw_definition(field("a", "date_range", max_span_days=0)),
                 {"fields[0].max_span_days": "应为不小于1的整数"}, id="span-zero"),
    pytest.param(raw_definition(field("t", "table",
                                      fields=[field("inner", "table", fields=[field("x", "text")])])),
                 {"fields[0].fields[0].type": "表格内不能再嵌套表格"}, id="nested-table"),
    pytest.param(raw_definition(field("t", "table")), {"fields[0].fields": "表格至少需要一列"},
                 id="table-without-columns"),
    pytest.param(raw_definition(field("t", "table", min_rows=5, max_rows=2, fields=[field("x", "text")])),
                 {"fields[0].min_rows": "最少行数不能大于最多行数"}, id="table-rows-reversed"),
    pytest.param(raw_definition(field("t", "table", fields=[field("x", "text"), field("x", "text")])),
                 {"fields[0].fields[1].name": "字段名「x」与 fields[0].fields[0] 重复"},
                 id="table-duplicate-column"),
    pytest.param(raw_definition(field("a", "text"), materials=[{"code": "M1", "name": "甲"},
                                                               {"code": "M1", "name": "乙"}]),
                 {"materials[1].code": "材料编码「M1」与 materials[0] 重复"}, id="duplicate-material"),
    pytest.param(raw_definition(field("a", "text"), materials=[{"code": "M1", "name": "甲", "required": False,
                                                                "deferrable": True}]),
                 {"materials[0].deferrable": "非必要材料无需设置容缺"}, id="optional-deferrable"),
    pytest.param(raw_definition(field("a", "text"),
                                materials=[{"code": "M1", "name": "甲", "accept": ["pdf"]}]),
                 {"materials[0].accept[0]": "「pdf」不是有效的文件类型（如 application/pdf）"},
                 id="bad-accept"),
    pytest.param(raw_definition(field("a", "text"), materials=[{"code": "M1", "name": "甲",
                                                                "max_bytes": 500 * 1024 * 1024}]),
                 {"materials[0].max_bytes": "应为1到52428800之间的整数"}, id="material-too-large"),
])
def test_bad_definition_is_rejected_with_location(raw, expected):
    details = rejected(raw)
    assert details == expected


def test_every_problem_is_reported_at_once():
    details = rejected({
        "format_version": 1, "title": "",
        "fields": [
            field("a", "choice"),
            field("a", "text", options=[]),
            field("b", "text", show_if={"field": "zz", "equals": 1}),
            "not an object",
        ],
        "materials": [{"code": "bad code!", "name": "x"}],
    })
    assert details == {
        "title": "应为1到100个字符",
        "fields[0].options": "选择题至少需要一个选项",
        "fields[1].name": "字段名「a」与 fields[0] 重复",
        "fields[1].options": "文本字段不支持该属性",
        "fields[2].show_if.field": "引用了不存在的字段「zz」",
        "fields[3]": "应为对象",
        "materials[0].code": "材料编码只能由字母、数字、下划线和连字符组成，不超过32个字符",
    }


def test_bad_regex_is_reported_with_the_reason():
    details = rejected(raw_definition(field("a", "text", pattern={"regex": "([a-z", "message": "格式不对"})))
    assert details.keys() == {"fields[0].pattern.regex"}
    assert details["fields[0].pattern.regex"].startswith("正则表达式无效：")


@pytest.mark.parametrize("raw", [None, [], "definition", 42])
def test_non_object_definition_is_rejected(raw):
    assert rejected(raw) == {"_schema": "应为对象"}


def test_material_checks_uploads_by_detected_type_and_size():
    form = load_form_definition(FULL)
    drawing = form.material("M02")
    drawing.check_file("application/pdf", 1024)
    with pytest.raises(InvalidValue, match="只接受PDF格式"):
        drawing.check_file("image/png", 10)
    with pytest.raises(InvalidValue, match="不能超过1KB"):
        drawing.check_file("application/pdf", 1025)
    with pytest.raises(InvalidValue, match="文件为空"):
        drawing.check_file("application/pdf", 0)
    with pytest.raises(KeyError):
        form.material("M99")
