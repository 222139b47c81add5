"""Every request of a signed-in person reads the person once, with their agency, and hands the
views the loaded user rather than a lazy proxy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_signed_in_persons_agency_is_read_with_the_person(client_for, investigator):
    client = client_for(investigator)
    client.get(reverse("cases:list"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:list"))

    assert response.status_code == 200
    assert investigator.agency.name in response.content.decode()
    agency_reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "accounts_agency"')]
    assert agency_reads == []


def test_views_get_the_loaded_user_not_a_proxy(client_for, investigator):
    response = client_for(investigator).get(reverse("cases:list"))

    assert type(response.wsgi_request.user) is User
    assert response.wsgi_request.user.pk == investigator.pk
