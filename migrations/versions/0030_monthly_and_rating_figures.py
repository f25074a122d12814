"""monthly figures and daily rating indicator figures, kept with the daily figures; daily figures by town and day

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 20:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

FIGURES = ('received', 'decided', 'approved', 'denied', 'refused', 'withdrawn', 'deemed_accepted',
           'on_time_promised', 'on_time_statutory', 'with_limit', 'at_most_one_visit', 'ratings', 'rating_sum',
           'poor_ratings', 'good_ratings', 'triggers', 'finished', 'finished_no_visit', 'finished_at_most_one',
           'finished_visits')


def upgrade():
    op.create_table(
        'monthly_figures',
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('item_code', sa.String(length=64), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES],
        sa.ForeignKeyConstraint(['town_id'], ['jurisdictions.id'],
                                name=op.f('fk_monthly_figures_town_id_jurisdictions')),
        sa.PrimaryKeyConstraint('town_id', 'item_code', 'month', name=op.f('pk_monthly_figures')),
    )
    with op.batch_alter_table('monthly_figures') as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_figures_month'), ['month'], unique=False)
    op.create_table(
        'daily_rating_figures',
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['town_id'], ['jurisdictions.id'],
                                name=op.f('fk_daily_rating_figures_town_id_jurisdictions')),
        sa.PrimaryKeyConstraint('town_id', 'day', 'name', name=op.f('pk_daily_rating_figures')),
    )
    with op.batch_alter_table('daily_figures') as batch_op:
        batch_op.create_index('ix_daily_figures_town_day', ['town_id', 'day'], unique=False)
    # Both are filled from what the database holds, as `flask stats rebuild` does.
    from sqlalchemy.orm import Session

    from service_hall.cases.figures import rebuild

    rebuild(Session(bind=op.get_bind()))


def downgrade():
    with op.batch_alter_table('daily_figures') as batch_op:
        batch_op.drop_index('ix_daily_figures_town_day')
    op.drop_table('daily_rating_figures')
    op.drop_table('monthly_figures')
