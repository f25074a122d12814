"""offices, service windows, items linked to their original office

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00

Touches only its own tables and two nullable columns (power_items.original_office_id,
certificates.seal_text), so it applies after any revision that leaves those tables alone.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=50), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('seal_text', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['jurisdictions.id'], name=op.f('fk_offices_county_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('county_id', 'name', name='uq_offices_county_name')
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offices_county_id'), ['county_id'], unique=False)

    op.create_table('service_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('hours', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['jurisdictions.id'], name=op.f('fk_service_windows_town_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_windows')),
    sa.UniqueConstraint('town_id', name=op.f('uq_service_windows_town_id'))
    )

    with op.batch_alter_table('power_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_office_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_power_items_original_office_id'), ['original_office_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_power_items_original_office_id_offices'), 'offices',
                                    ['original_office_id'], ['id'])

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal_text', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('seal_text')

    with op.batch_alter_table('power_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_power_items_original_office_id_offices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_power_items_original_office_id'))
        batch_op.drop_column('original_office_id')

    op.drop_table('service_windows')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offices_county_id'))
    op.drop_table('offices')
