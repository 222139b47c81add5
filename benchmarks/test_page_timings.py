"""Median and p95 server time of the pages every partner opens first."""

from __future__ import annotations

import pytest
from django.apps import apps

from accounts.models import User

from .conftest import time_requests

pytestmark = pytest.mark.django_db


def _time(client, url: str, bench_report, name: str) -> None:
    bench_report(name, *time_requests(client, url))


def test_login_page(client, bench_report):
    _time(client, "/accounts/login/", bench_report, "login page (anonymous)")


def test_case_list(client, demo_data, bench_report):
    client.force_login(User.objects.get(username="investigator"))
    try:
        shootings = apps.get_model("cases", "Shooting").objects.count()
    except LookupError:
        shootings = 0
    _time(client, "/cases/", bench_report, f"case list, {shootings} shootings")


def test_case_map(client, demo_data, bench_report):
    # The map draws up to cases.maps.points.MAP_LIMIT cases at once, with the SVG and the table.
    client.force_login(User.objects.get(username="investigator"))
    _time(client, "/cases/map/", bench_report, "case map, every case")
    _time(client, "/cases/map/?kind=homicide", bench_report, "case map, homicides")
