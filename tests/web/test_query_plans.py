"""The hot queries of every role's main pages use an index on every large table: EXPLAIN QUERY PLAN on SQLite,
EXPLAIN ANALYZE with sequential scans switched off on PostgreSQL (a table still read sequentially then has no
usable index). The statements are the ones the pages really run, captured on the small scale data set."""
from __future__ import annotations

import re

import sqlalchemy as sa

from marketplace.extensions import db
from tests.web.test_page_query_counts import SIZES, build

LARGE_TABLES = {"opening", "application", "student_skill", "opening_skill", "audit_event", "placement", "user",
                "student_profile", "company", "notification", "opening_group", "company_membership",
                "company_group", "opening_search"}


def captured_statements(app, client, auth, data) -> list[tuple[str, object]]:
    from tests.web.test_page_query_counts import page_counts

    seen: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.append((statement, parameters))

    class Recorder:
        def page(self, client, path):
            db.session.remove()
            response = client.get(path)
            assert response.status_code == 200, path
            return 0

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        page_counts(app, client, auth, Recorder(), data)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    unique = {}
    for statement, parameters in seen:
        unique.setdefault(statement, parameters)
    return list(unique.items())


def full_scans(statement: str, parameters, dialect: str) -> list[str]:
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if dialect == "sqlite":
        plan = [row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
        return [line for line in plan
                if (m := re.match(r"SCAN (\w+)(?: AS \w+)?$", line.strip())) and m.group(1) in LARGE_TABLES]
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN ANALYZE " + statement, parameters)
        plan = [row[0] for row in cursor.fetchall()]
    return [line.strip() for line in plan
            if (m := re.search(r"Seq Scan on \"?(\w+)\"?", line)) and m.group(1) in LARGE_TABLES]


def test_the_pages_hot_queries_scan_no_large_table_in_full(app, client, auth, backend):
    app.config["RATELIMIT_ENABLED"] = False
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = build(SIZES["small"])
    statements = captured_statements(app, client, auth, data)
    assert len(statements) > 40
    problems = {}
    for statement, parameters in statements:
        scans = full_scans(statement, parameters, db.engine.dialect.name)
        if scans:
            text = " ".join(statement.split())
            problems[text[text.find(" FROM "):][:400]] = scans
    db.session.rollback()
    assert not problems, "\n".join(f"{scans} in ...{text}" for text, scans in problems.items())
