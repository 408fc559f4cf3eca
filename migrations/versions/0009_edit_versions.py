"""edit versions: company, opening and student profile carry a version bumped by every saved edit

Revision ID: 0009_edit_versions
Revises: 0006
Create Date: 2026-11-29 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_edit_versions'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ("company", "opening", "student_profile")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
