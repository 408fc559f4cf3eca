"""e-mail preferences per notification kind and the daily digest

Revision ID: 0012_email_preferences_digest
Revises: 0008
Create Date: 2026-11-29 16:10:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0012_email_preferences_digest'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('updated_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_email_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_email_preference'))
    )
    op.create_table('daily_digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_daily_digest_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_digest')),
    sa.UniqueConstraint('user_id', 'day', name='uq_daily_digest_user_day')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_mode', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_digest_id_daily_digest'), 'daily_digest',
                                    ['digest_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_notification_digest_waiting', ['email_mode', 'digest_id', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_digest_waiting')
        batch_op.drop_constraint(batch_op.f('fk_notification_digest_id_daily_digest'), type_='foreignkey')
        batch_op.drop_column('digest_id')
        batch_op.drop_column('email_mode')
    op.drop_table('daily_digest')
    op.drop_table('email_preference')
