"""several servers: uploaded files in the database (STORAGE_BACKEND=database) and claims of scheduled job runs

Revision ID: 0013_shared_files
Revises: 0012_email_preferences_digest
Create Date: 2026-11-29 16:10:00

"""
from alembic import op
import sqlalchemy as sa

from marketplace.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0013_shared_files'
down_revision = '0012_email_preferences_digest'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_file'))
    )
    op.create_table('job_run',
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=False),
    sa.Column('claimed_at', UTCDateTime(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('job', 'slot', name=op.f('pk_job_run'))
    )


def downgrade():
    op.drop_table('job_run')
    op.drop_table('stored_file')
