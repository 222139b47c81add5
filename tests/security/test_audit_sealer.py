"""Audit writers never wait for one another: on PostgreSQL a row is written on its own and chained
later by the sealer (accounts.audit.seal), in the order rows became visible. What the chain
promised before still holds once a row is sealed: an altered, removed or inserted row is named by
`verify_audit`, and the append-only trigger refuses every change but the one-time seal."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from accounts import audit, tasks
from accounts.models import AuditEvent

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite's writers take turns; rows are chained as they are written"
)


class HeldWriter(threading.Thread):
    """A writer in a thread of its own (its own connection): writes a row, then keeps its
    transaction open until told to commit, like a request still busy after its audit row."""

    def __init__(self, event: str):
        super().__init__(daemon=True)
        self.event = event
        self.written = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None
        self.row_id: int | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.row_id = audit.record(self.event).pk
                self.written.set()
                assert self.release.wait(30), "never released"
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc
            self.written.set()
        finally:
            connections.close_all()


class Writer(threading.Thread):
    """Writes and commits one row in a thread of its own (its own connection); `outcome` holds
    None, or what it raised, once it is done."""

    def __init__(self, event: str):
        super().__init__(daemon=True)
        self.event = event
        self.outcome: list[BaseException | None] = []

    def run(self) -> None:
        try:
            audit.record(self.event)
            self.outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.outcome.append(exc)
        finally:
            connections.close_all()


def write_in_thread(event: str, timeout: float) -> tuple[bool, BaseException | None]:
    """Write and commit one row in another thread; True if that finished within `timeout`."""
    writer = Writer(event)
    writer.start()
    writer.join(timeout)
    return not writer.is_alive(), (writer.outcome[0] if writer.outcome else None)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_writer_holding_its_transaction_open_does_not_block_another_writer():
    held = HeldWriter("test.held")
    held.start()
    assert held.written.wait(10) and held.error is None
    try:
        # With a lock shared by all writers this would wait for the held transaction to end.
        finished, error = write_in_thread("test.other", timeout=5)
        assert finished, "the second writer waited for the first writer's transaction"
        assert error is None
        assert AuditEvent.objects.filter(event="test.other").exists()
    finally:
        held.release.set()
        held.join(10)
    assert held.error is None
    call_command("verify_audit")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_row_that_commits_after_a_newer_row_is_chained_after_it_and_the_log_verifies():
    held = HeldWriter("test.commits_late")
    held.start()
    assert held.written.wait(10) and held.error is None
    try:
        finished, error = write_in_thread("test.commits_first", timeout=5)
        assert finished and error is None
        # The sealer runs while the older row is still uncommitted: it seals what it sees.
        assert audit.seal() == 1
    finally:
        held.release.set()
        held.join(10)
    assert audit.seal() == 1

    late = AuditEvent.objects.get(event="test.commits_late")
    first = AuditEvent.objects.get(event="test.commits_first")
    assert late.pk < first.pk  # the id was handed out first ...
    assert late.chain_seq > first.chain_seq  # ... but the row is chained where it became visible
    assert late.prev_hash == first.row_hash
    call_command("verify_audit")


@pytest.mark.django_db
def test_sealing_chains_every_row_once_and_keeps_what_the_rows_say(investigator):
    written = [audit.record("test.event", actor=investigator, object_id=i, shown_case_ids=[i]) for i in range(1, 5)]
    audit.seal()
    assert audit.seal() == 0
    rows = list(AuditEvent.objects.filter(event="test.event").order_by("chain_seq"))
    assert [r.pk for r in rows] == [r.pk for r in written]
    assert [r.object_id for r in rows] == ["1", "2", "3", "4"]
    assert AuditEvent.objects.order_by("chain_seq").first().prev_hash == audit.GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.row_hash
        assert after.chain_seq == before.chain_seq + 1
    assert audit.unsealed() == (0, None)
    call_command("verify_audit")


@pytest.mark.django_db
def test_the_beat_task_seals_what_was_written():
    audit.record("test.event")
    audit.record("test.event")
    tasks.seal_audit()
    assert audit.unsealed() == (0, None)
    assert not AuditEvent.objects.filter(row_hash=None).exists()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_seals_on_a_real_worker(celery_worker):
    audit.record("test.event")
    audit.record("test.event")

    sealed = tasks.seal_audit.delay().get(timeout=30)

    # SQLite chains each row as it is written; on PostgreSQL the worker chained both.
    assert sealed == (2 if connection.vendor == "postgresql" else 0)
    assert audit.unsealed() == (0, None)
    call_command("verify_audit")


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        # Changing what an unsealed row says.
        "UPDATE accounts_auditevent SET event = 'rewritten' WHERE chain_seq IS NULL",
        # Sealing it and changing it at once.
        "UPDATE accounts_auditevent SET chain_seq = 999, prev_hash = repeat('0', 64), "
        "row_hash = repeat('1', 64), outcome = 'refused' WHERE chain_seq IS NULL",
        # Removing it before the sealer gets to it.
        "DELETE FROM accounts_auditevent WHERE chain_seq IS NULL",
    ],
)
def test_postgresql_refuses_every_change_to_an_unsealed_row_but_the_seal(statement):
    audit.record("test.event")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(event="test.event", chain_seq=None).count() == 1


@postgresql_only
@pytest.mark.django_db
def test_postgresql_refuses_to_seal_a_row_twice():
    audit.record("test.event")
    audit.seal()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET chain_seq = chain_seq + 100, row_hash = repeat('2', 64)")


def _allow_changes() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_no_update_delete")


@pytest.fixture
def sealed_log(db) -> list[AuditEvent]:
    for i in range(5):
        audit.record("test.event", object_type="thing", object_id=i)
    call_command("verify_audit")
    return list(AuditEvent.objects.order_by("chain_seq"))


def test_a_row_removed_from_the_middle_of_the_sealed_log_is_found(sealed_log):
    _allow_changes()
    AuditEvent.objects.filter(pk=sealed_log[2].pk).delete()
    with pytest.raises(CommandError, match=f"row {sealed_log[3].pk}: a row before this one is missing"):
        call_command("verify_audit")


def test_a_row_inserted_with_a_hash_but_no_place_in_the_chain_is_found(sealed_log):
    forged = AuditEvent(event="test.forged", at=sealed_log[2].at, prev_hash=sealed_log[1].row_hash)
    forged.row_hash = audit.row_digest(forged)
    forged.save(force_insert=True)
    with pytest.raises(CommandError, match=f"row {forged.pk}: this row claims a hash but has no place in the chain"):
        call_command("verify_audit")


def test_a_row_put_in_the_place_of_a_removed_one_is_found(sealed_log):
    target = sealed_log[2]
    _allow_changes()
    AuditEvent.objects.filter(pk=target.pk).delete()
    # The forger copies the removed row's place and hashes, but not what it said.
    forged = AuditEvent(
        event="test.forged",
        at=target.at,
        chain_seq=target.chain_seq,
        prev_hash=target.prev_hash,
        row_hash=target.row_hash,
    )
    forged.save(force_insert=True)
    with pytest.raises(CommandError, match=f"row {forged.pk}: this row was altered"):
        call_command("verify_audit")


def test_swapping_two_rows_places_in_the_chain_is_found(sealed_log):
    a, b = sealed_log[1], sealed_log[2]
    _allow_changes()
    AuditEvent.objects.filter(pk=a.pk).update(chain_seq=-1)
    AuditEvent.objects.filter(pk=b.pk).update(chain_seq=a.chain_seq)
    AuditEvent.objects.filter(pk=a.pk).update(chain_seq=b.chain_seq)
    with pytest.raises(CommandError, match="a row before this one is missing or was altered"):
        call_command("verify_audit")


@postgresql_only
@pytest.mark.django_db
def test_sealing_in_several_batches_chains_every_row_and_counts_them_all():
    for i in range(5):
        audit.record("test.batch", object_type="thing", object_id=i)

    assert audit.seal(batch_size=2) == 5

    assert audit.unsealed()[0] == 0
    assert audit.verify_chain() is None


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_sealer_that_may_not_wait_leaves_the_rows_to_the_one_already_sealing():
    audit.record("test.waiting")
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit._SEALER_LOCK_KEY])
            # The beat task's call: another sealer holds the lock, so this one does nothing.
            assert audit.seal(wait=False) == 0
            assert audit.unsealed()[0] == 1
            cursor.execute("ROLLBACK")
        assert audit.seal(wait=False) == 1
    finally:
        holder.close()


@postgresql_only
@pytest.mark.django_db
def test_a_row_given_a_place_in_the_chain_but_no_hash_is_named_not_sealed_over(sealed_log):
    # A forger who adds a row with a place in the chain and leaves the hashing to the sealer.
    forged = AuditEvent(event="test.forged", at=sealed_log[-1].at, chain_seq=sealed_log[-1].chain_seq + 1)
    forged.save(force_insert=True)

    with pytest.raises(CommandError, match=f"row {forged.pk}"):
        call_command("verify_audit")
    forged.refresh_from_db()
    assert forged.row_hash is None


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_sealer_that_may_wait_chains_the_rows_once_the_other_sealer_is_done():
    # verify_audit and purge_audit seal before they read: a sealer busy elsewhere must not make
    # them read a chain that leaves rows out.
    audit.record("test.waiting")
    locked = threading.Event()

    def other_sealer() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit._SEALER_LOCK_KEY])
                locked.set()
                time.sleep(1)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_sealer, daemon=True)
    thread.start()
    try:
        assert locked.wait(10)
        assert audit.seal() == 1
    finally:
        thread.join(10)
    assert audit.unsealed()[0] == 0


sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="on PostgreSQL the sealer chains the rows")


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_writer_arriving_between_the_read_of_the_last_row_and_the_insert_waits_its_turn():
    """SQLite chains each row as it writes it: a second writer that arrives just after the first
    has read the chain's last row must wait until the first has committed, or both would chain
    onto the same row."""
    other = Writer("test.second")

    def second_writer_arrives(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if other.ident is None and '"chain_seq"' in sql and sql.startswith("SELECT"):
            other.start()
            # Long enough for it to write and commit, unless it has to wait for this writer.
            other.join(1)
        return result

    audit.record("test.zero")
    with connection.execute_wrapper(second_writer_arrives):
        audit.record("test.first")
    other.join(15)

    assert other.outcome == [None]
    rows = list(AuditEvent.objects.order_by("chain_seq").values_list("event", "chain_seq"))
    assert rows == [("test.zero", 1), ("test.first", 2), ("test.second", 3)]
    call_command("verify_audit")
