"""indexes the lists and figures read at a million cases: partial indexes of open cases per town in the
queue's order, the applicant's cases newest first, cases by day received and decided, visits and ratings by
town and time, a case's audit records in order

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-02 04:40:00

The partial and expression indexes are raw DDL valid on PostgreSQL and SQLite (the queue's sort key is the
expression ``service_hall.cases.queries.QUEUE_KEY_SQL``, written out here as it stood when this ran).
"""
from alembic import op

revision = '0016'
down_revision = '0012'
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


def upgrade():
    for name, table, columns in PLAIN:
        op.create_index(name, table, columns, unique=False)
    for name, body in PARTIAL.items():
        op.execute(f"CREATE INDEX {name} ON {body}")


def downgrade():
    for name in PARTIAL:
        op.execute(f"DROP INDEX {name}")
    for name, table, _ in reversed(PLAIN):
        op.drop_index(name, table_name=table)
