"""Online intake (行政许可法 第二十九条至第三十二条): apply once, corrected once, accepted by the law's rules.

All functions take the session, the acting user and ``now``; none commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms.definition import FormDefinition
from forms.submission import SubmissionContext, dump_submission
from power_lists.models import PowerType
from service_hall.accounts.models import User
from service_hall.accounts.operations import applicant_by_mobile, register_applicant
from service_hall.audit.trail import record
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import events
from service_hall.cases.clock import INTAKE_DAYS, local_date, next_number
from service_hall.cases.context import Context
from service_hall.cases.models import (
    Application,
    ApplicationMaterial,
    CaseStatus,
    ClockPause,
    CorrectionNotice,
    Notice,
    NoticeKind,
    PauseKind,
    Visit,
)
from service_hall.cases.rules import ItemRules, rules_for
from service_hall.cases.transitions import Action, Stage, apply_transition
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.files.models import ApplicantFile
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel


@dataclass(frozen=True)
class ApplicationForm:
    """What an applicant is filling in: the pinned item, its rules and its form definition."""

    item: Any
    rules: ItemRules
    form_version_id: int | None
    definition: FormDefinition | None


def _villages(session: Session, town: Jurisdiction) -> dict[str, str]:
    return {j.code: j.name for j in session.scalars(select(Jurisdiction).where(Jurisdiction.parent_id == town.id))}


def application_form(session: Session, town: Jurisdiction, item_code: str, *, now: dt.datetime) -> ApplicationForm:
    """The item as the town holds it today, with its current form (the designed one, or the default
    generated from its guide).

    Raises NotFound if the town does not hold the power today or the item takes no applications.
    """
    from power_lists.item_forms import form_in_force
    from power_lists.queries import item_for_town

    if town.level != JurisdictionLevel.TOWN:
        raise NotFound("请选择乡镇或街道")
    item = item_for_town(session, item_code, town.id, local_date(now))
    rules = rules_for(item)
    if not rules.opens_application:
        raise NotFound("该事项不接受网上申请")
    form = form_in_force(session, item, now)
    return ApplicationForm(item, rules, form.version_id, form.definition)


def open_items(session: Session, town: Jurisdiction, *, now: dt.datetime) -> list[Any]:
    """The items the town holds today that take online applications: application-type, with a complete
    办事指南 and a published form (see ``power_lists.readiness``); the others are done at the window."""
    from power_lists.readiness import open_items as ready_items

    return ready_items(session, town, now=now)


@dataclass(frozen=True)
class WalkIn:
    """帮办代办 step 1's outcome: who is filed for, where, what, and whether the applicant, present at the
    window, allowed their stored materials to be reused (材料复用授权码)."""

    applicant: User
    town: Jurisdiction
    item_code: str
    reuse_granted: bool


def _identity_matches(applicant: User, given: str) -> bool:
    given = given.strip().upper()
    return bool(given) and given in {(applicant.id_number or "").upper(), (applicant.credit_code or "").upper()}


def present_applicant(session: Session, data: Mapping[str, Any]) -> User | None:
    """The applicant whose account matches both ``mobile`` and ``id_number`` in ``data``, if any (a mobile
    number alone reveals nobody). Raises nothing."""
    found = applicant_by_mobile(session, str(data.get("mobile", "")).strip())
    return found if found is not None and _identity_matches(found, str(data.get("id_number", ""))) else None


def walk_in_applicant(session: Session, data: Mapping[str, Any], *, towns: Sequence[Jurisdiction],
                      now: dt.datetime) -> WalkIn:
    """帮办代办 step 1: the walk-in applicant's account found by mobile *and* identity number (so that a
    mobile number alone reveals nobody) — or opened for them when ``register`` is "1" — and the town (one
    of the clerk's ``towns``) and item code to file for. A ``reuse_code`` the applicant generated on
    their own portal page lets the clerk reuse the applicant's stored materials.

    Raises ValidationFailed listing every problem at once; nothing is stored, except that a wrong
    ``reuse_code`` counts against the applicant's open code (the ``reuse_code`` field is then among the
    errors, and the caller commits that refusal).
    """
    from service_hall.files.consent import redeem_reuse_code

    errors: dict[str, str] = {}
    found = applicant_by_mobile(session, str(data.get("mobile", "")).strip())
    applicant = present_applicant(session, data)
    registered = False
    if found is None and data.get("register") == "1":
        try:
            applicant = register_applicant(session, data, now=now)
            registered = True
        except ValidationFailed as exc:
            errors.update(exc.details or {})
    elif applicant is None:
        # The same answer whether the mobile is unknown or the identity number does not match it.
        errors["mobile"] = "未找到手机号码和证件号码均相符的申请人；尚无账号的，请勾选“为其开户”"
    item_code = str(data.get("item_code", ""))
    town = next((t for t in towns if t.code == data.get("town_code")), None)
    if not item_code:
        errors["item_code"] = "请选择办理事项"
    if town is None:
        errors["town_code"] = "只能在本乡镇（街道）代办"
    if errors or applicant is None or town is None:
        raise ValidationFailed("代办信息有误，请按提示修改", details=errors)
    code = str(data.get("reuse_code", "")).strip()
    if code and not registered:
        redeem_reuse_code(session, applicant, code, now=now, field="reuse_code")
    return WalkIn(applicant, town, item_code, reuse_granted=bool(code) and not registered)


def _validate_data(session: Session, town: Jurisdiction, form: ApplicationForm, data: Mapping[str, Any],
                   now: dt.datetime) -> dict[str, Any]:
    if form.definition is None:
        return {}
    context = SubmissionContext(today=local_date(now), villages=_villages(session, town))
    # Validates the raw input (raising ValidationFailed with every problem) and returns JSON-safe values.
    return dump_submission(form.definition, data, context=context)


def _material_errors(form: ApplicationForm, attached: Mapping[str, ApplicantFile], owner_id: int,
                     new: Mapping[str, ApplicantFile]) -> dict[str, str]:
    """Every material problem at once: essential ones missing, unknown ones, someone else's files."""
    errors = {f"material-{code}": "只能使用本人上传的材料" for code, f in new.items() if f.owner_id != owner_id}
    for m in form.rules.materials:
        if m.required and not m.deferrable and m.code not in attached:
            errors[f"material-{m.code}"] = f"请上传“{m.name}”"
    unknown = set(attached) - {m.code for m in form.rules.materials}
    for code in unknown:
        errors[f"material-{code}"] = "该事项不需要此材料"
    return errors


