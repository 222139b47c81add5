from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import Agency, User

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Agency.objects.order_by("code").values()),
        list(User.objects.order_by("username").values()),
    )


def test_seed_demo_creates_four_agencies_and_one_user_per_role(settings):
    call_command("seed_demo", verbosity=0)
    assert Agency.objects.count() == 4
    assert sorted(Agency.objects.values_list("kind", flat=True)) == sorted(
        ["police", "federal", "prosecutor", "advocacy"]
    )
    demo = ["investigator", "atf", "prosecutor", "advocate", "coordinator", "supervisor"]
    roles = dict(User.objects.filter(username__in=demo).values_list("username", "role"))
    assert roles == {
        "investigator": "investigator",
        "atf": "federal_agent",
        "prosecutor": "prosecutor",
        "advocate": "victim_advocate",
        "coordinator": "coordinator",
        "supervisor": "supervisor",
    }
    assert User.objects.get(username="investigator").check_password(settings.DEMO_PASSWORD)


def test_seed_demo_run_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = _snapshot()
    call_command("seed_demo", verbosity=0)
    assert _snapshot() == first


def test_seed_demo_uses_demo_password_setting(settings):
    settings.DEMO_PASSWORD = "another fictional passphrase"
    call_command("seed_demo", verbosity=0)
    assert User.objects.get(username="advocate").check_password("another fictional passphrase")
