"""The firearm feeds through the API: the same import as the pages and commands (cases.feeds),
all or nothing, a dry run that writes nothing, a second run that changes nothing, and only for
those who may import them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEvent, User
from cases import services
from cases.models import LinkKey, NibinLead, Note, NoteRevision
from tests.factories import make_shooting

from .conftest import ApiClient, integration_account, token_for

pytestmark = pytest.mark.django_db

NIBIN = "/api/v1/feeds/nibin-leads/"
ETRACE = "/api/v1/feeds/etrace-results/"
LEADS = (
    "lead_number,lead_date,case_numbers,result,examiner\n"
    "RB-2026-0951,2026-03-14,RB26009501;RB26009502,hit,Examiner Dahl\n"
)
TRACE = {
    "recovered": True,
    "make": "Hartwell",
    "model": "P9",
    "caliber": "9mm",
    "serial_number": "HW123456",
    "nibin_leads": [],
    "etrace_number": "T20260009501",
    "etrace_status": "pending",
    "purchaser": "",
    "dealer": "",
    "time_to_crime_days": None,
    "text": "Recovered from a car.",
}


def send_csv(client: ApiClient, url: str, text: str, query: str = ""):
    return client.client.post(url + query, text.encode(), content_type="text/csv", headers=client.headers)


@pytest.fixture
def cases(investigator):
    return [make_shooting(investigator, report_number=f"RB2600950{n}", lead_investigator=investigator) for n in (1, 2)]


def stored() -> dict:
    return {
        "leads": sorted(NibinLead.objects.values_list("number", "status", "examiner")),
        "notes": Note.objects.count(),
        "revisions": NoteRevision.objects.count(),
        "keys": sorted(LinkKey.objects.values_list("value", "shooting_id")),
    }


def test_a_lead_report_sent_as_csv_joins_the_named_cases_and_a_second_send_changes_nothing(atf_agent, cases):
    client = ApiClient(token_for(atf_agent))

    response = send_csv(client, NIBIN, LEADS)

    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["applied"], report["counts"]) == (True, {"created": 1, "updated": 0, "unchanged": 0})
    [outcome] = report["outcomes"]
    assert (outcome["line"], outcome["key"]) == (2, "RB-2026-0951")
    assert sorted(outcome["case_ids"]) == sorted(case.pk for case in cases)
    lead = NibinLead.objects.get(number="RB-2026-0951")
    assert lead.status == NibinLead.Status.HIT and outcome["lead_id"] == lead.pk
    # The note that cites the lead in the last case the row joined.
    assert outcome["note_id"] == Note.objects.get(shooting=cases[1], kind=Note.Kind.FIREARM).pk
    # The request's audit row says which import ran, as the page's does.
    row = AuditEvent.objects.filter(actor_id=atf_agent.pk).latest("id")
    assert (row.event, row.object_type, row.object_id) == ("import.nibin", "import", "nibin")
    assert row.detail["counts"] == {"created": 1, "updated": 0, "unchanged": 0}
    after = stored()

    again = send_csv(client, NIBIN, LEADS)

    assert again.status_code == 200
    assert again.json()["counts"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert stored() == after


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(atf_agent, cases):
    before = stored()

    response = send_csv(ApiClient(token_for(atf_agent)), NIBIN, LEADS, "?dry_run=true")

    assert response.status_code == 200
    assert (response.json()["dry_run"], response.json()["applied"]) == (True, False)
    assert response.json()["counts"]["created"] == 1
    assert stored() == before


def test_a_bad_row_refuses_the_whole_file_naming_its_line_in_json(atf_agent, cases):
    bad = LEADS + "RB-2026-0952,2026-13-40,RB26009501,lead,\n"
    before = stored()

    response = send_csv(ApiClient(token_for(atf_agent)), NIBIN, bad)

    assert response.status_code == 400
    body = response.json()
    assert "nothing was imported" in body["detail"]
    assert list(body["errors"]) == ["line 3"]
    assert stored() == before


@pytest.mark.parametrize(
    ("content_type", "body", "field"),
    [
        ("text/csv", b"", "file"),
        ("text/csv", b"\xff\xfe\x00garbage", "file"),
        ("application/json", b'{"file": "x"}', "file"),
    ],
)
def test_a_missing_or_unreadable_file_is_a_field_error_never_a_server_error(atf_agent, content_type, body, field):
    client = ApiClient(token_for(atf_agent))

    response = client.client.post(NIBIN, body, content_type=content_type, headers=client.headers)

    assert response.status_code in (400, 415), response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 400:
        assert field in response.json()["errors"]


def test_an_unknown_parameter_or_a_bad_dry_run_is_refused_by_name(atf_agent):
    client = ApiClient(token_for(atf_agent))

    assert send_csv(client, NIBIN, LEADS, "?dry_run=perhaps").json()["errors"] == {"dry_run": ["Send true or false."]}
    assert "confirm" in send_csv(client, NIBIN, LEADS, "?confirm=1").json()["errors"]


def test_an_etrace_file_uploaded_as_a_form_revises_the_matching_note(atf_agent):
    note = services.add_note(make_shooting(atf_agent, report_number="RB26009511"), atf_agent, Note.Kind.FIREARM, TRACE)
    client = ApiClient(token_for(atf_agent))
    upload = (
        "trace_number,status,time_to_crime_days,purchaser,dealer\n"
        'T20260009501,completed,412,Lorcan Fenwick,"Riverside Arms, FFL 5-43-01234"\n'
    )
    response = client.client.post(
        ETRACE, {"file": SimpleUploadedFile("results.csv", upload.encode(), "text/csv")}, headers=client.headers
    )

    assert response.status_code == 200, response.content
    assert response.json()["outcomes"][0]["note_id"] == note.pk
    note.refresh_from_db()
    assert (note.revision_number, note.fields["etrace_status"], note.fields["time_to_crime_days"]) == (
        2,
        "completed",
        412,
    )


@pytest.mark.parametrize("persona", ["advocate", "prosecutor"])
def test_those_who_may_not_import_get_a_403_on_record_and_nothing_is_written(request, persona, cases):
    user = request.getfixturevalue(persona)
    before = stored()

    response = send_csv(ApiClient(token_for(user)), NIBIN, LEADS)

    assert response.status_code == 403
    assert "import" in response.json()["detail"]
    assert stored() == before
    row = AuditEvent.objects.filter(actor_id=user.pk).latest("id")
    assert (row.outcome, row.object_type, row.object_id) == ("refused", "import", "nibin")


def test_a_police_integration_account_imports_as_an_investigator_would(investigator, cases):
    system = integration_account(investigator.agency, User.Role.INVESTIGATOR, "lab-feed")
    response = send_csv(ApiClient(token_for(system, made_by=investigator)), NIBIN, LEADS)

    assert response.status_code == 200, response.content
    assert NibinLead.objects.filter(number="RB-2026-0951").exists()


def test_without_a_token_the_feed_answers_401():
    response = Client().post(NIBIN, LEADS.encode(), content_type="text/csv")

    assert response.status_code == 401