def application_problems(ctx: Context, *, applicant: User, town: Jurisdiction, item_code: str,
                         data: Mapping[str, Any], materials: Mapping[str, ApplicantFile],
                         upload_errors: Mapping[str, str] | None = None
                         ) -> tuple[ApplicationForm, dict[str, Any], dict[str, str]]:
    """What :func:`submit_application` would refuse, without storing anything: the form, the cleaned
    data and every form and material problem (empty when it would be accepted). A 一件事 checks all its
    items with it before submitting any (docs/bundles.md). Raises NotFound (town does not hold the power).
    """
    form = application_form(ctx.session, town, item_code, now=ctx.now)
    errors: dict[str, str] = dict(upload_errors or {})
    try:
        clean = _validate_data(ctx.session, town, form, data, ctx.now)
    except ValidationFailed as exc:
        errors.update(exc.details or {})
        clean = {}
    errors.update({k: v for k, v in _material_errors(form, materials, applicant.id, materials).items()
                   if k not in errors})
    return form, clean, errors


def submit_application(ctx: Context, *, applicant: User, town: Jurisdiction, item_code: str,
                       data: Mapping[str, Any], materials: Mapping[str, ApplicantFile], submission_key: str,
                       upload_errors: Mapping[str, str] | None = None,
                       awaiting_prerequisite: bool = False) -> tuple[Application, bool]:
    """Create and submit an application in one step; returns (application, created).

    ``awaiting_prerequisite``: a bundle item that needs another item's result is submitted into
    ``awaiting_prerequisite`` — not yet received, so no intake period and no clock until
    :func:`start_after_prerequisite` (docs/bundles.md, "Order").

    The same ``submission_key`` from the same applicant returns the application already made (double
    click, retry) instead of a second one. Raises NotFound (town does not hold the power), ValidationFailed
    with every form and material problem at once (nothing is stored), Conflict.
    """
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    if not submission_key or len(submission_key) > 64:
        raise ValidationFailed("提交标识无效，请刷新页面后重试")
    existing = session.scalar(select(Application).where(Application.applicant_id == applicant.id,
                                                        Application.submission_key == submission_key))
    if existing is not None and existing.status != CaseStatus.DRAFT:
        return existing, False
    form, clean, errors = application_problems(ctx, applicant=applicant, town=town, item_code=item_code, data=data,
                                               materials=materials, upload_errors=upload_errors)
    if errors:
        raise ValidationFailed("申请信息有误，请按提示修改", details=errors)

    case = existing or Application(
        ref=secrets.token_urlsafe(12), applicant=applicant, submission_key=submission_key, created_at=now,
        status=CaseStatus.DRAFT, town_id=town.id, power_item_id=form.item.id, item_code=item_code,
        item_name=form.rules.name, updated_at=now,
    )
    if existing is None:
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
        except IntegrityError:
            # The same key arrived twice at once (double click, retry): the first one made it.
            existing = session.scalar(select(Application).where(Application.applicant_id == applicant.id,
                                                                Application.submission_key == submission_key))
            if existing is None:
                raise
            if existing.status != CaseStatus.DRAFT:
                return existing, False
            raise Conflict("该申请正在保存，请刷新页面后查看") from None
    case.town_id = town.id
    case.power_item_id = form.item.id
    case.form_definition_id = form.form_version_id
    case.data = clean
    case.filed_by_id = actor.id if actor.id != applicant.id else None
    case.promised_days = form.rules.promised_days
    case.statutory_days = form.rules.statutory_days
    session.add(case)
    session.flush()
    _attach(session, case, form, materials, now)
    today = local_date(now)
    case.submitted_at = now
    year = today.year
    case.case_number = f"{town.code[:9]}{year}{next_number(session, 'case:' + town.code, year):06d}"
    if awaiting_prerequisite:
        apply_transition(session, case, Action.AWAIT_PREREQUISITE, actor=actor, now=now,
                         params={"filed_on_behalf": case.filed_by_id is not None})
        return case, True
    _receive(case, today, calendar)
    apply_transition(session, case, Action.SUBMIT, actor=actor, now=now,
                     duty=None, params={"filed_on_behalf": case.filed_by_id is not None})
    return case, True


