"""Supervisor pages (电子监察): overdue and near-due cases of the county's towns with both limits,
追责情形 open and resolved, ratings and rectification tasks, and the evaluation report per town and per
delegated power (page, XLSX, PDF). Read-only except resolving a trigger."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from service_hall.accounts.permissions import Permission
from service_hall.cases import accountability, ratings
from service_hall.cases.clock import local_date
from service_hall.cases.metrics import visit_figures
from service_hall.core.errors import ValidationFailed
from service_hall.core.pagination import bounded_counts, count_label, page_size
from service_hall.evaluation import export, export_jobs
from service_hall.evaluation.report import EvaluationReport, evaluate, parse_period
from service_hall.evaluation.tables import BUNDLE_COLUMNS, BUNDLE_NOTE, COLUMN, FIGURE_COLUMNS, charts
from service_hall.extensions import db
from service_hall.files.jobs import own_job
from service_hall.jurisdictions.operations import visible_towns
from service_hall.web import job_pages
from service_hall.web.access import current_actor, now, requires
from service_hall.web.case_io import calendar
from service_hall.web.unit_of_work import context

bp = Blueprint("supervision", __name__)


@bp.get("/")
@requires(Permission.SUPERVISION_READ)
def index() -> Any:
    """超期与临期办件: red (overdue) and yellow (≤ 2 working days) against either limit."""
    actor = current_actor()
    cal = calendar()
    page = accountability.watched_cases(db.session, actor, cal, now(), request.args.get("cursor"),
                                        size=page_size(request.args.get("size")))
    open_triggers, open_tasks = bounded_counts(db.session, [
        accountability.trigger_ids(db.session, actor, resolved=False), ratings.open_task_ids(db.session, actor)])
    towns = visible_towns(db.session, actor)
    others = accountability.watched_deadlines(db.session, actor, cal, now())
    return render_template("supervision/index.html", rows=page.rows, page=page, others=others, towns=towns,
                           open_triggers=count_label(open_triggers), open_tasks=count_label(open_tasks),
                           visits=visit_figures(db.session, towns))


@bp.get("/deadlines")
@requires(Permission.SUPERVISION_READ)
def deadlines() -> Any:
    """One kind of the other watched deadlines whole (?kind=delivery|pledge, ?cursor=), the earliest first."""
    kind = request.args.get("kind", "delivery")
    if kind not in accountability.DEADLINE_KINDS:
        kind = "delivery"
    page = accountability.deadline_page(db.session, current_actor(), calendar(), now(), kind,
                                        request.args.get("cursor"), size=page_size(request.args.get("size")))
    return render_template("supervision/deadlines.html", page=page, kind=kind, kinds=accountability.DEADLINE_KINDS)


def _render_triggers(errors: dict[str, str] | None = None, failed_id: int | None = None, status: int = 200) -> Any:
    actor = current_actor()
    show = request.args.get("show", "open")
    resolved = {"open": False, "resolved": True}.get(show)
    triggers = accountability.triggers_for(db.session, actor, resolved=resolved)
    return render_template("supervision/triggers.html", triggers=triggers, show=show, errors=errors or {},
                           failed_id=failed_id, kind_labels=accountability.KIND_LABELS), status


@bp.get("/triggers")
@requires(Permission.SUPERVISION_READ)
def triggers() -> Any:
    """追责情形 (?show=open|resolved|all)."""
    return _render_triggers()


@bp.post("/triggers/<int:trigger_id>/resolve")
@requires(Permission.SUPERVISION_RESOLVE)
def resolve(trigger_id: int) -> Any:
    actor = current_actor()
    trigger = accountability.supervised_trigger(db.session, actor, trigger_id)
    try:
        accountability.resolve_trigger(db.session, trigger, actor=actor, now=now(), note=request.form.get("note", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_triggers(exc.details or {}, trigger_id, 422)
    flash("已记录处理意见")
    return redirect(url_for("supervision.triggers"))


def _render_ratings(errors: dict[str, str] | None = None, failed_id: int | None = None, status: int = 200) -> Any:
    actor = current_actor()
    return render_template("supervision/ratings.html", ratings=ratings.ratings_for(db.session, actor),
                           tasks=ratings.tasks_for(db.session, actor), score_labels=ratings.SCORE_LABELS,
                           describe=ratings.describe,
                           today=now(), errors=errors or {}, failed_id=failed_id), status


@bp.get("/ratings")
@requires(Permission.SUPERVISION_READ)
def rating_list() -> Any:
    """好差评 and the rectification tasks poor ratings opened."""
    return _render_ratings()


@bp.post("/ratings/tasks/<int:task_id>/verify")
@requires(Permission.SUPERVISION_RESOLVE)
def verify_task(task_id: int) -> Any:
    """核实整改: the supervisor accepts the rectification and callback, or sends the task back."""
    task = ratings.staff_task(db.session, current_actor(), task_id)
    accepted = request.form.get("result") != "return"
    try:
        ratings.verify_rectification(context(), task, accepted=accepted, note=request.form.get("note", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_ratings(exc.details or {}, task_id, 422)
    flash("整改已核实办结，申请人可再次评价一次" if accepted else "整改已退回，乡镇须重新回访")
    return redirect(url_for("supervision.rating_list"))


@bp.post("/ratings/<int:rating_id>/appeal")
@requires(Permission.SUPERVISION_RESOLVE)
def decide_appeal(rating_id: int) -> Any:
    """申诉复核: the supervisor upholds the hall's appeal (the rating no longer counts) or rejects it."""
    rating = ratings.staff_rating(db.session, current_actor(), rating_id)
    upheld = request.form.get("result") == "uphold"
    try:
        ratings.decide_appeal(context(), rating, upheld=upheld, note=request.form.get("note", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_ratings({"appeal_" + k: v for k, v in (exc.details or {}).items()}, rating_id, 422)
    flash("申诉成立，该评价不计入统计" if upheld else "申诉不成立，评价照常计入")
    return redirect(url_for("supervision.rating_list"))


def _report() -> tuple[EvaluationReport, str]:
    """The evaluation of the towns the supervisor oversees over ?from=&to=. Raises ValidationFailed."""
    actor = current_actor()
    period = parse_period(request.args.get("from"), request.args.get("to"), today=local_date(now()))
    scope = actor.jurisdiction.name if actor.jurisdiction else ""
    from service_hall.bundles.figures import add_to_report

    return add_to_report(db.session, evaluate(db.session, visible_towns(db.session, actor), period)), scope


@bp.get("/evaluation")
@requires(Permission.SUPERVISION_READ)
def evaluation() -> Any:
    """赋权事项评估: cases, on-time rates, ratings and unused powers per town and per power."""
    values = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    try:
        report, scope = _report()
    except ValidationFailed as exc:
        return render_template("supervision/evaluation.html", report=None, values=values,
                               errors=exc.details or {}), 422
    query = {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()}
    return render_template("supervision/evaluation.html", report=report, scope=scope, query=query,
                           values=query, errors={}, columns=FIGURE_COLUMNS, column=COLUMN,
                           charts=charts(report), bundle_columns=BUNDLE_COLUMNS,
                           bundle_note=BUNDLE_NOTE)


@bp.post("/evaluation/export")
@requires(Permission.SUPERVISION_READ)
def evaluation_export() -> Any:
    """Ask for the report as a file made in the background; the same export is never run twice at once."""
    actor = current_actor()
    try:
        period = parse_period(request.form.get("from"), request.form.get("to"), today=local_date(now()))
        job, created = export_jobs.request_export(db.session, owner_id=actor.id, fmt=request.form.get("format", ""),
                                                  start=period.start, end=period.end, now=now())
    except ValidationFailed as exc:
        flash("；".join((exc.details or {}).values()) or exc.message)
        return redirect(url_for("supervision.evaluation", **{k: request.form.get(k, "") for k in ("from", "to")}))
    job_pages.start(job, created, joined="同一份报告正在生成，无需重复提交")
    return redirect(url_for("supervision.export_status", job_id=job.id))


@bp.get("/exports/<int:job_id>")
@requires(Permission.SUPERVISION_READ)
def export_status(job_id: int) -> Any:
    """The export's progress (the page refreshes itself every two seconds until it is done)."""
    job = own_job(db.session, current_actor().id, job_id, kinds=(export_jobs.KIND,))
    return job_pages.status_page("supervision/export.html", job)


@bp.get("/exports/<int:job_id>/download")
@requires(Permission.SUPERVISION_READ)
def export_download(job_id: int) -> Any:
    return job_pages.download(own_job(db.session, current_actor().id, job_id, kinds=(export_jobs.KIND,)))


def _download(data: bytes, filename: str, mimetype: str) -> Any:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)


@bp.get("/evaluation.xlsx")
@requires(Permission.SUPERVISION_READ)
def evaluation_xlsx() -> Any:
    report, scope = _report()
    return _download(export.to_xlsx(report, scope=scope), export.file_stem(report) + ".xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/evaluation.pdf")
@requires(Permission.SUPERVISION_READ)
def evaluation_pdf() -> Any:
    report, scope = _report()
    return _download(export.to_pdf(report, scope=scope, generated_at=now()), export.file_stem(report) + ".pdf",
                     "application/pdf")
