"""What a re-import does to a known report, field by field: a changed kind is taken from the
file unless the case is a homicide here, the other fields are taken either way, and every known
report's outcome names its case (the preview links to it)."""

from __future__ import annotations

from datetime import date

import pytest

from cases import services
from cases.importers.upsert import import_shootings
from cases.models import Shooting
from tests.cases.test_import_upsert import KCPD_HEADER, kcpd

pytestmark = pytest.mark.django_db

HEADER = (
    "report_number,kind,occurred_from,occurred_to,reported_at,address,division,beat,status,summary,flags,"
    "victim_name,victim_age,victim_juvenile,victim_sex,victim_injury,source_system"
)


def row(kind: str, address: str, beat: str, summary: str) -> str:
    return f"RB26000401,{kind},2026-10-03 22:15,,,{address},North,{beat},open,{summary},,Tobin Saltmarsh,27,,M,,RMS-7"


def test_a_changed_kind_and_other_fields_are_taken_from_the_file(coordinator):
    import_shootings("\n".join([HEADER, row("shots_fired", "12 Weir St", "221", "Shots.")]), coordinator)
    shooting = Shooting.objects.get()

    report = import_shootings("\n".join([HEADER, row("nonfatal", "14 Weir St", "222", "One hurt.")]), coordinator)

    [outcome] = report.outcomes
    assert outcome.action == "updated" and outcome.shooting_id == shooting.pk
    shooting.refresh_from_db()
    assert (shooting.kind, shooting.address, shooting.beat, shooting.summary) == (
        Shooting.Kind.NONFATAL,
        "14 Weir St",
        "222",
        "One hurt.",
    )


def test_a_homicide_here_keeps_its_kind_but_takes_the_files_other_changes(coordinator, investigator):
    import_shootings("\n".join([HEADER, row("nonfatal", "12 Weir St", "221", "Shot.")]), coordinator)
    shooting = Shooting.objects.get()
    services.record_victim_death(shooting.victims.get(), investigator, date(2026, 10, 9))

    report = import_shootings("\n".join([HEADER, row("nonfatal", "14 Weir St", "222", "Died.")]), coordinator)

    [outcome] = report.outcomes
    assert outcome.action == "updated" and outcome.shooting_id == shooting.pk
    assert "kind kept as homicide (an import never downgrades a homicide)" in outcome.remarks
    shooting.refresh_from_db()
    assert (shooting.kind, shooting.address, shooting.beat, shooting.summary) == (
        Shooting.Kind.HOMICIDE,
        "14 Weir St",
        "222",
        "Died.",
    )


def test_an_unchanged_report_names_its_case(coordinator):
    text = "\n".join([HEADER, row("nonfatal", "12 Weir St", "221", "Shot.")])
    import_shootings(text, coordinator)

    [outcome] = import_shootings(text, coordinator, dry_run=True).outcomes

    assert (outcome.action, outcome.shooting_id) == ("unchanged", Shooting.objects.get().pk)


def test_every_new_victim_of_a_known_report_is_added_and_every_known_one_compared(coordinator):
    first = "\n".join([HEADER, row("nonfatal", "12 Weir St", "221", "Shot.")])
    import_shootings(first, coordinator)
    again = [
        HEADER,
        "RB26000401,nonfatal,2026-10-03 22:15,,,12 Weir St,North,221,open,Shot.,,Idris Penhale,22,,M,,RMS-7",
        "RB26000401,,,,,,,,,,,Marisol Quenby,19,,F,,RMS-7",
        "RB26000401,,,,,,,,,,,Tobin Saltmarsh,28,,F,,RMS-7",  # known, another age and sex in the file
    ]

    report = import_shootings("\n".join(again), coordinator)
    assert report.ok, report.errors

    [outcome] = report.outcomes
    assert outcome.victims_added == ["Idris Penhale", "Marisol Quenby"]
    assert "victim Tobin Saltmarsh: age, sex differ from the file; kept as recorded here" in outcome.remarks
    names = set(Shooting.objects.get().victims.values_list("name", flat=True))
    assert names == {"Tobin Saltmarsh", "Idris Penhale", "Marisol Quenby"}


def test_a_known_reports_remarks_from_the_file_are_kept(coordinator):
    lines = [KCPD_HEADER, kcpd("1"), kcpd("2", Involvement="SUS")]
    import_shootings("\n".join(lines), coordinator)

    report = import_shootings("\n".join(lines), coordinator)
    assert report.ok, report.errors
    [outcome] = report.outcomes

    assert outcome.action == "unchanged"
    assert any("not imported" in remark for remark in outcome.remarks), outcome.remarks


def test_a_text_with_a_byte_order_mark_is_read_like_the_file_itself(coordinator):
    report = import_shootings(
        "\ufeff" + "\n".join([HEADER, row("nonfatal", "12 Weir St", "221", "Shot.")]), coordinator
    )

    assert report.ok and report.counts["created"] == 1


def test_errors_are_listed_in_the_order_of_the_files_lines(coordinator):
    too_long = "x" * 400
    lines = [
        HEADER,
        row("nonfatal", too_long, "221", "Shot."),  # line 2: refused by the model's validation
        "RB26000402,nonfatal,not a date,,,5 Weir St,North,221,open,,,,,,,,RMS-7",  # line 3: unreadable
    ]

    report = import_shootings("\n".join(lines), coordinator)

    assert [error.line for error in report.errors] == sorted(error.line for error in report.errors)
    assert {error.line for error in report.errors} == {2, 3}
