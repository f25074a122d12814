"""decision content and certificate types designed by legal affairs; certificates keep what they printed

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 05:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outcome_designs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('decision', 'certificate_type', name='designkind', native_enum=False,
                                  length=20), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('draft', 'published', name='designstatus', native_enum=False, length=16),
                  nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'],
                                name=op.f('fk_outcome_designs_published_by_id_users')),
        sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_outcome_designs_saved_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_designs')),
        sa.UniqueConstraint('kind', 'key', 'version', name=op.f('uq_outcome_designs_kind')),
    )
    with op.batch_alter_table('outcome_designs') as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_designs_key'), ['key'], unique=False)
    with op.batch_alter_table('certificates') as batch_op:
        batch_op.add_column(sa.Column('type_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('type_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('layout', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('validity_text', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('certificates') as batch_op:
        batch_op.drop_column('validity_text')
        batch_op.drop_column('details')
        batch_op.drop_column('layout')
        batch_op.drop_column('type_version')
        batch_op.drop_column('type_code')
    with op.batch_alter_table('outcome_designs') as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_designs_key'))
    op.drop_table('outcome_designs')
