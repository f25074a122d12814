"""Loading and answering the guided questionnaires.

A questionnaire is a list of questions (one per page, each with fixed options; ``kind: town`` asks for the
town and takes its options from the jurisdictions) and a list of outcome rules. A rule applies when every
question it names was answered with one of the listed values; it may add items, optional materials of an
item (``include_materials``), extra materials and notes. The materials shown for an item are its guide's
required materials plus the optional ones a rule includes, plus the extra ones: the answer set decides.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.models import PowerItem
from power_lists.queries import item_for_town, version_in_force
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

DIRECTORY = Path(__file__).parent / "questionnaires"
TOWN = "town"
ASKED = "_q"  # the question a submitted page asked (questions keys never start with "_")


class OptionSchema(Schema):
    value = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,20}$"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=60))


class QuestionSchema(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,20}$"))
    kind = fields.String(load_default="choice", validate=validate.OneOf(["choice", TOWN]))
    text = fields.String(required=True, validate=validate.Length(min=1, max=80))
    ask_if = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), load_default=dict)
    options = fields.List(fields.Nested(OptionSchema), load_default=list)

    @validates_schema
    def _options(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["kind"] == "choice" and len(data["options"]) < 2:
            raise ValidationError("选择题至少要有两个选项", "options")


class ExtraMaterialSchema(Schema):
    item = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class OutcomeSchema(Schema):
    when = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), load_default=dict)
    items = fields.List(fields.String(), load_default=list)
    include_materials = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), load_default=dict)
    extra_materials = fields.List(fields.Nested(ExtraMaterialSchema), load_default=list)
    notes = fields.List(fields.String(validate=validate.Length(max=300)), load_default=list)


class QuestionnaireSchema(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,30}$"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=30))
    summary = fields.String(load_default="")
    questions = fields.List(fields.Nested(QuestionSchema), required=True, validate=validate.Length(min=1, max=8))
    outcomes = fields.List(fields.Nested(OutcomeSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _references(self, data: dict[str, Any], **kwargs: Any) -> None:
        keys = [q["key"] for q in data["questions"]]
        if len(set(keys)) != len(keys):
            raise ValidationError("问题的 key 重复", "questions")
        values = {q["key"]: {o["value"] for o in q["options"]} for q in data["questions"] if q["kind"] == "choice"}
        rules = [q["ask_if"] for q in data["questions"]] + [o["when"] for o in data["outcomes"]]
        for rule in rules:
            for key, allowed in rule.items():
                if key not in values or not set(allowed) <= values[key]:
                    raise ValidationError(f"条件引用了不存在的问题或选项：{key}={allowed}", "outcomes")


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    text: str
    ask_if: Mapping[str, list[str]]
    options: list[tuple[str, str]]  # (value, label); for a town question filled in from the jurisdictions


@dataclass(frozen=True)
class Questionnaire:
    key: str
    title: str
    summary: str
    questions: list[Question]
    outcomes: list[dict[str, Any]]


@dataclass
class ItemAdvice:
    """One item to apply for: the item as the town holds it (None when it does not), what to bring."""

    code: str
    item: PowerItem | None
    materials: list[dict[str, Any]] = field(default_factory=list)
    held_by: list[Jurisdiction] = field(default_factory=list)  # towns that do, when the asked one does not


@dataclass
class Advice:
    questionnaire: Questionnaire
    town: Jurisdiction | None
    items: list[ItemAdvice]
    notes: list[str]


def _build(data: dict[str, Any]) -> Questionnaire:
    return Questionnaire(
        key=data["key"], title=data["title"], summary=data["summary"], outcomes=data["outcomes"],
        questions=[Question(key=q["key"], kind=q["kind"], text=q["text"], ask_if=q["ask_if"],
                            options=[(o["value"], o["label"]) for o in q["options"]]) for q in data["questions"]])


def load_file(path: Path) -> Questionnaire:
    """One questionnaire file. Raises ValidationFailed naming the file and the problems."""
    try:
        data = QuestionnaireSchema().load(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        details = exc.messages if isinstance(exc, ValidationError) else str(exc)
        raise ValidationFailed(f"导办问卷 {path.name} 有误", details=details) from None
    return _build(data)


@functools.cache
def questionnaires() -> dict[str, Questionnaire]:
    """Every questionnaire in ``questionnaires/``, by key, in file-name order. Raises ValidationFailed."""
    found = (load_file(p) for p in sorted(DIRECTORY.glob("*.json")))
    return {q.key: q for q in found}


def get(key: str) -> Questionnaire:
    """Raises NotFound."""
    found = questionnaires().get(key)
    if found is None:
        raise NotFound("未找到该导办事项")
    return found


def _applies(rule: Mapping[str, list[str]], answers: Mapping[str, str]) -> bool:
    return all(answers.get(key) in allowed for key, allowed in rule.items())


def _towns(session: Session) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.TOWN)
                                .order_by(Jurisdiction.code)))


def options(session: Session, question: Question) -> list[tuple[str, str]]:
    """The choices of a question (the towns for a town question)."""
    if question.kind == TOWN:
        return [(t.code, t.name) for t in _towns(session)]
    return question.options


def step(session: Session, questionnaire: Questionnaire, given: Mapping[str, str]
         ) -> tuple[dict[str, str], Question | None, str | None]:
    """Walk the questions with the answers ``given``: (valid answers so far, the next question to ask or None
    when done, an error for the first invalid answer). Answers to questions not asked are dropped.
    ``given[ASKED]`` names the question whose page was submitted: sent without a choice, it is an error."""
    answers: dict[str, str] = {}
    for question in questionnaire.questions:
        if not _applies(question.ask_if, answers):
            continue
        value = (given.get(question.key) or "").strip()
        if not value:
            return answers, question, ("请从下列选项中选择一项" if given.get(ASKED) == question.key else None)
        if value not in {v for v, _ in options(session, question)}:
            return answers, question, "请从下列选项中选择一项"
        answers[question.key] = value
    return answers, None, None


def advise(session: Session, questionnaire: Questionnaire, answers: Mapping[str, str], *, on: dt.date) -> Advice:
    """The items, materials and notes for a complete answer set, for the chosen town on ``on``."""
    town = None
    town_code = next((answers.get(q.key) for q in questionnaire.questions if q.kind == TOWN), None)
    if town_code:
        town = session.scalar(select(Jurisdiction).where(Jurisdiction.code == town_code))
    codes: list[str] = []
    include: dict[str, set[str]] = {}
    extra: dict[str, list[str]] = {}
    notes: list[str] = []
    for rule in questionnaire.outcomes:
        if not _applies(rule["when"], answers):
            continue
        codes += [c for c in rule["items"] if c not in codes]
        for code, materials in rule["include_materials"].items():
            include.setdefault(code, set()).update(materials)
        for material in rule["extra_materials"]:
            extra.setdefault(material["item"], []).append(material["name"])
        notes += rule["notes"]
    items = [_advice(session, code, town, include.get(code, set()), extra.get(code, []), on) for code in codes]
    return Advice(questionnaire=questionnaire, town=town, items=items, notes=notes)


def _advice(session: Session, code: str, town: Jurisdiction | None, include: set[str], extra: list[str],
            on: dt.date) -> ItemAdvice:
    item = None
    if town is not None:
        try:
            item = item_for_town(session, code, town.id, on)
        except NotFound:
            item = None
    advice = ItemAdvice(code=code, item=item)
    source = item
    if source is None:  # say which towns do hold it, from the list in force
        county = town.county if town is not None else None
        version = version_in_force(session, county.id, on) if county is not None else None
        if version is not None:
            source = session.scalar(select(PowerItem).where(PowerItem.version_id == version.id,
                                                            PowerItem.code == code))
            if source is not None:
                advice.held_by = sorted({d.town.id: d.town for d in source.delegations if d.covers(on)}.values(),
                                        key=lambda j: j.code)
    if source is not None:
        advice.materials = [m for m in source.materials if m.get("required", True) or m.get("code") in include]
        advice.materials += [{"code": "", "name": name, "required": True, "source": "申请人自备"} for name in extra]
    return advice
