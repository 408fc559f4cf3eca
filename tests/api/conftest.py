"""API test helpers: tokens made through the real service, and bearer headers."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.services import api_tokens


def make_token(user, *scopes: str, name: str = "SIS sync") -> str:
    """A new token of `user` with `scopes` (default: every scope the role may hold); returns the secret."""
    new = api_tokens.create_token(user, name, list(scopes or api_tokens.scopes_for(user)))
    db.session.commit()
    return new.secret


def bearer(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def api(client):
    """The test client without cookies, as a university system calls the API."""
    return client
