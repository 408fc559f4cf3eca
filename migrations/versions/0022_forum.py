"""forum

Revision ID: 0022_forum
Revises: 0021_mentors
Create Date: 2026-11-29 19:00:00

"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.base


# revision identifiers, used by Alembic.
revision = '0022_forum'
down_revision = '0021_mentors'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_board',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_board')),
    sa.UniqueConstraint('slug', name=op.f('uq_forum_board_slug'))
    )
    op.create_table('forum_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('announcement', 'question', 'discussion', name='threadkind', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('answer_post_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('locked_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_forum_thread_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['board_id'], ['forum_board.id'], name=op.f('fk_forum_thread_board_id_forum_board'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user.id'], name=op.f('fk_forum_thread_hidden_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['locked_by_id'], ['user.id'], name=op.f('fk_forum_thread_locked_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_thread'))
    )
    with op.batch_alter_table('forum_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_thread_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_forum_thread_board_activity', ['board_id', 'pinned', 'last_activity_at'], unique=False)

    op.create_table('forum_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('opening', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_forum_post_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user.id'], name=op.f('fk_forum_post_hidden_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'], name=op.f('fk_forum_post_thread_id_forum_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post'))
    )
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_post_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_forum_post_thread_created', ['thread_id', 'opening', 'created_at'], unique=False)

    op.create_table('forum_post_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['editor_id'], ['user.id'], name=op.f('fk_forum_post_revision_editor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_post_revision_post_id_forum_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post_revision')),
    sa.UniqueConstraint('post_id', 'version', name=op.f('uq_forum_post_revision_post_id'))
    )


def downgrade():
    op.drop_table('forum_post_revision')
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_post_thread_created')
        batch_op.drop_index(batch_op.f('ix_forum_post_author_id'))

    op.drop_table('forum_post')
    with op.batch_alter_table('forum_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_thread_board_activity')
        batch_op.drop_index(batch_op.f('ix_forum_thread_author_id'))

    op.drop_table('forum_thread')
    op.drop_table('forum_board')
