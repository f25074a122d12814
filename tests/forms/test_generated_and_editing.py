"""The form generated from a guide, the designer's editing steps and the version diff (no database)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from forms.definition import load_form_definition
from forms.diff import diff_definitions
from forms.editing import (
    add_field,
    field_errors,
    field_from_inputs,
    field_inputs,
    move_field,
    remove_field,
    remove_rule,
    reorder_fields,
    set_rule,
)
from forms.generated import PLEDGE_TEXT, applicant_kinds, generated_definition
from forms.prefill import prefill, profile_of
from forms.submission import validate_submission
from service_hall.core.errors import NotFound, ValidationFailed
from tests.factories.accounts import valid_id
from tests.factories.forms import CTX, valid_credit_code

GUIDE = {"materials": [
    {"code": "M01", "name": "申请书", "required": True, "deferrable": False},
    {"code": "M02", "name": "村民委员会意见", "required": True, "deferrable": True},
    {"code": "M03", "name": "现场照片", "required": False, "deferrable": False}],
    "conditions": "本村村民", "pledge_allowed": True}


def _names(raw):
    return [f["name"] for f in raw["fields"]]


def test_a_person_item_gets_the_person_block_the_pledge_and_one_material_per_guide_material():
    raw = generated_definition(name="高龄津贴发放", power_type="benefit", guide=GUIDE)
    form = load_form_definition(raw)
    assert _names(raw) == ["applicant_section", "applicant_name", "applicant_id", "mobile", "contact_address",
                           "pledge_section", "pledge"]
    assert [(m.code, m.required, m.deferrable) for m in form.materials] == [
        ("M01", True, False), ("M02", True, True), ("M03", False, False)]
    pledge = form.field("pledge")
    assert pledge.label == PLEDGE_TEXT and pledge.required and "告知承诺制" in (pledge.help or "")
    assert form.description == "受理条件：本村村民"
    profile = {"name": "李堃", "id_number": valid_id(), "mobile": "13900000001"}
    assert prefill(form, profile) == {"applicant_name": "李堃", "applicant_id": valid_id(), "mobile": "13900000001"}
    clean = validate_submission(form, {**prefill(form, profile), "pledge": True}, context=CTX)
    assert clean["pledge"] is True and "applicant_section" not in clean


def test_an_enterprise_item_and_an_item_that_does_not_tell():
    enterprise = generated_definition(name="燃气经营许可", power_type="licensing",
                                      guide={"materials": [{"code": "M01", "name": "营业执照", "required": True}]})
    assert "credit_code" in _names(enterprise) and "applicant_id" not in _names(enterprise)
    both = generated_definition(name="户外广告设置许可", power_type="licensing", guide={"materials": []})
    form = load_form_definition(both)
    assert form.field("applicant_kind").options[0].value == "person"
    with pytest.raises(ValidationFailed) as errors:
        validate_submission(form, {"applicant_kind": "enterprise", "mobile": "13900000001", "pledge": True},
                            context=CTX)
    assert set(errors.value.details) == {"organisation_name", "credit_code", "legal_representative"}
    account = SimpleNamespace(real_name="张喆", id_number=None, mobile="13900000002", credit_code=valid_credit_code(),
                              organisation_name="青山燃气有限公司")
    company = prefill(form, profile_of(account))
    assert company == {"applicant_kind": "enterprise", "applicant_name": "张喆",
                       "organisation_name": "青山燃气有限公司", "credit_code": valid_credit_code(),
                       "mobile": "13900000002"}
    person = SimpleNamespace(real_name="李堃", id_number=valid_id(), mobile="13900000001", credit_code=None,
                             organisation_name=None)
    assert prefill(form, profile_of(person))["applicant_kind"] == "person"
    assert validate_submission(form, {"applicant_kind": "enterprise", "organisation_name": "青山燃气有限公司",
                                      "credit_code": valid_credit_code(), "legal_representative": "王某",
                                      "mobile": "13900000001", "pledge": True}, context=CTX)


def test_who_applies():
    assert applicant_kinds("benefit", [{"name": "营业执照"}]) == ("person",)
    assert applicant_kinds("licensing", [{"name": "居民身份证"}]) == ("person",)
    assert applicant_kinds("licensing", [{"name": "法定代表人身份证"}]) == ("enterprise",)
    assert applicant_kinds("licensing", [], "农村村民宅基地审批") == ("person",)
    assert applicant_kinds("licensing", []) == ("person", "enterprise")


def test_no_guide_still_gives_a_form_that_loads():
    assert load_form_definition(generated_definition(name="某事项", power_type="other", guide=None)).materials == ()


BASE = {"format_version": 1, "title": "表", "fields": [
    {"name": "kind", "label": "类别", "type": "choice", "options": [{"value": "a", "label": "甲"}]},
    {"name": "note", "label": "说明", "type": "text", "show_if": {"field": "kind", "equals": "a"}},
    {"name": "rows", "label": "明细", "type": "table", "fields": [{"name": "x", "label": "X", "type": "number"}]}]}


def test_editing_steps_return_new_definitions_and_leave_the_old_one():
    raw, path = add_field(BASE, ftype="number", name="area", label="面积", position=1)
    assert path == "1" and _names(raw) == ["kind", "area", "note", "rows"] and _names(BASE)[1] == "note"
    raw, path = add_field(raw, ftype="date", name="day", label="日期", table="3")
    assert path == "3.1" and [c["name"] for c in raw["fields"][3]["fields"]] == ["x", "day"]
    assert _names(move_field(raw, "1", 3)) == ["kind", "note", "rows", "area"]
    assert _names(reorder_fields(raw, [3, 2, 1, 0])) == ["rows", "note", "area", "kind"]
    assert _names(remove_field(raw, "1")) == ["kind", "note", "rows"]
    with pytest.raises(ValidationFailed):
        reorder_fields(raw, [0, 0, 1, 2])
    for bad in ("9", "3.7", "x", "1.2.3"):
        with pytest.raises(NotFound):
            remove_field(raw, bad)
    with pytest.raises(ValidationFailed) as exc:
        add_field(raw, ftype="nope", name="", label="")
    assert set(exc.value.details) == {"type", "name", "label"}
    with_rule, index = set_rule(raw, None, {"check": "area > 0", "message": "m"})
    assert index == 0 and load_form_definition(with_rule).rules[0].check == "area > 0"
    assert "rules" not in remove_rule(with_rule, 0)


def test_the_field_form_round_trips_and_drops_keys_the_type_does_not_take():
    note = BASE["fields"][1]
    inputs = field_inputs(note)
    assert inputs["show_if_field"] == "kind" and inputs["show_if_values"] == "a"
    field, errors = field_from_inputs(inputs, note)
    assert field == {**note} and errors == {}
    field, errors = field_from_inputs({**inputs, "type": "number", "min": "1", "max_length": "x",
                                       "options": "a=甲"}, note)
    assert field["min"] == 1 and "options" not in field and "max_length" not in field and errors == {}
    field, errors = field_from_inputs({**inputs, "max_length": "many"}, note)
    assert errors == {"max_length": "应为整数"}
    choice, _ = field_from_inputs({"type": "choice", "name": "c", "label": "C", "options": "x=一\n二\n"}, {})
    assert choice["options"] == [{"value": "x", "label": "一"}, {"value": "二", "label": "二"}]
    flag, _ = field_from_inputs({"type": "text", "name": "t", "label": "T", "show_if_field": "ok",
                                 "show_if_values": "是"}, {})
    assert flag["show_if"] == {"field": "ok", "equals": True}
    assert field_errors({"fields[1].show_if.field": "无", "fields[1].options[0].value": "重复", "fields[2].name": "x"},
                        "fields[1]") == {"show_if": "无", "options": "重复"}


def test_the_diff_names_what_changed():
    new, _ = add_field(BASE, ftype="number", name="area", label="面积")
    new["fields"][0]["label"] = "类型"
    new["fields"][2]["fields"].append({"name": "y", "label": "Y", "type": "text"})
    new, _ = set_rule(new, None, {"check": "area > 0", "message": "面积应大于0"})
    new["fields"] = [new["fields"][1], new["fields"][0], *new["fields"][2:]]
    changes = {(c.kind, c.what): c.details for c in diff_definitions(BASE, new)}
    assert ("added", "字段「面积」（area）") in changes
    assert changes[("changed", "字段「类型」（kind）")] == ["显示名称：类别 → 类型"]
    assert ("added", "「明细」的列「Y」（y）") in changes
    assert ("changed", "字段顺序") in changes
    assert any(kind == "added" and what == "规则" for kind, what in changes)
    assert diff_definitions(BASE, BASE) == []
