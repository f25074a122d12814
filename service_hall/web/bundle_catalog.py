"""Public pages of 一件事: the bundles a county offers, each with its one combined guide (一次告知)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from service_hall.bundles import versions
from service_hall.bundles.models import THEME_LABELS
from service_hall.core.errors import NotFound
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.jurisdictions.operations import towns
from service_hall.web.access import PUBLIC, now, requires

bp = Blueprint("bundle_catalog", __name__)


def _county() -> Jurisdiction:
    from power_lists.versions import county_for

    return county_for(db.session, None)


@bp.get("/")
@requires(PUBLIC)
def index() -> Any:
    county = _county()
    bundles = versions.offered(db.session, county, now())
    by_theme: dict[str, list[Any]] = {}
    for b in bundles:
        by_theme.setdefault(THEME_LABELS[b.theme], []).append(b)
    return render_template("bundles/catalog_index.html", county=county, by_theme=by_theme)


@bp.get("/<code>")
@requires(PUBLIC)
def bundle(code: str) -> Any:
    county = _county()
    found = versions.bundle_in_force(db.session, county, code, now())
    places = {t.code: t for t in towns(db.session)}
    offered = [places[c] for c in versions.offering_towns(db.session, found, now()) if c in places]
    town_code = request.args.get("town") or (offered[0].code if offered else "")
    town = places.get(town_code)
    if town_code and town is None:
        raise NotFound("未找到该乡镇（街道）")
    guide = versions.combined_guide(db.session, found, town, now())
    return render_template("bundles/catalog_bundle.html", bundle=found, guide=guide, town=town, towns=offered,
                           open_here=town in offered)
