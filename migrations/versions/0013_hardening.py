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


def _rekey_audit_chain():
    """Existing audit records were hashed with plain SHA-256: re-sign the chain once with the audit key
    (the app's AUDIT_KEY, outside the database), after checking it is intact."""
    try:
        from flask import current_app
        key = current_app.config.get("AUDIT_KEY")
    except RuntimeError:  # alembic run without the app: nothing to key with
        key = None
    if not key:
        return
    from service_hall.audit import trail

    try:
        trail.resign_chain(op.get_bind(), key.encode() if isinstance(key, str) else key)
    except ValueError as err:
        raise RuntimeError(str(err)) from err


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


    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('credential_version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash')),
    )
    with op.batch_alter_table('user_sessions') as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
    op.create_table(
        'login_throttles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
        sa.UniqueConstraint('account', 'address', name=op.f('uq_login_throttles_account')),
    )
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('credential_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        # The account lock is replaced by login_throttles.
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    with op.batch_alter_table('api_tokens') as batch_op:
        batch_op.add_column(sa.Column('credential_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))


    _rekey_audit_chain()
    if op.get_bind().dialect.name == 'postgresql':
        # The audit table only grows: no UPDATE, DELETE or TRUNCATE, whoever the connected role is.
        # (Also run the application as a role without those privileges: README.md.)
        op.execute("""
            CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_records is append-only (% refused)', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$
        """)
        op.execute("CREATE TRIGGER audit_records_no_update_delete BEFORE UPDATE OR DELETE ON audit_records "
                   "FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()")
        op.execute("CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only()")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records")
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_update_delete ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS audit_records_append_only()")
    op.drop_table('login_throttles')
    with op.batch_alter_table('api_tokens') as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('credential_version')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('credential_version')
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('user_sessions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
    with op.batch_alter_table('reuse_grants') as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuse_grants_user_id'))
    op.drop_table('reuse_grants')
