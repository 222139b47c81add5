"""The audit trail: one row per event with who/when/where/what, append-only, hash-chained."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent
from cases import services
from cases.models import Note
from tests.factories import PASSWORD, make_shooting

pytestmark = pytest.mark.django_db

SENTINEL_WITNESS = "Wilhelmina Quarrystone"


def login(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.username, "password": password, "acknowledge": "on"})


def test_login_success_failure_and_logout_are_recorded_with_all_fields(client, investigator):
    login(client, investigator, "wrong password")
    login(client, investigator)
    client.post("/accounts/logout/")
    # On PostgreSQL rows are chained by the sealer after they are written.
    audit.seal()

    events = list(AuditEvent.objects.order_by("id").filter(event__in=["login.failure", "login.success", "logout"]))
    assert [e.event for e in events] == ["login.failure", "login.success", "logout"]
    failure, success, logout = events
    assert failure.outcome == "failure" and success.outcome == "success"
    for event in events:
        assert event.actor_id == investigator.pk
        assert event.actor_username == investigator.username
        assert event.actor_name == "Dana Whitfield"
        assert event.source_ip == "127.0.0.1"
        assert event.at.tzinfo is not None
        assert len(event.row_hash) == 64
    assert len(success.session_hash) == 64


def test_viewing_a_case_records_who_saw_which_case(client_for, investigator):
    shooting = make_shooting()
    client_for(investigator).get(f"/cases/{shooting.pk}/")
    row = AuditEvent.objects.filter(case_id=shooting.pk, actor_id=investigator.pk).latest("id")
    assert row.event == "cases:detail.view"
    assert (row.object_type, row.object_id, row.outcome) == ("shooting", str(shooting.pk), "success")


def test_a_refused_access_writes_exactly_one_refusal_row(client_for, advocate, investigator):
    shooting = make_shooting()
    note = services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    client = client_for(advocate)
    before = AuditEvent.objects.count()
    response = client.get(f"/cases/notes/{note.pk}/revisions/")
    assert response.status_code == 404
    rows = list(AuditEvent.objects.filter(id__gt=0).order_by("id")[before:])
    assert len(rows) == 1
    assert (rows[0].outcome, rows[0].object_type, rows[0].object_id) == ("refused", "note", str(note.pk))
    assert rows[0].actor_id == advocate.pk


def test_a_request_about_a_note_is_recorded_against_its_case_also_when_refused(client_for, advocate, investigator):
    shooting = make_shooting()
    note = services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    client_for(investigator).get(f"/cases/notes/{note.pk}/")
    client_for(advocate).get(f"/cases/notes/{note.pk}/")
    rows = AuditEvent.objects.filter(object_type="note", object_id=str(note.pk)).order_by("id")
    assert [(row.actor_id, row.outcome, row.case_id) for row in rows] == [
        (investigator.pk, "success", shooting.pk),
        (advocate.pk, "refused", shooting.pk),
    ]


def test_account_role_change_and_password_change_are_recorded(investigator):
    investigator.role = "supervisor"
    investigator.save()
    investigator.set_password("a brand new long passphrase")
    investigator.save()
    events = list(
        AuditEvent.objects.filter(object_type="user", object_id=str(investigator.pk)).values_list("event", flat=True)
    )
    assert "account.change" in events
    assert "password.change" in events


def test_no_password_or_witness_name_ever_reaches_the_audit_table(client, investigator):
    login(client, investigator, "Sentinel-Password-Qx81")
    login(client, investigator)
    shooting = make_shooting()
    client.post(
        f"/cases/{shooting.pk}/notes/add/witness/",
        {"name": SENTINEL_WITNESS, "cooperation": "cooperative", "contact": "555-0100"},
    )
    assert Note.objects.filter(kind="witness").exists()
    client.get(f"/cases/{shooting.pk}/")
    dump = " ".join(str(v) for row in AuditEvent.objects.values() for v in row.values())
    assert "Sentinel-Password-Qx81" not in dump
    assert SENTINEL_WITNESS not in dump
    assert "555-0100" not in dump


def test_verify_audit_passes_on_an_intact_log_and_names_an_altered_row(investigator):
    for i in range(5):
        audit.record("test.event", actor=investigator, object_type="thing", object_id=i)
    call_command("verify_audit")
    target = AuditEvent.objects.order_by("id")[2]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_no_update_delete")
        cursor.execute("UPDATE accounts_auditevent SET object_id = 'tampered' WHERE id = %s", [target.pk])
    with pytest.raises(CommandError, match=f"row {target.pk}: this row was altered"):
        call_command("verify_audit")


def test_verify_audit_names_the_row_after_a_missing_one(investigator):
    for i in range(5):
        audit.record("test.event", actor=investigator, object_type="thing", object_id=i)
    # Once sealed (within AUDIT_SEAL_SECONDS by beat, here by verify_audit), a row's removal is
    # found; before that only the append-only trigger guards it.
    call_command("verify_audit")
    rows = list(AuditEvent.objects.order_by("id"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_no_update_delete")
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [rows[2].pk])
    with pytest.raises(CommandError, match=f"row {rows[3].pk}: a row before this one is missing"):
        call_command("verify_audit")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET event = 'rewritten'",
        "DELETE FROM accounts_auditevent",
        # CASCADE: a plain TRUNCATE is already refused because the table of the cases each row
        # showed refers to it; CASCADE gets past that to the trigger.
        "TRUNCATE accounts_auditevent CASCADE",
    ],
)
def test_postgresql_refuses_to_change_or_remove_audit_rows(investigator, statement):
    audit.record("test.event", actor=investigator)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(event="test.event").count() == 1


def test_purge_keeps_a_year_and_is_itself_audited(investigator):
    with pytest.raises(CommandError, match="at least 365 days"):
        call_command("purge_audit", "--older-than-days", "30", "--yes")
    audit.record("test.event", actor=investigator)
    call_command("purge_audit", "--yes")  # nothing old enough: nothing deleted
    assert AuditEvent.objects.filter(event="test.event").exists()
    call_command("verify_audit")


def test_supervisor_searches_the_log_and_the_search_is_itself_audited(client_for, supervisor, investigator):
    audit.record("login.failure", actor=investigator, outcome="failure")
    response = client_for(supervisor).get("/accounts/audit/", {"user": investigator.username})
    assert response.status_code == 200
    assert b"login.failure" in response.content
    assert AuditEvent.objects.filter(event="audit.search", actor_id=supervisor.pk).exists()


def test_audit_pages_are_for_supervisors_only(client_for, investigator, advocate, coordinator):
    for person in (investigator, advocate, coordinator):
        assert client_for(person).get("/accounts/audit/").status_code == 404
        assert client_for(person).get("/accounts/audit/export.csv").status_code == 404


def test_audit_export_is_a_csv_and_is_audited(client_for, supervisor, investigator):
    audit.record("login.failure", actor=investigator, outcome="failure")
    response = client_for(supervisor).get("/accounts/audit/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("id,at,actor_username")
    assert investigator.username in body
    assert AuditEvent.objects.filter(event="audit.export", actor_id=supervisor.pk).exists()


def test_who_has_seen_a_case_lists_viewers_and_whether_witnesses_were_shown(
    client_for, client, supervisor, investigator, advocate
):
    shooting = make_shooting()
    services.add_note(shooting, investigator, Note.Kind.WITNESS, {"name": SENTINEL_WITNESS})
    client_for(investigator).get(f"/cases/{shooting.pk}/")
    client_for(advocate).get(f"/cases/{shooting.pk}/")
    page = client_for(supervisor).get(f"/accounts/audit/cases/{shooting.pk}/").content.decode()
    assert "Dana Whitfield" in page and "Jordan Kessley" in page
    assert SENTINEL_WITNESS not in page


def test_audit_page_query_count_is_bounded(client_for, supervisor, investigator, django_assert_max_num_queries):
    for i in range(60):
        audit.record("test.event", actor=investigator, object_id=i)
    client = client_for(supervisor)
    # session, user, count, page of events; then the audit row (select last hash, insert)
    with django_assert_max_num_queries(8):
        assert client.get("/accounts/audit/").status_code == 200


def test_audit_export_leaves_empty_cells_empty_and_neutralises_formulas(client_for, supervisor):
    audit.record("login.failure", object_type="user", object_id="=HYPERLINK(1)", outcome="failure")
    response = client_for(supervisor).get("/accounts/audit/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = next(r for r in rows if r["event"] == "login.failure")
    # No person, no address, no case: empty, not a lone apostrophe.
    assert (row["actor_username"], row["actor_name"], row["source_ip"], row["case_id"]) == ("", "", "", "")
    assert row["session_hash"] == ""
    assert row["object_id"] == "'=HYPERLINK(1)"


def test_the_audit_log_names_cases_by_report_number_and_shows_times_to_the_second(client_for, supervisor, investigator):
    shooting = make_shooting(report_number="RB26-004417")
    client_for(investigator).get(f"/cases/{shooting.pk}/")
    row = AuditEvent.objects.filter(case_id=shooting.pk).latest("id")
    page = client_for(supervisor).get("/accounts/audit/").content.decode()
    assert ">RB26-004417</a>" in page
    assert "<td>case RB26-004417</td>" in page
    assert f">{shooting.pk}</a>" not in page
    assert f"shooting {shooting.pk}<" not in page
    local = timezone.localtime(row.at)
    assert f"{local:%Y-%m-%d %H:%M:%S}</time>" in page
    assert f"{local:%Y-%m-%d %H:%M:%S}.{local:%f}" not in page  # the text, not the datetime attribute
    csv_body = b"".join(client_for(supervisor).get("/accounts/audit/export.csv").streaming_content).decode()
    assert "RB26-004417" in csv_body


def test_the_case_page_links_who_has_seen_it_for_supervisors_only(client_for, supervisor, investigator, advocate):
    shooting = make_shooting()
    url = f"/accounts/audit/cases/{shooting.pk}/"
    assert f'href="{url}"' in client_for(supervisor).get(f"/cases/{shooting.pk}/").content.decode()
    for person in (investigator, advocate):
        page = client_for(person).get(f"/cases/{shooting.pk}/").content.decode()
        assert url not in page
        assert "Who has seen this case" not in page


def test_cases_shown_twice_in_one_request_are_all_on_its_row(rf):
    # A page that shows an agenda and then its packet's cover, say: each part tells the row what
    # it showed, and the row lists every case of both.
    request = rf.get("/")
    audit.showed_cases(request, [3, 1])
    audit.showed_cases(request, [2, None, 3])

    assert request.audit_cases == {1, 2, 3}
