"""A filed case's form is checked once per process: the same JSON gives the same loaded definition, any
change gives its own, a bad definition is still rejected every time, and the process keeps a bounded
number of them."""

from __future__ import annotations

import pytest

from forms.definition import load_form_definition
from power_lists import item_forms
from service_hall.core.errors import ValidationFailed
from tests.factories.forms import field, raw_definition


def test_the_same_definition_is_checked_once_and_a_changed_one_again():
    raw = raw_definition(field("name", "text"), title="缓存测试表单")
    first = item_forms._loaded(raw)
    assert item_forms._loaded(dict(raw)) is first  # equal JSON, another dict
    assert first == load_form_definition(raw)
    changed = item_forms._loaded(raw_definition(field("name", "text", label="姓名"), title="缓存测试表单"))
    assert changed is not first and changed.fields[0].label == "姓名"


def test_a_bad_definition_is_rejected_each_time_and_not_kept():
    bad = raw_definition(field("name", "no-such-type"), title="坏表单")
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            item_forms._loaded(bad)


def test_the_process_keeps_a_bounded_number(monkeypatch):
    monkeypatch.setattr(item_forms, "_LOADED_MAX", 3)
    forms = [raw_definition(field("name", "text"), title=f"表单{i}") for i in range(5)]
    loaded = [item_forms._loaded(raw) for raw in forms]
    assert len(item_forms._LOADED) == 3
    assert item_forms._loaded(forms[-1]) is loaded[-1]  # the newest are kept
    assert item_forms._loaded(forms[0]) is not loaded[0]  # the oldest were dropped and are checked again
