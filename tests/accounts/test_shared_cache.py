"""Sessions and the signed-in person's account are read from Redis (accounts.sessions,
accounts.user_cache). A page must never be drawn for a stale account or another person's, a
session ended anywhere must stay ended, and with Redis gone pages still work from the database
while anything that would leave a stale copy behind is refused."""

from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import security, services, user_cache
from accounts.models import User, UserSession
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(user: User) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD, "acknowledge": "on"})
    assert response.status_code == 302, response.status_code
    return client


def signed_in_as(client: Client) -> str | None:
    """Whose page the case list is drawn for, or None if it sends the reader to sign in."""
    response = client.get(reverse("cases:list"))
    if response.status_code == 302:
        assert reverse("login") in response["Location"]
        return None
    assert response.status_code == 200
    return response.wsgi_request.user.username


def test_a_request_reads_neither_session_nor_account_from_the_database(investigator):
    client = sign_in(investigator)
    client.get(reverse("cases:list"))

    with CaptureQueriesContext(connection) as queries:
        assert signed_in_as(client) == investigator.username

    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if "django_session" in q]
    assert not [q for q in sql if f'"accounts_user"."id" = {investigator.pk}' in q]


def test_two_people_signed_in_at_once_each_get_their_own_account(investigator, advocate):
    first, second = sign_in(investigator), sign_in(advocate)
    for _ in range(2):
        assert signed_in_as(first) == investigator.username
        assert signed_in_as(second) == advocate.username


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(investigator):
    client = sign_in(investigator)
    assert signed_in_as(client) == investigator.username

    investigator.set_password("a brand new passphrase 71")
    investigator.save()

    # The cached account still held the old password's hash, which the session was signed with.
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "change",
    [
        # The daily task disabling unused accounts changes them with one UPDATE, no signal.
        lambda user: User.objects.filter(pk=user.pk).update(is_active=False),
        lambda user: User.objects.filter(pk=user.pk).update(locked_at=timezone.now()),
        lambda user: services.disable_inactive_accounts(now=timezone.now() + timezone.timedelta(days=3650)),
    ],
    ids=["deactivated by update", "locked by update", "disabled as unused"],
)
def test_an_account_changed_by_a_queryset_update_is_not_served_from_the_cache(investigator, change):
    client = sign_in(investigator)
    assert signed_in_as(client) == investigator.username

    change(investigator)

    assert signed_in_as(client) is None


def test_a_role_change_ends_the_session_and_the_cached_account(investigator):
    client = sign_in(investigator)
    assert signed_in_as(client) == investigator.username

    investigator.role = User.Role.VICTIM_ADVOCATE
    investigator.save()

    assert signed_in_as(client) is None
    assert not UserSession.objects.filter(user=investigator).exists()
    assert user_cache.cached_user(investigator.pk).role == User.Role.VICTIM_ADVOCATE


def test_a_renamed_agency_is_shown_on_the_next_page(investigator):
    client = sign_in(investigator)
    assert investigator.agency.name in client.get(reverse("cases:list")).content.decode()

    agency = investigator.agency
    agency.name = "Renamed Metropolitan Police"
    agency.save()

    page = client.get(reverse("cases:list")).content.decode()
    assert "Renamed Metropolitan Police" in page
    assert user_cache.cached_user(investigator.pk).agency.name == "Renamed Metropolitan Police"


def test_a_deleted_account_is_not_served_from_the_cache(police):
    person = UserFactory(username="short_lived", agency=police, role=User.Role.COORDINATOR)
    assert user_cache.cached_user(person.pk).username == "short_lived"
    pk = person.pk

    person.delete()

    assert user_cache.cached_user(pk) is None


def test_signing_out_ends_the_session_everywhere_it_is_kept(investigator):
    client = sign_in(investigator)
    assert signed_in_as(client) == investigator.username
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    cache_key = f"shootreview.session:{cookie}"
    assert caches["shared"].get(cache_key)[SESSION_KEY] == str(investigator.pk)

    client.post(reverse("logout"))

    assert caches["shared"].get(cache_key) is None
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert signed_in_as(replay) is None


def test_ending_a_persons_sessions_ends_every_one_of_them(investigator):
    phone, desk = sign_in(investigator), sign_in(investigator)

    assert security.end_sessions(investigator) == 2

    assert signed_in_as(phone) is None
    assert signed_in_as(desk) is None


# --- Redis gone -------------------------------------------------------------------------------


def _nothing_listens() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def redis_gone():
    shared = {**settings.CACHES["shared"], "LOCATION": _nothing_listens()}
    with override_settings(CACHES={**settings.CACHES, "shared": shared}):
        yield


def test_without_redis_pages_are_served_from_the_database(investigator):
    client = sign_in(investigator)
    shared = {**settings.CACHES["shared"], "LOCATION": _nothing_listens()}
    with override_settings(CACHES={**settings.CACHES, "shared": shared}):
        assert signed_in_as(client) == investigator.username
        assert signed_in_as(client) == investigator.username


def test_without_redis_an_account_change_that_would_leave_a_stale_copy_is_refused(investigator, redis_gone):
    investigator.role = User.Role.VICTIM_ADVOCATE
    with pytest.raises(Exception, match="(?i)connect"):
        investigator.save()
    investigator.refresh_from_db()
    assert investigator.role == User.Role.INVESTIGATOR


def test_without_redis_signing_out_fails_whole_and_the_session_is_still_one_thing(investigator):
    client = sign_in(investigator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    shared = {**settings.CACHES["shared"], "LOCATION": _nothing_listens()}
    client.raise_request_exception = False
    with override_settings(CACHES={**settings.CACHES, "shared": shared}):
        response = client.post(reverse("logout"))
        assert response.status_code == 500
    # Neither copy was removed: the session did not survive in the cache alone, and the
    # person can sign out once Redis answers again.
    assert UserSession.objects.filter(session_key=cookie).exists()
    assert signed_in_as(client) == investigator.username
    client.post(reverse("logout"))
    assert signed_in_as(client) is None


def test_a_removed_authenticator_no_longer_counts_as_the_second_factor(client, investigator, settings):
    from django_otp.oath import TOTP  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    settings.REQUIRE_MFA = True
    device = TOTPDevice.objects.create(user=investigator, name="phone", confirmed=True)
    client.post(reverse("login"), {"username": investigator.username, "password": PASSWORD, "acknowledge": "on"})
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    client.post(reverse("mfa_verify"), {"code": f"{code:06d}"})
    assert client.get(reverse("cases:list")).status_code == 200
    assert client.get(reverse("cases:list")).status_code == 200  # now from the cached account

    device.delete()

    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify")) or response["Location"].startswith(reverse("login"))