def _receive(case: Application, today: dt.date, calendar: WorkingCalendar) -> None:
    """The application counts as received ``today``: the 5 working days of intake run from it."""
    case.received_on = today
    due = calendar.add_working_days(today, INTAKE_DAYS)
    case.intake_due_on = due.due
    case.deadline_provisional = due.provisional


def start_after_prerequisite(session: Session, case: Application, *, now: dt.datetime, calendar: WorkingCalendar,
                             reason: str, params: dict[str, Any] | None = None) -> None:
    """Every item a waiting bundle item needs is granted: it is received today and its clock starts
    (docs/bundles.md, "Order"). The system acts. Raises Conflict (not waiting)."""
    apply_transition(session, case, Action.START_AFTER_PREREQUISITE, actor=None, now=now, reason=reason,
                     params=params)
    _receive(case, local_date(now), calendar)


def terminate(session: Session, case: Application, *, now: dt.datetime, reason: str,
              params: dict[str, Any] | None = None) -> None:
    """终止办理: an item the waiting case needs was refused, not granted or withdrawn, so it cannot proceed.
    The system acts; the applicant is told by the outbox. Raises Conflict (not waiting)."""
    apply_transition(session, case, Action.TERMINATE, actor=None, now=now, reason=reason, params=params)
    case.closed_at = now


