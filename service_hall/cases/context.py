"""What every case operation needs besides its own input: one object instead of the same keyword
arguments on every call (docs/architecture.md, "Context").

The web layer builds one per request (``service_hall.web.unit_of_work.context``), the CLI and the worker
build their own, tests build theirs with :func:`Context.build`. Domain code reads it and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from service_hall.calendar.working_days import WorkingCalendar

if TYPE_CHECKING:
    from service_hall.accounts.models import User
    from service_hall.cases.documents import DocumentService
    from service_hall.files.store import FileStore


@dataclass(frozen=True)
class CaseSettings:
    """Deployment choices that case operations follow (from the app's configuration)."""

    follow_up_check_days: int = 20  # 告知承诺制: working days within which the pledge is checked
    rectification_days: int = 5  # 差评整改: working days for the rectification task


@dataclass(frozen=True)
class Context:
    """The session, the acting user (None for the system), the moment, and the services.

    ``calendar`` is read from the database on first use only, so operations that count no working
    days never load it.
    """

    session: Session
    actor: User | None
    now: dt.datetime
    files: FileStore
    documents: DocumentService
    settings: CaseSettings = field(default_factory=CaseSettings)
    calendar_source: Callable[[Session], WorkingCalendar] = field(default=WorkingCalendar.from_session,
                                                                   repr=False, compare=False)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return self.calendar_source(self.session)

    @property
    def user(self) -> User:
        """The acting user, for operations only a person can take. Raises AssertionError for the system."""
        assert self.actor is not None, "this operation needs a person, not the system"
        return self.actor

    def acting_as(self, actor: User | None) -> Context:
        """The same request seen as another actor (e.g. the deadline sweep acting as the system)."""
        return replace(self, actor=actor)
