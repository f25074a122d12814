"""message templates editable by an administrator; deemed electronic delivery; who signed a delivery;
好差评 to GB/T 39734 (two points, indicators, tags, appeals)

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-02 04:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.Enum('inbox', 'email', 'sms', 'webhook', name='channelname', native_enum=False,
                                     length=16), nullable=False),
        sa.Column('parts', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_notification_templates_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_templates')),
        sa.UniqueConstraint('key', 'channel', name='uq_notification_templates_key_channel'),
    )
    with op.batch_alter_table('notice_receipts') as batch_op:
        batch_op.add_column(sa.Column('deemed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('notice_receipts') as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('deemed')
    op.drop_table('notification_templates')
