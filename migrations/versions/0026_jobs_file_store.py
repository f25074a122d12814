"""background jobs keep their file in the file store; PostgreSQL large objects as a file store

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-02 13:45:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch): a batch would recreate export_jobs without its raw-DDL partial index.
    op.add_column('export_jobs', sa.Column('result_sha256', sa.String(length=64), nullable=True))
    op.add_column('export_jobs', sa.Column('result_size', sa.BigInteger(), nullable=True))
    op.add_column('export_jobs', sa.Column('mimetype', sa.String(length=100), nullable=True))
    op.add_column('export_jobs', sa.Column('outcome', sa.JSON(), nullable=True))
    op.drop_column('export_jobs', 'content')  # jobs made before keep no file: they were kept 24 hours
    op.create_table(
        'stored_large_objects',
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('oid', sa.BigInteger(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_large_objects')),
    )


def downgrade():
    op.drop_table('stored_large_objects')
    op.add_column('export_jobs', sa.Column('content', sa.LargeBinary(), nullable=True))
    for name in ('outcome', 'mimetype', 'result_size', 'result_sha256'):
        op.drop_column('export_jobs', name)
