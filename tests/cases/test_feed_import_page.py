"""The NIBIN lead report and eTrace results pages: who may use them, preview → confirm, errors
named by line, the audit row, and their cost."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from cases import services
from cases.models import NibinLead, Note
from tests.cases.test_feed_nibin import refuse_insert_of_lead
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

NIBIN_URL = "/cases/import/nibin-leads/"
ETRACE_URL = "/cases/import/etrace-results/"
DOCS = Path(__file__).resolve().parents[2] / "docs"
STATIC = Path(__file__).resolve().parents[2] / "static" / "samples"
LEAD_FILE = (
    "lead_number,lead_date,case_numbers,result,examiner\nRB-2026-0777,2026-03-14,RB26009201;RB26009202,hit,Dahl\n"
)


def post(client, url: str, action: str, content: str, name: str = "leads.csv", **extra):
    upload = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    return client.post(url, {"action": action, "file": upload}, **extra)


def confirm_token(html: str) -> str:
    return re.search(r'name="payload" value="([^"]+)"', html).group(1)


@pytest.fixture
def two_cases(investigator):
    return [make_shooting(investigator, report_number=n) for n in ("RB26009201", "RB26009202")]


@pytest.mark.parametrize("url", [NIBIN_URL, ETRACE_URL])
@pytest.mark.parametrize("persona", ["investigator", "atf_agent", "coordinator", "supervisor", "outsider"])
def test_those_who_manage_leads_get_the_upload_page_with_the_layout(client_for, persona, url, request):
    response = client_for(request.getfixturevalue(persona)).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and "Preview (dry run)" in html
    columns = (
        ["lead_number", "lead_date", "case_numbers", "result", "examiner"]
        if url == NIBIN_URL
        else [
            "trace_number",
            "status",
            "time_to_crime_days",
            "purchaser",
            "dealer",
        ]
    )
    for column in columns:
        assert f"<code>{column}</code>" in html
    example = "nibin-leads-example.csv" if url == NIBIN_URL else "etrace-results-example.csv"
    assert f'href="/static/samples/{example}"' in html


@pytest.mark.parametrize("url", [NIBIN_URL, ETRACE_URL])
@pytest.mark.parametrize("persona", ["prosecutor", "advocate"])
def test_everyone_else_gets_not_found_recorded_as_refused_and_cannot_post(client_for, persona, url, request, two_cases):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(url).status_code == 404
    assert post(client, url, "import", LEAD_FILE).status_code == 404
    assert not NibinLead.objects.exists()
    assert AuditEvent.objects.filter(outcome="refused", object_type="import").count() == 2


def test_the_examples_offered_for_download_are_the_documented_ones():
    for name in ("nibin-leads-example.csv", "etrace-results-example.csv"):
        assert (STATIC / name).read_bytes() == (DOCS / name).read_bytes()


def test_preview_writes_nothing_and_confirm_imports_exactly_the_previewed_file(client_for, atf_agent, two_cases):
    client = client_for(atf_agent)

    preview = post(client, NIBIN_URL, "preview", LEAD_FILE)

    html = preview.content.decode()
    assert "Preview of leads.csv: nothing has been written yet" in html
    assert "cases joined: (blank) → RB26009201, RB26009202" in html
    assert not NibinLead.objects.exists() and not Note.objects.exists()
    row = AuditEvent.objects.filter(event="import.nibin.dry_run").get()
    assert row.actor_id == atf_agent.pk and row.detail["file"] == "leads.csv"
    # The request's own row, not a second one beside it.
    assert row.detail["view"] == "cases:import_nibin"

    done = client.post(NIBIN_URL, {"action": "confirm", "payload": confirm_token(html)})

    assert "Imported leads.csv" in done.content.decode()
    lead = NibinLead.objects.get(number="RB-2026-0777")
    assert f'href="/cases/nibin/{lead.pk}/"' in done.content.decode()
    assert Note.objects.filter(kind=Note.Kind.FIREARM, author=atf_agent).count() == 2
    assert AuditEvent.objects.filter(event="import.nibin").count() == 1


def test_a_confirmation_is_good_only_for_its_own_page_and_person(client_for, atf_agent, investigator, two_cases):
    token = confirm_token(post(client_for(atf_agent), NIBIN_URL, "preview", LEAD_FILE).content.decode())

    assert client_for(atf_agent).post(ETRACE_URL, {"action": "confirm", "payload": token}).status_code == 400
    assert client_for(investigator).post(NIBIN_URL, {"action": "confirm", "payload": token}).status_code == 400
    assert not NibinLead.objects.exists()


def test_a_bad_file_lists_its_lines_and_imports_nothing(client_for, atf_agent, two_cases):
    bad = LEAD_FILE + "RB-2026-0778,2026-13-01,RB26009201,hit,Dahl\nRB-2026-0779,2026-03-01,RB26999999,lead,\n"

    html = post(client_for(atf_agent), NIBIN_URL, "import", bad).content.decode()

    assert "Nothing was imported from leads.csv" in html
    assert "line 3: lead_date: “2026-13-01” is not a date and time" in html
    assert "line 4: case_numbers: no case you may see has the report number RB26999999" in html
    assert not NibinLead.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_beside_the_file_field(client_for, atf_agent):
    upload = SimpleUploadedFile("leads.csv", "lead_number\nM\xfcller\n".encode("latin-1"), content_type="text/csv")

    html = client_for(atf_agent).post(NIBIN_URL, {"action": "preview", "file": upload}).content.decode()

    assert "The file is not UTF-8 text (first bad byte on line 2)" in html
    assert 'aria-describedby="id_file_error' in html or 'id="id_file_error' in html


def test_etrace_results_revise_the_note_from_the_page(client_for, atf_agent, two_cases):
    note = services.add_note(
        two_cases[0], atf_agent, Note.Kind.FIREARM, {"etrace_number": "T1", "etrace_status": "pending"}
    )

    html = post(
        client_for(atf_agent), ETRACE_URL, "import", "trace_number,status,time_to_crime_days\nT1,completed,88\n"
    ).content.decode()

    assert "Imported leads.csv" in html and f'href="/cases/notes/{note.pk}/"' in html
    note.refresh_from_db()
    assert note.revision_number == 2 and note.fields["time_to_crime_days"] == 88


def test_htmx_gets_the_result_area_only(client_for, atf_agent, two_cases):
    html = post(client_for(atf_agent), NIBIN_URL, "preview", LEAD_FILE, HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<div id="feed-area">') and "<h1>" not in html


def test_the_page_and_a_preview_cost_a_fixed_number_of_queries(
    client_for, atf_agent, investigator, django_assert_max_num_queries
):
    client = client_for(atf_agent)
    # session, user, agency, the audit row (lock, last hash, insert)
    with django_assert_max_num_queries(6):
        assert client.get(NIBIN_URL).status_code == 200
    numbers = [make_shooting(investigator).report_number for _ in range(6)]
    small = "lead_number,lead_date,case_numbers,result,examiner\nRB-1,2026-03-01," + numbers[0] + ",lead,\n"
    rows = "".join(f"RB-{n},2026-03-01,{numbers[n]};{numbers[n + 1]},lead,\n" for n in range(5))
    big = "lead_number,lead_date,case_numbers,result,examiner\n" + rows
    # session, user, agency; the cases, the leads and their link keys, looked up once for the file;
    # the audit row (lock, last hash, insert, its cases) inside the request's savepoint and its release
    with django_assert_max_num_queries(11):
        assert post(client, NIBIN_URL, "preview", small).status_code == 200
    with django_assert_max_num_queries(11):
        assert post(client, NIBIN_URL, "preview", big).status_code == 200


def test_the_requests_audit_row_names_the_import_and_the_cases_it_joined(client_for, atf_agent, two_cases):
    post(client_for(atf_agent), NIBIN_URL, "import", LEAD_FILE)

    row = AuditEvent.objects.get(event="import.nibin")
    assert (row.actor_id, row.object_type, row.object_id, row.outcome) == (atf_agent.pk, "import", "nibin", "success")
    assert row.detail == {
        "method": "POST",
        "status": 200,
        "view": "cases:import_nibin",
        "feed": "nibin",
        "dry_run": False,
        "rows": 1,
        "counts": {"created": 1, "updated": 0, "unchanged": 0},
        "errors": 0,
        "error_lines": [],
        "file": "leads.csv",
    }
    assert sorted(row.shown_cases.values_list("case_id", flat=True)) == sorted(s.pk for s in two_cases)


# An import through the page records itself on the request's own audit row, whichever way it
# ends: one row a request, with the page's address and session, never a second row beside it.


def import_rows() -> list[tuple[str, str, int, list[int]]]:
    rows = AuditEvent.objects.filter(event__startswith="import.").order_by("pk")
    return [(row.event, row.detail.get("view"), row.detail["errors"], row.detail["error_lines"]) for row in rows]


def test_a_file_that_cannot_be_read_is_on_the_requests_own_audit_row(client_for, atf_agent):
    unreadable = LEAD_FILE + 'RB-2026-0778,"2026-03-15\n'

    html = post(client_for(atf_agent), NIBIN_URL, "import", unreadable).content.decode()

    assert "cannot be read as CSV" in html and not NibinLead.objects.exists()
    assert import_rows() == [("import.nibin", "cases:import_nibin", 1, [])]


def test_a_write_refused_part_way_is_on_the_requests_own_audit_row(client_for, atf_agent, two_cases):
    refuse_insert_of_lead("RB-2026-0777")

    html = post(client_for(atf_agent), NIBIN_URL, "import", LEAD_FILE).content.decode()

    assert "was just changed by someone else; nothing was imported" in html
    assert not NibinLead.objects.exists()
    assert import_rows() == [("import.nibin", "cases:import_nibin", 1, [2])]