def save_draft(ctx: Context, *, applicant: User, town: Jurisdiction, item_code: str, data: Mapping[str, Any],
               materials: Mapping[str, ApplicantFile], submission_key: str) -> Application:
    """Keep what the applicant has typed so far (not validated, no case number, no clock).

    Raises NotFound (town does not hold the power), ValidationFailed (bad key), Conflict (already submitted).
    """
    session, now = ctx.session, ctx.now
    if not submission_key or len(submission_key) > 64:
        raise ValidationFailed("提交标识无效，请刷新页面后重试")
    form = application_form(session, town, item_code, now=now)
    case = session.scalar(select(Application).where(Application.applicant_id == applicant.id,
                                                    Application.submission_key == submission_key))
    if case is not None and case.status != CaseStatus.DRAFT:
        raise Conflict("该申请已提交，不能再保存为草稿")
    if case is None:
        case = Application(ref=secrets.token_urlsafe(12), applicant=applicant, submission_key=submission_key,
                           created_at=now, status=CaseStatus.DRAFT, town_id=town.id, power_item_id=form.item.id,
                           item_code=item_code, item_name=form.rules.name)
        session.add(case)
    case.data = {k: v for k, v in data.items() if not k.startswith("_")}
    case.updated_at = now
    session.flush()
    _attach(session, case, form, {c: f for c, f in materials.items() if f.owner_id == applicant.id}, now)
    return case


def _attach(session: Session, case: Application, form: ApplicationForm, materials: Mapping[str, ApplicantFile],
            now: dt.datetime) -> None:
    names = {m.code: m.name for m in form.rules.materials}
    current = {m.material_code: m for m in case.materials}
    for code, f in materials.items():
        if code in current:
            current[code].file = f
            current[code].attached_at = now
        else:
            case.materials.append(ApplicationMaterial(material_code=code, material_name=names.get(code, code),
                                                      file=f, attached_at=now))
    session.flush()


def duties_text(case: Application, stage: Stage) -> str | None:
    """The 责任事项 the list attaches to this stage, as recorded in the audit trail."""
    return "；".join(rules_for(case.power_item).duties.get(stage, [])) or None


def issue_notice(session: Session, case: Application, kind: NoticeKind, *, actor: User | None, now: dt.datetime,
            content: dict[str, Any]) -> Notice:
    """Issue a dated, numbered written notice (文号 per issuing authority, kind and year, gap-free)."""
    today = local_date(now)
    from power_lists.offices import notice_series

    # 下放: the town's own series; 委托 / 窗口前移: the office's, shared by every town acting for it.
    prefix, series = notice_series(case.power_item, case.town)
    licensing = case.power_item.power_type is PowerType.LICENSING
    abbreviation = kind.number_prefix_for(licensing)
    # One counter per printed series: 行政许可's 许受 and the other types' 受 are two series.
    counter = f"notice:{kind.value}:{series}" if abbreviation == kind.number_prefix else \
        f"notice:{kind.value}:general:{series}"
    seq = next_number(session, counter, today.year)
    number = f"{prefix}{abbreviation}〔{today.year}〕{seq}号"
    notice = Notice(kind=kind, number=number, issued_on=today, content=content,
                    issued_by_id=actor.id if actor else None)
    case.notices.append(notice)
    session.flush()
    events.notice(session, notice, now=now)  # the outbox (docs/notifications.md)
    return notice


