"""Shared fixtures: the personas (tests/personas.py), a signed-in test client, and the audit
table's teardown switch. Real processes (Redis, Celery workers) are in tests/processes.py, the
loopback SMTP server in tests/loopback_smtp.py and the browser in tests/chromium.py, loaded here
as plugins."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from accounts.models import Agency, User

from .personas import make_agency, make_persona

pytest_plugins = ["tests.processes", "tests.loopback_smtp", "tests.chromium"]


# --- People -----------------------------------------------------------------------------------


@pytest.fixture
def police(db) -> Agency:
    return make_agency("police")


@pytest.fixture
def atf_office(db) -> Agency:
    return make_agency("atf")


@pytest.fixture
def prosecutor_office(db) -> Agency:
    return make_agency("prosecutor")


@pytest.fixture
def advocacy_center(db) -> Agency:
    return make_agency("advocacy")


@pytest.fixture
def other_police(db) -> Agency:
    return make_agency("other_police")


@pytest.fixture
def investigator(police) -> User:
    return make_persona("investigator")


@pytest.fixture
def atf_agent(atf_office) -> User:
    return make_persona("atf_agent")


@pytest.fixture
def prosecutor(prosecutor_office) -> User:
    return make_persona("prosecutor")


@pytest.fixture
def advocate(advocacy_center) -> User:
    return make_persona("advocate")


@pytest.fixture
def coordinator(police) -> User:
    return make_persona("coordinator")


@pytest.fixture
def supervisor(police) -> User:
    return make_persona("supervisor")


@pytest.fixture
def outsider(other_police) -> User:
    return make_persona("outsider")


@pytest.fixture
def client_for(client):
    """Log the test client in as a user: `client_for(advocate).get(url)`."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


# --- The append-only audit table --------------------------------------------------------------


@pytest.fixture(autouse=True)
def _audit_table_flush_allowed_only_in_teardown(request):
    """On PostgreSQL the audit table refuses TRUNCATE; a transactional test's teardown empties
    every table with one, so only the teardown runs with the maintenance switch on. Test bodies
    always run with the protection in force."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if not (marker and marker.kwargs.get("transaction")):
            yield
            return
    request.getfixturevalue("transactional_db")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET shootreview.audit_maintenance = 'off'")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET shootreview.audit_maintenance = 'on'")


# --- The test database ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request) -> None:
    """With TESTS_PRIVATE_DATABASE_COPY set (make mutate's test processes run side by side), a
    SQLite test database of this process's own, copied from the migrated one: on one shared file
    every test holds the write lock for its whole transaction, so two processes took turns, and a
    test that commits would show its rows to the other."""
    if not os.environ.get("TESTS_PRIVATE_DATABASE_COPY") or connection.vendor != "sqlite":
        return
    test_settings = settings.DATABASES["default"]["TEST"]
    shared = Path(test_settings["NAME"])
    if not shared.exists():
        # The first run creates and migrates it; the ones after copy it.
        return
    private = shared.with_name(f"{shared.stem}-{os.getpid()}{shared.suffix}")
    # SQLite's own backup: a consistent copy even of a database in WAL mode.
    with closing(sqlite3.connect(shared)) as source, closing(sqlite3.connect(private)) as target:
        source.backup(target)
    test_settings["NAME"] = str(private)

    def remove_the_copy() -> None:
        # Named back: mutmut runs the tests again in this process and in processes forked from
        # it, each of which must copy the shared database, not look for this removed copy.
        test_settings["NAME"] = str(shared)
        for path in (private, Path(f"{private}-wal"), Path(f"{private}-shm")):
            path.unlink(missing_ok=True)

    request.addfinalizer(remove_the_copy)


# --- The shared cache (Redis) -----------------------------------------------------------------


@pytest.fixture(scope="session")
def _shared_cache_on_the_tests_redis(redis_url):
    """Sessions and signed-in accounts are read from Redis (accounts.sessions, accounts.user_cache):
    the shared cache uses the tests' Redis, REDIS_URL's or the suite's own when none answers.

    Under a key prefix of this test process's own: test runs side by side on one Redis (make
    mutate's test processes, two checkouts) must not empty or read each other's copies, since
    SQLite hands out the same account ids in each. The Celery workers the tests start inherit it
    (tests/settings.py)."""
    prefix = f"{settings.CACHES['shared']['KEY_PREFIX']}-tests-{os.getpid()}"
    os.environ["TESTS_SHARED_CACHE_PREFIX"] = prefix
    shared = {**settings.CACHES["shared"], "LOCATION": redis_url, "KEY_PREFIX": prefix}
    with override_settings(CACHES={**settings.CACHES, "shared": shared}):
        yield


def _empty_shared_cache() -> None:
    client = caches["shared"]._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{settings.CACHES['shared']['KEY_PREFIX']}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _shared_cache_emptied(_shared_cache_on_the_tests_redis):
    """Each test starts with nothing cached: a rolled-back test leaves copies of accounts whose ids
    the next test's accounts may take again (SQLite hands out the same ids after a rollback)."""
    _empty_shared_cache()
    yield
    _empty_shared_cache()
