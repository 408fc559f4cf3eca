"""covering indexes for the exchange managers' dashboard counts

Revision ID: 0026_dashboard_indexes
Revises: 0025_contest_boards
Create Date: 2026-11-29 22:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_dashboard_indexes'
down_revision = '0025_contest_boards'
branch_labels = None
depends_on = None

# (name, table, columns): the dashboard counts applications by status and students and openings per skill for
# a group's students and openings; with every column it reads in the index, the database never reads the rows
# (application statements, skill rows), about a third of the time at 10,000 students (README, bench_roles.py).
INDEXES = (
    ("ix_application_student_status", "application", ["student_id", "status"]),
    ("ix_student_skill_profile_skill", "student_skill", ["profile_id", "skill_id", "display_name"]),
    ("ix_opening_skill_opening_skill", "opening_skill", ["opening_id", "skill_id", "display_name"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
