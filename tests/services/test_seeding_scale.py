"""The scale data set leaves the planner statistics fresh: right after a bulk load PostgreSQL has none (reltuples
-1 until autovacuum comes round) and SQLite none at all, and both then plan the openings search badly."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.seeding_scale import refresh_statistics, seed_scale
from tests.web.test_page_query_counts import SIZES


def _opening_rows_known() -> float | None:
    if db.engine.dialect.name == "sqlite":
        if not db.session.scalar(sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
            return None
        return db.session.scalar(sa.text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'opening'")) or None
    value = db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'opening'"))
    return value if value and value > 0 else None


def test_refreshing_statistics_after_the_bulk_load_tells_the_planner_the_tables_sizes(app):
    from marketplace.seeding import seed_demo, seed_groups

    seed_groups()
    seed_demo()
    db.session.commit()
    seed_scale(SIZES["small"], seed=7)
    db.session.commit()
    if db.engine.dialect.name == "sqlite":  # (PostgreSQL's autovacuum may have analysed the table in an earlier test)
        assert _opening_rows_known() is None  # nothing known right after the load
    refresh_statistics()
    db.session.rollback()  # a fresh snapshot of the catalogue
    assert _opening_rows_known()
