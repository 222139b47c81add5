"""The eTrace results import (cases.feeds.etrace): each row revises the firearm-trace note giving
its trace number, as the note's edit page would, and nothing else; a re-import makes no revision;
a bad file is refused whole with its lines named."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.models import AuditEvent
from cases import services
from cases.feeds.etrace import import_etrace_results
from cases.importers.common import ImportFileError
from cases.models import Note, NoteRevision
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

HEADER = "trace_number,status,time_to_crime_days,purchaser,dealer"
TRACE = {
    "recovered": True,
    "make": "Hartwell",
    "model": "P9",
    "caliber": "9mm",
    "serial_number": "HW123456",
    "nibin_leads": [],
    "etrace_number": "T20260001234",
    "etrace_status": "pending",
    "purchaser": "",
    "dealer": "",
    "time_to_crime_days": None,
    "text": "Recovered from a car.",
}


def lines(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def note(atf_agent) -> Note:
    return services.add_note(make_shooting(atf_agent, report_number="RB26009101"), atf_agent, Note.Kind.FIREARM, TRACE)


def everything() -> dict:
    return {
        "notes": sorted((n.pk, n.revision_number, str(sorted(n.fields.items()))) for n in Note.objects.all()),
        "revisions": NoteRevision.objects.count(),
    }


def test_a_completed_trace_becomes_a_new_revision_of_its_note(atf_agent, note):
    report = import_etrace_results(
        lines('T20260001234,Completed,412,Lorcan Fenwick,"Riverside Arms, FFL 5-43-012"'), user=atf_agent
    )

    assert report.applied, report.errors
    assert report.counts == {"created": 0, "updated": 1, "unchanged": 0}
    note.refresh_from_db()
    assert note.revision_number == 2
    assert note.fields["etrace_status"] == "completed"
    assert note.fields["time_to_crime_days"] == 412
    assert note.fields["purchaser"] == "Lorcan Fenwick"
    assert note.fields["dealer"] == "Riverside Arms, FFL 5-43-012"
    # Everything else stays exactly as written; the first revision keeps the old values.
    assert {
        k: v for k, v in note.fields.items() if k not in {"etrace_status", "time_to_crime_days", "purchaser", "dealer"}
    } == {k: v for k, v in TRACE.items() if k not in {"etrace_status", "time_to_crime_days", "purchaser", "dealer"}}
    first, second = note.revisions.order_by("number")
    assert first.fields["etrace_status"] == "pending" and second.edited_by == atf_agent
    assert report.outcomes[0].changes == {
        "eTrace status": ("Pending", "Completed"),
        "Purchaser": ("", "Lorcan Fenwick"),
        "Dealer (FFL)": ("", "Riverside Arms, FFL 5-43-012"),
        "Time-to-crime (days)": ("", "412"),
    }


def test_re_importing_the_same_results_makes_no_revision(atf_agent, note):
    text = lines("T20260001234,completed,412,Lorcan Fenwick,Riverside Arms")
    import_etrace_results(text, user=atf_agent)
    before = everything()

    again = import_etrace_results(text, user=atf_agent)

    assert again.applied and again.counts == {"created": 0, "updated": 0, "unchanged": 1}
    assert everything() == before


def test_blank_cells_keep_what_the_note_holds_and_the_number_matches_in_any_case(atf_agent, note):
    import_etrace_results(lines("T20260001234,completed,412,Lorcan Fenwick,Riverside Arms"), user=atf_agent)

    report = import_etrace_results(lines(" t20260001234 ,No trace,,,"), user=atf_agent)

    assert report.counts["updated"] == 1
    note.refresh_from_db()
    assert note.fields["etrace_status"] == "no_trace"
    assert note.fields["purchaser"] == "Lorcan Fenwick" and note.fields["time_to_crime_days"] == 412


def test_an_older_file_does_not_reopen_a_finished_trace(atf_agent, note):
    import_etrace_results(lines("T20260001234,completed,412,,"), user=atf_agent)

    report = import_etrace_results(lines("T20260001234,pending,,,"), user=atf_agent)

    assert report.counts["unchanged"] == 1
    assert report.outcomes[0].remarks == ["status kept as Completed (a finished trace is not reopened)"]


def test_a_dry_run_shows_the_changes_and_writes_nothing(atf_agent, note):
    before = everything()

    report = import_etrace_results(lines("T20260001234,completed,412,,"), user=atf_agent, dry_run=True)

    assert report.ok and report.counts["updated"] == 1
    assert everything() == before


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "T20269999999,completed,,,",
            "line 2: trace_number: no firearm-trace note you may see gives eTrace request T20269999999",
        ),
        (
            "T20260001234,returned,,,",
            "line 2: status: “returned” should be one of not submitted, pending, completed, no trace",
        ),
        ("T20260001234,completed,-3,,", "line 2: time_to_crime_days: Ensure this value is greater than or equal to 0."),
        ("T20260001234,completed,about a year,,", "line 2: time_to_crime_days: Enter a whole number."),
        (
            "T20260001234,completed,40000,,",
            "line 2: time_to_crime_days: Ensure this value is less than or equal to 36500.",
        ),
        ("T20260001234,completed,,Lorcan\x1bFenwick,", "line 2: purchaser: "),
        (",completed,,,", "line 2: trace_number: required"),
        (
            "T20260001234,completed,," + "x" * 121 + ",",
            "line 2: purchaser: Ensure this value has at most 120 characters",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_its_line(atf_agent, note, row, expected):
    other = services.add_note(
        make_shooting(atf_agent), atf_agent, Note.Kind.FIREARM, {**TRACE, "etrace_number": "T20260005555"}
    )
    before = everything()

    report = import_etrace_results(lines(row, "T20260005555,completed,30,,"), user=atf_agent)

    assert len(report.errors) == 1 and str(report.errors[0]).startswith(expected), report.errors
    assert report.outcomes == [] and everything() == before
    assert Note.objects.get(pk=other.pk).revision_number == 1


def test_a_trace_number_twice_in_the_file_is_refused(atf_agent, note):
    report = import_etrace_results(lines("T20260001234,pending,,,", "t20260001234,completed,9,,"), user=atf_agent)

    assert [str(e) for e in report.errors] == ["line 3: trace_number: t20260001234 is already on line 2"]


def test_a_file_without_the_status_column_or_not_utf8_is_refused(atf_agent, note):
    report = import_etrace_results("trace_number,purchaser\nT20260001234,Fenwick\n", user=atf_agent)
    assert [str(e) for e in report.errors] == ["line 1: the header has no column status (required)"]

    with pytest.raises(ImportFileError, match="not UTF-8"):
        import_etrace_results(lines("T20260001234,completed,,Jos\xe9,").encode("latin-1"), user=atf_agent)
    assert everything()["revisions"] == 1


def test_a_note_someone_else_wrote_is_refused_unless_a_supervisor_of_their_agency_imports(atf_agent, note):
    colleague = UserFactory(agency=atf_agent.agency, role="federal_agent")
    supervisor = UserFactory(agency=atf_agent.agency, role="supervisor")
    text = lines("T20260001234,completed,412,,")

    refused = import_etrace_results(text, user=colleague)

    assert [str(e) for e in refused.errors] == [
        f"line 2: trace_number: the note giving T20260001234 (case RB26009101) is {atf_agent.agency.name}'s; "
        "only its author or a supervisor of that agency may revise it"
    ]
    assert import_etrace_results(text, user=supervisor).applied
    assert Note.objects.get(pk=note.pk).revisions.last().edited_by == supervisor


def test_a_note_restricted_to_another_agency_is_as_unknown_as_no_note(atf_agent, investigator, note):
    services.revise_note(note, atf_agent, note.fields, restricted=True)

    report = import_etrace_results(lines("T20260001234,completed,412,,"), user=investigator)

    assert [str(e) for e in report.errors] == [
        "line 2: trace_number: no firearm-trace note you may see gives eTrace request T20260001234"
    ]


def test_a_retracted_note_is_not_revised(atf_agent, note):
    services.retract_note(note, atf_agent, "Entered on the wrong case.")

    report = import_etrace_results(lines("T20260001234,completed,412,,"), user=atf_agent)

    assert str(report.errors[0]).startswith("line 2: trace_number: no firearm-trace note you may see")


def test_only_those_who_manage_leads_may_import_trace_results(advocate, prosecutor, note):
    for user in (advocate, prosecutor):
        with pytest.raises(PermissionDenied):
            import_etrace_results(lines("T20260001234,completed,412,,"), user=user)


def test_the_run_is_audited_with_the_case_it_changed(atf_agent, note):
    import_etrace_results(lines("T20260001234,completed,412,Lorcan Fenwick,"), user=atf_agent)

    row = AuditEvent.objects.get(object_type="import")
    assert row.event == "import.etrace" and row.actor_id == atf_agent.pk
    assert list(row.shown_cases.values_list("case_id", flat=True)) == [note.shooting_id]
    assert "Fenwick" not in str(row.detail)


def test_every_wrong_line_is_named_and_a_number_on_two_notes_revises_neither(atf_agent, note):
    colleague = UserFactory(agency=atf_agent.agency, role="federal_agent")
    twice = [
        services.add_note(
            make_shooting(atf_agent, report_number=number),
            atf_agent,
            Note.Kind.FIREARM,
            {**TRACE, "etrace_number": "T7"},
        )
        for number in ("RB26009102", "RB26009103")
    ]
    services.add_note(
        make_shooting(colleague, report_number="RB26009104"),
        colleague,
        Note.Kind.FIREARM,
        {**TRACE, "etrace_number": "T8"},
    )
    before = everything()

    report = import_etrace_results(
        lines(
            "T9,completed,,,", "T7,completed,,,", "T8,completed,,,", "T20260001234,completed,-3,,", "T6,completed,,,"
        ),
        user=atf_agent,
    )

    assert [str(e) for e in report.errors] == [
        "line 2: trace_number: no firearm-trace note you may see gives eTrace request T9",
        "line 3: trace_number: T7 is on 2 firearm-trace notes (RB26009102, RB26009103); correct them first",
        f"line 4: trace_number: the note giving T8 (case RB26009104) "
        f"is {atf_agent.agency.name}'s; only its author or a supervisor of that agency may revise it",
        "line 5: time_to_crime_days: Ensure this value is greater than or equal to 0.",
        "line 6: trace_number: no firearm-trace note you may see gives eTrace request T6",
    ]
    assert everything() == before
    assert [n.revision_number for n in Note.objects.filter(pk__in=[n.pk for n in twice])] == [1, 1]


def test_a_row_that_changes_nothing_does_not_stop_the_rows_after_it(atf_agent, note):
    other = services.add_note(
        make_shooting(atf_agent), atf_agent, Note.Kind.FIREARM, {**TRACE, "etrace_number": "T20260005555"}
    )

    report = import_etrace_results(lines("T20260001234,pending,,,", "T20260005555,completed,30,,"), user=atf_agent)

    assert report.counts == {"created": 0, "updated": 1, "unchanged": 1}
    other.refresh_from_db()
    assert other.revision_number == 2 and other.fields["etrace_status"] == "completed"
    assert Note.objects.get(pk=note.pk).revision_number == 1


def test_a_number_typed_in_small_letters_on_the_note_matches_the_file_in_capitals(atf_agent):
    typed = services.add_note(
        make_shooting(atf_agent), atf_agent, Note.Kind.FIREARM, {**TRACE, "etrace_number": "t20260004321"}
    )

    report = import_etrace_results(lines("T20260004321,completed,30,,"), user=atf_agent)

    assert report.applied, report.errors
    assert Note.objects.get(pk=typed.pk).fields["etrace_status"] == "completed"


def test_columns_the_import_does_not_use_are_named_in_its_report(atf_agent, note):
    report = import_etrace_results("trace_number,status,agent\nT20260001234,completed,Vance\n", user=atf_agent)

    assert report.applied and report.ignored_columns == ["agent"]


def test_a_note_its_own_form_no_longer_accepts_is_refused_naming_the_notes_field(atf_agent):
    # Stored before the form's limit, as older notes may be: the edit page would refuse it too.
    services.add_note(make_shooting(atf_agent), atf_agent, Note.Kind.FIREARM, {**TRACE, "make": "H" * 61})

    report = import_etrace_results(lines("T20260001234,completed,30,,"), user=atf_agent)

    assert [str(e) for e in report.errors] == ["line 2: make: Ensure this value has at most 60 characters (it has 61)."]


def retract_when_revised(revised: Note, other: Note) -> None:
    """Someone retracts `other` at the moment the import revises `revised`, as if at the same time."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""CREATE FUNCTION test_retract() RETURNS trigger AS $$ BEGIN
                UPDATE cases_note SET retracted_at = now() WHERE id = {other.pk}; RETURN NEW; END $$ LANGUAGE plpgsql"""
            )
            cursor.execute(
                f"""CREATE TRIGGER test_retract AFTER INSERT ON cases_noterevision FOR EACH ROW
                WHEN (NEW.note_id = {revised.pk}) EXECUTE FUNCTION test_retract()"""
            )
        else:
            cursor.execute(
                f"""CREATE TRIGGER test_retract AFTER INSERT ON cases_noterevision WHEN NEW.note_id = {revised.pk}
                BEGIN UPDATE cases_note SET retracted_at = CURRENT_TIMESTAMP WHERE id = {other.pk}; END"""
            )


def test_a_note_retracted_while_the_file_is_written_undoes_the_whole_file_naming_its_line(atf_agent, note):
    other = services.add_note(
        make_shooting(atf_agent), atf_agent, Note.Kind.FIREARM, {**TRACE, "etrace_number": "T20260005555"}
    )
    retract_when_revised(note, other)
    before = everything()

    report = import_etrace_results(lines("T20260001234,completed,,,", "T20260005555,completed,,,"), user=atf_agent)

    assert [str(e) for e in report.errors] == ["line 3: trace_number: T20260005555: A retracted note cannot be edited."]
    assert report.outcomes == [] and everything() == before
