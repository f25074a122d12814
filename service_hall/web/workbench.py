"""Window clerk and back-office workbench: the town's queue, intake, review, special procedures, extension,
decision, delivery, follow-up checks, filing on behalf, visits and rectification callbacks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from service_hall.accounts.models import User
from service_hall.accounts.permissions import Permission, Role
from service_hall.cases import intake, ratings, review
from service_hall.cases.accountability import KIND_LABELS, clock_view, delivery_due_on
from service_hall.cases.models import CaseStatus, DeliveryChannel, PauseKind, Recommendation
from service_hall.cases.queries import case_history, deadline_state, parse_statuses, queue, staff_case
from service_hall.cases.rules import rules_for
from service_hall.cases.transitions import Action, Stage, allowed_actions
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import db
from service_hall.files.store import FileStore
from service_hall.jurisdictions.operations import visible_towns
from service_hall.web.access import current_actor, now, requires
from service_hall.web.case_actions import attempt
from service_hall.web.case_io import calendar, file_store
from service_hall.web.forms_util import form_values
from service_hall.web.portal import handle_apply

bp = Blueprint("workbench", __name__)


def _version() -> int | None:
    raw = request.form.get("row_version", "")
    return int(raw) if raw.isdigit() else None


@bp.get("/")
@requires(Permission.CASE_READ)
def index() -> Any:
    actor = current_actor()
    cal = calendar()
    status = request.args.get("status")
    rows = [(c, *deadline_state(c, cal, now())) for c in queue(db.session, actor, parse_statuses(status))]
    if request.args.get("sort") == "number":
        rows.sort(key=lambda r: r[0].case_number or "")
    clocks = {c.id: clock_view(c, cal, now()) for c, _, _ in rows}
    return render_template("workbench/index.html", rows=rows, status=status, CaseStatus=CaseStatus, clocks=clocks)


STAGE_OF_STATUS = {
    CaseStatus.SUBMITTED: Stage.INTAKE, CaseStatus.CORRECTION_REQUESTED: Stage.INTAKE,
    CaseStatus.ACCEPTED: Stage.REVIEW, CaseStatus.SPECIAL_PROCEDURE: Stage.REVIEW,
    CaseStatus.REVIEWED: Stage.DECISION, CaseStatus.APPROVED: Stage.DELIVERY,
    CaseStatus.DELIVERED: Stage.SUPERVISION,
}
def history_label(action: str) -> str:
    """Audit action names as staff read them."""
    name = action.removeprefix("case.")
    if name in {a.value for a in Action}:
        return Action(name).label
    return {"case.refused_attempt": "被拒绝的操作", "accountability.raise": "触发追责情形",
            "accountability.resolve": "追责情形已处理", "rating.create": "申请人评价",
            "rectification.callback": "整改回访", "visit.record": "来访登记"}.get(action, action)


def _render_case(case: Any, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    cal = calendar()
    colour, left = deadline_state(case, cal, now())
    rules = rules_for(case.power_item)
    history, actors = case_history(db.session, case)
    stage = STAGE_OF_STATUS.get(case.status)
    return render_template("workbench/case.html", case=case, colour=colour, left=left, rules=rules,
                           actions=allowed_actions(case), Action=Action, Stage=Stage, errors=errors or {},
                           values=form_values(), history=history, actors=actors, stage=stage,
                           status_labels={c.value: c.label for c in CaseStatus},
                           history_label=history_label, clock=clock_view(case, cal, now()),
                           special_kinds=review.SPECIAL_KINDS, Recommendation=Recommendation,
                           channels=list(DeliveryChannel), PauseKind=PauseKind, kind_labels=KIND_LABELS,
                           delivery_due=delivery_due_on(case, cal), rating=ratings.rating_of(db.session, case),
                           visits=intake.visits_for(db.session, case)), status


@bp.get("/cases/<int:case_id>")
@requires(Permission.CASE_READ)
def case(case_id: int) -> Any:
    return _render_case(staff_case(db.session, current_actor(), case_id))


def _act(case_id: int, do: Any, done_message: str, action: Action | None = None) -> Any:
    """Run a case action: a refusal that concerns a power is recorded (see ``case_actions.attempt``); bad
    input re-renders the case page with the messages (422); success commits once and redirects."""
    try:
        if action is not None:
            attempt(action, case_id, do)
        else:
            actor = current_actor()
            do(staff_case(db.session, actor, case_id), actor)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_case(staff_case(db.session, current_actor(), case_id),
                            exc.details or {"_schema": exc.message}, 422)
    db.session.commit()
    flash(done_message)
    return redirect(url_for("workbench.case", case_id=case_id))


@bp.post("/cases/<int:case_id>/accept")
@requires(Permission.CASE_INTAKE)
def accept(case_id: int) -> Any:
    return _act(case_id, lambda c, a: intake.accept(db.session, c, actor=a, now=now(), calendar=calendar(),
                                                    expected_version=_version()), "已受理，受理通知书已送达申请人",
                Action.ACCEPT)


@bp.post("/cases/<int:case_id>/correction")
@requires(Permission.CASE_INTAKE)
def correction(case_id: int) -> Any:
    targets = request.form.getlist("target")
    problems = request.form.getlist("problem")
    items = [{"target": t, "problem": p} for t, p in zip(targets, problems, strict=False)]
    days = request.form.get("respond_days", "")
    return _act(case_id, lambda c, a: intake.request_correction(
        db.session, c, actor=a, now=now(), calendar=calendar(), items=items,
        respond_days=int(days) if days.isdigit() else 0, expected_version=_version()),
        "已一次性告知补正内容，办理时限暂停计算", Action.REQUEST_CORRECTION)


@bp.post("/cases/<int:case_id>/refuse")
@requires(Permission.CASE_INTAKE)
def refuse(case_id: int) -> Any:
    return _act(case_id, lambda c, a: intake.refuse(
        db.session, c, actor=a, now=now(), reason=request.form.get("reason", ""),
        competent_office=request.form.get("competent_office"), expected_version=_version()),
        "已作出不予受理决定", Action.REFUSE)


@bp.post("/cases/<int:case_id>/pledge")
@requires(Permission.CASE_INTAKE)
def pledge(case_id: int) -> Any:
    days = request.form.get("pledge_days", "")
    return _act(case_id, lambda c, a: intake.accept_with_pledge(
        db.session, c, actor=a, now=now(), calendar=calendar(), missing=request.form.getlist("missing"),
        pledge_days=int(days) if days.isdigit() else 0, expected_version=_version()),
        "已容缺受理", Action.ACCEPT_WITH_PLEDGE)


@bp.post("/cases/<int:case_id>/visits")
@requires(Permission.CASE_FILE_ON_BEHALF)
def case_visit(case_id: int) -> Any:
    actor = current_actor()
    item = staff_case(db.session, actor, case_id)
    return _act(case_id, lambda c, a: intake.record_visit(
        db.session, actor=a, town=c.town, case=c, visitor_name=request.form.get("visitor_name", ""),
        purpose=request.form.get("purpose", ""), now=now()), f"已登记 {item.case_number} 的来访")


def _field(name: str) -> str:
    return request.form.get(name, "")


@bp.post("/cases/<int:case_id>/opinion")
@requires(Permission.CASE_REVIEW)
def opinion(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.record_opinion(
        db.session, c, actor=a, now=now(), opinion=_field("opinion"), recommendation=_field("recommendation"),
        expected_version=_version()), "审查意见已记录", Action.RECORD_OPINION)


@bp.post("/cases/<int:case_id>/complete-review")
@requires(Permission.CASE_REVIEW)
def complete_review(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.complete_review(db.session, c, actor=a, now=now(),
                                                             expected_version=_version()),
                "审查完毕，已提交负责人决定", Action.COMPLETE_REVIEW)


@bp.post("/cases/<int:case_id>/special")
@requires(Permission.CASE_REVIEW)
def start_special(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.start_special_procedure(
        db.session, c, actor=a, now=now(), calendar=calendar(), kind=_field("kind"), note=_field("note"),
        expected_version=_version()), "特别程序已启动，办理时限暂停计算", Action.START_SPECIAL)


@bp.post("/cases/<int:case_id>/special/end")
@requires(Permission.CASE_REVIEW)
def end_special(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.end_special_procedure(
        db.session, c, actor=a, now=now(), calendar=calendar(), outcome=_field("outcome"),
        expected_version=_version()), "特别程序已结束，办理时限恢复计算", Action.END_SPECIAL)


@bp.post("/cases/<int:case_id>/extend")
@requires(Permission.CASE_DECIDE)
def extend(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.extend(
        db.session, c, actor=a, now=now(), calendar=calendar(), reason=_field("reason"),
        expected_version=_version()), "已批准延长办理期限，延长期限告知书已送达申请人", Action.EXTEND)


@bp.post("/cases/<int:case_id>/approve")
@requires(Permission.CASE_DECIDE)
def approve(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.approve(
        db.session, c, actor=a, now=now(), calendar=calendar(), opinion=_field("opinion"),
        expected_version=_version()), "已作出准予许可决定", Action.APPROVE)


@bp.post("/cases/<int:case_id>/deny")
@requires(Permission.CASE_DECIDE)
def deny(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.deny(
        db.session, c, actor=a, now=now(), reasons=_field("reasons"), expected_version=_version()),
        "已作出不予许可决定", Action.DENY)


@bp.post("/cases/<int:case_id>/on-the-spot")
@requires(Permission.CASE_DECIDE)
def on_the_spot(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.decide_on_the_spot(
        db.session, c, actor=a, now=now(), calendar=calendar(), expected_version=_version()),
        "即办件已当场受理并准予许可", Action.APPROVE)


@bp.post("/cases/<int:case_id>/pledge-approve")
@requires(Permission.CASE_DECIDE)
def pledge_approve(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.approve_on_pledge(
        db.session, c, actor=a, now=now(), calendar=calendar(), expected_version=_version(),
        check_days=current_app.config["FOLLOW_UP_CHECK_DAYS"]),
        "已依告知承诺当场准予许可，并生成事后核查任务", Action.APPROVE_ON_PLEDGE)


@bp.post("/cases/<int:case_id>/deliver")
@requires(Permission.CERTIFICATE_ISSUE)
def deliver(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.deliver(
        db.session, c, actor=a, now=now(), channel=_field("channel"), recipient=_field("recipient"),
        address=_field("address"), expected_version=_version()), "送达已记录，本件办结", Action.DELIVER)


@bp.post("/cases/<int:case_id>/check")
@requires(Permission.CASE_REVIEW)
def check(case_id: int) -> Any:
    passed = _field("result") == "passed"
    return _act(case_id, lambda c, a: review.record_check(
        db.session, c, actor=a, now=now(), passed=passed, finding=_field("finding")),
        "事后核查已记录" if passed else "核查发现承诺不实，已撤销许可", Action.PASS_CHECK if passed else Action.REVOKE)


@bp.post("/cases/<int:case_id>/revoke")
@requires(Permission.CASE_DECIDE)
def revoke(case_id: int) -> Any:
    return _act(case_id, lambda c, a: review.revoke(db.session, c, actor=a, now=now(), reason=_field("reason")),
                "已撤销许可决定", Action.REVOKE)


@bp.get("/rectification")
@requires(Permission.RECTIFICATION_CALLBACK)
def rectification() -> Any:
    """差评整改: the town's rectification tasks, open ones first."""
    tasks = ratings.tasks_for(db.session, current_actor())
    tasks.sort(key=lambda t: (not t.is_open, t.due_on))
    return render_template("workbench/rectification.html", tasks=tasks, errors={}, values={},
                           score_labels=ratings.SCORE_LABELS)


