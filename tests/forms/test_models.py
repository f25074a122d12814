"""Stored form definitions: versions, drafts, the version in force, and immutability once published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

import forms.models
from forms.definition import FormDefinition, load_form_definition
from forms.demo import DEMO_FORMS
from forms.models import (
    FormDefinitionVersion,
    FormStatus,
    current_form_definition,
    form_definition_versions,
    publish_form_definition,
    publish_form_draft,
    save_form_draft,
)
from service_hall.core.errors import Conflict, NotFound, ValidationFailed
from tests.factories.database import migrated, private_database
from tests.factories.forms import field, raw_definition

ITEM = "330100-XK-001"
T0 = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)

if migrated("form_definitions"):
    @pytest.fixture
    def session(ctx) -> Iterator[Session]:
        yield ctx
else:
    @pytest.fixture
    def session() -> Iterator[Session]:
        with private_database(FormDefinitionVersion.__table__) as s:
            yield s


def v1() -> dict:
    return raw_definition(field("name", "text", required=True))


def v2() -> dict:
    return raw_definition(field("name", "text", required=True), field("mobile", "mobile"))


def test_publish_creates_numbered_versions_and_picks_the_one_in_force(session):
    first = publish_form_definition(session, ITEM, v1(), T0)
    second = publish_form_definition(session, ITEM, load_form_definition(v2()), T0 + 2 * HOUR)
    publish_form_definition(session, "330100-XK-002", v2(), T0)
    assert (first.version, second.version) == (1, 2)
    assert (first.status, first.published_at, first.created_at) == (FormStatus.PUBLISHED, T0, T0)
    assert current_form_definition(session, ITEM, T0 - HOUR) is None
    assert current_form_definition(session, ITEM, T0) is first
    assert current_form_definition(session, ITEM, T0 + HOUR) is first
    assert current_form_definition(session, ITEM, T0 + 2 * HOUR) is second
    assert isinstance(second.form, FormDefinition)
    assert [f.name for f in second.form.fields] == ["name", "mobile"]
    assert [v.version for v in form_definition_versions(session, ITEM)] == [2, 1]


def test_stored_definition_is_the_normalised_json(session):
    row = publish_form_definition(session, ITEM, DEMO_FORMS["homestead"], T0)
    assert row.definition["format_version"] == 1
    assert row.definition["materials"][0]["max_bytes"] == 10 * 1024 * 1024
    assert row.form == load_form_definition(DEMO_FORMS["homestead"])


def test_malformed_definition_is_not_stored(session):
    bad = raw_definition(field("a", "choice"))
    with pytest.raises(ValidationFailed) as info:
        publish_form_definition(session, ITEM, bad, T0)
    assert info.value.details == {"fields[0].options": "选择题至少需要一个选项"}
    assert form_definition_versions(session, ITEM) == []


def test_published_rows_cannot_be_changed_or_deleted(session):
    row = publish_form_definition(session, ITEM, v1(), T0)
    session.commit()
    row.definition = v2()
    with pytest.raises(Conflict, match="已发布的表单版本不能修改"):
        session.flush()
    session.rollback()
    session.delete(row)
    with pytest.raises(Conflict, match="已发布的表单版本不能删除"):
        session.flush()
    session.rollback()
    assert session.get(FormDefinitionVersion, row.id).form == load_form_definition(v1())
    # Nor turned back into a draft.
    row.status = FormStatus.DRAFT
    with pytest.raises(Conflict):
        session.flush()
    session.rollback()


def test_draft_is_replaced_until_published(session):
    publish_form_definition(session, ITEM, v1(), T0)
    draft = save_form_draft(session, ITEM, v1(), T0 + HOUR)
    again = save_form_draft(session, ITEM, v2(), T0 + 2 * HOUR)
    assert again is draft
    assert (draft.version, draft.status, draft.published_at) == (2, FormStatus.DRAFT, None)
    # A draft is not in force.
    assert current_form_definition(session, ITEM, T0 + 3 * HOUR).version == 1
    published = publish_form_draft(session, ITEM, T0 + 4 * HOUR)
    assert (published.version, published.status, published.published_at) == (2, FormStatus.PUBLISHED,
                                                                              T0 + 4 * HOUR)
    assert current_form_definition(session, ITEM, T0 + 4 * HOUR) is published
    with pytest.raises(NotFound):
        publish_form_draft(session, ITEM, T0 + 5 * HOUR)


def test_draft_can_be_deleted(session):
    draft = save_form_draft(session, ITEM, v1(), T0)
    session.delete(draft)
    session.flush()
    assert form_definition_versions(session, ITEM) == []


def test_concurrent_publish_of_the_same_version_is_a_conflict(session, monkeypatch):
    publish_form_definition(session, ITEM, v1(), T0)
    session.commit()
    real_flush = forms.models._flush

    def someone_else_publishes_first(s: Session) -> None:
        # Between our read of the latest version and our insert, another request commits version 2.
        with Session(s.get_bind()) as other:
            other.add(FormDefinitionVersion(item_code=ITEM, version=2, definition=v2(),
                                            status=FormStatus.PUBLISHED, published_at=T0, created_at=T0))
            other.commit()
        real_flush(s)

    monkeypatch.setattr(forms.models, "_flush", someone_else_publishes_first)
    with pytest.raises(Conflict, match="刚被他人修改"):
        publish_form_definition(session, ITEM, v1(), T0 + HOUR)
    session.rollback()
    assert [v.version for v in form_definition_versions(session, ITEM)] == [2, 1]


@pytest.mark.parametrize("item_code", ["", "x" * 65])
def test_item_code_is_checked(session, item_code):
    with pytest.raises(ValidationFailed):
        publish_form_definition(session, item_code, v1(), T0)


def test_naive_now_is_refused(session):
    with pytest.raises(ValueError, match="aware"):
        publish_form_definition(session, ITEM, v1(), dt.datetime(2026, 3, 1))
