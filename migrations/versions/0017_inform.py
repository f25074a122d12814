"""message templates editable by an administrator; deemed electronic delivery; who signed a delivery;
好差评 to GB/T 39734 (two points, indicators, tags, appeals)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 04:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
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
    with op.batch_alter_table('ratings') as batch_op:
        batch_op.drop_constraint('uq_ratings_application_id', type_='unique')
        batch_op.add_column(sa.Column('stage', sa.String(length=16), nullable=False, server_default='finished'))
        batch_op.add_column(sa.Column('mode', sa.String(length=8), nullable=False, server_default='online'))
        batch_op.add_column(sa.Column('indicators', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('revised_indicators', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('appeal_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('appealed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('appealed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('appeal_upheld', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('appeal_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('appeal_decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('appeal_decided_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ratings_appealed_by_id_users'), 'users', ['appealed_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ratings_appeal_decided_by_id_users'), 'users',
                                    ['appeal_decided_by_id'], ['id'])
        batch_op.create_unique_constraint('uq_ratings_application_id', ['application_id', 'stage'])
    with op.batch_alter_table('deliveries') as batch_op:
        batch_op.add_column(sa.Column('signer_name', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signer_relation', sa.String(length=8), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('witness', sa.String(length=50), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('deliveries') as batch_op:
        for column in ('witness', 'signed_at', 'signer_relation', 'signer_name'):
            batch_op.drop_column(column)
    with op.batch_alter_table('ratings') as batch_op:
        batch_op.drop_constraint('uq_ratings_application_id', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ratings_appeal_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ratings_appealed_by_id_users'), type_='foreignkey')
        for column in ('appeal_decided_by_id', 'appeal_decided_at', 'appeal_note', 'appeal_upheld', 'appealed_by_id',
                       'appealed_at', 'appeal_reason', 'revised_indicators', 'tags', 'indicators', 'mode', 'stage'):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint('uq_ratings_application_id', ['application_id'])
    with op.batch_alter_table('notice_receipts') as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('deemed')
    op.drop_table('notification_templates')