@bp.post("/rectification/<int:task_id>/callback")
@requires(Permission.RECTIFICATION_CALLBACK)
def callback(task_id: int) -> Any:
    actor = current_actor()
    task = ratings.staff_task(db.session, actor, task_id)
    try:
        ratings.record_callback(db.session, task, actor=actor, now=now(), outcome=_field("outcome"))
    except ValidationFailed as exc:
        db.session.rollback()
        tasks = ratings.tasks_for(db.session, actor)
        return render_template("workbench/rectification.html", tasks=tasks, errors=exc.details or {},
                               values={"task_id": task_id}, score_labels=ratings.SCORE_LABELS), 422
    db.session.commit()
    flash("回访已记录，整改任务办结")
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
    return Response(content, mimetype=found.file.blob.content_type,
                    headers={"Content-Disposition": f"attachment; filename=material-{found.id}"})


@bp.route("/file", methods=["GET", "POST"])
@requires(Permission.CASE_FILE_ON_BEHALF)
def file_start() -> Any:
    """帮办代办 step 1: find the walk-in applicant's account by mobile, or open one for them."""
    towns = visible_towns(db.session, current_actor())
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            applicant, town, item_code = intake.walk_in_applicant(db.session, request.form, towns=towns, now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {}
        else:
            db.session.commit()
            return redirect(url_for("workbench.file_apply", town_code=town.code, item_code=item_code,
                                    applicant_id=applicant.id))
    items = {t.code: intake.open_items(db.session, t, now=now()) for t in towns}
    return render_template("workbench/file.html", towns=towns, items=items, errors=errors, values=form_values()), (
        422 if errors else 200)


@bp.route("/file/<town_code>/<item_code>/<int:applicant_id>", methods=["GET", "POST"])
@requires(Permission.CASE_FILE_ON_BEHALF)
def file_apply(town_code: str, item_code: str, applicant_id: int) -> Any:
    """帮办代办 step 2: the same form the applicant would fill in, filed by the clerk."""
    actor = current_actor()
    place = next((t for t in visible_towns(db.session, actor) if t.code == town_code), None)
    applicant = db.session.get(User, applicant_id)
    if place is None or applicant is None or applicant.role != Role.APPLICANT:
        raise NotFound("未找到该申请人或乡镇")
    result = handle_apply(place, item_code, applicant, "workbench.file_apply",
                          {"town_code": town_code, "item_code": item_code, "applicant_id": applicant_id})
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
                intake.record_visit(db.session, actor=actor, town=place, visitor_name=request.form.get(
                    "visitor_name", ""), purpose=request.form.get("purpose", ""), now=now())
            except ValidationFailed as exc:
                db.session.rollback()
                errors = exc.details or {}
            else:
                db.session.commit()
                flash("来访已登记")
                return redirect(url_for("workbench.visits"))
    return render_template("workbench/visits.html", towns=towns, errors=errors, values=form_values()), (
        422 if errors else 200)
