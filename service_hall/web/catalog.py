"""Public pages (no login): each town's powers, each item's 办事指南, the list's version history with
its changes (the legally required announcement) and the entrustment announcements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, render_template, request

from power_lists import queries, versions
from power_lists.announcements import entrustment_announcements
from power_lists.diff import diff_versions
from power_lists.jsonschema import SCHEMA_PATH
from power_lists.models import POWER_TYPE_LABELS
from power_lists.readiness import WALK_IN, is_open, readiness_of
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.evaluation.report import evaluate, year_period
from service_hall.evaluation.tables import COLUMN, PUBLIC_COLUMNS
from service_hall.extensions import db
from service_hall.guidance import questionnaires as guidance
from service_hall.jurisdictions.operations import by_code
from service_hall.offices.operations import window_of
from service_hall.search.misses import record_miss
from service_hall.search.query import CHANNELS, Filters, filters_from, search
from service_hall.web.access import PUBLIC, now, requires

bp = Blueprint("catalog", __name__)
# The JSON Schema lives at a stable address outside /catalog so that files can point at it.
files_bp = Blueprint("power_list_files", __name__)


def _on() -> dt.date:
    """The date asked about (?on=YYYY-MM-DD), today in China by default. Raises ValidationFailed."""
    text = request.args.get("on", "").strip()
    if not text:
        return queries.china_today(now())
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD") from None


def _county() -> Any:
    return versions.county_for(db.session, None, request.args.get("county") or None)


@bp.get("/")
@requires(PUBLIC)
def index() -> Any:
    county = _county()
    on = _on()
    return render_template("catalog/index.html", county=county, on=on,
                           towns=[t for t in county.children if t.level.value == "town"],
                           in_force=queries.version_in_force(db.session, county.id, on))


@bp.get("/search")
@requires(PUBLIC)
def search_page() -> Any:
    """事项搜索: everyday words → ranked items, with town, power type and channel filters."""
    args = {k: request.args.get(k, "").strip() for k in ("q", "town", "type", "channel")}
    errors: dict[str, str] = {}
    try:
        filters = filters_from(db.session, town=args["town"], power_type=args["type"], channel=args["channel"])
    except ValidationFailed as exc:
        errors, filters = exc.details or {}, Filters()
    outcome = search(db.session, request.args.get("q", ""), on=queries.china_today(now()), filters=filters)
    if outcome.tokens and not outcome.hits and not errors:
        record_miss(db.session, request.args.get("q", ""), now=now())
    towns = [t for c in queries.counties(db.session) for t in c.children if t.level.value == "town"]
    return render_template("catalog/search.html", outcome=outcome, args=args, errors=errors, filters=filters,
                           towns=towns, power_types=POWER_TYPE_LABELS, channels=CHANNELS)


@bp.get("/guided")
@requires(PUBLIC)
def guided_index() -> Any:
    """智能导办: the life events with a questionnaire."""
    return render_template("catalog/guided_index.html", questionnaires=list(guidance.questionnaires().values()))


@bp.get("/guided/<key>")
@requires(PUBLIC)
def guided(key: str) -> Any:
    """One question per page (answers so far travel in the query string), then the advice."""
    questionnaire = guidance.get(key)
    answers, question, error = guidance.step(db.session, questionnaire, request.args)
    if question is not None:
        asked = [q for q in questionnaire.questions if q.key in answers]
        back = dict(list(answers.items())[:-1]) if answers else None
        return render_template("catalog/guided_question.html", questionnaire=questionnaire, question=question,
                               options=guidance.options(db.session, question), answers=answers, error=error,
                               back=back, number=len(asked) + 1), (422 if error else 200)
    advice = guidance.advise(db.session, questionnaire, answers, on=queries.china_today(now()))
    labels = {q.key: dict(guidance.options(db.session, q)).get(answers.get(q.key, ""), "")
              for q in questionnaire.questions if q.key in answers}
    return render_template("catalog/guided_result.html", questionnaire=questionnaire, advice=advice,
                           answers=answers, labels=labels)


def _town(code: str) -> Any:
    place = by_code(db.session, code)
    if place.level.value != "town":
        raise NotFound("未找到该乡镇（街道）")
    return place


@bp.get("/towns/<code>")
@requires(PUBLIC)
def town(code: str) -> Any:
    place = _town(code)
    on = _on()
    items = queries.items_for_town(db.session, place.id, on, listing=True)
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(item.power_type.label, []).append(item)
    ordered = [(label, groups[label]) for label in POWER_TYPE_LABELS.values() if label in groups]
    ready = readiness_of(db.session, items, now())
    return render_template("catalog/town.html", town=place, on=on, groups=ordered, count=len(items),
                           version=queries.version_in_force(db.session, place.county.id, on),
                           open_ids={i for i, r in ready.items() if r.is_open}, walk_in=WALK_IN,
                           window=window_of(db.session, place.id))


@bp.get("/items/<int:item_id>")
@requires(PUBLIC)
def item(item_id: int) -> Any:
    found = queries.get_item(db.session, item_id, published_only=True)
    return render_template("catalog/item.html", item=found, version=found.version,
                           online_towns=_online_towns(found))


def _online_towns(found: Any) -> set[int]:
    """The towns where this item (of the list in force today) takes online applications today: the 在线申请
    links of the guide page."""
    today = queries.china_today(now())
    in_force = queries.version_in_force(db.session, found.version.county_id, today)
    if in_force is None or in_force.id != found.version_id or not is_open(db.session, found, now=now()):
        return set()
    return {d.town_id for d in found.delegations if d.covers(today)}


@bp.get("/versions")
@requires(PUBLIC)
def history() -> Any:
    county = _county()
    published = queries.versions(db.session, county.id, published_only=True)
    return render_template("catalog/history.html", county=county, versions=published)


@bp.get("/versions/<int:version_id>")
@requires(PUBLIC)
def version_changes(version_id: int) -> Any:
    ver = queries.get_version(db.session, version_id, published_only=True)
    previous = queries.previous_published(db.session, ver)
    return render_template("catalog/version.html", version=ver, previous=previous,
                           diff=diff_versions(db.session, previous, ver))


@bp.get("/entrustments")
@requires(PUBLIC)
def entrustments() -> Any:
    county = _county()
    on = _on()
    ver = queries.version_in_force(db.session, county.id, on)
    return render_template("catalog/entrustments.html", county=county, version=ver, on=on,
                           announcements=entrustment_announcements(
                               ver, queries.versions(db.session, county.id, published_only=True)) if ver else [])


@files_bp.get("/power-lists/schema.json")
@requires(PUBLIC)
def schema() -> Any:
    return Response(SCHEMA_PATH.read_bytes(), mimetype="application/schema+json")


@bp.get("/towns/<code>/statistics")
@requires(PUBLIC)
def statistics(code: str) -> Any:
    """办件统计, month by month for one year (?year=): cases, decisions, on-time rates and ratings."""
    place = _town(code)
    today = queries.china_today(now())
    years = list(range(today.year, today.year - 5, -1))
    text = request.args.get("year", "")
    try:
        period = year_period(text, today=today)
    except ValidationFailed as exc:
        return render_template("catalog/statistics.html", town=place, report=None, years=years, year=text,
                               errors=exc.details or {}, columns=PUBLIC_COLUMNS, column=COLUMN), 422
    from service_hall.cases.ratings import INDICATORS, TAG_LABELS
    from service_hall.evaluation.report import rating_indicators

    indicator_columns = list(dict.fromkeys(pair for pairs in INDICATORS.values() for pair in pairs))
    return render_template("catalog/statistics.html", town=place, report=evaluate(db.session, [place], period),
                           years=years, year=str(period.start.year), errors={}, columns=PUBLIC_COLUMNS,
                           column=COLUMN, indicators=rating_indicators(db.session, [place], period),
                           indicator_columns=indicator_columns, tag_labels=TAG_LABELS)
