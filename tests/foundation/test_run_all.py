"""`make run`'s supervisor: it starts everything, including a Redis of its own when none answers,
and a stop signal leaves no process of it behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from demo.people import demo_logins
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
BANNER = "running at"


@pytest.fixture(scope="module")
def app_env(tmp_path_factory) -> dict[str, str]:
    """The environment of a developer's `make run`, with a migrated SQLite database of its own
    (the supervisor seeds it, once its Redis is up, as under `make run`). The test settings'
    variables, set in this process, must not leak into it."""
    tmp = tmp_path_factory.mktemp("run_all")
    own = {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DEFAULT_FROM_EMAIL", "PORT", "HOST"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in own and not key.startswith(("DJANGO_", "EMAIL_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shootreview.settings",
        DJANGO_DEBUG="1",
        REQUIRE_MFA="0",
        DATABASE_URL=f"sqlite:///{tmp / 'app.sqlite3'}",
        SHOOTREVIEW_VAR_DIR=str(tmp / "var"),
        EMAIL_URL=f"file://{tmp / 'mail'}",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    return env


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _run_and_stop(app_env: dict[str, str], tmp_path: Path, signum: int) -> None:
    port = free_port()
    redis_port = free_port()  # nothing listens there, so the supervisor must start its own Redis
    env = {**app_env, "PORT": str(port), "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    log = tmp_path / "run_all.log"
    with open(log, "wb") as out:
        # A file rather than a pipe: the children share this output and must never block on it.
        supervisor = subprocess.Popen(
            [sys.executable, "scripts/run_all.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    tree: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while BANNER not in log.read_text(errors="replace"):
            assert supervisor.poll() is None, f"supervisor exited early:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"no banner within 60 s:\n{log.read_text(errors='replace')}"
            time.sleep(0.2)
        output = log.read_text(errors="replace")

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as response:  # noqa: S310
            assert response.status == 200
            assert b'name="csrfmiddlewaretoken"' in response.read()
        for username, _what in demo_logins():
            assert f"    {username} " in output
        assert f"127.0.0.1:{redis_port}" in output

        tree = psutil.Process(supervisor.pid).children(recursive=True)
        commands = [" ".join(p.cmdline()) for p in tree]
        for expected in ("redis-server", "worker", "beat", "runserver"):
            assert any(expected in command for command in commands), (expected, commands)

        stopped_at = time.monotonic()
        supervisor.send_signal(signum)
        # Popen, not psutil, reaps the supervisor, so that its exit code is the real one.
        assert supervisor.wait(15) == 0
        _gone, alive = psutil.wait_procs(tree, timeout=max(0.1, stopped_at + 15 - time.monotonic()))
        alive = [p for p in alive if _alive(p)]
        assert not alive, f"still running after stop: {alive}\n{log.read_text(errors='replace')}"
    finally:
        for proc in tree:
            if _alive(proc):
                proc.kill()
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_sigterm_stops_the_supervisor_and_every_process_it_started(app_env, tmp_path):
    _run_and_stop(app_env, tmp_path, signal.SIGTERM)


def test_ctrl_c_stops_the_supervisor_and_every_process_it_started(app_env, tmp_path):
    _run_and_stop(app_env, tmp_path, signal.SIGINT)
