"""Flask extensions, created unbound here and initialised in create_app."""
from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

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
