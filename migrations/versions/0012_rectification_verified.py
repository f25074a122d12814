"""a supervisor verifies a rectification; the applicant may rate once more afterwards

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:05:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rectification_tasks') as batch_op:
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verification_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_rectification_tasks_verified_by_id_users'), 'users',
                                    ['verified_by_id'], ['id'])
    with op.batch_alter_table('ratings') as batch_op:
        batch_op.add_column(sa.Column('revised_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revised_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('revised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('ratings') as batch_op:
        batch_op.drop_column('revised_at')
        batch_op.drop_column('revised_comment')
        batch_op.drop_column('revised_score')
    with op.batch_alter_table('rectification_tasks') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rectification_tasks_verified_by_id_users'), type_='foreignkey')
        batch_op.drop_column('verification_note')
        batch_op.drop_column('verified_by_id')
        batch_op.drop_column('verified_at')
