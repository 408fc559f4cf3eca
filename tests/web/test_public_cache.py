"""The public openings list comes from a cache for anonymous visitors, and a change shows at once: in this
app, in another app instance on the same database (another gunicorn worker or server), with the per-process
cache and with Redis. Each visitor gets their own CSRF token from a cached copy; signed-in users never get one."""
from __future__ import annotations

import pytest

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.models import Opening, OpeningStatus
from marketplace.services import openings
from tests.conftest import CSRF_RE, IsolatedClient
from tests.factories import make_exchange_manager, make_student
from tests.factories_companies import make_opening, manager_of, opening_data
from tests.services.test_throttle import redis_url  # noqa: F401  (the throw-away redis-server fixture)


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _rename(opening: Opening, title: str) -> None:
    opening = db.session.get(Opening, opening.id)
    data = opening_data(opening.company, title=title, version=opening.version)
    openings.update_opening(manager_of(opening.company), opening, data)
    db.session.commit()


def test_a_second_anonymous_visit_is_served_from_the_cache_without_the_list_queries(client, count_queries):
    make_opening(title="Pathology slide triage")
    first = count_queries.page(client, "/openings")
    second = count_queries.page(client, "/openings")
    assert "Pathology slide triage" in client.get("/openings").get_data(as_text=True)
    assert second == 1 < first  # only the stamp is read


def test_a_renamed_opening_shows_at_once_to_anonymous_visitors(client):
    opening = make_opening(title="Retina screening internship")
    assert "Retina screening internship" in client.get("/openings").get_data(as_text=True)
    _rename(opening, "Fundus photo screening internship")
    html = client.get("/openings").get_data(as_text=True)
    assert "Fundus photo screening internship" in html and "Retina screening internship" not in html


def test_a_closed_opening_leaves_the_cached_list_at_once(client):
    opening = make_opening(title="ECG arrhythmia project")
    assert "ECG arrhythmia project" in client.get("/openings").get_data(as_text=True)
    openings.close_opening(manager_of(opening.company), db.session.get(Opening, opening.id))
    db.session.commit()
    assert "ECG arrhythmia project" not in client.get("/openings").get_data(as_text=True)


def test_a_new_publication_appears_at_once_in_every_cached_filter(client):
    make_opening(title="First opening")
    for path in ("/openings", "/openings?sort=deadline", "/openings?q=opening"):
        client.get(path)
    make_opening(title="Second opening")
    for path in ("/openings", "/openings?sort=deadline", "/openings?q=opening"):
        html = client.get(path).get_data(as_text=True).replace("<mark>", "").replace("</mark>", "")
        assert "Second opening" in html, path


def test_a_rolled_back_change_keeps_the_cached_copy(client, count_queries):
    opening = make_opening(title="Kept title")
    client.get("/openings")
    db.session.get(Opening, opening.id).title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert count_queries.page(client, "/openings") == 1


def test_every_visitor_gets_their_own_csrf_token_from_the_cached_page(app, client):
    make_opening(title="Token check")
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    mine = CSRF_RE.search(client.get("/openings").get_data(as_text=True)).group(1)
    theirs = CSRF_RE.search(other.get("/openings").get_data(as_text=True)).group(1)
    assert mine != theirs
    # The language switch on the cached page works with the token it carries.
    response = client.post("/language", data={"csrf_token": mine, "locale": "ko", "next": "/openings"})
    assert response.status_code == 302


def test_signed_in_users_never_get_the_anonymous_copy(client, auth):
    make_opening(title="Shared list")
    assert "Sign in" in client.get("/openings").get_data(as_text=True)
    student = make_student()
    db.session.commit()
    auth.login(student.email)
    html = client.get("/openings").get_data(as_text=True)
    assert "Sign out" in html and "Shared list" in html


def _second_instance(app, **extra):
    other = create_app({**{k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")},
                        "SERVER_NAME": None, **extra})
    other.test_client_class = IsolatedClient
    return other


@pytest.mark.parametrize("shared", ["per-process", "redis"])
def test_a_change_made_through_another_app_instance_shows_at_once(app, client, shared, request):
    extra = {}
    if shared == "redis":
        url = request.getfixturevalue("redis_url")
        extra = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
        app = _second_instance(app, **extra)  # the reader uses Redis too
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    opening = make_opening(title="Cross-worker title")
    assert "Cross-worker title" in client.get("/openings").get_data(as_text=True)
    writer = _second_instance(app, **extra)
    with writer.app_context():
        changed = db.session.get(Opening, opening.id)
        data = opening_data(changed.company, title="Renamed elsewhere", version=changed.version)
        openings.update_opening(manager_of(changed.company), changed, data)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    html = client.get("/openings").get_data(as_text=True)
    assert "Renamed elsewhere" in html and "Cross-worker title" not in html


def test_an_opening_sent_back_to_review_leaves_the_list_at_once(client):
    opening = make_opening(title="Requirements change")
    client.get("/openings")
    opening = db.session.get(Opening, opening.id)
    data = opening_data(opening.company, title="Requirements change", seats=opening.seats + 3,
                        version=opening.version)
    assert openings.update_opening(manager_of(opening.company), opening, data) is True
    db.session.commit()
    assert db.session.get(Opening, opening.id).status == OpeningStatus.IN_REVIEW
    assert "Requirements change" not in client.get("/openings").get_data(as_text=True)
    reviewer = make_exchange_manager(*opening.company.partner_groups)
    openings.publish_opening(reviewer, db.session.get(Opening, opening.id))
    db.session.commit()
    assert "Requirements change" in client.get("/openings").get_data(as_text=True)
