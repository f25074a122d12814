"""The demo the README promises: a realistic list, and a working form for every application item."""

from __future__ import annotations

import datetime as dt

import pytest

from forms.definition import load_form_definition
from forms.models import current_form_definition
from power_lists.models import DelegationMode, PowerItem
from power_lists.queries import items_for_town
from service_hall.cases.rules import rules_for
from service_hall.core.errors import ValidationFailed
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


def test_demo_shows_every_application_power_type_with_its_designed_outcomes(app):
    from power_lists.models import APPLICATION_TYPES
    from service_hall.cases import designs
    from service_hall.cases.designs import DesignKind
    from service_hall.cases.procedures import PROCEDURES, design_for_item

    with app.app_context():
        load_demo(db.session, now=NOW)
        db.session.commit()
        items = [i for i in db.session.query(PowerItem).all() if rules_for(i).opens_application]
        assert {i.power_type for i in items} >= set(APPLICATION_TYPES)
        homestead = designs.published(db.session, DesignKind.DECISION, "330199-XK-001")
        assert homestead is not None and homestead.definition["certificate_type"] == "ZJDPZS"
        assert {t["name"] for t in homestead.definition["terms"]} >= {"site_area", "floors", "boundaries", "validity"}
        certificate = designs.published(db.session, DesignKind.CERTIFICATE_TYPE, "ZJDPZS")
        assert certificate is not None and {e["label"] for e in certificate.definition["entries"]} >= {
            "批准用地面积", "批准层数", "四至"}
        senior = next(i for i in items if i.code == "330199-GF-004")
        assert {t["name"] for t in design_for_item(db.session, senior).definition["terms"]} >= {"amount", "schedule"}
        assert PROCEDURES[senior.power_type].certificate == "never"
        # Loading again publishes nothing new.
        load_demo(db.session, now=NOW)
        assert [v.version for v in designs.versions(db.session, DesignKind.DECISION, "330199-XK-001")] == [1]


def test_the_demo_homestead_design_prefills_from_the_demo_form_and_fills_the_批准书(app):
    from forms.demo import DEMO_SUBMISSIONS
    from service_hall.cases import decisions, designs
    from service_hall.cases.designs import DesignKind
    from service_hall.certificates.types import entries_for

    with app.app_context():
        load_demo(db.session, now=NOW)
        db.session.commit()
        item = db.session.query(PowerItem).filter_by(code="330199-XK-001").first()
        design = designs.published(db.session, DesignKind.DECISION, item.code).definition
        data = DEMO_SUBMISSIONS["homestead"]
        today = dt.date(2026, 11, 23)
        filled = decisions.prefill(design, data, item.guide, today)
        assert filled["site_area"] == "110" and filled["floors"] == "3" and filled["building_area"] == "280.5"
        over = {"site_area": "150", "boundaries": "东至村道", "validity.until": "2028-11-22"}
        with pytest.raises(ValidationFailed) as refused:
            decisions.fix_terms(design, over, data, item.guide, today)
        assert "不能超过 140平方米" in refused.value.details["terms.site_area"]
        decided = decisions.fix_terms(design, {"boundaries": "东至村道，南至王某房屋", "validity.until": "2028-11-22"},
                                      data, item.guide, today)
        form = current_form_definition(db.session, item.code, NOW).form
        certificate = designs.published(db.session, DesignKind.CERTIFICATE_TYPE, "ZJDPZS").definition
        printed = dict(entries_for(certificate, form=form, data=data, decision=decided, facts={}))
        assert printed["批准用地面积"] == "110 平方米" and printed["批准层数"] == "3 层"
        assert printed["四至"] == "东至村道，南至王某房屋" and printed["土地类型"] == "集体建设用地（含原宅基地）"
        assert decided["valid_until"] == "2028-11-22" and not decided["long_term"]
