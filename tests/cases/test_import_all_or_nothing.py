"""The README's promise "an import is all or nothing", for failures that only the write itself
meets: a write refused part-way through a file (someone saved a report in between, a duplicate,
any database error on row N) leaves every report of that file as it was, the ones written before
the failing row included.

The failures are real ones, made by the database: a trigger refuses the insert of one report,
or changes a report behind the importer's back when an earlier one is inserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import DatabaseError, connection

from cases.importers.upsert import import_shootings
from cases.models import Person, PersonChange, PersonRole, Shooting, ShootingChange, Victim

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEMPLATE = FIXTURES / "template_riverbend.csv"
HEADER = (
    "report_number,kind,occurred_from,occurred_to,reported_at,address,division,beat,status,summary,flags,"
    "victim_name,victim_age,victim_juvenile,victim_sex,victim_injury,source_system"
)
# Written in this order: an update and a new victim of a known report, two new reports, then
# another known report changed. The failures below hit the fourth or fifth write.
WEEK = "\n".join(
    [
        HEADER,
        "RB26000301,nonfatal,2026-10-03 22:15,,,2702 Orchard Way,North,221,open,,,Tobin Saltmarsh,27,,M,nonfatal,RMS-7",
        "RB26000301,,,,,,,,,,,Marisol Quenby,19,,F,nonfatal,RMS-7",
        "RB26000304,nonfatal,2026-10-08 21:00,,,300 Weir St,North,221,open,,,Idris Penhale,22,,M,nonfatal,RMS-7",
        "RB26000305,shots_fired,2026-10-09 23:10,,,18 Lockkeeper Row,Metro,415,open,Rounds into a car.,,,,,,,RMS-7",
        "RB26000302,homicide,10/5/2026 3:40 AM,,,1152 Pennant Ct,Shoal Creek,612,open,Found in a car.,,,,,,,RMS-7",
    ]
)


def everything() -> dict:
    """Every stored value an import could have touched."""
    return {
        "shootings": sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in Shooting.objects.values()),
        "victims": sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in Victim.objects.values()),
        "changes": ShootingChange.objects.count(),
        # The victims' people: a rolled-back import leaves no person, role or link behind.
        "people": sorted(Person.objects.values_list("pk", "name")),
        "roles": sorted(PersonRole.objects.values_list("pk", "person_id", "name")),
        "person changes": PersonChange.objects.count(),
    }


@pytest.fixture
def stored(coordinator) -> dict:
    report = import_shootings(TEMPLATE.read_bytes(), coordinator)
    assert report.applied and report.counts["created"] == 3
    return everything()


def run_sql(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def refuse_insert_of(report_number: str, *, sqlstate: str) -> None:
    """The database refuses to insert `report_number` (SQLite: always as a constraint error)."""
    if connection.vendor == "postgresql":
        run_sql(
            f"""CREATE FUNCTION test_refuse_row() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '{sqlstate}'; END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER test_refuse_row BEFORE INSERT ON cases_shooting FOR EACH ROW
            WHEN (NEW.report_number = '{report_number}') EXECUTE FUNCTION test_refuse_row()""",
        )
    else:
        run_sql(
            f"""CREATE TRIGGER test_refuse_row BEFORE INSERT ON cases_shooting
            WHEN NEW.report_number = '{report_number}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"""
        )


def save_behind_the_importers_back(when_inserted: str, bump: str) -> None:
    """When `when_inserted` is inserted, someone else saves `bump` (its version moves on)."""
    update = f"UPDATE cases_shooting SET version = version + 1 WHERE report_number = '{bump}'"
    if connection.vendor == "postgresql":
        run_sql(
            f"""CREATE FUNCTION test_bump() RETURNS trigger AS $$
            BEGIN {update}; RETURN NEW; END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER test_bump AFTER INSERT ON cases_shooting FOR EACH ROW
            WHEN (NEW.report_number = '{when_inserted}') EXECUTE FUNCTION test_bump()""",
        )
    else:
        run_sql(
            f"""CREATE TRIGGER test_bump AFTER INSERT ON cases_shooting
            WHEN NEW.report_number = '{when_inserted}' BEGIN {update}; END"""
        )


def test_the_file_imports_cleanly_without_interference(coordinator, stored):
    # The control: without a failure every row of the file is written.
    report = import_shootings(WEEK, coordinator)

    assert report.applied
    assert report.counts == {"created": 2, "updated": 2, "unchanged": 0, "skipped": 0}
    assert Shooting.objects.get(report_number="RB26000301").address == "2702 Orchard Way"
    assert everything() != stored


def test_a_duplicate_on_the_fourth_write_leaves_every_report_of_the_file_as_it_was(coordinator, stored):
    refuse_insert_of("RB26000305", sqlstate="23505")  # unique_violation

    report = import_shootings(WEEK, coordinator)

    assert [str(e) for e in report.errors] == [
        "line 5: report RB26000305 was just saved by someone else; nothing was imported — run it again"
    ]
    assert not report.applied and report.outcomes == []
    assert everything() == stored
    assert not Shooting.objects.filter(report_number="RB26000304").exists()
    assert not Victim.objects.filter(name="Marisol Quenby").exists()


def test_an_edit_conflict_on_the_last_write_leaves_every_report_of_the_file_as_it_was(coordinator, stored):
    save_behind_the_importers_back(when_inserted="RB26000305", bump="RB26000302")

    report = import_shootings(WEEK, coordinator)

    assert [str(e) for e in report.errors] == [
        "line 6: report RB26000302 was changed by someone else during the import; "
        "nothing was imported — run the import again"
    ]
    assert not report.applied and report.outcomes == []
    # The other person's save was in the same transaction here, so it is undone with the rest.
    assert everything() == stored


def test_any_database_error_part_way_leaves_every_report_of_the_file_as_it_was(coordinator, stored):
    refuse_insert_of("RB26000305", sqlstate="P0001")  # raise_exception: no constraint at all

    try:
        report = import_shootings(WEEK, coordinator)
    except DatabaseError:
        pass  # PostgreSQL: not a row problem the importer knows how to explain; it reaches the caller
    else:
        assert not report.applied and report.outcomes == []  # SQLite reports it as a constraint error

    assert everything() == stored


def test_a_write_refused_by_a_rule_checked_only_when_saving_refuses_the_whole_file_and_names_the_line(
    coordinator, stored
):
    # The file has no occurred_to column, so the stored end of RB26000302's window (3:55) is kept;
    # its new start (4:10) passes every check of the file itself, but the two together break the
    # rule that a window does not end before it starts, which only the save checks.
    header = "report_number,kind,occurred_from,address,division,beat,status,source_system"
    corrected = "\n".join(
        [
            header,
            "RB26000306,shots_fired,2026-10-10 23:40,77 Tannery Ln,Metro,415,open,RMS-7",
            "RB26000302,homicide,10/5/2026 4:10 AM,1150 Pennant Ct,Shoal Creek,612,open,RMS-7",
        ]
    )

    report = import_shootings(corrected, coordinator)

    assert [str(e) for e in report.errors] == [
        "line 3: report RB26000302: Constraint “shooting_to_not_before_from” is violated."
    ]
    assert not report.applied and report.outcomes == []
    assert everything() == stored
    assert not Shooting.objects.filter(report_number="RB26000306").exists()
