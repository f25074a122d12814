"""form designer: who drafted and who published each form version (four eyes)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 04:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('form_definitions') as batch_op:
        batch_op.add_column(sa.Column('drafted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_form_definitions_drafted_by_id_users'), 'users',
                                    ['drafted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_form_definitions_published_by_id_users'), 'users',
                                    ['published_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('form_definitions') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_form_definitions_published_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_form_definitions_drafted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('drafted_by_id')
