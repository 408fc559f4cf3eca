"""cache stamps for the public-page cache; indexes for the public list's filters and sorts

Revision ID: 0016_cache_stamp_list_indexes
Revises: 0015_account_tokens
Create Date: 2026-11-29 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_cache_stamp_list_indexes'
down_revision = '0015_account_tokens'
branch_labels = None
depends_on = None

# (name, table, columns): every filter and sort of the pages' hot queries has one (tests/services/test_query_plans.py).
INDEXES = (
    ("ix_opening_status_published_at", "opening", ["status", "published_at", "id"]),
    ("ix_opening_status_deadline", "opening", ["status", "deadline", "id"]),
    ("ix_opening_status_stipend_krw", "opening", ["status", "stipend_krw", "id"]),
    ("ix_opening_company_updated_at", "opening", ["company_id", "updated_at"]),
    ("ix_opening_group_group_id", "opening_group", ["group_id"]),
    ("ix_application_opening_status", "application", ["opening_id", "status"]),
    ("ix_application_student_created_at", "application", ["student_id", "created_at"]),
    ("ix_company_group_group_id", "company_group", ["group_id"]),
)


def upgrade():
    op.create_table(
        'cache_stamp',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_stamp')),
    )
    op.execute("INSERT INTO cache_stamp (name, token) VALUES ('public', 'initial')")
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    # Sign-in looks accounts up by lower(email).
    op.create_index("ix_user_email_lower", "user", [sa.text("lower(email)")], unique=False)
    # Only companies with requested changes waiting (the reviewers' queue).
    waiting = sa.text("pending_changes IS NOT NULL")
    op.create_index("ix_company_pending_changes", "company", ["changes_submitted_at", "id"], unique=False,
                    sqlite_where=waiting, postgresql_where=waiting)


def downgrade():
    op.drop_index("ix_company_pending_changes", table_name="company")
    op.drop_index("ix_user_email_lower", table_name="user")
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    op.drop_table('cache_stamp')
