"""Domain errors. The web layer maps them to HTTP status codes (see ``service_hall.web.errors``)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: ``message`` is user-facing Simplified Chinese."""

    status = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """The object does not exist, or exists outside what the actor may see (existence must not leak)."""

    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """The object changed under the actor (stale version, duplicate, state no longer allows it)."""

    status = 409


class ValidationFailed(DomainError):
    """Input rejected; ``details`` maps field names (or row/column locations) to messages."""

    status = 422
