"""attempt counters shared by every worker (sign-in, registration and password-check throttling)

Revision ID: 0008
Revises: 0011_opening_search
Create Date: 2026-11-29 13:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0011_opening_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt_counter',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_attempt_counter'))
    )
    with op.batch_alter_table('attempt_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_counter_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('attempt_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_counter_expires_at'))

    op.drop_table('attempt_counter')
