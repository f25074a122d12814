"""One submission, linked cases: a bundle case over one ordinary case per item (docs/bundles.md, "Cases").

Each item case is created by the ordinary intake (``cases.intake.submit_application``) and keeps its
own statutory clock, office, reviewers, notices and audit; the bundle adds what the applicant sees as
one: the composed form, one combined 一次性告知 (each item case still gets its own 补正材料告知书), one
progress view, one delivery of results (统一出件) unless the applicant asked for each as ready, what
a refusal of one item means for the others, and withdrawing everything at once.

Every function takes a :class:`~service_hall.cases.context.Context`; none commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.bundles.composition import Composition
from service_hall.bundles.models import Bundle, BundleCase, BundleCaseItem, BundleCorrection, Delivery
from service_hall.bundles.prerequisites import start_ready, waiting_note
from service_hall.bundles.versions import bundle_in_force, composition, suspension
from service_hall.cases import intake, review
from service_hall.cases.clock import local_date, next_number
from service_hall.cases.context import Context
from service_hall.cases.models import Application, CaseStatus
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.files.models import ApplicantFile
from service_hall.jurisdictions.models import Jurisdiction

GOOD_END = frozenset({CaseStatus.APPROVED, CaseStatus.DELIVERED})
BAD_END = frozenset({CaseStatus.REFUSED, CaseStatus.DENIED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED,
                     CaseStatus.TERMINATED})


def _audit(ctx: Context, bundle_case: BundleCase, action: AuditAction, payload: dict[str, Any] | None = None) -> None:
    record(ctx.session, actor=ctx.actor, action=action, object_type="bundle_case", object_id=bundle_case.id,
           now=ctx.now, jurisdiction_id=bundle_case.town_id,
           payload={"number": bundle_case.number, "bundle": bundle_case.bundle.code, **(payload or {})})


def _item_keys(key: str, count: int) -> list[str]:
    return [f"{key[:56]}/{n}" for n in range(1, count + 1)]


def submit(ctx: Context, *, applicant: User, town: Jurisdiction, bundle_code: str, values: Mapping[str, Any],
           materials: Mapping[str, ApplicantFile], submission_key: str, delivery: str = Delivery.TOGETHER.value,
           upload_errors: Mapping[str, str] | None = None) -> tuple[BundleCase, bool]:
    """Submit the composed form: one bundle case and one case per item; returns (bundle case, created).

    ``values`` are the composed form's values (``forms.submission.parse_html_form`` of the composed
    definition, or the API's JSON); ``materials`` the uploads by composed code. Every item is checked
    before any is submitted: ValidationFailed lists every problem of every item at once, in the composed
    form's names, and nothing is stored. The same ``submission_key`` returns the bundle case already
    made. Raises NotFound (bundle not in force or not offered in the town), ValidationFailed.
    """
    session = ctx.session
    if not submission_key or len(submission_key) > 64:
        raise ValidationFailed("提交标识无效，请刷新页面后重试")
    existing = session.scalar(select(BundleCase).where(BundleCase.applicant_id == applicant.id,
                                                       BundleCase.submission_key == submission_key))
    if existing is not None:
        return existing, False
    bundle = bundle_in_force(session, town.county, bundle_code, ctx.now)
    if (reason := suspension(session, bundle, town, ctx.now)) is not None:
        raise NotFound(reason)
    if delivery not in {d.value for d in Delivery}:
        raise ValidationFailed("请选择出件方式", details={"delivery": "请选择出件方式"})
    comp = composition(session, bundle, ctx.now)
    data = comp.split(values)
    files = comp.split_materials(materials)
    errors: dict[str, str] = dict(upload_errors or {})
    for code in bundle.item_codes:
        _, _, problems = intake.application_problems(ctx, applicant=applicant, town=town, item_code=code,
                                                     data=data.get(code, {}), materials=files.get(code, {}))
        for path, message in problems.items():
            errors.setdefault(comp.composed_path(code, path), message)
    if errors:
        raise ValidationFailed("申请信息有误，请按提示修改", details=errors)
    year = local_date(ctx.now).year
    bundle_case = BundleCase(
        ref=secrets.token_urlsafe(12), bundle=bundle, applicant=applicant, town=town, submission_key=submission_key,
        submitted_at=ctx.now, delivery=Delivery(delivery), data=dict(values),
        filed_by_id=ctx.user.id if ctx.user.id != applicant.id else None,
        number=f"YJS{town.code[:9]}{year}{next_number(session, 'bundle:' + town.code, year):05d}")
    session.add(bundle_case)
    for n, (code, key) in enumerate(zip(bundle.item_codes, _item_keys(submission_key, len(bundle.items)),
                                        strict=True), start=1):
        # An item that needs another's result waits for it, its clock not running (docs/bundles.md, "Order").
        case, _ = intake.submit_application(ctx, applicant=applicant, town=town, item_code=code,
                                            data=data.get(code, {}), materials=files.get(code, {}), submission_key=key,
                                            awaiting_prerequisite=bool(bundle.after(code)))
        bundle_case.links.append(BundleCaseItem(application=case, item_code=code, position=n))
    session.flush()
    _audit(ctx, bundle_case, AuditAction.BUNDLE_CASE_SUBMIT,
           {"cases": [c.case_number for c in bundle_case.cases], "delivery": delivery})
    return bundle_case, True


# --- reading ---------------------------------------------------------------------------------------

def own_bundle_case(ctx: Context, applicant: User, ref: str) -> BundleCase:
    """The applicant's own bundle case by its reference. Raises NotFound."""
    found = ctx.session.scalar(select(BundleCase).where(BundleCase.ref == ref, BundleCase.applicant_id == applicant.id))
    if found is None:
        raise NotFound("未找到该申请")
    return found


