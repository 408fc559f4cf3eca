"""personal access tokens for the JSON API

Revision ID: 0014_api_tokens
Revises: 0013_shared_files
Create Date: 2026-11-29 16:10:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0014_api_tokens'
down_revision = '0013_shared_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('scopes', sa.String(length=300), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_token_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('digest', name=op.f('uq_api_token_digest')),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
    op.drop_table('api_token')
