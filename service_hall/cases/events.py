"""What happens in the case flow, told to whoever listens (the notifications outbox).

The case flow emits and does not know its listeners: packages above it (``service_hall.notifications``)
subscribe when they are imported, so the layers stay one-way (docs/architecture.md, "Layers"). Every
call happens inside the caller's transaction; a listener writes rows and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy.orm import Session


class Listener(Protocol):
    def on_transition(self, session: Session, case: Any, action: Any, *, before: str, now: dt.datetime,
                      actor: Any) -> Any: ...

    def on_notice(self, session: Session, notice: Any, *, now: dt.datetime) -> Any: ...

    def on_certificate(self, session: Session, certificate: Any, kind: str, *, now: dt.datetime) -> Any: ...

    def on_rating(self, session: Session, rating: Any, *, now: dt.datetime) -> Any: ...

    def on_triggers(self, session: Session, triggers: Iterable[Any], *, now: dt.datetime) -> Any: ...

    def sweep_reminders(self, session: Session, *, now: dt.datetime) -> Any: ...

    def on_opinion_due(self, session: Session, case: Any, *, asked_id: int, data: dict[str, Any],
                       now: dt.datetime) -> Any: ...

    def receipt_content(self, session: Session, notice: Any) -> dict[str, Any]: ...


class Quiet:
    """A listener that hears nothing: subclass it and override only the events you listen to."""

    def on_transition(self, session: Session, case: Any, action: Any, *, before: str, now: dt.datetime,
                      actor: Any) -> Any:
        return None

    def on_notice(self, session: Session, notice: Any, *, now: dt.datetime) -> Any:
        return None

    def on_certificate(self, session: Session, certificate: Any, kind: str, *, now: dt.datetime) -> Any:
        return None

    def on_rating(self, session: Session, rating: Any, *, now: dt.datetime) -> Any:
        return None

    def on_triggers(self, session: Session, triggers: Iterable[Any], *, now: dt.datetime) -> Any:
        return None

    def sweep_reminders(self, session: Session, *, now: dt.datetime) -> Any:
        return None

    def on_opinion_due(self, session: Session, case: Any, *, asked_id: int, data: dict[str, Any],
                       now: dt.datetime) -> Any:
        return None

    def receipt_content(self, session: Session, notice: Any) -> dict[str, Any]:
        return {}


_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Add a listener once (a second subscription of the same one is ignored)."""
    if listener not in _listeners:
        _listeners.append(listener)


def transition(session: Session, case: Any, action: Any, *, before: str, now: dt.datetime, actor: Any) -> None:
    for listener in _listeners:
        listener.on_transition(session, case, action, before=before, now=now, actor=actor)


def notice(session: Session, issued: Any, *, now: dt.datetime) -> None:
    for listener in _listeners:
        listener.on_notice(session, issued, now=now)


def certificate(session: Session, issued: Any, kind: str, *, now: dt.datetime) -> None:
    for listener in _listeners:
        listener.on_certificate(session, issued, kind, now=now)


def rating(session: Session, given: Any, *, now: dt.datetime) -> None:
    for listener in _listeners:
        listener.on_rating(session, given, now=now)


def swept(session: Session, triggers: Iterable[Any], *, now: dt.datetime) -> None:
    """The sweep ran: the triggers it raised, and the time for reminders."""
    raised = list(triggers)
    for listener in _listeners:
        listener.on_triggers(session, raised, now=now)
        listener.sweep_reminders(session, now=now)


def opinion_due(session: Session, case: Any, *, asked_id: int, data: dict[str, Any], now: dt.datetime) -> None:
    """An opinion asked on ``case`` of jurisdiction ``asked_id`` is due soon (征求意见, docs/bundles.md)."""
    for listener in _listeners:
        listener.on_opinion_due(session, case, asked_id=asked_id, data=data, now=now)


def receipt(session: Session, notice: Any) -> dict[str, Any]:
    """What the listeners know of the applicant's opening of ``notice`` (电子送达), for its 送达回证."""
    found: dict[str, Any] = {}
    for listener in _listeners:
        found.update(listener.receipt_content(session, notice))
    return found
