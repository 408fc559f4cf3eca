"""outbox e-mails: next attempt time and a failed state after the retry cap

Revision ID: 0007
Revises: 0009_edit_versions
Create Date: 2026-11-29 13:10:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0009_edit_versions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_email_due', ['sent_at', 'failed_at', 'next_attempt_at'], unique=False)
    # Mails that used up their attempts under the old rule (attempts < 5) are failed, so the admin sees them.
    op.execute("UPDATE outbox_email SET failed_at = created_at WHERE sent_at IS NULL AND attempts >= 5")


def downgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_email_due')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
