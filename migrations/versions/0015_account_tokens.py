"""account tokens (confirmation, reset, invitation links); users confirm their e-mail; temporary passwords

Revision ID: 0015_account_tokens
Revises: 0014_api_tokens
Create Date: 2026-11-29 15:56:26.352043

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0015_account_tokens'
down_revision = '0014_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('confirm_email', 'reset_password', 'invitation', name='tokenpurpose', native_enum=False, length=30), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_account_token_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_token_token_hash'))
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index('ix_account_token_user_purpose', ['user_id', 'purpose'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Staff accounts were set up by the programme office, which knows their owners: they count as confirmed.
    # Students and company managers confirm their address through the banner's link at their next visit.
    op.execute(sa.text("UPDATE \"user\" SET email_confirmed_at = created_at "
                       "WHERE role IN ('admin', 'exchange_manager')"))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('email_confirmed_at')

    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index('ix_account_token_user_purpose')

    op.drop_table('account_token')
