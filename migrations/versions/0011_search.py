"""search: indexed documents, aliases, zero-result queries, and the database's full-text index

SQLite: an external-content FTS5 table kept in step with search_documents by triggers.
PostgreSQL: a generated tsvector column over the segmented text with a GIN index.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COLUMNS = ('names', 'aliases', 'body', 'pinyin')


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('power_type', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('names', sa.Text(), nullable=False),
    sa.Column('aliases', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('pinyin', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['jurisdictions.id'], name=op.f('fk_search_documents_county_id_jurisdictions')),
    sa.ForeignKeyConstraint(['item_id'], ['power_items.id'], name=op.f('fk_search_documents_item_id_power_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['power_list_versions.id'], name=op.f('fk_search_documents_version_id_power_list_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'item_id', name='uq_search_documents_kind_item')
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_version_id'), ['version_id'], unique=False)

    op.create_table('search_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('alias', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['jurisdictions.id'], name=op.f('fk_search_aliases_county_id_jurisdictions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_search_aliases_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_aliases')),
    sa.UniqueConstraint('county_id', 'item_code', 'alias', name='uq_search_aliases_county_code_alias')
    )
    with op.batch_alter_table('search_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_aliases_county_id'), ['county_id'], unique=False)

    op.create_table('search_misses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=60), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_misses')),
    sa.UniqueConstraint('query', name=op.f('uq_search_misses_query'))
    )

    if op.get_bind().dialect.name == 'postgresql':
        weighted = " || ".join(
            f"setweight(to_tsvector('simple', {col}), '{weight}')"
            for col, weight in zip(COLUMNS, ('A', 'A', 'C', 'B')))
        op.execute(f"ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({weighted}) STORED")
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    else:
        cols = ", ".join(COLUMNS)
        new = ", ".join(f"new.{c}" for c in COLUMNS)
        old = ", ".join(f"old.{c}" for c in COLUMNS)
        op.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5({cols}, content='search_documents', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
        op.execute(f"CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
                   f"INSERT INTO search_fts(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
                   f"INSERT INTO search_fts(search_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
                   f"INSERT INTO search_fts(search_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO search_fts(rowid, {cols}) VALUES (new.id, {new}); END")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        for trigger in ('search_documents_ai', 'search_documents_ad', 'search_documents_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_misses')
    with op.batch_alter_table('search_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_aliases_county_id'))
    op.drop_table('search_aliases')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_version_id'))
        batch_op.drop_index(batch_op.f('ix_search_documents_code'))
    op.drop_table('search_documents')
