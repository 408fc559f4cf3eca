"""opening search: a token document per opening, FTS5 on SQLite, a GIN tsvector index on PostgreSQL

Revision ID: 0011_opening_search
Revises: 0010
Create Date: 2026-11-29 14:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_opening_search'
down_revision = '0010'
branch_labels = None
depends_on = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE opening_search_fts USING fts5(document, content='opening_search', "
    "content_rowid='opening_id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER opening_search_ai AFTER INSERT ON opening_search BEGIN "
    "INSERT INTO opening_search_fts(rowid, document) VALUES (new.opening_id, new.document); END",
    "CREATE TRIGGER opening_search_ad AFTER DELETE ON opening_search BEGIN "
    "INSERT INTO opening_search_fts(opening_search_fts, rowid, document) "
    "VALUES ('delete', old.opening_id, old.document); END",
    "CREATE TRIGGER opening_search_au AFTER UPDATE ON opening_search BEGIN "
    "INSERT INTO opening_search_fts(opening_search_fts, rowid, document) "
    "VALUES ('delete', old.opening_id, old.document); "
    "INSERT INTO opening_search_fts(rowid, document) VALUES (new.opening_id, new.document); END",
)


def _backfill(bind) -> None:
    """Documents for the openings that exist already (built by the same code the services use)."""
    from marketplace.services.search import document_for

    openings = bind.execute(sa.text(
        "SELECT o.id, o.title, o.description, c.name, o.location FROM opening o JOIN company c ON c.id = o.company_id"
    )).all()
    for opening_id, title, description, company, location in openings:
        skills = bind.execute(sa.text(
            "SELECT coalesce(display_name, name), skill_id FROM opening_skill WHERE opening_id = :id ORDER BY position"
        ), {"id": opening_id}).all()
        document = document_for(title, description or "", company, location or "", [tuple(row) for row in skills])
        bind.execute(sa.text("INSERT INTO opening_search (opening_id, document) VALUES (:id, :document)"),
                     {"id": opening_id, "document": document})


def upgrade():
    op.create_table(
        'opening_search',
        sa.Column('opening_id', sa.Integer(), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['opening_id'], ['opening.id'], name=op.f('fk_opening_search_opening_id_opening'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('opening_id', name=op.f('pk_opening_search')),
    )
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_opening_search_document_tsv ON opening_search "
                   "USING gin (to_tsvector('simple'::regconfig, document))")
    _backfill(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in ('opening_search_ai', 'opening_search_ad', 'opening_search_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS opening_search_fts")
    elif bind.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_opening_search_document_tsv")
    op.drop_table('opening_search')
