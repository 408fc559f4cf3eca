"""Period filters at the ends of the calendar get a message beside the field, never a 500."""
import pytest

from tests.factories import make_admin, make_exchange_manager

EXTREMES = ["9999-12-31", "0001-01-01"]


@pytest.mark.parametrize("day", EXTREMES)
@pytest.mark.parametrize("field", ["from", "to"])
def test_audit_log_date_filters_at_the_ends_of_the_calendar_show_a_message(client, auth, day, field):
    auth.login(make_admin().email)
    response = client.get(f"/admin/audit?{field}={day}", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="date-{field}-error"' in html and "Enter a date between 1900-01-01 and 2999-12-31." in html
    assert f'value="{day}"' in html  # what was typed stays in the box


@pytest.mark.parametrize("day", EXTREMES)
@pytest.mark.parametrize("kind", ["placements", "applications"])
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_export_date_filters_at_the_ends_of_the_calendar_show_a_message(client, auth, day, kind, field):
    auth.login(make_exchange_manager().email)
    response = client.get(f"/manager/exports?kind={kind}&fmt=csv&lang=en&{field}={day}",
                          headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a date between 1900-01-01 and 2999-12-31." in html
    assert f'value="{day}"' in html


def test_export_dates_inside_the_range_still_export(client, auth):
    auth.login(make_exchange_manager().email)
    response = client.get("/manager/exports?kind=applications&fmt=csv&lang=en&date_from=1900-01-01&date_to=2999-12-31")
    assert response.status_code == 200 and response.headers["X-Export-Rows"] == "0"
