"""Audit rows written per second by one writer and by eight at once (separate processes, each with
its own connection, as separate web server processes are), and the same for the design the
sealer replaced (every writer took one advisory lock, read the last row's hash and committed
while holding it), modelled here with the same insert. A report; the README states the aim: eight
writers at least three times one."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
from django.db import connection, connections, transaction

from accounts import audit
from accounts.models import AuditEvent

SECONDS = float(os.environ.get("BENCH_AUDIT_SECONDS") or 5)
RESULTS: list[tuple[str, int, float]] = []


def _locked_record() -> None:
    # The previous design: one lock for every writer of the deployment, held through the commit.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5AD18])
        AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
        audit.record("bench.audit_write")


def _writer(locked: bool, start_at: float, until: float, counts) -> None:
    connections.close_all()
    write = _locked_record if locked else (lambda: audit.record("bench.audit_write"))
    while time.monotonic() < start_at:
        time.sleep(0.001)
    written = 0
    while time.monotonic() < until:
        write()
        written += 1
    counts.put(written)
    connections.close_all()


def _rate(writers: int, locked: bool) -> float:
    connections.close_all()
    context = multiprocessing.get_context("fork")
    counts = context.Queue()
    start_at = time.monotonic() + 1.0
    until = start_at + SECONDS
    procs = [context.Process(target=_writer, args=(locked, start_at, until, counts)) for _ in range(writers)]
    for proc in procs:
        proc.start()
    total = sum(counts.get(timeout=SECONDS + 60) for _ in procs)
    for proc in procs:
        proc.join(30)
    return total / SECONDS


@pytest.mark.django_db(transaction=True)
def test_audit_writes_per_second_one_writer_and_eight(capsys):
    if connection.vendor != "postgresql":
        pytest.skip("AUDIT WRITE RATES NOT MEASURED: they need PostgreSQL (SQLite's writers take turns).")
    for locked, design in ((False, "sealed later (now)"), (True, "one lock for all writers (before)")):
        one = _rate(1, locked)
        eight = _rate(8, locked)
        RESULTS.append((design, 1, one))
        RESULTS.append((design, 8, eight))
    started = time.monotonic()
    sealed = audit.seal()
    seal_seconds = time.monotonic() - started
    assert sealed > 0
    assert audit.verify_chain() is None
    by = {(d, w): r for d, w, r in RESULTS}
    with capsys.disabled():
        print("\n\naudit rows written per second (PostgreSQL, separate processes)")
        for design, writers, rate in RESULTS:
            print(f"  {design:<36} {writers} writer(s) {rate:>9.0f} rows/s")
        for design in dict.fromkeys(d for d, _, _ in RESULTS):
            print(f"  {design:<36} eight / one: {by[(design, 8)] / by[(design, 1)]:.2f}")
        print(f"  sealing the {sealed} rows afterwards: {sealed / seal_seconds:.0f} rows/s")
