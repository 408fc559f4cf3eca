"""student verification (status, how, by whom, when) and group rosters imported by exchange managers

Existing students start unverified: nobody checked who they are, so companies stop seeing them until a
manager of their group verifies them from the queue (or a roster lists them).

Revision ID: 0018_student_verification
Revises: 0017_practice_terms
Create Date: 2026-11-29 16:10:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0018_student_verification'
down_revision = '0017_practice_terms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('status', sa.Enum('previewed', 'applied', name='rosterimportstatus', native_enum=False,
                                    length=20), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('error_count', sa.Integer(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('outcome', sa.JSON(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('applied_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_import_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('roster_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('major', sa.String(length=200), nullable=False),
        sa.Column('degree_level', sa.Enum('bachelor', 'master', 'phd', name='degreelevel', native_enum=False,
                                          length=30), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=True),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['project_group.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['import_id'], ['roster_import.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['track_id'], ['track.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('group_id', 'email', name='uq_roster_entry_group_email')
    )
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entry_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entry_email'), ['email'], unique=False)

    with op.batch_alter_table('student_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_status', sa.Enum(
            'unverified', 'verified', 'declined', name='verificationstatus', native_enum=False, length=20),
            server_default='unverified', nullable=False))
        batch_op.add_column(sa.Column('verified_via', sa.Enum(
            'email_domain', 'roster', 'manager', name='verifiedvia', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verified_at', marketplace.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('verification_note', sa.Text(), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_student_profile_verification_status'), ['verification_status'],
                              unique=False)
        batch_op.create_foreign_key('fk_student_profile_verified_by_id_user', 'user', ['verified_by_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('student_profile', schema=None) as batch_op:
        batch_op.drop_constraint('fk_student_profile_verified_by_id_user', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_student_profile_verification_status'))
        batch_op.drop_column('verification_note')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('verified_by_id')
        batch_op.drop_column('verified_via')
        batch_op.drop_column('verification_status')
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entry_email'))
        batch_op.drop_index(batch_op.f('ix_roster_entry_group_id'))
    op.drop_table('roster_entry')
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_import_uploaded_by_id'))
    op.drop_table('roster_import')
