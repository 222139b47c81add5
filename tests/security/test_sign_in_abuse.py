"""Sign-in abuse: one address guessing against many accounts is slowed, then refused (429), before
it can lock more than a couple of them; a known and an unknown username get the same answer, even
once the known one is locked. The account lockout itself (AC-7) is tested in
test_sign_in_security.py."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, LoginFailure, User
from accounts.tasks import prune_login_failures
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"


def attempt(client, username, password, ip=ATTACKER):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "acknowledge": "on"},
        REMOTE_ADDR=ip,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def admin(police) -> User:
    return UserFactory(username="admin", first_name="Ada", last_name="Root", is_staff=True, is_superuser=True)


def test_one_address_guessing_at_many_accounts_is_refused_before_it_locks_more_than_two(
    client, supervisor, admin, investigator, coordinator
):
    targets = [supervisor, admin, investigator, coordinator]
    outcomes = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # A patient attacker: five guesses per account, waiting as long as it is told to when
        # slowed down, giving up only when refused for a while.
        for user in targets:
            for _ in range(5):
                response = attempt(client, user.username, "Winter2026!")
                while response.status_code == 429 and "paused" not in response.content.decode():
                    clock.shift(timedelta(seconds=int(response["Retry-After"])))
                    response = attempt(client, user.username, "Winter2026!")
                outcomes.append(response.status_code)
    locked = User.objects.filter(locked_at__isnull=False).count()
    assert locked <= 2
    assert outcomes.count(200) == 10 and outcomes[10:] == [429] * 10
    assert LoginFailure.objects.filter(source_ip=ATTACKER).count() == 10
    paused = AuditEvent.objects.get(event="signin.address_paused")
    assert (paused.object_id, paused.source_ip, paused.outcome) == (ATTACKER, ATTACKER, "refused")


def test_fifteen_quick_guesses_at_the_supervisor_and_the_administrator_leave_one_who_can_release(
    client, supervisor, admin
):
    with time_machine.travel(timezone.now(), tick=False):  # as fast as a script sends them
        statuses = [attempt(client, u.username, "Winter2026!").status_code for u in [supervisor] * 5 + [admin] * 10]
    assert statuses == [200] * 5 + [429] * 10
    supervisor.refresh_from_db()
    admin.refresh_from_db()
    assert supervisor.locked_at is not None and admin.locked_at is None
    # The administrator, at another address, signs in and releases the supervisor on the web.
    attempt(client, admin.username, PASSWORD, ip="10.1.1.1")
    assert signed_in(client)
    client.post(f"/accounts/locked/{supervisor.pk}/release/")
    supervisor.refresh_from_db()
    assert supervisor.locked_at is None
    assert AuditEvent.objects.get(event="account.unlock").actor_username == "admin"


def test_after_five_failures_an_address_must_wait_longer_and_longer(client, investigator):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(5):
            assert attempt(client, f"nobody{n}", "guess").status_code == 200
        too_soon = attempt(client, investigator.username, PASSWORD)
        assert too_soon.status_code == 429
        assert too_soon["Retry-After"] == "2"
        page = too_soon.content.decode()
        assert "Too many sign-in attempts" in page and "Please wait 2 seconds" in page
        assert '<a class="brand"' in page  # the app's own page, not a bare error
        # Refused before the password is looked at: the right one does not sign in, and the
        # refused attempt is not counted as a failure.
        assert not signed_in(client)
        assert LoginFailure.objects.filter(source_ip=ATTACKER).count() == 5

        clock.shift(timedelta(seconds=2))
        assert attempt(client, "nobody5", "guess").status_code == 200
        assert attempt(client, "nobody6", "guess")["Retry-After"] == "4"
        clock.shift(timedelta(seconds=4))
        attempt(client, investigator.username, PASSWORD)
        assert signed_in(client)


def test_the_wait_never_grows_beyond_the_window(client, investigator, settings):
    settings.SIGNIN_ADDRESS_SLOW_AFTER = 1
    settings.SIGNIN_ADDRESS_FAILURES = 100
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(username=f"nobody{n}", at=now - timedelta(seconds=n), source_ip=ATTACKER, source_network=ATTACKER)
        for n in range(70)
    )
    with time_machine.travel(now, tick=False):
        response = attempt(client, investigator.username, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(60 * 60)


def test_a_refused_address_may_try_again_once_its_failures_leave_the_window(client, investigator):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(10):
            attempt(client, f"nobody{n}", "guess")
            clock.shift(timedelta(minutes=1))
        refused = attempt(client, investigator.username, PASSWORD)
        assert refused.status_code == 429
        assert "paused for a while" in refused.content.decode()
        # The first failure was ten minutes ago; it leaves the hour's window in fifty.
        assert "Please try again in about 50 minutes" in refused.content.decode()
        assert refused["Retry-After"] == str(50 * 60)
        clock.shift(timedelta(minutes=49))
        assert attempt(client, investigator.username, PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=1))
        attempt(client, investigator.username, PASSWORD)
        assert signed_in(client)


def test_other_addresses_are_not_refused_when_one_is(client, investigator):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(10):
            attempt(client, f"nobody{n}", "guess")
            clock.shift(timedelta(minutes=1))
        assert attempt(client, investigator.username, PASSWORD).status_code == 429
        attempt(client, investigator.username, PASSWORD, ip="198.51.100.20")
    assert signed_in(client)


def test_one_ipv6_line_counts_as_one_address(client, investigator):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(10):
            attempt(client, f"nobody{n}", "guess", ip=f"2001:db8:1:2::{n + 1:x}")
            clock.shift(timedelta(minutes=1))
        assert attempt(client, investigator.username, PASSWORD, ip="2001:db8:1:2:ffff::1").status_code == 429
        attempt(client, investigator.username, PASSWORD, ip="2001:db8:1:3::1")
    assert signed_in(client)


def test_the_administration_sign_in_is_throttled_too(client, investigator):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(10):
            attempt(client, f"nobody{n}", "guess")
            clock.shift(timedelta(minutes=1))
        response = client.post(
            "/admin/login/", {"username": investigator.username, "password": PASSWORD}, REMOTE_ADDR=ATTACKER
        )
    assert response.status_code == 429


def test_neither_a_release_nor_the_owner_signing_in_gives_the_address_its_guesses_back(
    client, supervisor, investigator, coordinator
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for user in [supervisor, investigator]:
            for _ in range(5):
                attempt(client, user.username, "guess")
                clock.shift(timedelta(minutes=1))
        assert attempt(client, coordinator.username, "guess").status_code == 429
        call_command("release_lockout", supervisor.username, stdout=StringIO())
        call_command("release_lockout", investigator.username, stdout=StringIO())
        attempt(client, investigator.username, PASSWORD, ip="10.1.1.1")
        assert signed_in(client)
        client.post("/accounts/logout/")
        assert attempt(client, coordinator.username, "guess").status_code == 429
    # ...while the released accounts start counting afresh.
    attempt(client, supervisor.username, "guess", ip="10.1.1.2")
    supervisor.refresh_from_db()
    assert supervisor.locked_at is None


def test_failures_older_than_every_window_are_deleted_by_the_hourly_task(client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt(client, "nobody1", "guess")
        clock.shift(timedelta(minutes=61))
        attempt(client, "nobody2", "guess")
        assert prune_login_failures() == 1
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["nobody2"]


# --- The second factor ------------------------------------------------------------------------
# Wrong codes count against the address as wrong passwords do (record_failure); the code step is
# refused by the same rules, so guessing codes account after account is slowed and paused too.


def right_code(device: TOTPDevice) -> str:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = int(timezone.now().timestamp())
    return f"{generator.token():06d}"


def send_code(client, code: str, ip=ATTACKER):
    return client.post("/accounts/mfa/", {"code": code}, REMOTE_ADDR=ip)


@pytest.fixture
def with_second_factor(settings, investigator, coordinator, supervisor) -> dict[str, TOTPDevice]:
    settings.REQUIRE_MFA = True
    return {
        u.username: TOTPDevice.objects.create(user=u, name="phone", confirmed=True)
        for u in [investigator, coordinator, supervisor]
    }


def test_a_slowed_address_must_wait_before_trying_a_code_even_the_right_one_and_the_refusal_is_not_counted(
    client, investigator, with_second_factor
):
    device = with_second_factor[investigator.username]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt(client, investigator.username, PASSWORD)
        others = Client()
        for n in range(5):
            attempt(others, f"nobody{n}", "guess")
        too_soon = send_code(client, right_code(device))
        assert too_soon.status_code == 429 and too_soon["Retry-After"] == "2"
        assert "Please wait 2 seconds" in too_soon.content.decode()
        assert client.get("/cases/").status_code == 302  # still not through the second factor
        assert LoginFailure.objects.filter(source_ip=ATTACKER).count() == 5
        clock.shift(timedelta(seconds=2))
        assert send_code(client, right_code(device)).status_code == 302
        assert client.get("/cases/").status_code == 200


def test_wrong_codes_and_wrong_passwords_from_one_address_share_one_count(
    investigator, coordinator, supervisor, with_second_factor
):
    statuses = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # Someone holding three people's passwords guesses their codes, waiting whenever told to.
        for user in [investigator, coordinator, supervisor]:
            clock.shift(timedelta(minutes=1))
            client = Client()
            response = attempt(client, user.username, PASSWORD)
            while response.status_code == 429 and "paused" not in response.content.decode():
                clock.shift(timedelta(seconds=int(response["Retry-After"])))
                response = attempt(client, user.username, PASSWORD)
            for _ in range(4):
                response = send_code(client, "000000")
                while response.status_code == 429 and "paused" not in response.content.decode():
                    clock.shift(timedelta(seconds=int(response["Retry-After"])))
                    response = send_code(client, "000000")
                statuses.append(response.status_code)
        # Ten wrong codes from the address pause it, for codes and passwords alike.
        assert LoginFailure.objects.filter(source_ip=ATTACKER, second_factor=True).count() == 10
        assert statuses == [200] * 10 + [429, 429]
        assert (
            "paused for a while"
            in send_code(client, right_code(with_second_factor[supervisor.username])).content.decode()
        )
        assert attempt(Client(), coordinator.username, PASSWORD).status_code == 429
    assert AuditEvent.objects.filter(event="signin.address_paused").count() == 1


# --- The same answer for every username ---------------------------------------------------------


def _normalised(response, username: str) -> tuple[int, str]:
    page = response.content.decode().replace(username, "USERNAME")
    # The CSRF token differs on every page, whoever asks.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return response.status_code, re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


def test_a_known_and_an_unknown_username_get_the_same_answer_even_after_the_lock(client, investigator):
    answers_known, answers_unknown = [], []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(7):
            known = attempt(client, investigator.username, "wrong", ip="198.51.100.1")
            unknown = attempt(client, "det_nobody", "wrong", ip="198.51.100.2")
            answers_known.append(_normalised(known, investigator.username))
            answers_unknown.append(_normalised(unknown, "det_nobody"))
            clock.shift(timedelta(minutes=1))
        # The owner of the locked account, with the right password, is told nothing more either.
        owner = attempt(client, investigator.username, PASSWORD, ip="198.51.100.1")
        stranger = attempt(client, "det_nobody", PASSWORD, ip="198.51.100.2")
    assert answers_known == answers_unknown
    assert _normalised(owner, investigator.username) == _normalised(stranger, "det_nobody")
    assert owner.status_code == 200 and "Please enter a correct username and password" in owner.content.decode()
    assert not signed_in(client)
    # The lock is real, and recorded against the real account, once.
    investigator.refresh_from_db()
    assert investigator.locked_at is not None
    lockouts = AuditEvent.objects.filter(event="account.lockout")
    assert [(e.object_id, e.actor_username) for e in lockouts] == [(str(investigator.pk), investigator.username)]
    failures = AuditEvent.objects.filter(event="login.failure")
    assert failures.filter(actor_id=investigator.pk).count() == 8
    assert failures.filter(actor_id=None, detail__account_exists=False).count() == 8
    assert failures.filter(actor_id=investigator.pk, detail__account_locked=True).count() == 3


def test_a_failed_sign_in_and_a_refusal_cost_a_few_queries(client, investigator, django_assert_max_num_queries):
    # A failed sign-in, known or unknown name: savepoint; (PostgreSQL: the address's advisory
    # lock); the address's recent failures; the user (backend); the user (failure signal);
    # (PostgreSQL: audit lock); last audit hash; audit insert; failure insert; the address's
    # failure count; the account's failure count; the user (lock check); release savepoint.
    for username in [investigator.username, "det_nobody", "det_nobody2", "det_nobody3", "det_nobody4"]:
        with django_assert_max_num_queries(13):
            assert attempt(client, username, "wrong").status_code == 200
    # Refused: savepoint; (PostgreSQL: the address's advisory lock); the address's recent
    # failures; release savepoint. Nothing is written.
    with django_assert_max_num_queries(4):
        assert attempt(client, investigator.username, PASSWORD).status_code == 429
