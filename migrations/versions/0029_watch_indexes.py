"""indexes the supervisor's other watched deadlines read: approved cases by decision time (送达期限) and
clock-running cases by their 容缺 due day, each partial on the statuses the page watches

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-02 20:05:00

Raw DDL valid on PostgreSQL and SQLite, as in 0016; the model/migration comparison skips them
(``service_hall.cases.models.UNMAPPED_INDEXES``).
"""
from alembic import op

revision = '0029'
down_revision = '0026'
branch_labels = None
depends_on = None

CLOCK = "('accepted', 'special_procedure', 'reviewed')"
PARTIAL = {
    'ix_applications_approved_decided': "applications (decided_at, id) WHERE status = 'approved'",
    'ix_applications_clock_pledge': f"applications (pledge_due_on, id) WHERE status IN {CLOCK} "
                                    "AND pledge_due_on IS NOT NULL",
}


def upgrade():
    for name, body in PARTIAL.items():
        op.execute(f"CREATE INDEX {name} ON {body}")


def downgrade():
    for name in PARTIAL:
        op.execute(f"DROP INDEX {name}")
