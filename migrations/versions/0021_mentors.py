"""mentor professors: profiles, assignments with the academic grade, consultation notes

Revision ID: 0021_mentors
Revises: 0020_practice_logs
Create Date: 2026-11-29 18:57:59.185206

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0021_mentors'
down_revision = '0020_practice_logs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mentor_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('majors', sa.Text(), server_default='', nullable=False),
    sa.Column('fields', sa.Text(), server_default='', nullable=False),
    sa.Column('min_load', sa.Integer(), nullable=True),
    sa.Column('max_load', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['project_group.id'], name=op.f('fk_mentor_profile_group_id_project_group')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mentor_profile_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_profile')),
    sa.UniqueConstraint('user_id', name=op.f('uq_mentor_profile_user_id'))
    )
    with op.batch_alter_table('mentor_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_profile_group_id'), ['group_id'], unique=False)

    op.create_table('consultation_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.Enum('in_person', 'video', 'phone', 'email', name='consultationmode', native_enum=False, length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['mentor_id'], ['user.id'], name=op.f('fk_consultation_note_mentor_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_consultation_note_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_note'))
    )
    with op.batch_alter_table('consultation_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_note_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index('ix_consultation_note_placement_held_on', ['placement_id', 'held_on'], unique=False)

    op.create_table('mentor_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('grade', sa.String(length=4), nullable=True),
    sa.Column('grade_comment', sa.Text(), server_default='', nullable=False),
    sa.Column('graded_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_mentor_assignment_assigned_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentor_id'], ['user.id'], name=op.f('fk_mentor_assignment_mentor_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_mentor_assignment_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_assignment')),
    sa.UniqueConstraint('placement_id', name='uq_mentor_assignment_placement')
    )
    with op.batch_alter_table('mentor_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_assignment_mentor_id'), ['mentor_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mentor_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_assignment_mentor_id'))

    op.drop_table('mentor_assignment')
    with op.batch_alter_table('consultation_note', schema=None) as batch_op:
        batch_op.drop_index('ix_consultation_note_placement_held_on')
        batch_op.drop_index(batch_op.f('ix_consultation_note_mentor_id'))

    op.drop_table('consultation_note')
    with op.batch_alter_table('mentor_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_profile_group_id'))

    op.drop_table('mentor_profile')
