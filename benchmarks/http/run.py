"""`make bench-http`: the app served for real (gunicorn, production settings, PostgreSQL with the
bulk data set), signed in through the real sign-in form and second factor, driven by `wrk`.

Prints requests per second, median and 99th percentile latency of each page beside a bare Django
hello view and the administration's changelist measured in the same run, so that the figures are
ratios taken on one machine at one time. The case pages run once more drawn afresh for every
request (KEEP_PAGES=0, the "drawn" rows): otherwise one viewer's repeated looks at an unchanged
page are shown the page kept for them (cases.kept_pages). A report, not a pass/fail check: it
fails only when a page answers with errors or something other than 200.

Environment: BENCH_HTTP_DATABASE_URL (default DATABASE_URL; PostgreSQL only, the bulk data set is
built there when missing, which takes many minutes), BENCH_HTTP_WORKERS (gunicorn workers,
default 2), BENCH_HTTP_THREADS (threads per worker, default 1 as in the README's deployment),
BENCH_HTTP_CONNECTIONS (default 4), BENCH_HTTP_SECONDS (default 15), BENCH_HTTP_HIGH_CONNECTIONS
(the p99 run of the case pages, default 16), BENCH_HTTP_PAGES (names of the pages to run, comma-separated; default all).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent.parent
# Run as a script: the project's packages are imported from its root.
sys.path.insert(0, str(ROOT))
BENCH_SECRET = "bench-http-only-secret-key-not-for-any-deployment-71c2"


def fail(message: str) -> None:
    print(f"bench-http: {message}", file=sys.stderr)
    sys.exit(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, static_root: str, settings_module: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=BENCH_SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # As behind the TLS proxy of a deployment: requests say https in X-Forwarded-Proto.
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        REQUIRE_MFA="1",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


# --- Preparing the database (in this process, with the bench settings) ------------------------


@dataclass
class Prepared:
    investigator: str
    admin: str
    password: str
    case_pk: int
    surname: str


def prepare(database_url: str, static_root: str) -> Prepared:
    os.environ.update(server_env(database_url, static_root, "benchmarks.http.settings"))
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415
    from cases.models import Shooting, Victim  # noqa: PLC0415
    from demo import bulk  # noqa: PLC0415

    if connection.vendor != "postgresql":
        fail("needs PostgreSQL: set BENCH_HTTP_DATABASE_URL (or DATABASE_URL) to postgres://...")
    call_command("migrate", verbosity=0, interactive=False)
    shootings = int(os.environ.get("BENCH_SHOOTINGS") or 100_000)
    have = bulk.bulk_shootings().exclude(report_number=bulk.HEAVY_REPORT_NUMBER).count()
    if have < shootings:
        print(f"Building the bulk data set: {shootings - have} more cases (once; many minutes) ...", flush=True)
        bulk.create_bulk_data(shootings - have, 20, progress=lambda line: print(f"  {line}", flush=True))
    call_command("collectstatic", verbosity=0, interactive=False)

    password = "bench-" + os.urandom(12).hex()
    investigator = User.objects.get(username=f"{bulk.USER_PREFIX}investigator_1")
    admin, _ = User.objects.get_or_create(
        username=f"{bulk.USER_PREFIX}bench_admin",
        defaults={"agency": investigator.agency, "role": investigator.role, "first_name": "Bench"},
    )
    admin.is_staff = admin.is_superuser = True
    for user in (investigator, admin):
        user.set_password(password)
        user.locked_at = None
        user.save()
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="bench", confirmed=True)

    heavy = Shooting.objects.get(report_number=bulk.HEAVY_REPORT_NUMBER)
    # The same fragment as the in-process benchmark: a victim's surname from the middle of the set.
    count = bulk.bulk_shootings().count()
    middle = bulk.bulk_shootings().order_by("-pk").values_list("pk", flat=True)[count // 2]
    victim = Victim.objects.filter(shooting_id__gte=middle, shooting__report_number__startswith="BK").order_by("pk")
    surname = victim.first().name.split()[-1].lower()
    connection.close()
    return Prepared(investigator.username, admin.username, password, heavy.pk, surname)


def totp_code(username: str) -> str:
    from django_otp.oath import TOTP  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    # A code is accepted once: wait for the next step if this one was used already.
    while device.last_t >= totp.t():
        time.sleep(1)
    return f"{totp.token():0{device.digits}d}"


# --- Serving ------------------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(port: int, env: dict[str, str], workers: int, threads: int):
    log = tempfile.NamedTemporaryFile(prefix="bench-http-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "shootreview.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            "-" if os.environ.get("BENCH_HTTP_ACCESS_LOG") else "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                fail(f"gunicorn did not start; its log: {log.name}")
            time.sleep(0.2)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
        Path(log.name).unlink(missing_ok=True)


HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


class Browser:
    """Just enough of a browser to sign in through the real forms: cookies, CSRF token, redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(HEADERS)
        origin = "https://127.0.0.1"
        headers["Referer"] = origin + path
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = origin
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        text = response.read().decode(errors="replace")
        conn.close()
        return response.status, response.headers.get("Location", ""), text

    def sign_in(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        form = {"username": username, "password": password, "acknowledge": "on"}
        status, location, _ = self.request("POST", "/accounts/login/", form)
        if status != 302:
            fail(f"signing in as {username} answered {status}")
        status, location, _ = self.request("POST", "/accounts/mfa/", {"code": totp_code(username)})
        if status != 302 or "mfa" in location:
            fail(f"the second factor of {username} answered {status} {location}")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


# --- Load ------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(name: str, port: int, path: str, cookie: str, connections: int, seconds: int, warm: bool = True) -> Result:
    if warm:
        # Discarded: the first requests of a worker load templates and open connections.
        wrk(name, port, path, cookie, connections, 1, warm=False)
    command = [
        "wrk",
        "-t",
        str(min(connections, 2)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    command += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in match.groups())
    return Result(name, connections, rps, p50, p99, errors)


def check_page(browser: Browser, path: str) -> None:
    """Every page must answer 200 for the signed-in reader before it is timed (a redirect to the
    sign-in page would be timed as a very fast page)."""
    status, location, _ = browser.request("GET", path)
    if status != 200:
        fail(f"{path} answered {status} {location}")


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    if shutil.which("wrk") is None:
        fail("needs wrk (Debian: apt-get install wrk); `make bench-http` installs it as root on Debian.")
    database_url = os.environ.get("BENCH_HTTP_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not database_url.startswith(("postgres://", "postgresql://")):
        fail("needs PostgreSQL: set BENCH_HTTP_DATABASE_URL (or DATABASE_URL) to postgres://...")
    workers = int(os.environ.get("BENCH_HTTP_WORKERS") or 2)
    threads = int(os.environ.get("BENCH_HTTP_THREADS") or 1)
    connections = int(os.environ.get("BENCH_HTTP_CONNECTIONS") or 4)
    high = int(os.environ.get("BENCH_HTTP_HIGH_CONNECTIONS") or 16)
    seconds = int(os.environ.get("BENCH_HTTP_SECONDS") or 15)
    only = {p.strip() for p in (os.environ.get("BENCH_HTTP_PAGES") or "").split(",") if p.strip()}
    static_root = tempfile.mkdtemp(prefix="bench-http-static-")
    try:
        prepared = prepare(database_url, static_root)
        results: list[Result] = []
        print(f"load average at start: {load_average()}", flush=True)

        port = free_port()
        bare_env = server_env(database_url, static_root, "benchmarks.http.bare_settings")
        with gunicorn(port, bare_env, workers, threads):
            results.append(wrk("bare Django hello view, no middleware", port, "/hello/", "", connections, seconds))
            print(f"  {results[-1]}", flush=True)

        port = free_port()
        app_env = server_env(database_url, static_root, "benchmarks.http.settings")
        with gunicorn(port, app_env, workers, threads):
            reader = Browser(port)
            reader.sign_in(prepared.investigator, prepared.password)
            admin = Browser(port)
            admin.sign_in(prepared.admin, prepared.password)
            case = prepared.case_pk
            q = urlencode({"q": prepared.surname})
            pages = [
                ("hello", "hello view through the full middleware, signed in", "/bench/hello/", reader, False),
                ("list", "case list", "/cases/", reader, True),
                ("admin-list", "admin changelist of shootings", "/admin/cases/shooting/", admin, False),
                ("search", f"case search, victim name '{prepared.surname}'", f"/cases/?{q}", reader, True),
                ("admin-search", "admin search, same fragment", f"/admin/cases/shooting/?{q}", admin, False),
                ("detail", "case detail, 200 notes", f"/cases/{case}/", reader, True),
                ("admin-change", "admin change form, same case", f"/admin/cases/shooting/{case}/change/", admin, False),
            ]
            for key, name, path, browser, _ in pages:
                if only and key not in only:
                    continue
                check_page(browser, path)
                results.append(wrk(name, port, path, browser.cookie_header(), connections, seconds))
                print(f"  {results[-1]}", flush=True)
            for key, name, path, browser, at_high in pages:
                if not at_high or (only and key not in only):
                    continue
                results.append(wrk(name, port, path, browser.cookie_header(), high, seconds))
                print(f"  {results[-1]}", flush=True)

        # The case pages drawn afresh for every request (KEEP_PAGES=0): what a look costs when the
        # case data changed since the viewer's last look at the page (cases.kept_pages).
        drawn = [(name, path) for key, name, path, _browser, at_high in pages if at_high and (not only or key in only)]
        if drawn:
            port = free_port()
            with gunicorn(port, {**app_env, "KEEP_PAGES": "0"}, workers, threads):
                reader = Browser(port)
                reader.sign_in(prepared.investigator, prepared.password)
                for name, path in drawn:
                    check_page(reader, path)
                    results.append(wrk(f"{name}, drawn", port, path, reader.cookie_header(), connections, seconds))
                    print(f"  {results[-1]}", flush=True)
        print(f"load average at end: {load_average()}")
        report(results, workers, threads, seconds)
        if any(r.errors for r in results):
            fail("some requests failed (non-2xx/3xx answers or socket errors); see the errors column")
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def report(results: list[Result], workers: int, threads: int, seconds: int) -> None:
    bare = results[0].rps
    print()
    print(f"gunicorn {workers} workers × {threads} threads, wrk {seconds} s per row, {os.cpu_count()} cores")
    print(f"{'page':<58} {'conn':>4} {'req/s':>8} {'÷ bare':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in results:
        ratio = r.rps / bare if bare else 0
        print(
            f"{r.name[:58]:<58} {r.connections:>4} {r.rps:>8.1f} {ratio:>7.3f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} "
            f"{r.errors:>6}"
        )


if __name__ == "__main__":
    main()
