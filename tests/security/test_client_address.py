"""Behind a proxy: the client's address is read from X-Forwarded-For only as far as
TRUSTED_PROXY_COUNT proxies vouch for it, and no header value, however malformed, breaks a page
or keeps a failed sign-in from being counted and recorded."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from accounts.models import AuditEvent, LoginFailure
from tests.processes import ROOT

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    """DJANGO_SECURE_PROXY_SSL_HEADER=1, as in the deployment where the fault was found."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def fail_sign_in(client, forwarded_for: str, username: str = "det_whitfield"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": "wrong", "acknowledge": "on"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def last_failure_address() -> str | None:
    return AuditEvent.objects.filter(event="login.failure").latest("id").source_ip


def test_with_no_trusted_proxy_the_header_is_ignored(client, investigator, behind_proxy):
    fail_sign_in(client, "198.51.100.7")
    assert last_failure_address() == PROXY
    assert LoginFailure.objects.get().source_ip == PROXY


def test_with_one_trusted_proxy_the_address_it_added_is_the_client_not_one_the_client_wrote(
    client, investigator, behind_proxy
):
    behind_proxy.TRUSTED_PROXY_COUNT = 1
    fail_sign_in(client, "6.6.6.6, 198.51.100.7")
    assert last_failure_address() == "198.51.100.7"


def test_with_two_trusted_proxies_the_second_entry_from_the_right_is_the_client(client, investigator, behind_proxy):
    behind_proxy.TRUSTED_PROXY_COUNT = 2
    fail_sign_in(client, "6.6.6.6, 198.51.100.7, 10.0.0.3")
    assert last_failure_address() == "198.51.100.7"


def test_fewer_entries_than_proxies_gives_the_leftmost_our_proxies_wrote(client, investigator, behind_proxy):
    behind_proxy.TRUSTED_PROXY_COUNT = 3
    fail_sign_in(client, "198.51.100.7, 10.0.0.3")
    assert last_failure_address() == "198.51.100.7"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1.2.3.4:8080", "1.2.3.4"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_ports_zones_and_mapped_addresses_are_read_as_the_address(client, investigator, behind_proxy, header, expected):
    behind_proxy.TRUSTED_PROXY_COUNT = 1
    fail_sign_in(client, header)
    assert last_failure_address() == expected


MALFORMED = [
    "not-an-ip",
    "999.1.1.1",
    "::ffff:zz",
    "198.51.100.7, not-an-ip",
    " , , ",
    "<script>alert(1)</script>",
    "1" * 5000,
    "198.51.100.7\x00",
    "unknown",
]


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize("header", MALFORMED)
def test_a_malformed_header_leaves_every_page_working(client_for, investigator, behind_proxy, proxies, header):
    behind_proxy.TRUSTED_PROXY_COUNT = proxies
    client = client_for(investigator)
    response = client.get("/cases/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    assert response.status_code == 200
    row = AuditEvent.objects.filter(event="cases:list.view").latest("id")
    assert row.source_ip in {PROXY, "198.51.100.7"}


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize("header", MALFORMED)
@pytest.mark.parametrize("known", [True, False])
def test_a_failed_sign_in_with_a_malformed_header_is_counted_and_recorded(
    client, investigator, behind_proxy, proxies, header, known
):
    behind_proxy.TRUSTED_PROXY_COUNT = proxies
    username = investigator.username if known else "det_nobody"
    response = fail_sign_in(client, header, username=username)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.source_ip) == (username, PROXY)
    row = AuditEvent.objects.get(event="login.failure")
    assert row.source_ip == PROXY
    assert row.detail["account_exists"] is known


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT must be 0 or more"),
        ("TRUSTED_PROXY_COUNT", "one", "TRUSTED_PROXY_COUNT must be a whole number"),
        ("SIGNIN_ADDRESS_FAILURES", "0", "SIGNIN_ADDRESS_FAILURES, SIGNIN_ADDRESS_SLOW_AFTER and"),
    ],
)
def test_a_bad_proxy_count_or_throttle_setting_stops_the_app_at_start(variable, value, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="shootreview.settings",
        DJANGO_DEBUG="1",
        SHOOTREVIEW_VAR_DIR=str(ROOT / "var" / "test-settings"),
        **{variable: value},
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr
