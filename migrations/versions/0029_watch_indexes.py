"""indexes the supervision page reads: approved cases by decision time (送达期限) and clock-running cases
by their 容缺 due day, each partial on the statuses the page watches; open triggers and open
rectification tasks per town (the page's bounded counts); the towns' 最多跑一次 totals kept beside the
daily figures, filled from them

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-02 20:05:00

Raw DDL valid on PostgreSQL and SQLite, as in 0016; the model/migration comparison skips them
(``service_hall.cases.models.UNMAPPED_INDEXES``).
"""
from alembic import op
import sqlalchemy as sa

revision = '0029'
down_revision = '0027'
branch_labels = None
depends_on = None

CLOCK = "('accepted', 'special_procedure', 'reviewed')"
PARTIAL = {
    'ix_applications_approved_decided': "applications (decided_at, id) WHERE status = 'approved'",
    'ix_applications_clock_pledge': f"applications (pledge_due_on, id) WHERE status IN {CLOCK} "
                                    "AND pledge_due_on IS NOT NULL",
    'ix_accountability_triggers_open': "accountability_triggers (town_id, id) WHERE resolved_at IS NULL",
    'ix_rectification_tasks_open': "rectification_tasks (town_id, id) WHERE verified_at IS NULL",
}


VISITS = ('finished', 'finished_no_visit', 'finished_at_most_one', 'finished_visits')


def upgrade():
    for name, body in PARTIAL.items():
        op.execute(f"CREATE INDEX {name} ON {body}")
    op.create_table(
        'town_visit_totals',
        sa.Column('town_id', sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in VISITS],
        sa.ForeignKeyConstraint(['town_id'], ['jurisdictions.id'], name=op.f('fk_town_visit_totals_town_id_jurisdictions')),
        sa.PrimaryKeyConstraint('town_id', name=op.f('pk_town_visit_totals')),
    )
    columns = ", ".join(VISITS)
    sums = ", ".join(f"SUM({name})" for name in VISITS)
    op.execute(f"INSERT INTO town_visit_totals (town_id, {columns}) "
               f"SELECT town_id, {sums} FROM daily_figures GROUP BY town_id")


def downgrade():
    op.drop_table('town_visit_totals')
    for name in PARTIAL:
        op.execute(f"DROP INDEX {name}")
