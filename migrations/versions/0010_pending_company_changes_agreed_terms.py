"""pending changes of approved companies; terms agreed with a placement

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-29 13:15:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_changes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('changes_submitted_at', marketplace.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('changes_note', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreed_terms', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_column('agreed_terms')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('changes_note')
        batch_op.drop_column('changes_submitted_at')
        batch_op.drop_column('pending_changes')
