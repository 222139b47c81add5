"""The per-address sign-in throttle holds across web processes: a burst of parallel guesses from one
address, spread by gunicorn over several worker processes, is counted once, in the database; and
an address's attempts take turns, so that parallel ones cannot all pass the check before any of
them is counted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.test import Client

from accounts import throttle
from accounts.models import LoginFailure
from tests.processes import ROOT, database_url_for_worker, free_port

pytestmark = pytest.mark.django_db(transaction=True)

# Small limits so the outcome does not depend on how fast the machine is: after two failures an
# attempt must wait 2 s, and three failures refuse the address for an hour.
LIMITS = {"SIGNIN_ADDRESS_SLOW_AFTER": "2", "SIGNIN_ADDRESS_FAILURES": "3", "SIGNIN_ADDRESS_WINDOW_MINUTES": "60"}


@pytest.fixture
def web(tmp_path):
    """gunicorn with three worker processes on the test database."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url_for_worker()}
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "shootreview.wsgi", "--workers", "3", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**env, **LIMITS},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=10)
            break
        except OSError:  # not listening yet, or still loading the app
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(15)


def test_parallel_guesses_through_several_worker_processes_are_counted_together(web):
    page = urllib.request.urlopen(f"{web}/accounts/login/", timeout=10)
    cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)

    def guess(n: int) -> int:
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": f"user{n}", "password": "guess", "acknowledge": "on"}
        ).encode()
        request = urllib.request.Request(f"{web}/accounts/login/", data=body, headers={"Cookie": f"csrftoken={cookie}"})
        try:
            return urllib.request.urlopen(request, timeout=30).status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(guess, range(24)))

    failures = LoginFailure.objects.filter(source_ip="127.0.0.1").count()
    assert 2 <= failures <= 3
    assert statuses.count(200) == failures
    assert statuses.count(429) == 24 - failures


def test_an_address_waits_for_its_own_attempt_in_progress_but_not_for_others():
    statuses: dict[str, int] = {}

    def sign_in_from(address: str) -> None:
        try:
            response = Client().post(
                "/accounts/login/",
                {"username": "nobody", "password": "guess", "acknowledge": "on"},
                REMOTE_ADDR=address,
            )
            statuses[address] = response.status_code
        finally:
            connection.close()

    same = threading.Thread(target=sign_in_from, args=("203.0.113.9",))
    with transaction.atomic():
        throttle.hold("203.0.113.9")  # as an attempt from that address in progress does
        same.start()
        if connection.vendor == "postgresql":  # SQLite lets one writer in at a time anyway
            other = threading.Thread(target=sign_in_from, args=("198.51.100.1",))
            other.start()
            other.join(10)
            assert statuses == {"198.51.100.1": 200}
        same.join(1.5)
        assert same.is_alive()
    same.join(15)
    assert statuses["203.0.113.9"] == 200