def staff_bundle_case(ctx: Context, bundle_case_id: int) -> BundleCase:
    """A bundle case inside the acting staff member's jurisdictions. Raises NotFound."""
    from service_hall.jurisdictions.operations import visible_jurisdiction_ids

    found = ctx.session.get(BundleCase, bundle_case_id)
    if found is None or found.town_id not in visible_jurisdiction_ids(ctx.session, ctx.user):
        raise NotFound("未找到该一件事办件")
    return found


def staff_bundle_cases(ctx: Context, *, limit: int = 100) -> list[BundleCase]:
    """The newest bundle cases of the acting staff member's jurisdictions."""
    from service_hall.jurisdictions.operations import visible_jurisdiction_ids

    ids = visible_jurisdiction_ids(ctx.session, ctx.user)
    return list(ctx.session.scalars(select(BundleCase).where(BundleCase.town_id.in_(ids))
                                    .order_by(BundleCase.submitted_at.desc(), BundleCase.id.desc()).limit(limit)))


def applicant_bundle_cases(ctx: Context, applicant: User) -> list[BundleCase]:
    return list(ctx.session.scalars(select(BundleCase).where(BundleCase.applicant_id == applicant.id)
                                    .order_by(BundleCase.submitted_at.desc())))


def bundle_of_case(ctx: Context, case: Application) -> BundleCase | None:
    """The bundle case an item case belongs to (None for an ordinary application)."""
    link = ctx.session.scalar(select(BundleCaseItem).where(BundleCaseItem.application_id == case.id))
    return link.bundle_case if link is not None else None


@dataclass(frozen=True)
class ItemProgress:
    case: Application
    name: str
    status: str
    office: str
    due_on: Any
    after: tuple[str, ...]  # names of the items whose result it needs
    waiting_for: tuple[str, ...]  # those not yet decided
    consequence: str | None  # what another item's refusal means for this one
    note: str  # what the order means for it now, in words for the person


@dataclass(frozen=True)
class Progress:
    """One progress view over every item case."""

    items: list[ItemProgress]
    state: str
    all_decided: bool
    deliverable: list[Application]  # approved item cases awaiting delivery
    results_visible: bool  # 统一出件: only once every item is decided
    open_correction: BundleCorrection | None


