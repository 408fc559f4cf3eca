"""Service tests read messages in English (outside a request the app's default language is Korean)."""
import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def english_messages(request):
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    with force_locale("en"):
        yield
