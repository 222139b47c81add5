"""Every answer of the API is JSON, its errors too: an unknown path, a refusal with debug on (the
demo), a method the path does not take."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEvent
from tests.factories import make_shooting

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_answers_404_in_json(investigator, client):
    response = ApiClient(token_for(investigator)).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    client.force_login(investigator)
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_with_debug_on_a_refusal_stays_json_and_shows_no_url_patterns(investigator, outsider, settings):
    settings.DEBUG = True
    shooting = make_shooting(investigator)
    response = ApiClient(token_for(outsider)).get(f"/api/v1/notes/{shooting.pk + 10**6}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_method_the_path_does_not_take_answers_405_in_json(investigator):
    shooting = make_shooting(investigator)
    response = ApiClient(token_for(investigator)).post(f"/api/v1/cases/{shooting.pk}/", {})
    assert response.status_code == 405
    assert "not allowed" in response.json()["detail"]


def test_an_api_call_on_a_session_idle_past_its_limit_answers_401_in_json_and_ends_the_session(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(investigator)
        assert client.get("/api/v1/cases/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/api/v1/cases/")
        assert client.get("/cases/").status_code == 302

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert AuditEvent.objects.filter(event="session.timeout", actor_id=investigator.pk).count() == 1
