"""Two legal officers publish the same form draft at once, proven on PostgreSQL (SQLite serialises
writers, so the race cannot happen there): one publishes, the other is told there is no draft left."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from forms.models import FormDefinitionVersion, FormStatus
from service_hall.audit.models import AuditRecord
from service_hall.extensions import db
from tests.factories.database import is_postgres
from tests.factories.web import csrf_token, login, post_form
from tests.golive.conftest import COUNTY
from tests.golive.support import go_live

pytestmark = [pytest.mark.skipif(not is_postgres(), reason="concurrency is proven on PostgreSQL (TEST_DATABASE_URL)"),
              pytest.mark.postgres_only, pytest.mark.committing]

REBUILD = "Z330188-B3D3803041"
DESIGN = f"/legal/forms/{REBUILD}"


def test_two_officers_publish_one_draft_at_once_exactly_one_succeeds(app, runner, factory, county):
    go_live(runner, factory)
    for name in ("legal-c", "legal-d", "legal-e"):
        factory.staff(name, "legal", COUNTY)
    drafter = app.test_client()
    login(drafter, "legal-a")
    resp = post_form(drafter, DESIGN, {"type": "number", "name": "building_area", "label": "建筑面积"},
                     action=f"{DESIGN}/fields")
    assert resp.status_code == 302
    publishers = ["legal-b", "legal-c", "legal-d", "legal-e"]
    clients = {}
    for name in publishers:
        clients[name] = app.test_client()
        login(clients[name], name)
    tokens = {name: csrf_token(clients[name], DESIGN) for name in publishers}
    barrier = threading.Barrier(len(publishers))
    results: list[int] = []

    def publish(name: str) -> None:
        barrier.wait()
        results.append(clients[name].post(f"{DESIGN}/publish", data={"csrf_token": tokens[name]}).status_code)

    threads = [threading.Thread(target=publish, args=(n,)) for n in publishers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [302] + [404] * (len(publishers) - 1), results
    with app.app_context():
        rows = list(db.session.scalars(select(FormDefinitionVersion).where(FormDefinitionVersion.item_code == REBUILD)))
        assert [(r.version, r.status) for r in rows] == [(1, FormStatus.PUBLISHED)]
        assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "form.publish", AuditRecord.object_id == REBUILD)) == 1
