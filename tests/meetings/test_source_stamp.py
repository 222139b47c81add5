"""A live agenda is drawn again only when the data it is drawn from has changed, and then always:
whatever made the change (a service, a bare queryset update, SQL typed by hand, a delete), never
showing a change that was rolled back, and without making writers wait for one another."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import NibinLead, Note, Victim
from meetings.agenda import services as agenda_services
from meetings.agenda import source_stamp
from meetings.agenda.snapshot import snapshot_items
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.source_stamp_checks import assert_under_the_stamp, tables_read

from .agenda_helpers import at, case_at, firearm, local, meeting_at, note_at, url, witness

pytestmark = pytest.mark.django_db

VICTIM = "Marisol Quintavalle"
LEAD = "RB-26-0417"


@pytest.fixture
def agenda(coordinator, investigator) -> Meeting:
    """A live agenda that reaches every query of a snapshot: a case reviewed before and charged
    since, NIBIN-linked cases, a manual link, a witness with an intimidation concern, a victim,
    open action items with and without a case."""
    held = meeting_at(local(2026, 2, 4, 9, 0), status=Meeting.Status.HELD)
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    earlier = case_at(investigator, local(2026, 1, 10, 22, 0))
    AgendaItem.objects.create(meeting=held, shooting=earlier, position=1)
    homicide = case_at(
        investigator, local(2026, 2, 6, 1, 0), kind="homicide", victims=[{"name": VICTIM, "age": 19, "sex": "F"}]
    )
    other = case_at(investigator, local(2026, 2, 7, 1, 0))
    note_at(local(2026, 2, 8, 10, 0), homicide, investigator, Note.Kind.FIREARM, firearm([LEAD]))
    note_at(local(2026, 2, 8, 11, 0), earlier, investigator, Note.Kind.FIREARM, firearm([LEAD]))
    note_at(local(2026, 2, 8, 12, 0), homicide, investigator, Note.Kind.WITNESS, witness())
    with at(local(2026, 2, 8, 13, 0)):
        case_services.link_manually(homicide, other, investigator, "Same crew")
        case_services.update_shooting(earlier, investigator, {"charges_filed": "Assault"}, expected_version=1)
    for shooting in [homicide, None]:
        ActionItem.objects.create(
            shooting=shooting,
            description="Canvass the block again" if shooting else "Update the watch list",
            assignee=investigator,
            agency=investigator.agency,
            due_on=date(2026, 2, 10),
            created_by=coordinator,
        )
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    return meeting


def page(client, meeting: Meeting) -> str:
    response = client.get(url("detail", meeting))
    assert response.status_code == 200
    return response.content.decode()


def test_a_write_to_any_table_a_snapshot_reads_gives_a_new_stamp(agenda):
    items = list(agenda.items.filter(removed_at__isnull=True))
    with CaptureQueriesContext(connection) as queries:
        snapshot_items(agenda, items)
    read = tables_read(queries)
    # The agenda reached every query a snapshot makes.
    assert {
        "cases_victim",
        "cases_linkkey",
        "cases_nibinlead",
        "cases_manuallink",
        "cases_shootingchange",
        "meetings_actionitem",
    } <= read
    assert_under_the_stamp(read)


def test_an_unchanged_live_agenda_is_shown_again_without_reading_the_cases(client_for, coordinator, agenda):
    client = client_for(coordinator)
    first = page(client, agenda)

    with CaptureQueriesContext(connection) as queries:
        again = page(client, agenda)

    assert VICTIM in first and VICTIM in again
    assert not {"cases_note", "cases_victim", "cases_shooting"} & tables_read(queries)


def test_changes_made_around_the_services_show_on_the_next_view(client_for, coordinator, agenda):
    client = client_for(coordinator)
    html = page(client, agenda)
    assert VICTIM in html and "Canvass the block again" in html and f"NIBIN lead {LEAD}" in html

    Victim.objects.filter(name=VICTIM).update(name="Henrietta Vasquez-Oduya")
    html = page(client, agenda)
    assert "Henrietta Vasquez-Oduya" in html and VICTIM not in html

    NibinLead.objects.filter(number=LEAD).update(status=NibinLead.Status.HIT)
    assert f"NIBIN hit {LEAD}" in page(client, agenda)

    ActionItem.objects.filter(description="Canvass the block again").delete()
    assert "Canvass the block again" not in page(client, agenda)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET last_name = %s WHERE last_name <> ''", ["Okonkwo-Baptiste"])
    assert "Okonkwo-Baptiste" in page(client, agenda)


def test_a_change_that_was_rolled_back_is_never_shown(client_for, coordinator, agenda):
    client = client_for(coordinator)
    page(client, agenda)

    with pytest.raises(RuntimeError), transaction.atomic():
        Victim.objects.filter(name=VICTIM).update(name="Never Happened")
        # The writer sees its own change, and that drawing is kept under its stamp.
        assert "Never Happened" in page(client, agenda)
        raise RuntimeError

    assert "Never Happened" not in page(client, agenda)
    Victim.objects.filter(name=VICTIM).update(age=20)
    html = page(client, agenda)
    assert "Never Happened" not in html and f"{VICTIM} (20" in html


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_writer_does_not_wait_for_another_writers_open_transaction(db):
    """Two transactions that each change a case: the second takes another slot of the stamp
    instead of queueing behind the first (an import can take many seconds)."""
    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    touch = "UPDATE cases_shooting SET address = address WHERE false"
    with psycopg.connect(**params, autocommit=True) as first, psycopg.connect(**params) as second:
        first.execute(touch)  # at least one slot exists
        first.execute("BEGIN")
        first.execute(touch)
        second.execute("SET lock_timeout = '2s'")
        second.execute(touch)  # would raise LockNotAvailable if it queued behind the first
        slots_seen_by_second = second.execute("SELECT count(*) FROM meetings_sourcestamp").fetchone()[0]
        second.commit()
        first.execute("COMMIT")
    assert slots_seen_by_second >= 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_transaction_gives_the_stamp_one_new_token_yet_sees_a_new_stamp_after_each_write(db):
    """An import writes tens of thousands of statements in one transaction: each used to leave
    another version of the stamp's row for the next to step over. Now the row changes once, and
    the writer's own reads still see every write of theirs."""
    touch = "UPDATE cases_shooting SET address = address WHERE false"

    def row_version() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT string_agg(ctid::text, ',' ORDER BY slot) FROM meetings_sourcestamp")
            return cursor.fetchone()[0]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(touch)
        first_stamp, first_version = source_stamp.current(), row_version()
        cursor.execute(touch)
        cursor.execute(touch)
        assert row_version() == first_version
        later_stamp = source_stamp.current()
    assert later_stamp != first_stamp
    assert later_stamp.split("#")[0] == first_stamp.split("#")[0]
