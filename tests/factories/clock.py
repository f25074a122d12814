"""The suite's fixed moments."""

from __future__ import annotations

import datetime as dt

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Monday 23 November 2026, 10:00 in Beijing


def at(day: str, hour: int = 10) -> dt.datetime:
    """A Beijing-time moment on ``day``."""
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour - 8, 0, tzinfo=dt.UTC)
