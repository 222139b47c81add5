"""Purging old audit rows cuts the hash chain between two rows in chain order, so that
`verify_audit` still passes afterwards, whatever order the rows' times are in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent, AuditEventCase

pytestmark = pytest.mark.django_db


def record_at(moment, name: str, shown=()) -> AuditEvent:
    # No person: creating one writes an audit row of today before the old ones.
    with time_machine.travel(moment, tick=False):
        return audit.record(name, shown_case_ids=shown)


def test_purge_cuts_the_chain_only_between_rows_and_verify_passes_when_times_are_out_of_order():
    now = timezone.now()
    long_ago = now - timedelta(days=400)
    first = record_at(long_ago, "test.oldest", shown=[11, 12])
    # Written a few milliseconds later than the next one, as concurrent writers do: its time is
    # newer, but the chain has it before an old row.
    newer = record_at(now - timedelta(days=30), "test.newer")
    record_at(long_ago + timedelta(milliseconds=40), "test.old_after_newer", shown=[13])
    record_at(now, "test.today")

    call_command("purge_audit", "--yes")

    remaining = list(AuditEvent.objects.order_by("id").values_list("event", flat=True))
    assert remaining == ["test.newer", "test.old_after_newer", "test.today", "audit.purge"]
    assert not AuditEventCase.objects.filter(event_id=first.pk).exists()
    assert AuditEventCase.objects.filter(case_id=13).exists()
    purge = AuditEvent.objects.get(event="audit.purge")
    assert purge.detail["deleted"] == 1
    # The purge sealed the rows before cutting the chain (on PostgreSQL they are written unsealed).
    newer.refresh_from_db()
    assert purge.detail["anchor"] == newer.prev_hash
    assert len(purge.detail["anchor"]) == 64
    call_command("verify_audit")


def test_purge_without_yes_counts_what_it_would_delete_and_what_waits(capsys):
    now = timezone.now()
    record_at(now - timedelta(days=400), "test.oldest")
    record_at(now - timedelta(days=10), "test.newer")
    record_at(now - timedelta(days=399), "test.old_after_newer")

    call_command("purge_audit")

    out = capsys.readouterr().out
    assert "1 rows older than" in out
    assert "1 older rows stay" in out
    assert AuditEvent.objects.count() == 3


def test_purging_a_log_that_is_all_old_keeps_verify_passing():
    long_ago = timezone.now() - timedelta(days=500)
    for i in range(3):
        record_at(long_ago + timedelta(seconds=i), f"test.old{i}", shown=[i + 1])

    call_command("purge_audit", "--yes")

    assert list(AuditEvent.objects.values_list("event", flat=True)) == ["audit.purge"]
    assert not AuditEventCase.objects.exists()
    call_command("verify_audit")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditeventcase SET case_id = 999",
        "DELETE FROM accounts_auditeventcase",
        "TRUNCATE accounts_auditeventcase",
    ],
)
def test_postgresql_refuses_to_change_or_remove_the_cases_of_an_audit_row(investigator, statement):
    audit.record("test.event", actor=investigator, shown_case_ids=[5, 6])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        # The foreign key's check is deferred to the commit; run it now, so that only the
        # trigger can be what refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement)
    assert AuditEventCase.objects.count() == 2
