"""The case pages against the bulk data set (`seed_bulk`): 100,000 cases with 20 notes each
unless BENCH_SHOOTINGS / BENCH_NOTES_PER_CASE say otherwise.

Building that set takes minutes, so it lives in a database of its own that is kept between runs
(`make bench` runs this directory as a second pytest session with --reuse-db) and that no other
benchmark writes to: the agenda benchmarks count the cases of the week, and a hundred thousand
bulk cases would change what they measure.
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from demo import bulk

SHOOTINGS = int(os.environ.get("BENCH_SHOOTINGS") or 100_000)
NOTES_PER_CASE = int(os.environ.get("BENCH_NOTES_PER_CASE") or 20)
DATABASE_SUFFIX = "_bulk"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if db["ENGINE"].endswith("sqlite3"):
        test["NAME"] = str(settings.VAR_DIR / f"test-shootreview{DATABASE_SUFFIX}.sqlite3")
    else:
        test["NAME"] = f"test_{db['NAME']}{DATABASE_SUFFIX}"


@pytest.fixture
def investigator_client(client, bulk_data):
    # A sworn investigator sees the most: suspect notes are searched too.
    client.force_login(User.objects.get(username=f"{bulk.USER_PREFIX}investigator_1"))
    return client


# (page, median ms, p95 ms, target ms) for the summary below the timings table.
TARGETS: list[tuple[str, float, float, float]] = []


@pytest.fixture(scope="session")
def bulk_data(django_db_setup, django_db_blocker, pytestconfig) -> dict:
    """The bulk data set, built once when it is missing or smaller than asked."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "CASE BENCHMARKS NOT RUN: they need PostgreSQL (set DATABASE_URL=postgres://...); "
            "SQLite figures for 100,000 cases would say nothing about production."
        )
    if DATABASE_SUFFIX not in connection.settings_dict["NAME"]:
        pytest.skip("CASE BENCHMARKS NOT RUN: run them in a session of their own, as `make bench` does.")
    with django_db_blocker.unblock():
        have = bulk.bulk_shootings().exclude(report_number=bulk.HEAVY_REPORT_NUMBER).count()
        if have < SHOOTINGS:
            terminal = pytestconfig.pluginmanager.get_plugin("terminalreporter")
            capture = pytestconfig.pluginmanager.get_plugin("capturemanager")

            def say(line: str) -> None:
                # Minutes of silence look like a hang: show progress past pytest's capture.
                with capture.global_and_fixture_disabled():
                    terminal.write_line(line)

            say(f"Building the bulk data set: {SHOOTINGS - have} more cases × {NOTES_PER_CASE} notes (once) ...")
            started = time.monotonic()
            bulk.create_bulk_data(SHOOTINGS - have, NOTES_PER_CASE, progress=lambda line: say(f"  {line}"))
            say(f"  built in {time.monotonic() - started:.0f} s (statistics refreshed)")
        return {
            "shootings": bulk.bulk_shootings().count(),
            "notes_per_case": NOTES_PER_CASE,
        }


def pytest_terminal_summary(terminalreporter) -> None:
    if not TARGETS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("case pages against their target (median server time)")
    write(f"{'page':<48} {'median ms':>10} {'p95 ms':>8} {'target ms':>10}  verdict")
    for name, median, p95, target in TARGETS:
        verdict = "within" if median < target else "OVER"
        write(f"{name:<48} {median:>10.1f} {p95:>8.1f} {target:>10.0f}  {verdict}")
