"""the sweep's deferred-materials check reads an index of clock-running cases by pledge date

Revision ID: 0032
Revises: 0026
Create Date: 2026-12-02 20:30:00

Raw DDL valid on PostgreSQL and SQLite, like the partial indexes of 0016 (docs/architecture.md, "Lists at
scale"): without it each sweep round read every clock-running case to find the few whose 容缺 materials are
overdue.
"""
from alembic import op

revision = '0032'
down_revision = '0026'
branch_labels = None
depends_on = None

CLOCK = "('accepted', 'special_procedure', 'reviewed')"


def upgrade():
    op.execute(f"CREATE INDEX ix_applications_clock_pledge ON applications (pledge_due_on) WHERE status IN {CLOCK}")


def downgrade():
    op.execute("DROP INDEX ix_applications_clock_pledge")
