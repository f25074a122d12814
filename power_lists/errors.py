"""Located import problems of power-list files (the shared shape lives in :mod:`service_hall.core.problems`)."""

from __future__ import annotations

from service_hall.core.problems import ImportRejected, Problem

__all__ = ["ImportRejected", "Problem"]
