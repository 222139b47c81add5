"""Our own import template: one row per victim, rows of one report number are one shooting."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cases.importers.template import TEMPLATE_COLUMNS
from cases.importers.upsert import import_shootings
from cases.models import Shooting, Victim

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CHICAGO = ZoneInfo("America/Chicago")
HEADER = "report_number,kind,occurred_from,address,victim_name,victim_age,victim_juvenile,victim_sex,victim_injury"


def test_sample_file_with_bom_crlf_and_quoted_commas_imports_grouped_by_report_number(coordinator):
    report = import_shootings((FIXTURES / "template_riverbend.csv").read_bytes(), coordinator)

    assert report.ok, report.errors
    assert report.format == "template"
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Shooting.objects.count() == 3

    drive_by = Shooting.objects.get(report_number="RB26000301")
    assert drive_by.kind == Shooting.Kind.NONFATAL
    assert drive_by.address == "2700 block Orchard Way, behind the laundromat"
    assert drive_by.division == "North"
    assert drive_by.occurred_from == datetime(2026, 10, 3, 22, 15, tzinfo=CHICAGO)
    assert drive_by.reported_at == datetime(2026, 10, 3, 22, 31, tzinfo=CHICAGO)
    assert drive_by.is_group_involved and drive_by.is_retaliation_risk and not drive_by.is_domestic_violence
    assert drive_by.created_by == coordinator
    victims = list(drive_by.victims.order_by("name"))
    assert [(v.name, v.age, v.is_juvenile, v.sex) for v in victims] == [
        ("Kesley Varro", None, True, "M"),
        ("Tobin Saltmarsh", 27, False, "M"),
    ]
    # A juvenile victim marks the case as juvenile-involved even without the flag.
    assert drive_by.is_juvenile_involved
    assert "kesley varro" in drive_by.search_text

    homicide = Shooting.objects.get(report_number="RB26000302")
    assert homicide.occurred_from == datetime(2026, 10, 5, 3, 40, tzinfo=CHICAGO)
    assert homicide.division == "Shoal Creek" and homicide.is_domestic_violence
    # A blank injury in a homicide means the victim died.
    assert homicide.victims.get().injury == Victim.Injury.FATAL

    shots_fired = Shooting.objects.get(report_number="RB26000303")
    assert shots_fired.kind == Shooting.Kind.SHOTS_FIRED
    assert shots_fired.occurred_from == datetime(2026, 10, 6, 6, 20, tzinfo=ZoneInfo("UTC"))
    assert not shots_fired.victims.exists()


def test_unknown_columns_are_ignored_and_named_in_the_report(coordinator):
    report = import_shootings((FIXTURES / "template_riverbend.csv").read_bytes(), coordinator, dry_run=True)

    assert report.ok
    assert report.ignored_columns == ["source_system"]


def test_documented_template_imports_and_documents_every_column():
    text = (ROOT / "docs" / "import-template.csv").read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip('"').startswith("#"))
    for name, required, _ in TEMPLATE_COLUMNS:
        assert f"#   {name}{' *' if required else ''}:" in comments
    # The copy offered for download on the upload page is the same file.
    assert (ROOT / "static" / "samples" / "shootings-template.csv").read_text(encoding="utf-8") == text


def test_documented_template_example_rows_import_cleanly(coordinator):
    report = import_shootings((ROOT / "docs" / "import-template.csv").read_bytes(), coordinator)

    assert report.ok, report.errors
    assert report.counts["created"] == 3
    two_victims = Shooting.objects.get(report_number="RB26000101")
    assert two_victims.latitude == Decimal("39.047300")
    assert two_victims.victims.count() == 2


def test_rows_of_one_report_need_not_be_adjacent(coordinator):
    csv_text = "\n".join(
        [
            HEADER,
            "RB26000401,nonfatal,2026-09-01 20:00,12 Quarry Ln,Rowan Petrakis,30,,M,",
            "RB26000402,nonfatal,2026-09-02 20:00,14 Quarry Ln,Mira Szalai,22,,F,",
            "RB26000401,,,,Jules Ambrose,41,,M,",
        ]
    )
    report = import_shootings(csv_text, coordinator)

    assert report.ok, report.errors
    assert Shooting.objects.get(report_number="RB26000401").victims.count() == 2


def test_conflicting_values_within_one_report_are_an_error_naming_both_lines(coordinator):
    csv_text = "\n".join(
        [
            HEADER,
            "RB26000401,nonfatal,2026-09-01 20:00,12 Quarry Ln,Rowan Petrakis,30,,M,",
            "RB26000401,homicide,,,Jules Ambrose,41,,M,",
        ]
    )
    report = import_shootings(csv_text, coordinator)

    assert [str(e) for e in report.errors] == [
        "line 3: kind: “homicide” differs from line 2 for report RB26000401 "
        "(leave it blank on the other rows of a report, or repeat the same value)"
    ]
    assert not Shooting.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("RB1,homicde,2026-09-01 20:00,1 Elm St,,,,,", "kind: “homicde” is not one of homicide, nonfatal, shots_fired"),
        ("RB1,nonfatal,2026-13-45 20:00,1 Elm St,,,,,", "occurred_from: “2026-13-45 20:00” is not a date and time"),
        ("RB1,nonfatal,2099-01-01 20:00,1 Elm St,,,,,", "occurred_from: 2099-01-01 20:00 is in the future"),
        ("RB1,nonfatal,2026-09-01 20:00,,,,,,", "address: required for report RB1"),
        ("RB1,nonfatal,2026-09-01 20:00,1 Elm St,Ada Fenwick,forty,,,", "victim_age: “forty” is not a whole number"),
        ("RB1,nonfatal,2026-09-01 20:00,1 Elm St,Ada Fenwick,25,yes,,", "victim_age: 25 contradicts victim_juvenile"),
        ("RB1,nonfatal,2026-09-01 20:00,1 Elm St,,33,,,", "victim_name: needed when the other victim columns"),
        ("RB1,nonfatal,2026-09-01 20:00,1 Elm St,Ada Fenwick,,,X,", "victim_sex: “X” is not F, M or U"),
    ],
)
def test_a_bad_value_is_reported_with_its_line_and_nothing_is_imported(coordinator, row, message):
    good = "RB0,nonfatal,2026-09-01 19:00,9 Elm St,Ada Fenwick,25,,F,"
    report = import_shootings("\n".join([HEADER, good, row]), coordinator)

    assert len(report.errors) == 1
    assert report.errors[0].line == 3
    assert message in report.errors[0].message
    assert not report.applied
    assert not Shooting.objects.exists()


def test_unknown_flag_and_division_list_the_accepted_values(coordinator):
    csv_text = (
        "report_number,kind,occurred_from,address,division,flags\n"
        "RB1,nonfatal,2026-09-01 20:00,1 Elm St,Westside,gang\n"
    )
    report = import_shootings(csv_text, coordinator)

    assert [str(e) for e in report.errors] == [
        "line 2: division: “Westside” is not one of Central, East, Metro, South, North, Shoal Creek, Other",
        "line 2: flags: “gang” is not one of domestic_violence, group, retaliation, juvenile",
    ]


def test_missing_required_column_is_reported_on_the_header_line(coordinator):
    report = import_shootings("report_number,kind,occurred_from\nRB1,nonfatal,2026-09-01 20:00\n", coordinator)

    assert [str(e) for e in report.errors] == ["line 1: the header has no column address (required)"]


def test_window_end_before_its_start_is_an_error(coordinator):
    csv_text = (
        "report_number,kind,occurred_from,occurred_to,address\n"
        "RB1,nonfatal,2026-09-01 20:00,2026-09-01 19:00,1 Elm St\n"
    )
    report = import_shootings(csv_text, coordinator)

    assert [str(e) for e in report.errors] == ["line 2: occurred_to: earlier than occurred_from"]


def test_a_row_with_an_unquoted_comma_is_caught_instead_of_shifting_columns(coordinator):
    csv_text = "report_number,kind,occurred_from,address\nRB1,nonfatal,2026-09-01 20:00,1 Elm St, Apt 4\n"
    report = import_shootings(csv_text, coordinator)

    assert len(report.errors) == 1
    assert report.errors[0].line == 2
    assert "is there a comma in a cell that is not in quotes?" in report.errors[0].message


def test_the_same_victim_twice_in_a_report_is_an_error(coordinator):
    csv_text = "\n".join(
        [HEADER, "RB1,nonfatal,2026-09-01 20:00,1 Elm St,Ada Fenwick,25,,F,", "RB1,,,,ada fenwick,25,,F,"]
    )
    report = import_shootings(csv_text, coordinator)

    assert [str(e) for e in report.errors] == ["line 3: victim_name: “ada fenwick” is already on line 2"]
