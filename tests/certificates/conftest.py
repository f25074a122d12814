from __future__ import annotations

import pytest

from tests.certificates.support import build_world


@pytest.fixture(autouse=True)
def _fresh_sweeper():
    """The request-driven sweep runs at most once a minute per process; each test starts afresh."""
    from service_hall.web import sweeper

    sweeper._last.clear()


@pytest.fixture
def cworld(app, factory):
    return build_world(app, factory)