def _set_decision_deadlines(case: Application, calendar: WorkingCalendar) -> None:
    assert case.accepted_on is not None
    pauses = [(p.started_on, p.ended_on) for p in case.pauses if p.kind != PauseKind.CORRECTION]
    promised = calendar.add_working_days_with_pauses(case.accepted_on, case.promised_days, pauses)
    statutory = calendar.add_working_days_with_pauses(case.accepted_on,
                                                      case.statutory_days + case.extension_days, pauses)
    case.due_on = promised.due
    case.statutory_due_on = statutory.due
    case.deadline_provisional = promised.provisional or statutory.provisional


def _start_decision_clock(session: Session, case: Application, accepted_on: dt.date, *, actor: User | None,
                          now: dt.datetime, calendar: WorkingCalendar, **extra: Any) -> Notice:
    """Every way of accepting ends here: the decision deadlines run from ``accepted_on`` and the
    受理通知书 states them."""
    case.accepted_on = accepted_on
    _set_decision_deadlines(case, calendar)
    return issue_notice(session, case, NoticeKind.ACCEPTANCE, actor=actor, now=now, content={
        "accepted_on": accepted_on.isoformat(), "due_on": case.due_on.isoformat() if case.due_on else None,
        "statutory_due_on": case.statutory_due_on.isoformat() if case.statutory_due_on else None,
        "provisional": case.deadline_provisional, **extra})


def accept(ctx: Context, case: Application, *, expected_version: int | None = None) -> Notice:
    """受理: start the decision clock and issue the 受理通知书. Raises Conflict, PermissionDenied."""
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    apply_transition(session, case, Action.ACCEPT, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.INTAKE))
    return _start_decision_clock(session, case, local_date(now), actor=actor, now=now, calendar=calendar)


def accept_with_pledge(ctx: Context, case: Application, *, missing: Sequence[str], pledge_days: int,
                       pledge_signed: bool = False, expected_version: int | None = None) -> Notice:
    """容缺受理: accept although non-essential materials are missing, against the applicant's pledge to
    supply them within ``pledge_days`` working days, signed by the applicant (``pledge_signed``: the window
    confirms the signed 容缺受理承诺书). Raises ValidationFailed if a named material is essential, already
    supplied or unknown, or the pledge is not signed; Conflict; PermissionDenied."""
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    rules = rules_for(case.power_item)
    by_code = {m.code: m for m in rules.materials}
    supplied = {m.material_code for m in case.materials}
    errors = {}
    if not missing:
        errors["missing"] = "请选择容缺的材料"
    for code in missing:
        m = by_code.get(code)
        if m is None:
            errors["missing"] = f"材料 {code} 不属于本事项"
        elif not m.deferrable:
            errors["missing"] = f"“{m.name}”不允许容缺，须补正后受理"
        elif code in supplied:
            errors["missing"] = f"“{m.name}”已提交，无需容缺"
    if not 1 <= pledge_days <= 30:
        errors["pledge_days"] = "补交期限应为1至30个工作日"
    if not pledge_signed:
        errors["pledge_signed"] = "容缺受理须申请人签署承诺书（承诺限期补交所缺材料），请签署后勾选确认"
    if errors:
        raise ValidationFailed("容缺受理信息有误", details=errors)
    apply_transition(session, case, Action.ACCEPT_WITH_PLEDGE, actor=actor, now=now,
                     expected_version=expected_version, duty=duties_text(case, Stage.INTAKE),
                     params={"missing": list(missing), "pledge_days": pledge_days})
    today = local_date(now)
    case.pledge_materials = list(missing)
    case.pledge_due_on = calendar.add_working_days(today, pledge_days).due
    return _start_decision_clock(session, case, today, actor=actor, now=now, calendar=calendar,
                                 pledge=[by_code[c].name for c in missing],
                                 pledge_due_on=case.pledge_due_on.isoformat(), pledge_signed=True)


