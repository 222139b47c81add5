"""Lockout (AC-7) in the detail a person and an auditor rely on: failures count per account,
the lock is on record with who, from where and after how many failures, it ends the person's
other sessions, and a timed release opens the account neither before its time nor after."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts import security
from accounts.models import AuditEvent, LoginFailure, UserSession
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, username, password, ip="127.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password, "acknowledge": "on"}, REMOTE_ADDR=ip
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_against_other_accounts_never_lock_someone_else(client, investigator, police):
    colleague = UserFactory(username="colleague", agency=police)
    for _ in range(4):
        # From another address, so that the sign-in throttle of one address plays no part.
        attempt(client, colleague.username, "wrong", ip="198.51.100.40")

    attempt(client, investigator.username, "wrong")

    investigator.refresh_from_db()
    assert investigator.locked_at is None
    attempt(client, investigator.username, PASSWORD)
    assert signed_in(client)


def test_each_failure_is_kept_with_its_address_as_a_password_failure(client, investigator):
    attempt(client, investigator.username, "wrong", ip="198.51.100.23")

    failure = LoginFailure.objects.get(username=investigator.username)
    assert (failure.source_ip, failure.second_factor) == ("198.51.100.23", False)


def test_an_absurdly_long_name_is_counted_under_its_first_150_characters(db):
    security.record_failure("n" * 300)

    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["n" * 150]


def test_the_fifth_failure_locks_says_so_and_is_on_record(client, investigator):
    for _ in range(4):
        response = attempt(client, investigator.username, "wrong", ip="203.0.113.5")
        assert b"locked after too many failed sign-ins" not in response.content

    locked_now = security.record_failure(investigator.username)

    assert locked_now is True
    assert security.record_failure(investigator.username) is False  # already locked: not again
    row = AuditEvent.objects.get(event="account.lockout")
    assert (row.actor_id, row.actor_username, row.object_type, row.object_id, row.outcome) == (
        investigator.pk,
        investigator.username,
        "user",
        str(investigator.pk),
        AuditEvent.Outcome.REFUSED,
    )
    assert row.detail == {"failures": 5}


def test_a_lock_through_the_sign_in_page_records_the_address_it_came_from(client, investigator):
    for _ in range(5):
        attempt(client, investigator.username, "wrong", ip="203.0.113.5")

    row = AuditEvent.objects.get(event="account.lockout")
    assert row.source_ip == "203.0.113.5" and row.actor_id == investigator.pk


def test_a_lock_ends_the_persons_sessions_elsewhere(client, investigator):
    elsewhere = Client()
    attempt(elsewhere, investigator.username, PASSWORD)
    assert signed_in(elsewhere)
    assert UserSession.objects.filter(user=investigator).exists()

    for _ in range(5):
        attempt(client, investigator.username, "wrong")

    assert elsewhere.get("/cases/").status_code == 302  # sent to sign in
    assert not UserSession.objects.filter(user=investigator).exists()


@pytest.mark.parametrize(("minutes", "locked"), [(29, True), (30, False), (31, False)])
def test_a_timed_release_opens_the_account_at_its_time(investigator, settings, minutes, locked):
    settings.LOCKOUT_RELEASE_MINUTES = 30
    investigator.locked_at = timezone.now()

    assert security.is_locked(investigator, investigator.locked_at + timedelta(minutes=minutes)) is locked
    with time_machine.travel(investigator.locked_at + timedelta(minutes=minutes)):
        assert security.is_locked(investigator) is locked


def test_a_failed_second_factor_is_kept_as_one(investigator):
    security.record_failure(investigator.username, second_factor=True)

    assert list(LoginFailure.objects.values_list("second_factor", flat=True)) == [True]
