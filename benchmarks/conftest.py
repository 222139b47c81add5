"""Page timings, reported rather than asserted: run with `make bench`.

Each benchmark adds a row with `bench_report`; the table is printed after the run. The figures
are server-side times through Django's test client (no network, no browser), on whatever
database DATABASE_URL names, so compare them only with runs on the same machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

ROWS: list[tuple[str, int, float, float, float, int, int]] = []
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


@pytest.fixture(scope="session")
def demo_data(django_db_setup, django_db_blocker) -> None:
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


def time_requests(
    client, url: str, requests: int = REQUESTS, before_each: Callable[[], None] = lambda: None
) -> tuple[list[float], int, int]:
    """GET `url` `requests` times: the seconds of each, the queries of one request and the page
    size. The first request loads templates and warms caches (steady state is what users feel);
    the second is where the queries are counted. `before_each` runs before every request, untimed
    (forgetting the kept pages, to time a page drawn afresh)."""
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    before_each()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Read now: every later request clears the connection's query log.
    query_count = len(queries.captured_queries)
    seconds = []
    for _ in range(requests):
        before_each()
        start = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200
    return seconds, query_count, len(first.content)


@pytest.fixture
def bench_report():
    def add(name: str, seconds: list[float], queries: int, size: int) -> None:
        ordered = sorted(seconds)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        median = ordered[len(ordered) // 2]
        ROWS.append((name, len(ordered), median * 1000, p95 * 1000, ordered[-1] * 1000, queries, size))

    return add


def pytest_terminal_summary(terminalreporter) -> None:
    if not ROWS:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"page timings ({connection.vendor}, test client, server side)")
    width = max(len(row[0]) for row in ROWS)
    write(f"{'page':<{width}} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'KiB':>6}")
    for name, count, median, p95, worst, queries, size in ROWS:
        write(f"{name:<{width}} {count:>8} {median:>10.2f} {p95:>8.2f} {worst:>8.2f} {queries:>8} {size / 1024:>6.1f}")


# Transactional benchmarks empty the tables afterwards; the audit table allows that only then.
from tests.conftest import _audit_table_flush_allowed_only_in_teardown  # noqa: E402,F401
