"""Lockout (AC-7), TOTP second factor (IA-2), server-side session limits (AC-11/12), ending
sessions when an account changes, the system-use notice (AC-8) and password rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, user, password, ip="127.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": user.username, "password": password, "acknowledge": "on"},
        REMOTE_ADDR=ip,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_account_even_from_different_addresses(client, investigator):
    for i in range(5):
        attempt(client, investigator, "wrong", ip=f"10.0.0.{i + 1}")
    investigator.refresh_from_db()
    assert investigator.locked_at is not None
    response = attempt(client, investigator, PASSWORD)
    assert not signed_in(client)
    # The owner sees the answer anyone gets for a wrong password: a different one would tell a
    # stranger the account exists (the release comes from a supervisor or an operator).
    assert b"Please enter a correct username and password" in response.content
    assert b"locked after too many" not in response.content
    assert AuditEvent.objects.filter(event="account.lockout", object_id=str(investigator.pk)).count() == 1


def test_failures_spread_over_more_than_15_minutes_do_not_lock(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            attempt(client, investigator, "wrong")
        clock.shift(timedelta(minutes=16))
        attempt(client, investigator, "wrong")
    investigator.refresh_from_db()
    assert investigator.locked_at is None


def test_a_successful_login_resets_the_count(client, investigator):
    for _ in range(4):
        attempt(client, investigator, "wrong")
    attempt(client, investigator, PASSWORD)
    client.post("/accounts/logout/")
    attempt(client, investigator, "wrong")
    investigator.refresh_from_db()
    assert investigator.locked_at is None


def test_a_lock_stays_until_a_supervisor_releases_it(client, client_for, investigator, supervisor):
    for _ in range(5):
        attempt(client, investigator, "wrong")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        attempt(client, investigator, PASSWORD)
        assert not signed_in(client)
        boss = client_for(supervisor)
        assert investigator.username.encode() in boss.get("/accounts/locked/").content
        boss.post(f"/accounts/locked/{investigator.pk}/release/")
        assert AuditEvent.objects.filter(event="account.unlock", object_id=str(investigator.pk)).exists()
        boss.post("/accounts/logout/")
        attempt(client, investigator, PASSWORD)
        assert signed_in(client)


def test_the_locked_accounts_page_names_each_persons_agency_in_queries_that_do_not_grow(
    client_for, supervisor, investigator, advocate, atf_agent, django_assert_max_num_queries
):
    boss = client_for(supervisor)
    User.objects.filter(pk=investigator.pk).update(locked_at=timezone.now())
    # The first request also loads the supervisor into the accounts' cache: not counted.
    boss.get("/accounts/locked/")
    with CaptureQueriesContext(connection) as one_locked:
        boss.get("/accounts/locked/")
    User.objects.filter(pk__in=[advocate.pk, atf_agent.pk]).update(locked_at=timezone.now())
    # Session; user; the locked people with their agencies; the request's audit row: (PostgreSQL:
    # chain lock), last hash, insert.
    with django_assert_max_num_queries(len(one_locked)):
        page = boss.get("/accounts/locked/").content.decode()
    for person in [investigator, advocate, atf_agent]:
        assert f"<td>{person.agency.name}</td>" in page


def test_a_timed_release_is_a_setting(client, investigator, settings):
    settings.LOCKOUT_RELEASE_MINUTES = 30
    for _ in range(5):
        attempt(client, investigator, "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        attempt(client, investigator, PASSWORD)
        assert signed_in(client)


def test_only_supervisors_release_locks(client_for, investigator, coordinator):
    investigator.locked_at = timezone.now()
    investigator.save()
    assert client_for(coordinator).post(f"/accounts/locked/{investigator.pk}/release/").status_code == 404
    investigator.refresh_from_db()
    assert investigator.locked_at is not None


def test_the_system_use_notice_must_be_acknowledged(client, investigator):
    response = client.post("/accounts/login/", {"username": investigator.username, "password": PASSWORD})
    assert not signed_in(client)
    assert b"Please acknowledge the system-use notice" in response.content


# --- Second factor ----------------------------------------------------------------------------


@pytest.fixture
def mfa_on(settings):
    settings.REQUIRE_MFA = True


def _totp_at(device: TOTPDevice, moment: int) -> int:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = moment
    return generator.token()


def test_with_mfa_required_nothing_opens_before_the_second_factor(client, investigator, mfa_on):
    attempt(client, investigator, PASSWORD)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/")


def test_first_sign_in_enrols_an_authenticator_then_opens_the_app(client, investigator, mfa_on):
    attempt(client, investigator, PASSWORD)
    setup = client.get("/accounts/mfa/setup/")
    assert b"<svg" in setup.content
    device = TOTPDevice.objects.get(user=investigator, confirmed=False)
    client.post("/accounts/mfa/setup/", {"code": f"{_totp_at(device, int(timezone.now().timestamp())):06d}"})
    assert TOTPDevice.objects.get(user=investigator).confirmed
    assert client.get("/cases/").status_code == 200


def test_a_totp_code_is_accepted_once(client, investigator, mfa_on):
    device = TOTPDevice.objects.create(user=investigator, name="phone", confirmed=True)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        code = f"{_totp_at(device, int(now.timestamp())):06d}"
        attempt(client, investigator, PASSWORD)
        client.post("/accounts/mfa/", {"code": code})
        assert client.get("/cases/").status_code == 200
        client.post("/accounts/logout/")

        attempt(client, investigator, PASSWORD)
        response = client.post("/accounts/mfa/", {"code": code})
        assert b"not valid (or was already used)" in response.content
        assert client.get("/cases/").status_code == 302
    assert AuditEvent.objects.filter(event="mfa.failure", actor_id=investigator.pk).count() == 1


def test_there_is_no_email_code_fallback(client, investigator, mfa_on):
    attempt(client, investigator, PASSWORD)
    page = client.get("/accounts/mfa/", follow=True).content.decode().lower()
    assert "email" not in page


# --- Sessions ---------------------------------------------------------------------------------


def test_thirty_minutes_idle_ends_the_session_on_the_server(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        attempt(client, investigator, PASSWORD)
        assert client.get("/cases/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/cases/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(event="session.timeout", detail__reason="idle").exists()


def test_twelve_hours_after_sign_in_the_session_ends_however_active(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        attempt(client, investigator, PASSWORD)
        for _ in range(12 * 3 + 1):
            clock.shift(timedelta(minutes=20))
            response = client.get("/meetings/my-items/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event="session.timeout", detail__reason="absolute").exists()


def test_the_session_cookie_is_not_persistent(client, investigator):
    response = attempt(client, investigator, PASSWORD)
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize("change", ["deactivate", "role"])
def test_deactivating_or_changing_role_ends_sessions_at_once(client, investigator, change):
    attempt(client, investigator, PASSWORD)
    assert client.get("/cases/").status_code == 200
    user = User.objects.get(pk=investigator.pk)
    if change == "deactivate":
        user.is_active = False
    else:
        user.role = User.Role.VICTIM_ADVOCATE
    user.save()
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "Mi contraseña es larga y única", "x" * 64, "宝石の森を歩く長い合言葉"],
)
def test_long_passphrases_with_spaces_and_unicode_are_accepted(password):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short1", "too short"), ("password123", "too common"), ("qwertyuiop", "too common"), ("y" * 129, "too long")],
)
def test_short_common_and_absurdly_long_passwords_are_refused(password, reason):
    with pytest.raises(ValidationError, match=reason):
        validate_password(password)
