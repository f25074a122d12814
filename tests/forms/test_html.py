"""The HTML side: flat form posts parsed into the JSON shape, and the Jinja macro that renders a
definition accessibly without JavaScript. A small "browser" reads the rendered controls back and posts
them, so the round trip render → post → parse is tested as a user would drive it."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict

from forms.definition import FormDefinition
from forms.submission import parse_html_form, validate_submission
from service_hall.core.errors import ValidationFailed
from tests.factories.accounts import valid_id
from tests.factories.forms import CTX, VILLAGES, choice, definition, field

TEMPLATES = Path(__file__).resolve().parents[2] / "service_hall" / "templates"
ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
ID = valid_id()

FORM = definition(
    field("name", "text", label="申请人姓名", required=True, help="与身份证一致"),
    choice("kind", ["person", "org"], label="申请人类型", required=True),
    field("applicant_id", "id_number", label="身份证号码", required=True,
          show_if={"field": "kind", "equals": "person"}),
    field("note", "textarea", label="说明"),
    field("area", "number", label="面积", unit="平方米", decimal_places=2),
    field("born", "date", label="出生日期", max="today"),
    field("period", "date_range", label="期限", required=True),
    choice("scope", ["a", "b", "c"], label="范围", multiple=True),
    choice("town", [str(i) for i in range(8)], label="乡镇"),  # many options: a <select>
    field("site", "address", label="地址", required=True),
    field("mobile", "mobile", label="手机"),
    field("agree", "boolean", label="我承诺", required=True),
    field("members", "table", label="家庭成员", min_rows=2, max_rows=5, fields=[
        field("name", "text", label="姓名", required=True),
        field("id_number", "id_number", label="身份证号码", required=True, help="18位"),
        choice("relation", ["self", "other"], label="关系"),
        field("stay", "date_range", label="居住期间"),
    ]),
)


def render(form: FormDefinition, values: Any = None, errors: Any = None, villages: Any = VILLAGES) -> str:
    template = ENV.from_string('{% from "forms/_fields.html" import render_form_fields %}'
                               "{{ render_form_fields(definition, values, errors, villages) }}")
    return template.render(definition=form, values=values, errors=errors, villages=villages)


class Page(HTMLParser):
    """Just enough of a browser: controls, labels, ids and the form data a submit would send."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict[str, Any]] = []
        self.labels: dict[str, str] = {}
        self.ids: set[str] = set()
        self.texts: list[str] = []
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if tag == "input":
            self.controls.append({"tag": tag, **a})
        elif tag == "select":
            self._select = {"tag": tag, **a, "options": []}
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value", ""), "selected": "selected" in a}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"tag": tag, **a, "text": ""}
            self.controls.append(self._textarea)
        elif tag == "label":
            self._label_for, self._label_text = a.get("for"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "label" and self._label_for is not None:
            self.labels[self._label_for] = "".join(self._label_text).strip()
            self._label_for = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._textarea is not None:
            self._textarea["text"] += data
        if self._label_for is not None:
            self._label_text.append(data)

    def control(self, id_: str) -> dict[str, Any]:
        return next(c for c in self.controls if c.get("id") == id_)

    def submission(self) -> MultiDict:
        data: list[tuple[str, str]] = []
        for c in self.controls:
            if c["tag"] == "textarea":
                # Browsers drop one leading newline of a textarea's content.
                data.append((c["name"], c["text"].removeprefix("\n")))
            elif c["tag"] == "select":
                chosen = [o for o in c["options"] if o["selected"]] or c["options"][:1]
                data.extend((c["name"], o["value"]) for o in chosen)
            elif c.get("type") in ("checkbox", "radio"):
                if "checked" in c:
                    data.append((c["name"], c["value"]))
            else:
                data.append((c["name"], c.get("value", "")))
        return MultiDict(data)


def user_post(form: FormDefinition, typed: dict[str, str | list[str]]) -> MultiDict:
    """What a browser posts after the user filled ``typed`` into the empty form."""
    post = Page(render(form)).submission()
    for key, value in typed.items():
        if isinstance(value, list):
            post.setlist(key, value)
        else:
            post[key] = value
    return post


TYPED = {
    "name": "王建国", "kind": "person", "applicant_id": "3301271985031200",  # one digit short
    "note": "第一行\r\n<第二行>", "area": "12.345", "born": "2026-03-01", "period_start": "2026-03-10",
    "period_end": "2026-03-01", "scope": ["a", "c"], "town": "5", "site_village": "330199101002",
    "site_detail": "3组", "mobile": "13905710001", "agree": "on",
    "members-0-name": "王建国", "members-0-id_number": ID, "members-0-relation": "self",
    "members-2-name": "", "members-2-id_number": "123",  # row 1 left empty, row 2 half filled
    "members-2-stay_start": "2020-01-01",
}


def test_parse_html_form_builds_the_json_shape_keeping_what_was_typed():
    values = parse_html_form(FORM, user_post(FORM, TYPED))
    assert values == {
        "name": "王建国", "kind": "person", "applicant_id": "3301271985031200", "note": "第一行\r\n<第二行>",
        "area": "12.345", "born": "2026-03-01", "period": {"start": "2026-03-10", "end": "2026-03-01"},
        "scope": ["a", "c"], "town": "5", "site": {"village": "330199101002", "detail": "3组"},
        "mobile": "13905710001", "agree": "on",
        "members": [
            {"name": "王建国", "id_number": ID, "relation": "self", "stay": {"start": "", "end": ""}},
            {"name": "", "id_number": "123", "relation": "", "stay": {"start": "2020-01-01", "end": ""}},
        ],
    }


def test_parse_html_form_ignores_foreign_inputs_and_accepts_plain_mappings():
    form = definition(field("a", "text"), choice("m", ["x", "y"], multiple=True))
    assert parse_html_form(form, MultiDict([("a", "1"), ("csrf_token", "t"), ("m", "x"), ("m", "y")])) == {
        "a": "1", "m": ["x", "y"]}
    assert parse_html_form(form, {"a": "1", "m": ["y"], "submit": ""}) == {"a": "1", "m": ["y"]}
    assert parse_html_form(form, MultiDict()) == {}


def test_validate_submission_takes_a_multidict_directly():
    form = definition(field("a", "number", integer=True), field("t", "table", fields=[field("x", "text")]))
    post = MultiDict([("a", "3"), ("t-0-x", ""), ("t-1-x", "b"), ("t-7-x", "c")])
    assert validate_submission(form, post, context=CTX) == {"a": 3, "t": [{"x": "b"}, {"x": "c"}]}


def test_errors_after_a_post_point_at_the_redisplayed_rows():
    values = parse_html_form(FORM, user_post(FORM, TYPED))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(FORM, values, context=CTX)
    assert info.value.details == {
        "applicant_id": "身份证号码应为18位，前17位为数字，最后一位为数字或X",
        "area": "最多保留2位小数",
        "period": "结束日期不能早于开始日期",
        "members[1].name": "必填项",
        "members[1].id_number": "身份证号码应为18位，前17位为数字，最后一位为数字或X",
        "members[1].stay": "请填写结束日期",
    }


def test_round_trip_render_post_parse_keeps_every_value():
    values = parse_html_form(FORM, user_post(FORM, TYPED))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(FORM, values, context=CTX)
    page = Page(render(FORM, values, info.value.details))
    assert parse_html_form(FORM, page.submission()) == values


def test_round_trip_of_stored_values():
    form = definition(field("d", "date"), field("n", "number"), field("b", "boolean"),
                      choice("m", ["x", "y"], multiple=True), field("s", "address"))
    clean = validate_submission(form, {"d": "2026-03-01", "n": "1.5", "b": True, "m": ["y"],
                                       "s": {"village": "330199101001", "detail": "1号"}}, context=CTX)
    page = Page(render(form, clean))
    assert validate_submission(form, page.submission(), context=CTX) == clean


def test_every_control_has_a_label_and_valid_references():
    values = parse_html_form(FORM, user_post(FORM, TYPED))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(FORM, values, context=CTX)
    page = Page(render(FORM, values, info.value.details))
    for control in page.controls:
        assert control.get("id"), control
        assert page.labels.get(control["id"]), f"no <label for> for {control['id']}"
        for ref in control.get("aria-describedby", "").split():
            assert ref in page.ids, f"{control['id']} describedby missing #{ref}"
    assert page.labels["f-members[1].id_number"] == "第2行身份证号码"
    assert page.labels["f-period_start"] == "开始日期"
    assert page.labels["f-members[0].stay_end"] == "第1行居住期间结束日期"
    assert page.labels["f-kind-0"] == "选项person"


def test_errors_help_and_required_marks():
    values = parse_html_form(FORM, user_post(FORM, TYPED))
    with pytest.raises(ValidationFailed) as info:
        validate_submission(FORM, values, context=CTX)
    markup = render(FORM, values, info.value.details)
    page = Page(markup)
    applicant_id = page.control("f-applicant_id")
    assert applicant_id["aria-invalid"] == "true"
    assert applicant_id["aria-describedby"] == "c-applicant_id e-applicant_id"
    assert '<p class="error" id="e-applicant_id">身份证号码应为18位' in markup
    assert page.control("f-name")["aria-describedby"] == "h-name"
    assert "aria-invalid" not in page.control("f-name")
    assert page.control("f-members[1].name")["aria-invalid"] == "true"
    assert page.control("f-period_start")["aria-invalid"] == "true"
    # Required fields are marked for sight and for screen readers; the HTML `required` attribute only
    # where the field is always required (not conditional fields, not spare table rows).
    mark = '<span class="req" aria-hidden="true">*</span><span class="visually-hidden">（必填）</span>'
    assert f"申请人姓名{mark}" in markup
    assert "required" in page.control("f-name")
    assert page.control("f-applicant_id")["aria-required"] == "true"
    assert "required" not in page.control("f-applicant_id")
    assert "required" not in page.control("f-members[0].name")
    assert "仅当「申请人类型」为「选项person」时填写" in markup


def test_typed_text_is_escaped():
    markup = render(FORM, {"name": '"><script>alert(1)</script>', "note": "</textarea><b>"})
    assert "<script>" not in markup and "<b>" not in markup
    page = Page(markup)
    assert page.control("f-name")["value"] == '"><script>alert(1)</script>'
    assert page.control("f-note")["text"] == "</textarea><b>"


@pytest.mark.parametrize(("rows", "min_rows", "max_rows", "expected"), [
    (0, 0, None, 2),
    (0, 3, None, 4),
    (1, 0, None, 2),
    (4, 1, None, 5),
    (0, 2, 2, 2),
    (3, 0, 3, 3),
])
def test_table_offers_spare_rows(rows, min_rows, max_rows, expected):
    extra = {"max_rows": max_rows} if max_rows else {}
    form = definition(field("t", "table", min_rows=min_rows, fields=[field("x", "text")], **extra))
    page = Page(render(form, {"t": [{"x": str(i)} for i in range(rows)]}))
    names = [c["name"] for c in page.controls]
    assert names == [f"t-{i}-x" for i in range(expected)]
    assert [c["value"] for c in page.controls][:rows] == [str(i) for i in range(rows)]


def test_address_without_village_list_is_a_text_input():
    form = definition(field("site", "address"))
    page = Page(render(form, {"site": {"village": "330199101001", "detail": "1号"}}, villages=None))
    village = page.control("f-site_village")
    assert (village["tag"], village["value"]) == ("input", "330199101001")


def test_village_select_offers_the_towns_villages():
    page = Page(render(FORM, {"site": {"village": "330199101002", "detail": ""}}))
    select = page.control("f-site_village")
    assert [o["value"] for o in select["options"]] == ["", *VILLAGES]
    assert [o["value"] for o in select["options"] if o["selected"]] == ["330199101002"]


def test_macro_works_in_the_flask_jinja_environment(app):
    with app.app_context():
        template = app.jinja_env.from_string('{% from "forms/_fields.html" import render_form_fields %}'
                                             "{{ render_form_fields(definition, {}, {}) }}")
        markup = template.render(definition=FORM)
    page = Page(markup)
    assert page.labels["f-name"] == "申请人姓名*（必填）"
    assert "f-members[2].name" in page.ids
