"""going live: closed jurisdictions, several roles per account, forced password change

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ROLES = ('applicant', 'clerk', 'reviewer', 'decider', 'legal', 'supervisor', 'admin')


def upgrade():
    with op.batch_alter_table('jurisdictions') as batch:
        batch.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('closed_note', sa.String(length=200), nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum(*ROLES, name='role', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )


def downgrade():
    op.drop_table('user_roles')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('must_change_password')
    with op.batch_alter_table('jurisdictions') as batch:
        batch.drop_column('closed_note')
        batch.drop_column('closed_on')
