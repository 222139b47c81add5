"""The case list as CSV: the same filtered cases, within need-to-know, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.models import Note, Shooting
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def export(client, **params) -> tuple[list[str], list[dict[str, str]], str]:
    response = client.get("/cases/export.csv", params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader), text


def suspect(shooting, author, name, restricted=False):
    fields = {"name": name, "aliases": "", "status": "suspect", "basis": "", "text": ""}
    return services.add_note(shooting, author, Note.Kind.SUSPECT, fields, restricted=restricted)


def witness(shooting, author, name):
    fields = {
        "name": name,
        "contact": "816-555-0134",
        "relation": "neighbour",
        "account": "Heard four shots.",
        "cooperation": "reluctant",
        "intimidation_concern": True,
        "relocation_requested": False,
        "referred_to_advocate": True,
    }
    return services.add_note(shooting, author, Note.Kind.WITNESS, fields)


def test_export_is_a_dated_attachment_of_the_filtered_cases(client_for, investigator):
    east = make_shooting(division="East", address="4100 Prospect Ave")
    make_shooting(division="Central")

    response = client_for(investigator).get("/cases/export.csv", {"division": "East"})
    header, rows, _ = export(client_for(investigator), division="East")

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="shootings-{timezone.localdate().isoformat()}.csv"'
    )
    assert [row["Report number"] for row in rows] == [east.report_number]
    assert rows[0]["Address"] == "4100 Prospect Ave"


def test_export_has_every_column_the_meeting_uses(client_for, investigator):
    make_shooting(
        report_number="RB25004101",
        kind=Shooting.Kind.HOMICIDE,
        occurred_from=dt.datetime(2025, 1, 15, 22, 40, tzinfo=CHICAGO),
        reported_at=dt.datetime(2025, 1, 15, 22, 52, tzinfo=CHICAGO),
        status=Shooting.Status.CLEARED_ARREST,
        cleared_on=dt.date(2025, 2, 1),
        counting=Shooting.Counting.COUNTS,
        division="East",
        beat="331",
        lead_investigator=investigator,
        is_retaliation_risk=True,
        is_juvenile_involved=True,
        referred_to=Shooting.Referral.STATE,
        charges_filed="Murder 2nd degree; armed criminal action",
        custody_status=Shooting.Custody.IN_CUSTODY,
        disposition=Shooting.Disposition.PENDING,
        victims=[{"name": "Rosalind Featherstone", "age": 31}, {"name": "Milo Ashgrove", "is_juvenile": True}],
    )

    _, [row], _ = export(client_for(investigator))

    assert row["Occurred"] == "2025-01-15 22:40"  # local time, not UTC
    assert row["Reported"] == "2025-01-15 22:52"
    assert row["Kind"] == "Homicide"
    assert row["Status"] == "Cleared by arrest"
    assert row["Date cleared"] == "2025-02-01"
    assert row["Counting state"] == "Counts"
    assert row["Division"] == "East" and row["Beat"] == "331"
    assert row["Victims"] == "Rosalind Featherstone (31); Milo Ashgrove (juvenile)"
    assert row["Lead investigator"] == "Dana Whitfield"
    assert row["Flags"] == "retaliation risk; juvenile involved"
    assert row["Referred for prosecution to"] == "State prosecutor"
    assert row["Charges filed"] == "Murder 2nd degree; armed criminal action"
    assert row["Custody / bail"] == "In custody"
    assert row["Disposition"] == "Charges pending"
    assert row["Last activity"]


def test_investigator_export_lists_the_suspects_they_may_see(client_for, investigator, outsider):
    shooting = make_shooting()
    suspect(shooting, investigator, "Corwin Blackmere")
    suspect(shooting, investigator, "Thaddeus Vane")
    gone = suspect(shooting, investigator, "Ezra Pellham")
    services.retract_note(gone, investigator, "Alibi confirmed.")
    suspect(shooting, outsider, "Lucan Stroud", restricted=True)

    header, [row], _ = export(client_for(investigator))

    assert "Suspects" in header
    assert row["Suspects"] == "Corwin Blackmere; Thaddeus Vane"


def test_advocate_export_has_no_suspect_column_and_no_suspect_names(client_for, investigator, advocate):
    shooting = make_shooting()
    suspect(shooting, investigator, "Corwin Blackmere")

    header, rows, text = export(client_for(advocate))

    assert "Suspects" not in header
    assert [row["Report number"] for row in rows] == [shooting.report_number]
    assert "Blackmere" not in text


@pytest.mark.parametrize("persona", ["investigator", "atf_agent", "prosecutor", "advocate", "coordinator"])
def test_nobody_gets_witness_names_in_the_export(request, client_for, investigator, persona):
    shooting = make_shooting()
    witness(shooting, investigator, "Harriet Quillfeather")

    _, rows, text = export(client_for(request.getfixturevalue(persona)))

    assert [row["Report number"] for row in rows] == [shooting.report_number]
    assert "Quillfeather" not in text
    assert "816-555-0134" not in text


def test_a_user_without_role_or_agency_gets_only_the_header(client_for):
    make_shooting()

    header, rows, _ = export(client_for(UserFactory(role="", agency=None)))

    assert header and rows == []


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(client_for, investigator):
    make_shooting(
        address='=HYPERLINK("http://evil.example","click")',
        victims=[{"name": "+SUM(A1:A9)"}, {"name": "@cmd"}, {"name": "-2+3"}],
        charges_filed="=1+1",
    )
    shooting = Shooting.objects.get()
    suspect(shooting, investigator, "=WEBSERVICE(1)")

    _, [row], _ = export(client_for(investigator))

    assert row["Address"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["Victims"].startswith("'+SUM(A1:A9)")
    assert row["Charges filed"] == "'=1+1"
    assert row["Suspects"] == "'=WEBSERVICE(1)"


def test_a_victims_cell_that_starts_with_a_formula_character_is_neutralised(client_for, investigator):
    make_shooting(victims=[{"name": "@cmd"}])

    _, [row], _ = export(client_for(investigator))

    assert row["Victims"] == "'@cmd (unknown)"


def test_export_costs_the_same_few_queries_however_many_cases(
    client_for, investigator, atf_agent, django_assert_max_num_queries
):
    for n in range(32):
        shooting = make_shooting(
            lead_investigator=investigator,
            victims=[{"name": f"Quinlan Marsh {n}", "age": 30}, {"name": f"Ivy Larkspur {n}", "is_juvenile": True}],
        )
        suspect(shooting, investigator, f"Corwin Blackmere {n}")
        services.add_note(shooting, atf_agent, Note.Kind.GENERAL, {"text": "Casings sent to the lab."})
    client = client_for(investigator)

    # session, user, agency (need-to-know), the ids of the cases; the audit row (insert; on SQLite the last hash
    # first, the cases it lists); the last held meeting's cutoff (for
    # "updated since the last meeting"); per thousand cases, the cases with their lead
    # investigators, their victims, the held meetings' items and the open action items on them
    # (the meeting columns), the suspect notes the investigator may see
    with django_assert_max_num_queries(13):
        response = client.get("/cases/export.csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 33
    assert "Corwin Blackmere 31" in text


def test_the_audit_trail_records_which_filters_shaped_an_export_but_not_the_search_words(client_for, investigator):

    make_shooting(victims=[{"name": "Rosalind Featherstone"}])

    export(client_for(investigator), q="featherstone", division="Central")

    row = AuditEvent.objects.filter(actor_id=investigator.pk).latest("id")
    assert row.detail["export"] == "csv"
    assert row.detail["filters"] == ["division", "q"]
    assert "featherstone" not in str(row.detail).lower()