def progress(ctx: Context, bundle_case: BundleCase) -> Progress:
    """Each item's state, what the order and any refusal mean, and whether results may go out."""
    bundle = bundle_case.bundle
    cases = {link.item_code: link.application for link in bundle_case.links}
    names = {code: case.item_name for code, case in cases.items()}
    failed = {code for code, case in cases.items() if case.status in BAD_END}
    blocked = _dependents(bundle, failed)
    items = []
    for code, case in cases.items():
        after = tuple(bundle.after(code))
        waiting = tuple(names[a] for a in after if a in cases and cases[a].status not in GOOD_END)
        consequence = None
        causes = "、".join(f"“{names[c]}”{cases[c].status.label}" for c in blocked.get(code, []))
        if code in blocked and case.status is CaseStatus.TERMINATED:
            consequence = f"{causes}，本事项需要其结果，已终止办理"
        elif code in blocked and case.status not in BAD_END:
            consequence = f"{causes}，本事项需要其结果，无法继续办理；可以撤回本事项或整件申请"
        elif failed and code not in failed and case.status not in BAD_END:
            consequence = "其他事项未获办理，不影响本事项，本事项继续办理"
        items.append(ItemProgress(case, case.item_name, case.status.label,
                                  case.power_item.acting_authority(case.town), case.due_on,
                                  tuple(names.get(a, a) for a in after), waiting, consequence,
                                  consequence or _note(case, after, waiting)))
    all_decided = all(c.status in GOOD_END | BAD_END for c in cases.values())
    deliverable = [c for c in cases.values() if c.status is CaseStatus.APPROVED]
    correction = bundle_case.corrections[-1] if bundle_case.corrections else None
    if correction is not None and correction.answered_at is not None:
        correction = None
    return Progress(items, _state(bundle_case, cases.values(), all_decided), all_decided, deliverable,
                    bundle_case.delivery is Delivery.EACH or all_decided, correction)


def _note(case: Application, after: Sequence[str], waiting: Sequence[str]) -> str:
    quoted = "“" + "”“".join(waiting) + "”"
    if case.status is CaseStatus.AWAITING_PREREQUISITE:
        return waiting_note(waiting)
    if waiting:
        return f"须待{quoted}办结后作出决定"
    return "前序事项已办结" if after else "并联办理"


def _dependents(bundle: Bundle, failed: set[str]) -> dict[str, list[str]]:
    """Item → the failed items it needs, directly or through another item."""
    out: dict[str, list[str]] = {}
    for code in bundle.item_codes:
        seen: set[str] = set()
        stack = list(bundle.after(code))
        while stack:
            before = stack.pop()
            if before in seen:
                continue
            seen.add(before)
            stack.extend(bundle.after(before))
        causes = sorted(seen & failed)
        if causes:
            out[code] = causes
    return out


def _state(bundle_case: BundleCase, cases: Any, all_decided: bool) -> str:
    statuses = [c.status for c in cases]
    if bundle_case.withdrawn_at is not None:
        return "已撤回"
    if all(s is CaseStatus.DELIVERED or s in BAD_END for s in statuses) and any(s is CaseStatus.DELIVERED
                                                                               for s in statuses):
        return "已办结出件"
    if all(s in BAD_END for s in statuses):
        return "未获办理"
    if all_decided:
        return "已全部作出决定，待出件"
    if any(s is CaseStatus.CORRECTION_REQUESTED for s in statuses):
        return "待补正材料"
    if any(s is CaseStatus.SUBMITTED for s in statuses):
        return "已提交，待受理"
    if all(s in (CaseStatus.AWAITING_PREREQUISITE, *GOOD_END, *BAD_END) for s in statuses):
        return "等待前置事项办结"
    return "办理中"


# --- one combined correction notice ----------------------------------------------------------------

