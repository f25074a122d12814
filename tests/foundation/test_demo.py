"""The demo the README promises: a realistic list, and a working form for every application item."""

from __future__ import annotations

import datetime as dt

from forms.definition import load_form_definition
from forms.models import current_form_definition
from power_lists.models import DelegationMode, PowerItem
from power_lists.queries import items_for_town
from service_hall.cases.rules import rules_for
from service_hall.demo import load_demo
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from tests.factories.clock import NOW


def test_demo_list_has_forms_for_every_application_item(app):
    with app.app_context():
        load_demo(db.session, now=NOW)
        db.session.commit()
        items = db.session.query(PowerItem).all()
        assert len(items) >= 40
        assert {i.delegation_mode for i in items} == set(DelegationMode)
        towns = db.session.query(Jurisdiction).filter_by(level=JurisdictionLevel.TOWN).all()
        assert len(towns) >= 6
        held = {t.code: {i.code for i in items_for_town(db.session, t.id, dt.date(2026, 11, 23))} for t in towns}
        assert len({frozenset(v) for v in held.values()}) > 1  # not every town holds every item
        for item in items:
            if not rules_for(item).opens_application:
                continue
            form = current_form_definition(db.session, item.code, NOW)
            assert form is not None, f"{item.code} {item.name} has no form"
            definition = load_form_definition(form.definition)
            guide_codes = [m["code"] for m in (item.guide or {}).get("materials", [])]
            assert [m.code for m in definition.materials] == guide_codes
