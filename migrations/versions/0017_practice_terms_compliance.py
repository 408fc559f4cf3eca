"""practice terms on openings and placements; yearly compliance rules, public holidays, overrides

Revision ID: 0017_practice_terms
Revises: 0016_cache_stamp_list_indexes
Create Date: 2026-11-29 16:10:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0017_practice_terms'
down_revision = '0016_cache_stamp_list_indexes'
branch_labels = None
depends_on = None

WAGES = {2024: 9860, 2025: 10030, 2026: 10320}
FIXED_HOLIDAYS = (
    ((1, 1), "신정"), ((3, 1), "삼일절"), ((5, 5), "어린이날"), ((6, 6), "현충일"), ((8, 15), "광복절"),
    ((10, 3), "개천절"), ((10, 9), "한글날"), ((12, 25), "성탄절"),
)


def upgrade():
    rule_sets = op.create_table(
        'compliance_rule_set',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('min_hourly_wage_krw', sa.Integer(), nullable=False),
        sa.Column('standard_share_pct', sa.Integer(), nullable=False),
        sa.Column('autonomous_share_pct', sa.Integer(), nullable=False),
        sa.Column('allow_unpaid_autonomous', sa.Boolean(), nullable=False),
        sa.Column('max_hours_per_day', sa.Integer(), nullable=False),
        sa.Column('max_hours_per_week', sa.Integer(), nullable=False),
        sa.Column('night_start', sa.String(length=5), nullable=False),
        sa.Column('night_end', sa.String(length=5), nullable=False),
        sa.Column('max_remote_pct', sa.Integer(), nullable=False),
        sa.Column('min_host_employees', sa.Integer(), nullable=False),
        sa.Column('warning_lead_days', sa.Integer(), nullable=False),
        sa.Column('acknowledgement_grace_days', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_compliance_rule_set_year_range')),
        sa.CheckConstraint('min_hourly_wage_krw > 0', name=op.f('ck_compliance_rule_set_wage_positive')),
        sa.CheckConstraint('standard_share_pct BETWEEN 0 AND 100',
                           name=op.f('ck_compliance_rule_set_standard_share_range')),
        sa.CheckConstraint('autonomous_share_pct BETWEEN 0 AND 100',
                           name=op.f('ck_compliance_rule_set_autonomous_share_range')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_compliance_rule_set_updated_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_rule_set')),
        sa.UniqueConstraint('year', name=op.f('uq_compliance_rule_set_year')),
    )
    holidays = op.create_table(
        'public_holiday',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_holiday')),
        sa.UniqueConstraint('day', name=op.f('uq_public_holiday_day')),
    )
    op.create_table(
        'compliance_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_type', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=50), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('terms_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_compliance_override_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_override')),
        sa.UniqueConstraint('subject_type', 'subject_id', 'rule', 'terms_hash', name='uq_compliance_override'),
    )
    op.create_index('ix_compliance_override_subject', 'compliance_override', ['subject_type', 'subject_id'])

    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_opening_hours_per_week_range'), type_='check')
        batch_op.create_check_constraint('hours_per_week_range', 'hours_per_week BETWEEN 1 AND 168')
        batch_op.add_column(sa.Column('practice_type', sa.Enum('standard', 'autonomous', name='practicetype',
                                                               native_enum=False, length=12),
                                      server_default='standard', nullable=False))
        batch_op.add_column(sa.Column('schedule', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('education_share_pct', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('remote_share_pct', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('holiday_exception', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('supervisor_contact', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_check_constraint('education_share_range', 'education_share_pct BETWEEN 0 AND 100')
        batch_op.create_check_constraint('remote_share_range', 'remote_share_pct BETWEEN 0 AND 100')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    # Hybrid openings made before remote shares existed: one day a week (what the services assume when none is
    # given); remote ones are wholly remote.
    op.execute("UPDATE opening SET remote_share_pct = 20 WHERE work_mode = 'hybrid'")
    op.execute("UPDATE opening SET remote_share_pct = 100 WHERE work_mode = 'remote'")

    # The seed rules: the 2024–2026 hourly minimum wages with the programme's shares and limits, and the
    # fixed-date public holidays (lunar holidays and substitute days are added by admins each year).
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    op.bulk_insert(rule_sets, [
        {"year": year, "min_hourly_wage_krw": wage, "standard_share_pct": 75, "autonomous_share_pct": 30,
         "allow_unpaid_autonomous": False, "max_hours_per_day": 8, "max_hours_per_week": 40,
         "night_start": "22:00", "night_end": "06:00", "max_remote_pct": 25, "min_host_employees": 10,
         "warning_lead_days": 14, "acknowledgement_grace_days": 5, "note": "", "created_at": now,
         "updated_at": now, "version": 1}
        for year, wage in WAGES.items()
    ])
    op.bulk_insert(holidays, [
        {"day": date(year, month, day), "name": name}
        for year in (2024, 2025, 2026, 2027) for (month, day), name in FIXED_HOLIDAYS
    ])


def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('terms')
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_opening_remote_share_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_opening_education_share_range'), type_='check')
        batch_op.drop_column('supervisor_contact')
        batch_op.drop_column('holiday_exception')
        batch_op.drop_column('remote_share_pct')
        batch_op.drop_column('education_share_pct')
        batch_op.drop_column('schedule')
        batch_op.drop_column('practice_type')
        batch_op.drop_constraint(op.f('ck_opening_hours_per_week_range'), type_='check')
        batch_op.create_check_constraint('hours_per_week_range', 'hours_per_week BETWEEN 1 AND 40')
    op.drop_index('ix_compliance_override_subject', table_name='compliance_override')
    op.drop_table('compliance_override')
    op.drop_table('public_holiday')
    op.drop_table('compliance_rule_set')
