"""Procedures by power type: what each application power type decides and prints (docs/architecture.md,
"Procedures by power type"). The steps themselves are the type's table in
:mod:`service_hall.cases.transitions`; this module says which decision notice each type issues, whether
the outcome is a certificate, how its statuses read, and which decision content its decider fixes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.models import PowerType
from service_hall.cases import decisions
from service_hall.cases.designs import DesignKind, publish, published, save_draft
from service_hall.cases.models import Application, CaseStatus
from service_hall.cases.transitions import power_type_of, procedure_type
from service_hall.documents.kinds import NoticeKind


@dataclass(frozen=True)
class Procedure:
    power_type: PowerType
    grant: NoticeKind  # the favourable decision
    refusal: NoticeKind  # the unfavourable decision after review
    certificate: str  # "always" (许可: the item's certificate), "if_designed" (a 证照 type or a 证照 result), "never"
    approved_label: str  # CaseStatus.APPROVED / DENIED as this type says them
    denied_label: str
    remedies_on_refusal: bool = True  # 复议/诉讼 named in the refusal (a public service names none)

    @property
    def licensing(self) -> bool:
        """Only 行政许可 uses the 行政许可法 wording, its article numbers and the 行政许可专用章."""
        return self.power_type is PowerType.LICENSING


PROCEDURES: dict[PowerType, Procedure] = {p.power_type: p for p in [
    Procedure(PowerType.LICENSING, NoticeKind.APPROVAL, NoticeKind.DENIAL, "always", "准予许可", "不予许可"),
    Procedure(PowerType.BENEFIT, NoticeKind.BENEFIT_GRANT, NoticeKind.BENEFIT_DENIAL, "never", "决定给付", "不予给付"),
    Procedure(PowerType.CONFIRMATION, NoticeKind.CONFIRMATION, NoticeKind.CONFIRMATION_DENIAL, "if_designed",
              "予以确认", "不予确认"),
    Procedure(PowerType.REWARD, NoticeKind.REWARD, NoticeKind.REWARD_DENIAL, "never", "决定奖励", "不予奖励"),
    Procedure(PowerType.ADJUDICATION, NoticeKind.ADJUDICATION, NoticeKind.ADJUDICATION_DISMISSAL, "never",
              "已作出裁决", "驳回裁决申请"),
    Procedure(PowerType.PUBLIC_SERVICE, NoticeKind.SERVICE_DONE, NoticeKind.SERVICE_DECLINED, "if_designed",
              "已办结", "不予办理", remedies_on_refusal=False),
    Procedure(PowerType.OTHER, NoticeKind.OTHER_GRANT, NoticeKind.OTHER_DENIAL, "if_designed", "准予办理",
              "不予办理"),
]}


def procedure_of(case: Application) -> Procedure:
    return PROCEDURES[power_type_of(case)]


def issues_certificate(item: Any, certificate_type: str | None = None) -> bool:
    """Whether a favourable decision on ``item`` issues a 证照: 行政许可 always; 给付, 奖励 and 裁决 never;
    the others where the decision design names a certificate type or the guide's 审批结果类型 is 证照."""
    policy = PROCEDURES[item.power_type if item.power_type in PROCEDURES else PowerType.OTHER].certificate
    if policy == "never":
        return False
    return policy == "always" or bool(certificate_type) or (item.guide or {}).get("result_type") == "证照"


def status_label(case: Application) -> str:
    """The case's status as its procedure says it (a 给付 is 决定给付, not 准予许可). Raises nothing."""
    return status_label_for(case.status, power_type_of(case))


def status_label_for(status: CaseStatus, power_type: PowerType) -> str:
    """A status as the procedure of an item of ``power_type`` says it (for a list read as plain rows).
    Raises nothing."""
    procedure = PROCEDURES[procedure_type(power_type)]
    if status is CaseStatus.APPROVED:
        return procedure.approved_label
    if status is CaseStatus.DENIED:
        return procedure.denied_label
    return status.label


def case_form(session: Session, case: Application) -> Any:
    """The form definition the case was submitted with (None: files only). Raises nothing."""
    from forms.models import FormDefinitionVersion

    if case.form_definition_id is None:
        return None
    row = session.get(FormDefinitionVersion, case.form_definition_id)
    return row.form if row is not None else None


@dataclass(frozen=True)
class DecisionDesign:
    definition: dict[str, Any]
    version: int | None  # None: the power type's default (nothing designed yet)


def design_for_item(session: Session, item: Any) -> DecisionDesign:
    """The item's decision design in force, or its power type's default. Raises nothing."""
    row = published(session, DesignKind.DECISION, item.code)
    if row is not None:
        return DecisionDesign(row.definition, row.version)
    power_type = item.power_type if item.power_type in PROCEDURES else PowerType.OTHER
    return DecisionDesign(decisions.default_design(power_type, item.guide,
                                                   issues_certificate=issues_certificate(item)), None)


def decision_prefill(session: Session, case: Application, today: dt.date) -> tuple[DecisionDesign, dict[str, str]]:
    """The design and the values the decision page starts with. Raises nothing."""
    design = design_for_item(session, case.power_item)
    return design, decisions.prefill(design.definition, case.data or {}, case.power_item.guide, today)


def fix_decision(session: Session, case: Application, given: dict[str, Any] | None,
                 today: dt.date) -> dict[str, Any]:
    """What the decider fixed for ``case``, checked (see :func:`decisions.fix_terms`), with the design
    version it followed. Raises ValidationFailed keyed ``terms.NAME``."""
    design = design_for_item(session, case.power_item)
    fixed = decisions.fix_terms(design.definition, given, case.data or {}, case.power_item.guide, today)
    return fixed | {"design_version": design.version,
                    "certificate_type": design.definition.get("certificate_type")}


def check_decision(session: Session, item_code: str, raw: Any, now: dt.datetime) -> dict[str, Any]:
    """An item's decision design checked against the item's form in force (fields named by
    ``from_field``/``at_most_field``) and its guide (a validity only where it names one or a certificate is
    issued). Raises NotFound
    (no such item), ValidationFailed (located)."""
    from forms.models import current_form_definition
    from power_lists.models import PowerItem
    from service_hall.core.errors import NotFound

    item = session.scalars(select(PowerItem).where(PowerItem.code == item_code).order_by(PowerItem.id.desc())).first()
    if item is None:
        raise NotFound(f"权力清单中没有事项“{item_code}”")
    row = current_form_definition(session, item_code, now)
    certificate_type = raw.get("certificate_type") if isinstance(raw, dict) else None
    return decisions.check_design(raw, form=row.form if row is not None else None, guide=item.guide,
                                  issues_certificate=issues_certificate(item, certificate_type))


def save_decision_draft(session: Session, item_code: str, raw: Any, *, actor: Any, now: dt.datetime) -> Any:
    """Save the item's decision design draft. Raises NotFound, ValidationFailed (located), Conflict."""
    return save_draft(session, DesignKind.DECISION, item_code, raw,
                      check=lambda d: check_decision(session, item_code, d, now), actor=actor, now=now)


def publish_decision(session: Session, item_code: str, *, actor: Any, now: dt.datetime,
                     second_person: bool = True) -> Any:
    """Publish the item's decision design draft (a second person; checked again against the form in
    force). Raises NotFound, PermissionDenied, ValidationFailed, Conflict."""
    return publish(session, DesignKind.DECISION, item_code, check=lambda d: check_decision(session, item_code, d, now),
                   actor=actor, now=now, second_person=second_person)
