"""The Kansas City Police open-data CSV: firearm 09A/13A rows become shootings, grouped by
Report_No, with their distinct victims and nothing about suspects."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cases.importers.kcpd import parse_location
from cases.importers.upsert import import_shootings
from cases.models import Note, Shooting, Victim

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHICAGO = ZoneInfo("America/Chicago")
HEADER = (
    "Report_No,Reported_Date,Reported_Time,From_Date,From_Time,To_Date,To_Time,Offense,IBRS,Description,Beat,"
    "Address,City,Zip Code,Rep_Dist,Area,DVFlag,Invl_No,Involvement,Race,Sex,Age,Firearm Used Flag,Location"
)


def kcpd_row(report="KC25000001", ibrs="13A", firearm="Y", invl="1", involvement="VIC", age="30", **overrides) -> str:
    values = {
        "Report_No": report,
        "Reported_Date": "6/1/2025",
        "Reported_Time": "22:10",
        "From_Date": "6/1/2025",
        "From_Time": "21:55",
        "To_Date": "",
        "To_Time": "",
        "Offense": "Aggravated Assault",
        "IBRS": ibrs,
        "Description": "AGG ASSAULT - FIREARM",
        "Beat": "231",
        "Address": "800 E KETTLEBY ST",
        "City": "KANSAS CITY",
        "Zip Code": "64106",
        "Rep_Dist": "PJ2310",
        "Area": "MPD",
        "DVFlag": "N",
        "Invl_No": invl,
        "Involvement": involvement,
        "Race": "B",
        "Sex": "M",
        "Age": age,
        "Firearm Used Flag": firearm,
        "Location": "POINT (-94.57 39.05)",
    }
    values.update(overrides)
    return ",".join(values[name] for name in HEADER.split(","))


def test_sample_2019_file_imports_only_firearm_shootings_grouped_by_report(coordinator):
    report = import_shootings((FIXTURES / "kcpd_2019.csv").read_bytes(), coordinator)

    assert report.ok, report.errors
    assert report.format == "kcpd"
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "skipped": 2}
    assert set(Shooting.objects.values_list("report_number", flat=True)) == {"KC19000101", "KC19000102", "KC19000105"}
    skipped = {o.report_number: o.text for o in report.outcomes if o.action == "skipped"}
    assert skipped == {
        "KC19000103": "skipped: not a firearm 09A/13A row (IBRS 13A)",
        "KC19000104": "skipped: not a firearm 09A/13A row (IBRS 120)",
    }


def test_distinct_victims_by_invl_no_and_blank_age_is_a_juvenile(coordinator):
    import_shootings((FIXTURES / "kcpd_2019.csv").read_bytes(), coordinator)

    drive_by = Shooting.objects.get(report_number="KC19000101")
    assert drive_by.kind == Shooting.Kind.NONFATAL
    assert [(v.name, v.age, v.is_juvenile, v.sex, v.injury) for v in drive_by.victims.all()] == [
        ("Victim 1", 24, False, "M", Victim.Injury.NONFATAL),
        ("Victim 2", None, True, "F", Victim.Injury.NONFATAL),
    ]
    assert drive_by.is_juvenile_involved
    assert drive_by.division == "East" and drive_by.beat == "324"
    assert (drive_by.latitude, drive_by.longitude) == (Decimal("39.044120"), Decimal("-94.538710"))
    assert drive_by.occurred_from == datetime(2019, 3, 2, 23, 40, tzinfo=CHICAGO)
    assert drive_by.reported_at == datetime(2019, 3, 2, 23, 47, tzinfo=CHICAGO)
    assert not drive_by.is_domestic_violence


def test_any_09a_row_makes_a_homicide_and_its_victim_fatal(coordinator):
    import_shootings((FIXTURES / "kcpd_2019.csv").read_bytes(), coordinator)

    homicide = Shooting.objects.get(report_number="KC19000102")
    assert homicide.kind == Shooting.Kind.HOMICIDE
    assert homicide.is_domestic_violence
    assert homicide.address == "5200 E MARROWBY DR, APT 3"
    assert homicide.division == "Central"
    assert homicide.occurred_to == datetime(2019, 3, 5, 1, 5, tzinfo=CHICAGO)
    assert [(v.name, v.injury) for v in homicide.victims.all()] == [
        ("Victim 1", Victim.Injury.FATAL),
        ("Victim 2", Victim.Injury.NONFATAL),
    ]


def test_suspects_and_arrestees_are_counted_but_nothing_identifying_is_kept(coordinator):
    import_shootings((FIXTURES / "kcpd_2019.csv").read_bytes(), coordinator)

    homicide = Shooting.objects.get(report_number="KC19000102")
    assert "Victim 3" not in homicide.search_text
    assert homicide.victims.count() == 2
    assert not Note.objects.exists()
    assert homicide.summary == (
        "Imported from KCPD open data: HOMICIDE - NON NEGLIGENT. Victims listed: 2. "
        "Other people listed (suspects, arrestees): 1, not imported."
    )
    # The arrestee's age (34) and sex appear nowhere on the case.
    assert "34" not in homicide.summary


def test_blank_reported_time_and_missing_location_leave_those_empty(coordinator):
    import_shootings((FIXTURES / "kcpd_2019.csv").read_bytes(), coordinator)

    window = Shooting.objects.get(report_number="KC19000105")
    assert window.reported_at == datetime(2019, 3, 8, 0, 0, tzinfo=CHICAGO)
    assert window.occurred_from == datetime(2019, 3, 7, 22, 30, tzinfo=CHICAGO)
    assert window.occurred_to == datetime(2019, 3, 8, 2, 15, tzinfo=CHICAGO)
    assert window.latitude is None and window.longitude is None
    assert window.division == "Shoal Creek"


def test_newer_export_with_true_false_flags_lowercase_location_and_missing_columns(coordinator):
    report = import_shootings((FIXTURES / "kcpd_2024.csv").read_bytes(), coordinator)

    assert report.ok, report.errors
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1}
    assault = Shooting.objects.get(report_number="KC24000201")
    assert (assault.latitude, assault.longitude) == (Decimal("39.031200"), Decimal("-94.521000"))
    assert assault.division == "South"
    assert [(v.name, v.age) for v in assault.victims.all()] == [("Victim 1", 17)]
    # A victim aged 17 is a juvenile involved, even with the age given.
    assert assault.is_juvenile_involved
    homicide = Shooting.objects.get(report_number="KC24000202")
    assert homicide.kind == Shooting.Kind.HOMICIDE and homicide.is_domestic_violence
    assert homicide.summary == "Imported from KCPD open data: Homicide. Victims listed: 1."


def test_line_numbers_count_rows_not_physical_lines_after_a_multiline_cell(coordinator):
    text = (FIXTURES / "kcpd_2024.csv").read_text(encoding="utf-8")
    bad = text.replace("01/09/2024,18:40,01/09/2024,18:32", "01/09/2024,18:40,01/39/2024,18:32")
    report = import_shootings(bad, coordinator)

    # Rows 2 and 3 each hold a three-line location; the homicide is spreadsheet row 4.
    assert [str(e) for e in report.errors] == ["line 4: From_Date: “01/39/2024” is not a date (use M/D/YYYY)"]
    assert not Shooting.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (kcpd_row(From_Date="2/30/2025"), "From_Date: “2/30/2025” is not a date"),
        (kcpd_row(From_Time="25:99"), "From_Time: “25:99” is not a time"),
        (kcpd_row(From_Date="6/1/2099", Reported_Date="6/1/2099"), "is in the future"),
        (kcpd_row(age="abc"), "Age: “abc” is not a whole number"),
        (kcpd_row(firearm="maybe"), "Firearm Used Flag: “maybe” should be yes or no"),
        (kcpd_row(Address=""), "Address: required"),
        (kcpd_row(invl=""), "Invl_No: needed to tell the victims of a report apart"),
        (kcpd_row(To_Date="5/1/2025", To_Time="1:00"), "To_Date/To_Time: earlier than From_Date/From_Time"),
    ],
)
def test_a_bad_shooting_row_names_its_line_and_nothing_is_imported(coordinator, row, message):
    good = kcpd_row(report="KC25000000")
    report = import_shootings("\n".join([HEADER, good, row]), coordinator)

    assert len(report.errors) == 1, report.errors
    assert report.errors[0].line == 3
    assert message in report.errors[0].message
    assert not Shooting.objects.exists()


def test_bad_values_on_rows_that_are_not_shootings_do_not_block_the_import(coordinator):
    rows = [kcpd_row(), kcpd_row(report="KC25000002", ibrs="23H", firearm="N", From_Date="not a date")]
    report = import_shootings("\n".join([HEADER, *rows]), coordinator)

    assert report.ok, report.errors
    assert report.counts["created"] == 1 and report.counts["skipped"] == 1


def test_flags_written_as_u_mean_unknown_and_do_not_set_domestic_violence(coordinator):
    report = import_shootings("\n".join([HEADER, kcpd_row(DVFlag="U")]), coordinator)

    assert report.ok
    assert not Shooting.objects.get().is_domestic_violence


def test_missing_required_column_is_reported_with_its_published_name(coordinator):
    header = HEADER.replace(",Firearm Used Flag", "")
    row = kcpd_row().rsplit(",", 2)
    report = import_shootings("\n".join([header, row[0] + "," + row[2]]), coordinator)

    assert [str(e) for e in report.errors] == ["line 1: the header has no column Firearm Used Flag (required)"]


def test_unknown_area_becomes_other_and_area_names_are_understood(coordinator):
    rows = [kcpd_row(Area="Northland"), kcpd_row(report="KC25000002", Area="north")]
    import_shootings("\n".join([HEADER, *rows]), coordinator)

    assert dict(Shooting.objects.values_list("report_number", "division")) == {
        "KC25000001": "Other",
        "KC25000002": "North",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("POINT (-94.57 39.05)", (Decimal("39.05"), Decimal("-94.57"))),
        ("(39.05, -94.57)", (Decimal("39.05"), Decimal("-94.57"))),
        ("1200 E MAIN ST\nKANSAS CITY 64106\n(39.0999, -94.5786)", (Decimal("39.0999"), Decimal("-94.5786"))),
        ("(0.0, 0.0)", None),
        ("1200 E MAIN ST", None),
        ("", None),
    ],
)
def test_location_is_read_in_each_published_form(text, expected):
    assert parse_location(text) == expected
