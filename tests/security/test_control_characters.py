"""Text: NUL and the other control characters, and the invisible characters that reverse how text
reads (RTL override and its kind), never reach the database from a form, a filter, a query string
or the import; each is refused with a message beside the field or naming the line and column. A
multi-line field keeps its tabs and line breaks. A query-string value the audit row cannot hold
is kept there as an escape rather than failing the request. A CSV that does not parse cleanly is
refused whole, naming the line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditEvent
from cases.importers.common import ImportFileError
from cases.importers.upsert import import_shootings
from cases.models import Note, Shooting, Victim
from meetings.models import AgendaItem, Attendance, Meeting
from tests.cases.test_case_forms import field_errors, new_case_data
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import local, meeting_at

pytestmark = pytest.mark.django_db

NUL, BEL, ESC, RLO, LRI = "\x00", "\x07", "\x1b", "\u202e", "\u2066"
CONTROL = "Remove the invisible control character"
DIRECTION = "Remove the invisible text-direction character"
HEADER = "report_number,kind,occurred_from,address,summary,victim_name"


# --- Web forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("address", f"4100 Prospect{RLO}evA", DIRECTION),
        ("address", f"4100 Prospect Ave{BEL}", CONTROL),
        ("beat", f"3{ESC}[31m1", CONTROL),
        ("summary", f"Graze wound{NUL}", CONTROL),
        ("summary", f"Graze {LRI}wound", DIRECTION),
        ("charges_filed", "Assault\nfirst degree", "This field is one line"),
        ("victims-0-name", f"Rosalind{RLO}enotsrehtaeF", DIRECTION),
    ],
)
def test_the_case_form_refuses_control_and_direction_characters_beside_the_field(
    client_for, investigator, field, value, message
):
    response = client_for(investigator).post("/cases/new/", new_case_data(**{field: value}))

    assert response.status_code == 200
    assert message in field_errors(response.content.decode(), f"id_{field}")
    assert not Shooting.objects.exists() and not Victim.objects.exists()


def test_a_multi_line_field_keeps_its_tabs_and_line_breaks(client_for, investigator):
    summary = "Two calls:\r\n\t1. neighbour\r\n\t2. store clerk"

    client_for(investigator).post("/cases/new/", new_case_data(summary=summary))

    assert Shooting.objects.get().summary == summary


@pytest.mark.parametrize(
    "kind,data",
    [("general", {"text": f"Call the family{BEL}"}), ("suspect", {"name": f"Lu{ESC}cius", "status": "suspect"})],
)
def test_a_note_with_a_control_character_is_refused(client_for, investigator, kind, data):
    shooting = make_shooting(investigator)

    response = client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/{kind}/", data)

    assert response.status_code == 200
    assert CONTROL in response.content.decode()
    assert not Note.objects.exists()


def test_an_agenda_text_item_refuses_a_direction_character(client_for, coordinator):
    meeting = meeting_at(local(2026, 11, 4, 9, 0))

    response = client_for(coordinator).post(
        reverse("meetings:agenda_add_text", args=[meeting.pk]),
        {"version": meeting.agenda_version, "title": f"Watch list{RLO}", "text": ""},
    )

    assert response.status_code == 400 and DIRECTION in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_attendance_typed_without_a_form_is_checked_all_the_same(client_for, coordinator, police):
    meeting = meeting_at(local(2026, 11, 4, 9, 0), status=Meeting.Status.FROZEN)

    response = client_for(coordinator).post(
        reverse("meetings:agenda_attendance", args=[meeting.pk]),
        {f"present_{police.pk}": "on", f"others_{police.pk}": f"Two sergeants{RLO}"},
    )

    assert response.status_code == 400
    assert f"Others present at {police.name}: {DIRECTION}" in response.content.decode()
    assert not Attendance.objects.exists()


# --- Filters and query strings ------------------------------------------------------------------


def test_a_search_with_a_control_character_is_refused_beside_the_box(client_for, investigator):
    make_shooting(investigator, report_number="RB26000001")

    response = client_for(investigator).get("/cases/", {"q": f"RB26{NUL}"})

    assert response.status_code == 200
    html = response.content.decode()
    assert CONTROL in html and "RB26000001" in html  # the search is left out, the list shown


def test_a_nul_in_the_audit_search_is_recorded_as_an_escape_not_a_503(client_for, supervisor):
    response = client_for(supervisor).get("/accounts/audit/", {"user": NUL, "event": f"login{RLO}"})

    assert response.status_code == 200
    row = AuditEvent.objects.filter(event="audit.search").latest("id")
    assert row.detail["filters"] == {"user": "\\x00", "event": "login\\u202e"}


# --- The import ---------------------------------------------------------------------------------


def upload(client, text: str, action: str = "preview"):
    file = SimpleUploadedFile("week.csv", text.encode(), content_type="text/csv")
    return client.post("/cases/import/", {"action": action, "format": "auto", "file": file})


def test_a_nul_in_an_imported_cell_is_an_error_naming_line_and_column(client_for, coordinator):
    text = f"{HEADER}\nRB26000001,nonfatal,2026-03-14 21:40,1 Elm{NUL} St,,\n"

    response = upload(client_for(coordinator), text, action="import")

    assert response.status_code == 200
    assert "line 2: address: Remove the invisible control character (U+0000 NULL)" in response.content.decode()
    assert not Shooting.objects.exists()


def test_the_command_reports_a_nul_without_a_traceback(coordinator, tmp_path):
    path = tmp_path / "week.csv"
    path.write_text(f"{HEADER}\nRB26000001,nonfatal,2026-03-14 21:40,1 Elm{NUL} St,,\n")
    err = StringIO()

    with pytest.raises(CommandError, match="1 error in"):
        call_command("import_shootings", str(path), stdout=StringIO(), stderr=err)

    assert "line 2: address: Remove the invisible control character (U+0000 NULL)" in err.getvalue()
    assert not Shooting.objects.exists()


@pytest.mark.parametrize(
    "cell,column,message",
    [
        (f"1 Elm St{RLO}", "address", DIRECTION),
        (f"Shot at{BEL}", "summary", CONTROL),
        (f"Avery{ESC}[2J", "victim_name", CONTROL),
    ],
)
def test_direction_and_control_characters_in_imported_cells_are_errors(coordinator, cell, column, message):
    cells = {"address": "1 Elm St", "summary": "", "victim_name": "Avery Lind"}
    cells[column] = cell
    text = (
        f"{HEADER}\nRB26000001,nonfatal,2026-03-14 21:40,{cells['address']},{cells['summary']},{cells['victim_name']}\n"
    )

    report = import_shootings(text, coordinator)

    assert len(report.errors) == 1 and str(report.errors[0]).startswith(f"line 2: {column}: {message}")
    assert not Shooting.objects.exists()


def test_a_wrapped_address_is_read_as_one_line_and_a_wrapped_summary_kept(coordinator):
    text = f'{HEADER}\nRB26000001,nonfatal,2026-03-14 21:40,"1 Elm St\nApt 4","Shot at\n\tthe corner",Avery Lind\n'

    report = import_shootings(text, coordinator)

    assert report.ok, report.errors
    shooting = Shooting.objects.get()
    assert shooting.address == "1 Elm St Apt 4"
    assert shooting.summary == "Shot at\n\tthe corner"


@pytest.mark.parametrize(
    "rows,line,reason",
    [
        # The unclosed quote swallowed the cells after it into the address, silently.
        (
            'RB26000001,nonfatal,2026-03-14 21:40,"1 Elm St,,Avery Lind\n'
            "RB26000002,nonfatal,2026-03-14 22:00,2 Oak St,,\n",
            2,
            "a cell opened with a quote on this row is never closed",
        ),
        (
            'RB26000001,nonfatal,2026-03-14 21:40,"1 Elm" St,,\n',
            2,
            "a quoted cell has more text after its closing quote",
        ),
        (
            'RB26000001,nonfatal,2026-03-14 21:40,1 Elm St,,\nRB26000002,nonfatal,2026-03-14 22:00,12 "A" St,,\n',
            3,
            "a quote inside a cell that does not start with one",
        ),
    ],
)
def test_a_csv_that_does_not_parse_cleanly_is_refused_whole_naming_the_line(
    client_for, coordinator, rows, line, reason
):
    text = f"{HEADER}\n{rows}"

    with pytest.raises(ImportFileError, match=f"Line {line} cannot be read as CSV: {reason}"):
        import_shootings(text, coordinator)
    response = upload(client_for(coordinator), text, action="import")

    assert response.status_code == 200
    assert f"Line {line} cannot be read as CSV" in response.content.decode()
    assert not Shooting.objects.exists()


def test_quotes_doubled_inside_a_quoted_cell_are_fine(coordinator):
    text = f'{HEADER}\nRB26000001,nonfatal,2026-03-14 21:40,"12 ""A"" St, rear",,\n'

    report = import_shootings(text, coordinator)

    assert report.ok, report.errors
    assert Shooting.objects.get().address == '12 "A" St, rear'
