"""With debug on (the demo under `make run`), a refused or unknown URL shows the app's own 404
page, never Django's debug page listing every URL pattern."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

APP_PAGE = "There is nothing here, or you do not have access to it."
DEBUG_PAGE = "Using the URLconf defined in"


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.parametrize("url", ["/cases/987654/", "/meetings/987654/", "/no-such-page/", "/cases/notes/x/"])
def test_a_refused_or_unknown_url_shows_the_apps_own_404_page_with_debug_on(client_for, investigator, debug_on, url):
    response = client_for(investigator).get(url)

    assert response.status_code == 404
    page = response.content.decode()
    assert APP_PAGE in page
    assert DEBUG_PAGE not in page
    assert "cases:detail" not in page and "audit/" not in page
    assert "no-store" in response["Cache-Control"]


def test_the_refusal_is_still_recorded_with_debug_on(client_for, investigator, debug_on):
    client_for(investigator).get("/cases/987654/")

    row = AuditEvent.objects.filter(actor_id=investigator.pk).latest("id")
    assert (row.outcome, row.object_type, row.object_id) == ("refused", "shooting", "987654")
