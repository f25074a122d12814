"""a certificate's PDF may be rendered on its first download (DeferredDocuments)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates') as batch_op:
        batch_op.alter_column('document_blob_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('certificates') as batch_op:
        batch_op.alter_column('document_blob_id', existing_type=sa.Integer(), nullable=False)
