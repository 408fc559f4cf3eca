"""Flask extensions, created unbound here and initialised in create_app."""
from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session

# Named constraints keep Alembic batch migrations on SQLite and PostgreSQL in step.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Statements built once per scope (a manager's groups) and kept, per process, by lru_cache: a select() is immutable,
# and on the busiest pages building one and its SQL cache key anew cost more than running it.
STATEMENTS_KEPT = 256
cache = Cache()  # results kept under stamps (marketplace/services/stamps.py), public pages among them


def release_session() -> None:
    """End the current session and give its connection back, for loops that outlive requests (the mail worker,
    the scheduler, queued jobs). If the database went away after the last statement, closing the transaction
    fails too: that must not end the loop (its next round meets the outage, logs it and waits)."""
    try:
        db.session.remove()
    except SQLAlchemyError:  # the pool has invalidated the dead connection; forget the session that held it
        db.session.registry.clear()


def forget_transaction() -> None:
    """Roll back after a failed round; with the database gone the rollback fails too, and release_session()
    drops the connection."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass


# -- read-only requests end with COMMIT ---------------------------------------------------------------------------
# psycopg forgets every prepared statement of a connection on ROLLBACK (a rolled-back transaction may have dropped
# what they refer to). Ending each request's transaction with ROLLBACK, as session.remove() does, meant no statement
# was ever prepared: PostgreSQL parsed and planned every statement of every page again (about 0.3 ms each, a fifth
# of a page's time there). A transaction that wrote nothing ends the same way with COMMIT, and psycopg then keeps
# the statements it prepared (those run five times on that connection). Anything written, or an error, still ends
# in ROLLBACK.
_WROTE = "marketplace_wrote"


@event.listens_for(Session, "after_flush")
def _note_flush(session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: its writes are committed or undone
        session.info.pop(_WROTE, None)


def end_read_only_transaction(error: BaseException | None = None) -> None:
    """At the end of a request: COMMIT the session's transaction if it wrote nothing (else leave it to remove()'s
    ROLLBACK). A read-only transaction ends the same way either way."""
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted or not session.in_transaction():
        return
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()
