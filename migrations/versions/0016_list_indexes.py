"""daily figures per town, item and day (maintained with each case change); background export jobs; indexes the lists and figures
read at a million cases: partial indexes of open cases per town in the
queue's order, the applicant's cases newest first, cases by day received and decided, visits and ratings by
town and time, a case's audit records in order

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 04:40:00

The partial and expression indexes are raw DDL valid on PostgreSQL and SQLite (the queue's sort key is the
expression ``service_hall.cases.queries.QUEUE_KEY_SQL``, written out here as it stood when this ran).
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OPEN = "('submitted', 'correction_requested', 'accepted', 'special_procedure', 'reviewed', 'approved')"
CLOCK = "('accepted', 'special_procedure', 'reviewed')"
# Unqualified: SQLite allows no "table.column" in an index expression (both databases match the query's
# qualified spelling to it).
QUEUE_KEY = "COALESCE(CASE WHEN status = 'submitted' THEN intake_due_on ELSE due_on END, '9999-12-31')"
PARTIAL = {
    'ix_applications_open_town_queue': f"applications (town_id, ({QUEUE_KEY}), id) WHERE status IN {OPEN}",
    'ix_applications_open_queue': f"applications (({QUEUE_KEY}), id) WHERE status IN {OPEN}",
    'ix_applications_open_town_number': f"applications (town_id, case_number, id) WHERE status IN {OPEN}",
    'ix_applications_clock_statutory': f"applications (statutory_due_on, id) WHERE status IN {CLOCK}",
    'ix_applications_clock_promised': f"applications (due_on) WHERE status IN {CLOCK}",
}
PLAIN = [
    ('ix_applications_applicant_created', 'applications', ['applicant_id', 'created_at', 'id']),
    ('ix_applications_town_received', 'applications', ['town_id', 'received_on']),
    ('ix_applications_town_decided', 'applications', ['town_id', 'decided_at']),
    ('ix_visits_town_at', 'visits', ['town_id', 'at']),
    ('ix_ratings_town_rated', 'ratings', ['town_id', 'rated_at']),
    ('ix_audit_records_object', 'audit_records', ['object_type', 'object_id', 'seq']),
]


FIGURES = ('received', 'decided', 'approved', 'denied', 'refused', 'withdrawn', 'deemed_accepted',
           'on_time_promised', 'on_time_statutory', 'with_limit', 'at_most_one_visit', 'ratings', 'rating_sum',
           'poor_ratings', 'good_ratings', 'triggers', 'finished', 'finished_no_visit', 'finished_at_most_one',
           'finished_visits')


def upgrade():
    op.create_table(
        'daily_figures',
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('item_code', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES],
        sa.ForeignKeyConstraint(['town_id'], ['jurisdictions.id'], name=op.f('fk_daily_figures_town_id_jurisdictions')),
        sa.PrimaryKeyConstraint('town_id', 'item_code', 'day', name=op.f('pk_daily_figures')),
    )
    with op.batch_alter_table('daily_figures') as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_figures_day'), ['day'], unique=False)
    op.create_table(
        'export_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=100), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_export_jobs_owner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs')),
    )
    with op.batch_alter_table('export_jobs') as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_owner_id'), ['owner_id'], unique=False)
    # The same export is never queued or running twice at once.
    op.execute("CREATE UNIQUE INDEX uq_export_jobs_active ON export_jobs (owner_id, kind, key) "
               "WHERE status IN ('queued', 'running')")
    for name, table, columns in PLAIN:
        op.create_index(name, table, columns, unique=False)
    for name, body in PARTIAL.items():
        op.execute(f"CREATE INDEX {name} ON {body}")


def downgrade():
    for name in PARTIAL:
        op.execute(f"DROP INDEX {name}")
    for name, table, _ in reversed(PLAIN):
        op.drop_index(name, table_name=table)
    op.execute("DROP INDEX uq_export_jobs_active")
    with op.batch_alter_table('export_jobs') as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_jobs_owner_id'))
    op.drop_table('export_jobs')
    with op.batch_alter_table('daily_figures') as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_figures_day'))
    op.drop_table('daily_figures')
