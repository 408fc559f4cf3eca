"""A failed statement's log and error text never carry its parameters (password hashes, session tokens)."""
import logging

import pytest
import sqlalchemy as sa

from marketplace.app import create_app
from marketplace.config import Config, ProductionConfig, TestConfig
from marketplace.extensions import db
from tests.factories import make_company_manager


@pytest.mark.parametrize("config", [Config, ProductionConfig, TestConfig])
def test_every_environment_hides_sql_parameters(config):
    assert config.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True


def test_the_engine_hides_parameters_even_when_a_deployment_overrides_the_engine_options(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}})
    with app.app_context():
        assert db.engine.hide_parameters is True


def test_a_failed_statement_logs_no_password_hash_or_session_token(app, caplog):
    first, second = make_company_manager(), make_company_manager()
    secret_hash, secret_token = db.session.get(type(first), first.id).password_hash, second.session_token
    caplog.set_level(logging.DEBUG)
    with pytest.raises(sa.exc.IntegrityError) as raised:
        db.session.execute(  # a duplicate e-mail: the database refuses it and reports the statement
            sa.text('UPDATE "user" SET email = :email, password_hash = :hash WHERE session_token = :token'),
            {"email": first.email, "hash": secret_hash, "token": secret_token},
        )
    db.session.rollback()
    text = str(raised.value) + "\n".join(r.getMessage() for r in caplog.records)
    assert "parameters hidden" in text
    assert secret_hash not in text and secret_token not in text