def request_correction(ctx: Context, bundle_case: BundleCase, *, pieces: Mapping[int, Sequence[Mapping[str, str]]],
                       respond_days: int) -> BundleCorrection:
    """一次性告知 for the whole bundle: ``pieces`` are each item case's missing items (by case id, the
    ``{"target", "problem"}`` of ``cases.intake.request_correction``). Every item case named gets its own
    补正材料告知书 and clock pause; the bundle gathers them into one notice. Raises ValidationFailed
    (nothing named, a bad piece — located ``cases[<id>].items[i].problem``), Conflict (an item case
    already corrected once or past intake), PermissionDenied."""
    by_id = {link.application_id: link.application for link in bundle_case.links}
    named = {cid: list(p) for cid, p in pieces.items() if any((x.get("target") or x.get("problem")) for x in p)}
    if not named:
        raise ValidationFailed("补正告知内容有误", details={"items": "请至少列出一项需要补正的材料或信息"})
    unknown = set(named) - set(by_id)
    if unknown:
        raise NotFound("未找到该事项办件")
    errors: dict[str, str] = {}
    gathered: list[dict[str, Any]] = []
    comp = composition(ctx.session, bundle_case.bundle, bundle_case.submitted_at)
    respond_by = None
    savepoint = ctx.session.begin_nested()  # every item's notice, or none
    for cid, items in named.items():
        case = by_id[cid]
        try:
            with ctx.session.begin_nested():
                intake.request_correction(ctx, case, items=items, respond_days=respond_days)
        except ValidationFailed as exc:
            errors.update({f"cases[{cid}].{k}": v for k, v in (exc.details or {}).items()})
            continue
        except Conflict as exc:
            savepoint.rollback()
            raise Conflict(f"“{case.item_name}”：{exc}") from exc
        notice = case.corrections[-1]
        respond_by = notice.respond_by
        for item in notice.items:
            target = str(item.get("target", ""))
            composed = (comp.composed_material(case.item_code, target)
                        or comp.composed_field(case.item_code, target.removeprefix(intake.FIELD_TARGET)) or "")
            gathered.append({"item_code": case.item_code, "item_name": case.item_name,
                             "case_number": case.case_number, "target": target, "name": item.get("name"),
                             "problem": item.get("problem"), "composed": composed,
                             "shared": composed.startswith(("S-", "s_"))})
    if errors:
        savepoint.rollback()
        raise ValidationFailed("补正告知内容有误", details=errors)
    savepoint.commit()
    correction = BundleCorrection(bundle_case_id=bundle_case.id, items=gathered, respond_by=respond_by,
                                  issued_at=ctx.now, issued_by_id=ctx.user.id)
    bundle_case.corrections.append(correction)
    ctx.session.flush()
    _audit(ctx, bundle_case, AuditAction.BUNDLE_CASE_REQUEST_CORRECTION,
           {"cases": sorted(by_id[c].case_number or "" for c in named), "pieces": len(gathered)})
    return correction


def resubmit(ctx: Context, bundle_case: BundleCase, *, values: Mapping[str, Any],
             materials: Mapping[str, ApplicantFile],
             upload_errors: Mapping[str, str] | None = None) -> list[Application]:
    """The applicant answers the combined notice once: a shared material uploaded once goes to every
    item that asked for it; each item case in correction is resubmitted through the ordinary intake.
    Raises ValidationFailed (every item's problems, in the composed names; nothing changes), Conflict
    (no open notice), PermissionDenied."""
    correction = bundle_case.corrections[-1] if bundle_case.corrections else None
    if correction is None or correction.answered_at is not None:
        raise Conflict("本件没有待答复的补正告知")
    comp = composition(ctx.session, bundle_case.bundle, bundle_case.submitted_at)
    data = comp.split(values)
    files = comp.split_materials(materials)
    open_cases = [c for c in bundle_case.cases if c.corrections and c.corrections[-1].answered_at is None]
    errors: dict[str, str] = dict(upload_errors or {})
    done = []
    savepoint = ctx.session.begin_nested()  # every item answered, or none
    for case in open_cases:
        try:
            with ctx.session.begin_nested():
                intake.resubmit(ctx, case, data=data.get(case.item_code), materials=files.get(case.item_code, {}))
        except ValidationFailed as exc:
            for path, message in (exc.details or {}).items():
                errors.setdefault(comp.composed_path(case.item_code, path), message)
            continue
        done.append(case)
    if errors:
        savepoint.rollback()
        raise ValidationFailed("补正信息有误，请按提示修改", details=errors)
    savepoint.commit()
    correction.answered_at = ctx.now
    ctx.session.flush()
    started = start_ready(ctx.session, bundle_case, now=ctx.now)  # a waiting item whose result came meanwhile
    _audit(ctx, bundle_case, AuditAction.BUNDLE_CASE_RESUBMIT, {"cases": [c.case_number for c in done],
                                                                "started": [c.case_number for c in started]})
    return done