def request_correction(ctx: Context, case: Application, *, items: Sequence[Mapping[str, str]], respond_days: int,
                       expected_version: int | None = None) -> Notice:
    """一次性告知: list every missing or faulty item at once; the clock pauses until the applicant answers.

    ``items`` are ``{"target": material code or field name, "problem": text}``. Raises ValidationFailed
    for an empty list or blank problems, Conflict if a correction was already requested (once only)
    or the state does not allow it, PermissionDenied.
    """
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    rules = rules_for(case.power_item)
    names = {m.code: m.name for m in rules.materials}
    clean: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for i, it in enumerate(items):
        target = (it.get("target") or "").strip()
        problem = (it.get("problem") or "").strip()
        if not target and not problem:
            continue
        if not problem:
            errors[f"items[{i}].problem"] = "请写明需要补正的内容"
        elif len(problem) > 500:
            errors[f"items[{i}].problem"] = "补正说明不能超过500字"
        clean.append({"target": target, "name": names.get(target, target or "申请信息"), "problem": problem})
        if target.startswith(FIELD_TARGET):
            # "field:<name>", or "field:<position>" as the page sends it (the page shows labels only).
            fields = pinned_definition(session, case)
            known = list(fields.fields) if fields else []
            ref = target.removeprefix(FIELD_TARGET)
            field = (known[int(ref)] if ref.isdigit() and int(ref) < len(known)
                     else next((f for f in known if f.name == ref), None))
            if field is None:
                errors[f"items[{i}].target"] = "申请表中没有该项信息"
            else:
                clean[-1].update(target=FIELD_TARGET + field.name, name=f"申请信息：{field.label}")
    if not clean:
        errors["items"] = "请至少列出一项需要补正的材料或信息"
    if not 1 <= respond_days <= 60:
        errors["respond_days"] = "补正期限应为1至60个工作日"
    if errors:
        raise ValidationFailed("补正告知内容有误", details=errors)
    apply_transition(session, case, Action.REQUEST_CORRECTION, actor=actor, now=now,
                     expected_version=expected_version, duty=duties_text(case, Stage.INTAKE),
                     params={"items": clean})
    today = local_date(now)
    respond = calendar.add_working_days(today, respond_days)
    respond_by = respond.due
    case.corrections.append(CorrectionNotice(items=clean, respond_by=respond_by, issued_at=now, issued_by_id=actor.id))
    case.pauses.append(ClockPause(kind=PauseKind.CORRECTION, started_on=today))
    return issue_notice(session, case, NoticeKind.CORRECTION, actor=actor, now=now,
                        content={"items": clean, "respond_by": respond_by.isoformat(),
                                 "provisional": respond.provisional})


FIELD_TARGET = "field:"  # a correction item that names a field of the application form, not a material


def pinned_definition(session: Session, case: Application) -> FormDefinition | None:
    """The form definition the case was submitted with: its stored version, or the form generated from
    the item version it was made for. Raises nothing."""
    from power_lists.item_forms import pinned_form

    return pinned_form(session, case.form_definition_id, case.power_item)


def fields_to_correct(session: Session, case: Application) -> FormDefinition | None:
    """The part of the pinned form that the open correction notice asks to correct: only those fields
    open for editing (None when the notice names no field). Raises nothing."""
    definition = pinned_definition(session, case)
    if definition is None or not case.corrections:
        return None
    names = {i["target"].removeprefix(FIELD_TARGET) for i in case.corrections[-1].items
             if str(i.get("target", "")).startswith(FIELD_TARGET)}
    subset = tuple(f for f in definition.fields if f.name in names)
    return replace(definition, fields=subset) if subset else None


