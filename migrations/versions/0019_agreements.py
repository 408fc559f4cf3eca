"""practice agreements, insurance, clinical data

Revision ID: 0019_agreements
Revises: 0018_student_verification
Create Date: 2026-11-29 16:00:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0019_agreements'
down_revision = '0018_student_verification'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreement_clause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_ko', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_ko', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_agreement_clause_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_clause'))
    )
    op.create_table('opening_clinical_data',
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('data_source', sa.Enum('hospital', 'public_dataset', 'synthetic', 'none', name='datasource', native_enum=False, length=20), nullable=False),
    sa.Column('irb_status', sa.Enum('approved', 'pending', 'not_needed', name='irbstatus', native_enum=False, length=20), nullable=True),
    sa.Column('irb_institution', sa.String(length=200), nullable=False),
    sa.Column('irb_number', sa.String(length=100), nullable=False),
    sa.Column('irb_date', sa.Date(), nullable=True),
    sa.Column('irb_storage_name', sa.String(length=40), nullable=True),
    sa.Column('irb_original_name', sa.String(length=120), nullable=False),
    sa.Column('dua_status', sa.Enum('signed', 'pending', 'not_needed', name='duastatus', native_enum=False, length=20), nullable=True),
    sa.Column('dua_reference', sa.String(length=200), nullable=False),
    sa.Column('deidentification', sa.Enum('identified', 'pseudonymised', 'anonymised', 'not_applicable', name='deidentification', native_enum=False, length=20), nullable=True),
    sa.Column('access', sa.Enum('onsite', 'hospital_enclave', 'cloud', name='dataaccess', native_enum=False, length=20), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['opening_id'], ['opening.id'], name=op.f('fk_opening_clinical_data_opening_id_opening'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_opening_clinical_data_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('opening_id', name=op.f('pk_opening_clinical_data'))
    )
    op.create_table('agreement_acknowledgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.Enum('student', 'company', 'university', name='agreementparty', native_enum=False, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=100), nullable=False),
    sa.Column('acknowledged_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('document_hash', sa.String(length=64), nullable=False),
    sa.Column('voided_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_agreement_acknowledgement_placement_id_placement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_agreement_acknowledgement_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_acknowledgement'))
    )
    with op.batch_alter_table('agreement_acknowledgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_acknowledgement_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index('uq_agreement_ack_live_party', ['placement_id', 'party'], unique=True, sqlite_where=sa.text('voided_at IS NULL'), postgresql_where=sa.text('voided_at IS NULL'))

    op.create_table('agreement_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=40), nullable=False),
    sa.Column('original_name', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('document_hash', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_agreement_scan_placement_id_placement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_agreement_scan_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_scan'))
    )
    with op.batch_alter_table('agreement_scan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_scan_placement_id'), ['placement_id'], unique=False)

    op.create_table('placement_insurance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('industrial_accident', 'university_accident', name='insurancekind', native_enum=False, length=30), nullable=False),
    sa.Column('insurer', sa.String(length=200), nullable=False),
    sa.Column('policy_number', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('document_storage_name', sa.String(length=40), nullable=True),
    sa.Column('document_original_name', sa.String(length=120), nullable=False),
    sa.Column('document_size', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_placement_insurance_placement_id_placement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_placement_insurance_recorded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_insurance')),
    sa.UniqueConstraint('placement_id', 'kind', name='uq_placement_insurance_kind')
    )
    with op.batch_alter_table('placement_insurance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_insurance_placement_id'), ['placement_id'], unique=False)

    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_terms', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('agreement_ready', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_column('agreement_ready')
        batch_op.drop_column('agreement_terms')

    with op.batch_alter_table('placement_insurance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_insurance_placement_id'))

    op.drop_table('placement_insurance')
    with op.batch_alter_table('agreement_scan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_scan_placement_id'))

    op.drop_table('agreement_scan')
    with op.batch_alter_table('agreement_acknowledgement', schema=None) as batch_op:
        batch_op.drop_index('uq_agreement_ack_live_party', sqlite_where=sa.text('voided_at IS NULL'), postgresql_where=sa.text('voided_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_agreement_acknowledgement_placement_id'))

    op.drop_table('agreement_acknowledgement')
    op.drop_table('opening_clinical_data')
    op.drop_table('agreement_clause')