# --- ending ----------------------------------------------------------------------------------------

def withdraw(ctx: Context, bundle_case: BundleCase, *, reason: str | None = None) -> list[Application]:
    """The applicant withdraws the whole bundle: every item case not yet decided is withdrawn through
    the ordinary flow (each with its own record and message). Raises Conflict (nothing left open),
    PermissionDenied (not the applicant)."""
    if ctx.user.id != bundle_case.applicant_id:
        raise PermissionDenied("只有申请人本人可以撤回申请")
    # Waiting items first: withdrawing an item they need would otherwise end them (终止办理) instead.
    open_cases = sorted((c for c in bundle_case.cases if c.status not in GOOD_END | BAD_END),
                        key=lambda c: c.status is not CaseStatus.AWAITING_PREREQUISITE)
    if not open_cases or bundle_case.withdrawn_at is not None:
        raise Conflict("本件已没有可撤回的事项（已作出决定的事项不能撤回）")
    text = (reason or "").strip() or "申请人撤回一件事申请"
    if len(text) > 500:
        raise ValidationFailed("撤回理由不能超过500字", details={"reason": "撤回理由不能超过500字"})
    for case in open_cases:
        intake.withdraw(ctx, case, reason=f"{text}（一件事 {bundle_case.number} 整体撤回）")
    bundle_case.withdrawn_at = ctx.now
    bundle_case.withdraw_reason = text
    ctx.session.flush()
    _audit(ctx, bundle_case, AuditAction.BUNDLE_CASE_WITHDRAW, {"cases": [c.case_number for c in open_cases]})
    return open_cases


def set_delivery(ctx: Context, bundle_case: BundleCase, delivery: str) -> None:
    """The applicant chooses 统一出件 or each result as ready. Raises ValidationFailed, PermissionDenied."""
    if ctx.user.id != bundle_case.applicant_id:
        raise PermissionDenied("只有申请人本人可以选择出件方式")
    if delivery not in {d.value for d in Delivery}:
        raise ValidationFailed("请选择出件方式", details={"delivery": "请选择出件方式"})
    bundle_case.delivery = Delivery(delivery)
    ctx.session.flush()


def deliver_together(ctx: Context, bundle_case: BundleCase, *, channel: str, recipient: str,
                     address: str = "") -> list[Application]:
    """统一出件: once every item is decided, deliver every approved result in one go (one 送达 record per
    item case, through the ordinary flow). Raises Conflict (an item still open, nothing to deliver),
    ValidationFailed, PermissionDenied."""
    state = progress(ctx, bundle_case)
    if not state.all_decided:
        open_names = "、".join(i.name for i in state.items if i.case.status not in GOOD_END | BAD_END)
        raise Conflict(f"统一出件须待全部事项作出决定：{open_names}尚在办理")
    if not state.deliverable:
        raise Conflict("没有待送达的办理结果")
    for case in state.deliverable:
        review.deliver(ctx, case, channel=channel, recipient=recipient, address=address)
    bundle_case.delivered_at = ctx.now
    ctx.session.flush()
    _audit(ctx, bundle_case, AuditAction.BUNDLE_CASE_DELIVER,
           {"cases": [c.case_number for c in state.deliverable], "channel": channel})
    return state.deliverable


def composition_of(ctx: Context, bundle_case: BundleCase) -> Composition:
    """The composed form the bundle case was submitted with."""
    return composition(ctx.session, bundle_case.bundle, bundle_case.submitted_at)
