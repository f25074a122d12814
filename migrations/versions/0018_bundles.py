"""bundles: 一件事 versions, bundle cases, their combined correction notices, reused materials, opinions across offices

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 04:24:45

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bundles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='bundlestatus', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('theme', sa.Enum('birth', 'individual_business', 'rural_housing', 'employment', 'retirement', 'elderly', 'death', 'other', name='theme', native_enum=False, length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('towns', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('field_map', sa.JSON(), nullable=False),
    sa.Column('material_map', sa.JSON(), nullable=False),
    sa.Column('resolutions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['jurisdictions.id'], name=op.f('fk_bundles_county_id_jurisdictions')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_bundles_published_by_id_users')),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_bundles_saved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundles')),
    sa.UniqueConstraint('county_id', 'code', 'version', name='uq_bundles_county_code_version')
    )
    with op.batch_alter_table('bundles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundles_county_id'), ['county_id'], unique=False)

    op.create_table('bundle_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivery', sa.Enum('together', 'each', name='delivery', native_enum=False, length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_bundle_cases_applicant_id_users')),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundles.id'], name=op.f('fk_bundle_cases_bundle_id_bundles')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_bundle_cases_filed_by_id_users')),
    sa.ForeignKeyConstraint(['town_id'], ['jurisdictions.id'], name=op.f('fk_bundle_cases_town_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_cases')),
    sa.UniqueConstraint('applicant_id', 'submission_key', name='uq_bundle_cases_applicant_key'),
    sa.UniqueConstraint('number', name=op.f('uq_bundle_cases_number')),
    sa.UniqueConstraint('ref', name=op.f('uq_bundle_cases_ref'))
    )
    with op.batch_alter_table('bundle_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_cases_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_cases_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_cases_town_id'), ['town_id'], unique=False)

    op.create_table('bundle_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_case_id', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bundle_case_id'], ['bundle_cases.id'], name=op.f('fk_bundle_corrections_bundle_case_id_bundle_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_bundle_corrections_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_corrections'))
    )
    with op.batch_alter_table('bundle_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_corrections_bundle_case_id'), ['bundle_case_id'], unique=False)

    op.create_table('bundle_case_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_case_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_bundle_case_items_application_id_applications')),
    sa.ForeignKeyConstraint(['bundle_case_id'], ['bundle_cases.id'], name=op.f('fk_bundle_case_items_bundle_case_id_bundle_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_case_items')),
    sa.UniqueConstraint('application_id', name='uq_bundle_case_items_application')
    )
    with op.batch_alter_table('bundle_case_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_case_items_bundle_case_id'), ['bundle_case_id'], unique=False)


    op.create_table('reused_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('source_material_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('status_at_reuse', sa.String(length=20), nullable=False),
    sa.Column('consent', sa.String(length=10), nullable=False),
    sa.Column('reused_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reused_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_reused_materials_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['file_id'], ['applicant_files.id'], name=op.f('fk_reused_materials_file_id_applicant_files')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_reused_materials_owner_id_users')),
    sa.ForeignKeyConstraint(['reused_by_id'], ['users.id'], name=op.f('fk_reused_materials_reused_by_id_users')),
    sa.ForeignKeyConstraint(['source_material_id'], ['application_materials.id'], name=op.f('fk_reused_materials_source_material_id_application_materials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reused_materials'))
    )
    with op.batch_alter_table('reused_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reused_materials_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reused_materials_owner_id'), ['owner_id'], unique=False)

    op.create_table('opinion_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('office_name', sa.String(length=200), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_opinion_requests_application_id_applications')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_opinion_requests_answered_by_id_users')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_opinion_requests_asked_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_opinion_requests_office_id_offices')),
    sa.ForeignKeyConstraint(['target_id'], ['jurisdictions.id'], name=op.f('fk_opinion_requests_target_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_requests'))
    )
    with op.batch_alter_table('opinion_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_requests_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_requests_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_requests_target_id'), ['target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('opinion_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_requests_target_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_requests_due_on'))
        batch_op.drop_index(batch_op.f('ix_opinion_requests_application_id'))

    op.drop_table('opinion_requests')
    with op.batch_alter_table('reused_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reused_materials_owner_id'))
        batch_op.drop_index(batch_op.f('ix_reused_materials_file_id'))

    op.drop_table('reused_materials')
    with op.batch_alter_table('bundle_case_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_case_items_bundle_case_id'))

    op.drop_table('bundle_case_items')
    with op.batch_alter_table('bundle_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_corrections_bundle_case_id'))

    op.drop_table('bundle_corrections')
    with op.batch_alter_table('bundle_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_cases_town_id'))
        batch_op.drop_index(batch_op.f('ix_bundle_cases_bundle_id'))
        batch_op.drop_index(batch_op.f('ix_bundle_cases_applicant_id'))

    op.drop_table('bundle_cases')
    with op.batch_alter_table('bundles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundles_county_id'))

    op.drop_table('bundles')
