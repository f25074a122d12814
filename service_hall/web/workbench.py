"""Window clerk and back-office workbench: the town's queue, intake, review, special procedures, extension,
decision, delivery, follow-up checks, filing on behalf, visits and rectification callbacks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for

from service_hall.accounts.permissions import Permission
from service_hall.audit.actions import label_of
from service_hall.bundles.prerequisites import waiting_notes
from service_hall.bundles.reuse import reuse_notes
from service_hall.cases import intake, ratings, walk_in
from service_hall.cases.accountability import KIND_LABELS, clock_view, delivery_due_on
from service_hall.cases.actions import Audience, allowed_actions
from service_hall.cases.clock import local_date
from service_hall.cases.models import CaseStatus, DeliveryChannel, PauseKind, Recommendation
from service_hall.cases.procedures import decision_prefill, procedure_of
from service_hall.cases.queries import (
    case_history,
    deadline_state,
    load_for_page,
    parse_statuses,
    queue,
    staff_case,
)
from service_hall.cases.rules import rules_for
from service_hall.cases.schemas import SPECIAL_KINDS
from service_hall.cases.transitions import (
    RECOMMENDATION_LABELS,
    Action,
    Stage,
    action_label,
    party_notice,
    power_type_of,
)
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.core.pagination import page_size
from service_hall.extensions import db, file_store
from service_hall.files.store import FileStore
from service_hall.jurisdictions.operations import visible_towns
from service_hall.notifications.channels import offered_by
from service_hall.notifications.codes import send_reuse_code
from service_hall.notifications.models import ChannelName
from service_hall.web import case_routes
from service_hall.web.access import current_actor, now, requires
from service_hall.web.apply_flow import ApplyScope, handle_apply
from service_hall.web.case_io import calendar
from service_hall.web.forms_util import form_values
from service_hall.web.unit_of_work import EarlyCommit, commit_early, context

bp = Blueprint("workbench", __name__)


@bp.get("/")
@requires(Permission.CASE_READ)
def index() -> Any:
    """The town's open cases, one page at a time (?cursor=, ?status=, ?sort=number)."""
    actor = current_actor()
    cal = calendar()
    status = request.args.get("status")
    page = queue(db.session, actor, parse_statuses(status), request.args.get("cursor"),
                 size=page_size(request.args.get("size")), by_number=request.args.get("sort") == "number")
    rows = [(c, *deadline_state(c, cal, now())) for c in page.rows]
    clocks = {c.id: clock_view(c, cal, now()) for c, _, _ in rows}
    return render_template("workbench/index.html", rows=rows, page=page, status=status, CaseStatus=CaseStatus,
                           clocks=clocks, waiting=waiting_notes(db.session, page.rows))


STAGE_OF_STATUS = {
    CaseStatus.SUBMITTED: Stage.INTAKE, CaseStatus.CORRECTION_REQUESTED: Stage.INTAKE,
    CaseStatus.ACCEPTED: Stage.REVIEW, CaseStatus.SPECIAL_PROCEDURE: Stage.REVIEW,
    CaseStatus.REVIEWED: Stage.DECISION, CaseStatus.APPROVED: Stage.DELIVERY,
    CaseStatus.DELIVERED: Stage.SUPERVISION,
}


