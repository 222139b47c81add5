"""`manage.py release_lockout`: an operator at the shell lists the locked accounts and releases
any of them, recorded in the audit trail, for when no one who could release one on the web can
sign in."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import AuditEvent, LoginFailure, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, username, password, ip):
    return client.post(
        "/accounts/login/", {"username": username, "password": password, "acknowledge": "on"}, REMOTE_ADDR=ip
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def admin(police) -> User:
    return UserFactory(username="admin", first_name="Ada", last_name="Root", is_staff=True, is_superuser=True)


@pytest.fixture
def everyone_who_could_release_is_locked(client, supervisor, admin):
    """Anonymous guessing from many addresses (which the per-address throttle cannot stop) has
    locked the only supervisor and the only administrator."""
    for n, user in enumerate([supervisor, admin] * 5):
        attempt(client, user.username, "guess", ip=f"198.51.100.{n + 1}")
    assert User.objects.filter(locked_at__isnull=False).count() == 2


def run(*args) -> str:
    out = StringIO()
    call_command("release_lockout", *args, stdout=out)
    return out.getvalue()


def test_the_operator_lists_who_is_locked_and_the_listing_is_recorded(everyone_who_could_release_is_locked, police):
    listing = run("--list")
    lines = listing.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("sgt_marchetti\tLeon Marchetti\tRiverbend Metropolitan Police Department\tlocked since")
    assert lines[1].startswith("admin\tAda Root\t")
    row = AuditEvent.objects.get(event="account.locked_list")
    assert row.detail["via"] == "manage.py release_lockout"
    assert row.detail["count"] == 2
    assert "operator" in row.detail


def test_the_operator_releases_a_supervisor_who_can_then_release_the_administrator(
    client, everyone_who_could_release_is_locked, supervisor, admin
):
    assert "sgt_marchetti can sign in again" in run(supervisor.username)
    release = AuditEvent.objects.get(event="account.unlock")
    assert release.object_id == str(supervisor.pk)
    assert release.actor_id is None  # nobody signed in: the shell account is named instead
    assert release.detail["username"] == supervisor.username
    assert release.detail["via"] == "manage.py release_lockout"
    assert not LoginFailure.objects.filter(username=supervisor.username, cleared=False).exists()

    attempt(client, supervisor.username, PASSWORD, ip="10.1.1.1")
    assert signed_in(client)
    page = client.get("/accounts/locked/").content.decode()
    assert "Ada Root (admin)" in page and "(sgt_marchetti)" not in page
    assert run("--list").splitlines()[0].startswith("admin\t")


def test_an_unknown_or_unlocked_account_is_refused_and_nothing_is_recorded(supervisor):
    with pytest.raises(CommandError, match="no account named 'nobody'"):
        run("nobody")
    with pytest.raises(CommandError, match="sgt_marchetti is not locked"):
        run(supervisor.username)
    with pytest.raises(CommandError, match="either the username to release, --list or --address"):
        run()
    with pytest.raises(CommandError, match="203.0.113.9 is not paused"):
        run("--address", "203.0.113.9")
    assert not AuditEvent.objects.filter(
        event__in=["account.unlock", "account.locked_list", "signin.address_released"]
    ).exists()


def test_with_nobody_locked_the_list_says_so(db):
    assert run("--list") == "No account is locked.\n"


def test_the_operator_sees_and_releases_an_address_the_sign_in_throttle_paused(client, investigator):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(10):
            attempt(client, f"nobody{n}", "guess", ip="2001:db8:7:7::5")
            clock.shift(timedelta(minutes=1))
        assert attempt(client, investigator.username, PASSWORD, ip="2001:db8:7:7::9").status_code == 429
        assert run("--list").splitlines() == [
            "No account is locked.",
            "address 2001:db8:7:7::/64\tsign-in paused for 50 more minutes",
        ]
        assert AuditEvent.objects.get(event="account.locked_list").detail["addresses"] == 1

        assert "2001:db8:7:7::/64 may sign in again" in run("--address", "2001:db8:7:7::1")
        attempt(client, investigator.username, PASSWORD, ip="2001:db8:7:7::9")
    assert signed_in(client)
    released = AuditEvent.objects.get(event="signin.address_released")
    assert (released.object_id, released.detail["forgotten"], released.detail["via"]) == (
        "2001:db8:7:7::/64",
        10,
        "manage.py release_lockout",
    )
