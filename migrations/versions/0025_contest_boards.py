"""a board per contest: forum_board.contest_id (unique, so one board per contest under a race)

Revision ID: 0025_contest_boards
Revises: 0024_evaluations
Create Date: 2026-11-29 22:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_contest_boards'
down_revision = '0024_evaluations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_board', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contest_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_forum_board_contest_id'), ['contest_id'])
        batch_op.create_foreign_key(batch_op.f('fk_forum_board_contest_id_contest'), 'contest', ['contest_id'],
                                    ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('forum_board', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_forum_board_contest_id_contest'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_forum_board_contest_id'), type_='unique')
        batch_op.drop_column('contest_id')
