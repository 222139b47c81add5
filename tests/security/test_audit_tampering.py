"""The README's promise "altering any field of an audit row is detected": every field an auditor
reads (who, what, on which object and case, how it ended, the detail, when, which session, from
where) is altered in turn in the middle of a real log, and `verify_audit` must name that row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

# Each field and a value an attacker would put there instead.
ALTERATIONS = {
    "actor_id": lambda row: row.actor_id + 1000,
    "actor_username": lambda row: "someone_else",
    "actor_name": lambda row: "Someone Else",
    "event": lambda row: "cases:list.view",
    "object_type": lambda row: "meeting",
    "object_id": lambda row: str(int(row.object_id) + 1),
    "case_id": lambda row: row.case_id + 1,
    "outcome": lambda row: AuditEvent.Outcome.REFUSED,
    "detail": lambda row: {**row.detail, "status": 404},
    "at": lambda row: row.at - timedelta(hours=3),
    "session_hash": lambda row: "f" * 64,
    "source_ip": lambda row: "203.0.113.9",
}
# The chain's own columns are checked by the chain itself (see test_audit_log.py).
CHAIN_FIELDS = {"id", "prev_hash", "row_hash", "chain_seq"}


def allow_changes_to_the_audit_table() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A purge earlier in the test's transaction leaves deferred foreign-key checks (of the
            # rows' shown cases) pending, and PostgreSQL alters no table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_no_update_delete")


def test_every_field_of_an_audit_row_is_covered_by_this_test():
    fields = {f.attname for f in AuditEvent._meta.concrete_fields} - CHAIN_FIELDS
    # A field added to the audit row must be added here, and so to the hashed payload.
    assert fields == set(ALTERATIONS)


@pytest.fixture
def log(client_for, investigator) -> list[AuditEvent]:
    """Five rows written by real requests: each names a person, a session, an address and a case."""
    client = client_for(investigator)
    for _ in range(5):
        client.get(f"/cases/{make_shooting().pk}/")
    call_command("verify_audit")
    return list(AuditEvent.objects.filter(event="cases:detail.view").order_by("id"))


@pytest.mark.parametrize("field", sorted(ALTERATIONS))
def test_altering_one_field_of_a_row_is_named_by_verify_audit(log, field):
    target = log[2]
    original = getattr(target, field)
    assert original not in (None, "", {}), f"{field} is empty in the log, so altering it proves little"
    altered = ALTERATIONS[field](target)
    assert altered != original
    allow_changes_to_the_audit_table()

    AuditEvent.objects.filter(pk=target.pk).update(**{field: altered})

    with pytest.raises(CommandError, match=f"row {target.pk}: this row was altered"):
        call_command("verify_audit")
    # Put back, the log is whole again: the hash changed because of this field alone.
    AuditEvent.objects.filter(pk=target.pk).update(**{field: original})
    call_command("verify_audit")


def test_altering_the_oldest_row_of_the_log_is_found(log):
    oldest = AuditEvent.objects.order_by("id").first()
    allow_changes_to_the_audit_table()

    AuditEvent.objects.filter(pk=oldest.pk).update(event="rewritten")

    with pytest.raises(CommandError, match=f"row {oldest.pk}: this row was altered"):
        call_command("verify_audit")


def test_rows_missing_from_the_start_of_the_log_are_found(log):
    first, second = AuditEvent.objects.order_by("id")[:2]
    allow_changes_to_the_audit_table()

    AuditEvent.objects.filter(pk=first.pk).delete()

    with pytest.raises(CommandError, match=f"row {second.pk}: the first row does not start the chain"):
        call_command("verify_audit")


def test_after_a_purge_the_log_still_verifies_and_a_row_removed_later_is_found(db):
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        for i in range(3):
            audit.record("test.old", object_id=i)
    for i in range(3):
        audit.record("test.recent", object_id=i)

    call_command("purge_audit", "--yes", stdout=StringIO())

    assert not AuditEvent.objects.filter(event="test.old").exists()
    call_command("verify_audit", stdout=StringIO())  # the oldest kept row chains to the purge's anchor
    oldest_kept, next_kept = AuditEvent.objects.order_by("id")[:2]
    allow_changes_to_the_audit_table()
    AuditEvent.objects.filter(pk=oldest_kept.pk).delete()
    with pytest.raises(CommandError, match=f"row {next_kept.pk}: the first row does not start the chain"):
        call_command("verify_audit")


def test_a_row_written_by_an_earlier_release_still_verifies():
    # The hashed form of a row is a contract with every log already written: a change to it
    # (a key renamed, a field added, another time format) would make verify_audit call every
    # existing row altered. A new field must be left out of the payload while it is empty.
    row = AuditEvent(
        at=datetime(2026, 3, 4, 15, 16, 17, 123456, tzinfo=UTC),
        actor_id=42,
        actor_username="dwhitfield",
        actor_name="Dana Whitfield",
        source_ip="198.51.100.7",
        event="cases:detail.view",
        object_type="shooting",
        object_id="917",
        case_id=917,
        outcome="success",
        session_hash="ab" * 32,
        detail={"method": "GET", "status": 200, "view": "cases:detail"},
        prev_hash="cd" * 32,
    )

    assert audit.row_digest(row) == "aa12339c55a9a758011d82aec941ff76b04fc24690e9305d9c4149d69bc0639d"


def test_overlong_values_are_cut_to_fit_their_columns(db, investigator):
    row = audit.record("e" * 100, actor=investigator, object_type="t" * 50, object_id="9" * 80)

    row.refresh_from_db()
    assert (len(row.event), len(row.object_type), len(row.object_id)) == (80, 40, 64)
    call_command("verify_audit", stdout=StringIO())


def test_the_longest_names_a_person_may_have_fit_the_audit_row(db):
    person = UserFactory(username="long_names", first_name="F" * 150, last_name="L" * 150)

    row = audit.record("test.event", actor=person)

    row.refresh_from_db()
    assert row.actor_name == ("F" * 150 + " " + "L" * 150)[:300]
    call_command("verify_audit", stdout=StringIO())


def test_an_audit_row_costs_every_request_one_statement_on_postgresql_and_no_lock(
    investigator, django_assert_num_queries
):
    # On PostgreSQL the insert alone: the row is chained later by the sealer, so no writer waits
    # for another. SQLite chains as it writes (its writers take turns anyway): the last sealed
    # row's hash, and the insert. No savepoint: a failed write dooms the request anyway.
    audit.record("test.warm", actor=investigator)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2) as captured:
        audit.record("test.event", actor=investigator)
    assert not any("advisory" in q["sql"] for q in captured.captured_queries)


def test_a_row_hashed_by_an_earlier_release_keeps_its_hash(db):
    # The hashes are stored: every field of the hashed text, its names and its layout are a format
    # that a log written before an upgrade must still verify against.
    row = AuditEvent(
        at=datetime(2026, 3, 14, 21, 5, 7, 123456, tzinfo=UTC),
        actor_id=7,
        actor_username="dwhitfield",
        actor_name="Dana Whitfield",
        source_ip="10.20.30.40",
        event="agenda.view",
        object_type="meeting",
        object_id="12",
        case_id=None,
        outcome="success",
        session_hash="ab" * 32,
        detail={"audience": "law_enforcement"},
        prev_hash="cd" * 32,
    )

    assert audit.row_digest(row) == "7da8bd69a24ed45b0c00f534d92e3a5c79b8f7bfb7f89c7e4f4226a691306416"
    assert audit.row_digest(row, [31, 5, 31]) == "321e6628b3ff8dad7e12b589dcaf5485eec652ba3a1d099e45db10eee2a222b7"
