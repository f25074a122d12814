"""the clerk queue holds bundle items waiting for another item's result: the partial indexes of open cases
take the status ``awaiting_prerequisite`` (docs/bundles.md, "Order")

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 20:00:00

Statuses are stored as strings (no database enum), so the new statuses ``awaiting_prerequisite`` and
``terminated`` need no column change; only the indexes whose condition lists the open statuses
(``service_hall.cases.queries.OPEN``, written out here as it stands now) are rebuilt.
"""
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

BEFORE = "('submitted', 'correction_requested', 'accepted', 'special_procedure', 'reviewed', 'approved')"
AFTER = ("('awaiting_prerequisite', 'submitted', 'correction_requested', 'accepted', 'special_procedure', "
         "'reviewed', 'approved')")
QUEUE_KEY = "COALESCE(CASE WHEN status = 'submitted' THEN intake_due_on ELSE due_on END, '9999-12-31')"
BODIES = {
    'ix_applications_open_town_queue': f"applications (town_id, ({QUEUE_KEY}), id) WHERE status IN ",
    'ix_applications_open_queue': f"applications (({QUEUE_KEY}), id) WHERE status IN ",
    'ix_applications_open_town_number': "applications (town_id, case_number, id) WHERE status IN ",
}


def _rebuild(statuses):
    for name, body in BODIES.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON {body}{statuses}")


def upgrade():
    _rebuild(AFTER)


def downgrade():
    _rebuild(BEFORE)