def resubmit(ctx: Context, case: Application, *, data: Mapping[str, Any] | None, materials: Mapping[str, ApplicantFile],
             upload_errors: Mapping[str, str] | None = None, form_post: Any = None) -> None:
    """The applicant answers the correction notice; the intake period starts again from today.

    Only the fields the notice names may change (from ``data``, or parsed from the page's ``form_post``);
    the whole application is validated again, and each change is kept as before/after on the notice.
    Raises ValidationFailed (nothing changes), Conflict, PermissionDenied.
    """
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    town = case.town
    rules = rules_for(case.power_item)
    definition = pinned_definition(session, case)
    form = ApplicationForm(case.power_item, rules, case.form_definition_id, definition)
    errors: dict[str, str] = dict(upload_errors or {})
    clean = case.data
    editable = fields_to_correct(session, case)
    edited: dict[str, Any] = {}
    if editable is not None:
        names = {f.name for f in editable.fields}
        if form_post is not None:
            from forms.submission import parse_html_form

            edited = parse_html_form(editable, form_post)
        elif data is not None:
            edited = {k: v for k, v in data.items() if k in names}
    if edited and definition is not None:
        try:
            clean = _validate_data(session, town, form, {**(case.data or {}), **edited}, now)
        except ValidationFailed as exc:
            errors.update(exc.details or {})
    attached = {m.material_code: m.file for m in case.materials} | dict(materials)
    errors.update({k: v for k, v in _material_errors(form, attached, case.applicant_id, materials).items()
                   if k not in errors})
    if errors:
        raise ValidationFailed("补正信息有误，请按提示修改", details=errors)
    changes = {k: [(case.data or {}).get(k), clean.get(k)] for k in edited if (case.data or {}).get(k) != clean.get(k)}
    apply_transition(session, case, Action.RESUBMIT, actor=actor, now=now,
                     params={"changes": changes} if changes else None)
    if changes:
        notice = case.corrections[-1]
        notice.items = [{**i, "before": changes[name][0], "after": changes[name][1]}
                        if (name := str(i.get("target", "")).removeprefix(FIELD_TARGET)) in changes else i
                        for i in notice.items]
    case.data = clean
    _attach(session, case, form, materials, now)
    today = local_date(now)
    for pause in case.pauses:
        if pause.kind == PauseKind.CORRECTION and pause.ended_on is None:
            pause.ended_on = today
    case.corrections[-1].answered_at = now
    # 行政许可法 第三十二条: the application counts as received when the corrected materials arrive
    # (a bundle item still waiting for another's result is received only when that result comes).
    if case.received_on is not None:
        _receive(case, today, calendar)


