"""hardening: walk-in reuse codes, credential versions, token lifetimes, keyed audit chain

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reuse_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reuse_grants_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reuse_grants')),
    )
    with op.batch_alter_table('reuse_grants') as batch_op:
        batch_op.create_index(batch_op.f('ix_reuse_grants_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reuse_grants') as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuse_grants_user_id'))
    op.drop_table('reuse_grants')
