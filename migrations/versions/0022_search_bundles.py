"""search: 一件事 in the index — documents of a bundle version, with the towns that offer it

search_documents.version_id becomes nullable (a bundle's document belongs to no list version), gains
bundle_id and title; search_document_towns names the towns offering a document that is not an item.
On SQLite the table is recreated, so the FTS5 triggers of 0011 are created again (the FTS5 table keeps
its rows: ids are copied).

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0018'
branch_labels = None
depends_on = None

COLUMNS = ('names', 'aliases', 'body', 'pinyin')
TRIGGERS = ('search_documents_ai', 'search_documents_ad', 'search_documents_au')


def _create_triggers():
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    op.execute(f"CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
               f"INSERT INTO search_fts(rowid, {cols}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
               f"INSERT INTO search_fts(search_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
               f"INSERT INTO search_fts(search_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
               f"INSERT INTO search_fts(rowid, {cols}) VALUES (new.id, {new}); END")


def upgrade():
    sqlite = op.get_bind().dialect.name != 'postgresql'
    if sqlite:
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bundle_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('title', sa.String(length=200), nullable=True))
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_search_documents_bundle_id_bundles'), 'bundles', ['bundle_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_search_documents_bundle_id'), ['bundle_id'], unique=False)
    if sqlite:
        _create_triggers()
    op.create_table('search_document_towns',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['search_documents.id'], name=op.f('fk_search_document_towns_document_id_search_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['town_id'], ['jurisdictions.id'], name=op.f('fk_search_document_towns_town_id_jurisdictions')),
    sa.PrimaryKeyConstraint('document_id', 'town_id', name=op.f('pk_search_document_towns'))
    )
    with op.batch_alter_table('search_document_towns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_document_towns_town_id'), ['town_id'], unique=False)


def downgrade():
    sqlite = op.get_bind().dialect.name != 'postgresql'
    with op.batch_alter_table('search_document_towns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_document_towns_town_id'))
    op.drop_table('search_document_towns')
    op.execute("DELETE FROM search_documents WHERE version_id IS NULL")
    if sqlite:
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_bundle_id'))
        batch_op.drop_constraint(batch_op.f('fk_search_documents_bundle_id_bundles'), type_='foreignkey')
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('title')
        batch_op.drop_column('bundle_id')
    if sqlite:
        _create_triggers()
