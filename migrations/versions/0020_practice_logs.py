"""course plans and weekly practice logs

Revision ID: 0020_practice_logs
Revises: 0019_agreements
Create Date: 2026-11-29 19:00:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0020_practice_logs'
down_revision = '0019_agreements'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('required_hours', sa.Integer(), nullable=False),
    sa.Column('min_education_share', sa.Integer(), nullable=False),
    sa.Column('midterm_week', sa.Integer(), nullable=True),
    sa.Column('final_week', sa.Integer(), nullable=False),
    sa.Column('evaluation_window_days', sa.Integer(), server_default='7', nullable=False),
    sa.Column('mentor_min_load', sa.Integer(), server_default='1', nullable=False),
    sa.Column('mentor_max_load', sa.Integer(), server_default='3', nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_course_plan_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['project_group.id'], name=op.f('fk_course_plan_group_id_project_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_plan'))
    )
    with op.batch_alter_table('course_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_plan_group_id'), ['group_id'], unique=False)
        batch_op.create_index('uq_course_plan_group_default', ['group_id'], unique=True, sqlite_where=sa.text('is_default AND group_id IS NOT NULL'), postgresql_where=sa.text('is_default AND group_id IS NOT NULL'))
        batch_op.create_index('uq_course_plan_programme_default', ['is_default'], unique=True, sqlite_where=sa.text('is_default AND group_id IS NULL'), postgresql_where=sa.text('is_default AND group_id IS NULL'))

    op.create_table('practice_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('week_no', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'confirmed', 'returned', name='weekstatus', native_enum=False, length=20), nullable=False),
    sa.Column('submitted_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reminded', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_practice_week_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_practice_week_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_week')),
    sa.UniqueConstraint('placement_id', 'week_no', name='uq_practice_week_placement_week')
    )
    with op.batch_alter_table('practice_week', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_week_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index('ix_practice_week_status', ['status'], unique=False)

    op.create_table('practice_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('education_minutes', sa.Integer(), nullable=False),
    sa.Column('did', sa.Text(), nullable=False),
    sa.Column('learned', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['week_id'], ['practice_week.id'], name=op.f('fk_practice_day_week_id_practice_week'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_day')),
    sa.UniqueConstraint('week_id', 'day', name='uq_practice_day_week_day')
    )
    with op.batch_alter_table('practice_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_day_week_id'), ['week_id'], unique=False)

    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_plan_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_placement_course_plan_id_course_plan'), 'course_plan', ['course_plan_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_placement_course_plan_id_course_plan'), type_='foreignkey')
        batch_op.drop_column('course_plan_id')

    with op.batch_alter_table('practice_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_day_week_id'))

    op.drop_table('practice_day')
    with op.batch_alter_table('practice_week', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_week_status')
        batch_op.drop_index(batch_op.f('ix_practice_week_placement_id'))

    op.drop_table('practice_week')
    with op.batch_alter_table('course_plan', schema=None) as batch_op:
        batch_op.drop_index('uq_course_plan_programme_default', sqlite_where=sa.text('is_default AND group_id IS NULL'), postgresql_where=sa.text('is_default AND group_id IS NULL'))
        batch_op.drop_index('uq_course_plan_group_default', sqlite_where=sa.text('is_default AND group_id IS NOT NULL'), postgresql_where=sa.text('is_default AND group_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_course_plan_group_id'))

    op.drop_table('course_plan')
