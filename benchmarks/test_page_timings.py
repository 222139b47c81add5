"""Median and p95 server time of the pages every partner opens first."""

from __future__ import annotations

import time

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User

from .conftest import REQUESTS

pytestmark = pytest.mark.django_db


def _time(client, url: str, bench_report, name: str) -> None:
    # The first request loads templates and warms caches; steady state is what users feel.
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Read now: every later request clears the connection's query log.
    query_count = len(queries.captured_queries)
    seconds = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200
    bench_report(name, seconds, query_count, len(first.content))


def test_login_page(client, bench_report):
    _time(client, "/accounts/login/", bench_report, "login page (anonymous)")


def test_case_list(client, demo_data, bench_report):
    client.force_login(User.objects.get(username="investigator"))
    try:
        shootings = apps.get_model("cases", "Shooting").objects.count()
    except LookupError:
        shootings = 0
    _time(client, "/cases/", bench_report, f"case list, {shootings} shootings")
