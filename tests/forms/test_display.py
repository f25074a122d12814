from __future__ import annotations

from forms.definition import load_form_definition
from forms.demo import DEMO_FORMS, DEMO_SUBMISSIONS, DEMO_TODAY, DEMO_VILLAGES
from forms.display import display_rows
from forms.submission import SubmissionContext, dump_submission


def _stored(key):
    definition = load_form_definition(DEMO_FORMS[key])
    ctx = SubmissionContext(today=DEMO_TODAY, villages=DEMO_VILLAGES)
    return definition, dump_submission(definition, DEMO_SUBMISSIONS[key], context=ctx)


def test_values_are_shown_with_labels_not_codes():
    definition, values = _stored("homestead")
    rows = {r.label: r for r in display_rows(definition, values)}
    assert rows["申请人（户主）姓名"].text == "王建国"
    assert rows["拟建房屋位置"].text == "石桥村 石桥村3组，东至村道，南至王某房屋"
    assert rows["原宅基地处置方式"].text == "建新退旧，无偿退还集体"  # the option's label, not its code
    assert rows["拟建层数"].text == "3 层"
    members = next(r for r in rows.values() if r.rows)
    assert members.text == "3 行" and members.rows[1][0].text == "李秀英"
    assert all("_" not in r.label for r in rows.values())  # no raw field names


def test_choice_boolean_and_date_range():
    definition, values = _stored("road_excavation")
    rows = {r.label: r.text for r in display_rows(definition, values)}
    assert rows["挖掘原因"] == "地下管线敷设或维修"
    assert rows["挖掘期限"] == "2026-03-10 至 2026-03-30"
    assert rows["本单位承诺按期恢复道路原状，承担修复费用"] == "是"


def test_without_a_definition_the_raw_values_show():
    assert [(r.label, r.text) for r in display_rows(None, {"a": 1})] == [("a", "1")]