def supply_deferred(ctx: Context, case: Application, *, files: Mapping[str, ApplicantFile],
                    upload_errors: Mapping[str, str] | None = None) -> list[str]:
    """容缺受理 kept: the applicant supplies materials deferred at acceptance; returns the codes supplied
    and still pending ones stay listed. Raises Conflict (nothing pending, the case has ended),
    ValidationFailed (no file for a pending material, a refused upload), PermissionDenied (not the
    applicant)."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    if actor.id != case.applicant_id:
        raise PermissionDenied("只有申请人本人可以补交容缺材料")
    pending = list(case.pledge_materials or [])
    if not pending or case.status.is_final:
        raise Conflict("本件没有待补交的容缺材料")
    errors = {k: v for k, v in (upload_errors or {}).items() if k.removeprefix("material-") in pending}
    supplied = {code: f for code, f in files.items() if code in pending}
    if not supplied and not errors:
        errors["material-" + pending[0]] = "请选择要补交的材料"
    if errors:
        raise ValidationFailed("补交材料有误，请按提示修改", details=errors)
    form = ApplicationForm(case.power_item, rules_for(case.power_item), case.form_definition_id, None)
    _attach(session, case, form, supplied, now)
    case.pledge_materials = [code for code in pending if code not in supplied]
    record(session, actor=actor, action="case.supply_deferred", object_type="application", object_id=case.id,
           now=now, jurisdiction_id=case.town_id,
           payload={"supplied": sorted(supplied), "pending": case.pledge_materials})
    return sorted(supplied)


def refuse(ctx: Context, case: Application, *, reason: str,
           competent_office: str | None = None, expected_version: int | None = None) -> Notice:
    """不予受理 with a written reason (e.g. not this office's power: name the competent office).

    Raises ValidationFailed (no reason), Conflict, PermissionDenied.
    """
    session, actor, now = ctx.session, ctx.user, ctx.now
    reason = (reason or "").strip()
    competent_office = (competent_office or "").strip() or None
    errors = {}
    if not reason:
        errors["reason"] = "请写明不予受理的理由"
    elif len(reason) > 1000:
        errors["reason"] = "理由不能超过1000字"
    if competent_office and len(competent_office) > 100:
        errors["competent_office"] = "机关名称不能超过100字"
    if errors:
        raise ValidationFailed("不予受理决定内容有误", details=errors)
    apply_transition(session, case, Action.REFUSE, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.INTAKE), reason=reason,
                     params={"competent_office": competent_office})
    case.closed_at = now
    return issue_notice(session, case, NoticeKind.REFUSAL, actor=actor, now=now, content={
        "reason": reason, "competent_office": competent_office,
        "remedies": "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"})


def withdraw(ctx: Context, case: Application, *, reason: str | None = None) -> None:
    """The applicant withdraws before a decision. Raises Conflict, PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    apply_transition(session, case, Action.WITHDRAW, actor=actor, now=now, reason=(reason or "").strip() or None)
    case.closed_at = now
    for pause in case.pauses:
        if pause.ended_on is None:
            pause.ended_on = local_date(now)


def sweep_deemed_acceptance(session: Session, *, now: dt.datetime, calendar: WorkingCalendar) -> list[Application]:
    """Accept every submitted case nobody acted on within 5 working days of receipt, as of the day it was
    received (行政许可法 第三十二条), and record that it happened by operation of law."""
    today = local_date(now)
    due = list(session.scalars(select(Application).where(Application.status == CaseStatus.SUBMITTED,
                                                         Application.intake_due_on < today)
                               .with_for_update(of=Application, skip_locked=True)))
    done = []
    for case in due:
        assert case.received_on is not None
        if calendar.working_days_between(case.received_on, today).days <= INTAKE_DAYS:
            continue  # the table changed since the due date was computed
        apply_transition(session, case, Action.DEEM_ACCEPT, actor=None, now=now,
                         reason="收到申请之日起五个工作日内未作出受理决定，依法自收到申请之日起视为受理",
                         params={"received_on": case.received_on.isoformat()})
        case.deemed_accepted = True
        _start_decision_clock(session, case, case.received_on, actor=None, now=now, calendar=calendar, deemed=True)
        done.append(case)
    return done


def record_visit(ctx: Context, *, town: Jurisdiction, visitor_name: str, purpose: str,
                 case: Application | None = None) -> Visit:
    """Record a physical visit to the window. Raises ValidationFailed."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    visitor_name = (visitor_name or "").strip()
    purpose = (purpose or "").strip()
    errors = {}
    if not visitor_name or len(visitor_name) > 50:
        errors["visitor_name"] = "请填写来访人姓名（50字以内）"
    if not purpose or len(purpose) > 200:
        errors["purpose"] = "请填写来访事由（200字以内）"
    if errors:
        raise ValidationFailed("来访登记信息有误", details=errors)
    visit = Visit(application_id=case.id if case else None, applicant_id=case.applicant_id if case else None,
                  town_id=town.id, visitor_name=visitor_name, purpose=purpose, at=now, recorded_by_id=actor.id)
    session.add(visit)
    session.flush()
    record(session, actor=actor, action="visit.record", object_type="visit", object_id=visit.id, now=now,
           jurisdiction_id=town.id, payload={"application": case.case_number if case else None})
    return visit


def visits_for(session: Session, case: Application) -> list[Visit]:
    return list(session.scalars(select(Visit).where(Visit.application_id == case.id).order_by(Visit.at)))