def _render_case(case: Any, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    load_for_page(db.session, case)
    cal = calendar()
    colour, left = deadline_state(case, cal, now())
    rules = rules_for(case.power_item)
    history, actors = case_history(db.session, case)
    stage = STAGE_OF_STATUS.get(case.status)
    design, prefilled = decision_prefill(db.session, case, local_date(now()))
    power_type = power_type_of(case)
    return render_template("workbench/case.html", case=case, procedure=procedure_of(case),
                           decision_terms=design.definition.get("terms") or [],
                           decision_version=design.version, decision_values=prefilled | {
                               k[len("terms."):]: v for k, v in form_values().items() if k.startswith("terms.")},
                           approve_label=action_label(power_type, Action.APPROVE),
                           deny_label=action_label(power_type, Action.DENY), party=party_notice(case),
                           recommendation_labels=RECOMMENDATION_LABELS[power_type],
                           colour=colour, left=left, rules=rules,
                           can=allowed_actions(case, current_actor(), now()), Stage=Stage, errors=errors or {},
                           values=form_values(), history=history, actors=actors, stage=stage,
                           status_labels={c.value: c.label for c in CaseStatus},
                           history_label=label_of, clock=clock_view(case, cal, now()),
                           special_kinds=SPECIAL_KINDS, Recommendation=Recommendation,
                           channels=list(DeliveryChannel), PauseKind=PauseKind, kind_labels=KIND_LABELS,
                           delivery_due=delivery_due_on(case, cal), rating=ratings.rating_of(db.session, case),
                           visits=intake.visits_for(db.session, case),
                           waiting=waiting_notes(db.session, [case]).get(case.id),
                           reused=reuse_notes(db.session, [m.file_id for m in case.materials], now()),
                           form_fields=getattr(intake.pinned_definition(db.session, case), "fields", ())), status


@bp.get("/cases/<int:case_id>")
@requires(Permission.CASE_READ)
def case(case_id: int) -> Any:
    return _render_case(staff_case(db.session, current_actor(), case_id))


case_routes.register(bp, Audience.STAFF, rule="/cases/<int:case_id>", key="case_id",
                    load=lambda case_id: staff_case(db.session, current_actor(), case_id),
                    render=lambda case, errors, status: _render_case(case, errors, status),
                    after=lambda case: url_for("workbench.case", case_id=case.id))


def _rectification_page(errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                        status: int = 200) -> Any:
    """差评整改: the town's rectification tasks, open ones first; with a refused form's errors."""
    tasks = ratings.tasks_for(db.session, current_actor())
    tasks.sort(key=lambda t: (not t.is_open, t.due_on))
    return render_template("workbench/rectification.html", tasks=tasks, errors=errors or {}, values=values or {},
                           score_labels=ratings.SCORE_LABELS, describe=ratings.describe), status


@bp.get("/rectification")
@requires(Permission.RECTIFICATION_CALLBACK)
def rectification() -> Any:
    return _rectification_page()


@bp.post("/rectification/<int:task_id>/callback")
@requires(Permission.RECTIFICATION_CALLBACK)
def callback(task_id: int) -> Any:
    task = ratings.staff_task(db.session, current_actor(), task_id)
    try:
        ratings.record_callback(context(), task, outcome=request.form.get("outcome", ""))
    except ValidationFailed as exc:
        return _rectification_page(exc.details, {"task_id": task_id}, 422)
    flash("回访已记录，整改任务办结")
    return redirect(url_for("workbench.rectification"))


@bp.post("/ratings/<int:rating_id>/appeal")
@requires(Permission.RECTIFICATION_CALLBACK)
def appeal_rating(rating_id: int) -> Any:
    """申诉复核: the hall appeals a 差评; a supervisor decides."""
    rating = ratings.staff_rating(db.session, current_actor(), rating_id)
    try:
        ratings.appeal(context(), rating, reason=request.form.get("reason", ""))
    except ValidationFailed as exc:
        # The unit of work rolls the attempt back (the answer is 422).
        return _rectification_page(exc.details, {"rating_id": rating_id}, 422)
    flash("申诉已提交，由监督人员复核")
    return redirect(url_for("workbench.rectification"))


@bp.get("/cases/<int:case_id>/materials/<int:material_id>")
@requires(Permission.CASE_READ)
def material(case_id: int, material_id: int) -> Any:
    item = staff_case(db.session, current_actor(), case_id)
    found = next((m for m in item.materials if m.id == material_id), None)
    if found is None:
        raise NotFound("未找到该材料")
    store: FileStore = file_store()
    content = store.read(found.file.blob.sha256)
    kind = found.file.blob.content_type or "application/octet-stream"
    # ?inline=1 previews images and PDFs beside the checklist; anything else is always a download.
    inline = request.args.get("inline") == "1" and (kind.startswith("image/") or kind == "application/pdf")
    disposition = "inline" if inline else "attachment"
    return Response(content, mimetype=kind,
                    headers={"Content-Disposition": f"{disposition}; filename=material-{found.id}"})


# 帮办代办 (service_hall/cases/walk_in.py): what the filing uploads or drafts is remembered in the clerk's
# session under the filing's nonce.
_WALK_INS_KEPT = 5


def _walk_in_scope(filing: walk_in.Filing) -> ApplyScope:
    def record() -> dict[str, list[Any]]:
        found = session.get("walk_ins", {}).get(filing.nonce)
        return found if isinstance(found, dict) else {"files": [], "drafts": []}

    def kept(new_files: list[Any], draft: Any) -> None:
        entry = record()
        entry = {"files": entry["files"] + [f.id for f in new_files],
                 "drafts": entry["drafts"] + ([draft.ref] if draft is not None else [])}
        walk_ins = {k: v for k, v in session.get("walk_ins", {}).items() if k != filing.nonce}
        session["walk_ins"] = dict([*list(walk_ins.items())[-(_WALK_INS_KEPT - 1):], (filing.nonce, entry)])

    return ApplyScope(files=lambda: walk_in.offered_files(db.session, filing, record()["files"]),
                      may_open_draft=lambda draft: draft.ref in record()["drafts"], kept=kept,
                      note=walk_in.note_for(filing))


@bp.route("/file", methods=["GET", "POST"])
@requires(Permission.CASE_FILE_ON_BEHALF)
def file_start() -> Any:
    """帮办代办 step 1: find the walk-in applicant's account by mobile and identity number, or open one."""
    towns = visible_towns(db.session, current_actor())
    errors: dict[str, str] = {}
    values = form_values()
    if request.method == "POST" and request.form.get("send_code") == "1":
        try:
            sent_to = send_reuse_code(db.session, request.form, towns=towns, now=now())
        except ValidationFailed as exc:
            errors = exc.details or {}
        else:
            flash(f"授权码已发送至申请人手机 {sent_to}（及其站内消息），请申请人当面告知后填入")
        values.pop("reuse_code", None)
    elif request.method == "POST":
        try:
            found = intake.walk_in_applicant(db.session, request.form, towns=towns, now=now())
        except ValidationFailed as exc:
            errors = exc.details or {}
            if "reuse_code" in errors:
                commit_early(EarlyCommit.REFUSED_ATTEMPT)  # the wrong guess counts
        else:
            token = walk_in.sign(current_app.secret_key, current_actor(), found)  # type: ignore[arg-type]
            return redirect(url_for("workbench.file_apply", token=token))
    items = {t.code: intake.open_items(db.session, t, now=now()) for t in towns}
    return render_template("workbench/file.html", towns=towns, items=items, errors=errors, values=values,
                           sms=ChannelName.SMS in offered_by(current_app.config)), (422 if errors else 200)


@bp.route("/file/<token>", methods=["GET", "POST"])
@requires(Permission.CASE_FILE_ON_BEHALF)
def file_apply(token: str) -> Any:
    """帮办代办 step 2: the same form the applicant would fill in, filed by the clerk."""
    filing = walk_in.open_filing(db.session, current_app.secret_key, token,  # type: ignore[arg-type]
                                 clerk=current_actor(), towns=visible_towns(db.session, current_actor()))
    result = handle_apply(filing.town, filing.item_code, filing.applicant, "workbench.file_apply", {"token": token},
                          scope=_walk_in_scope(filing))
    if hasattr(result, "ref"):
        return redirect(url_for("workbench.case", case_id=result.id))
    return result


@bp.route("/visits", methods=["GET", "POST"])
@requires(Permission.CASE_FILE_ON_BEHALF)
def visits() -> Any:
    """Record a walk-in visit not tied to one case (consultation)."""
    actor = current_actor()
    towns = visible_towns(db.session, actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        place = next((t for t in towns if t.code == request.form.get("town_code")), None)
        if place is None:
            errors["town_code"] = "请选择本乡镇（街道）"
        else:
            try:
                intake.record_visit(context(), town=place, visitor_name=request.form.get("visitor_name", ""),
                                    purpose=request.form.get("purpose", ""))
            except ValidationFailed as exc:
                errors = exc.details or {}
            else:
                flash("来访已登记")
                return redirect(url_for("workbench.visits"))
    return render_template("workbench/visits.html", towns=towns, errors=errors, values=form_values()), (
        422 if errors else 200)
