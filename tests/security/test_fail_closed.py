"""If the audit row cannot be written, the request fails closed: no data out, nothing kept."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts import audit
from accounts.models import AuditEvent, AuditEventCase
from cases.models import Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db(transaction=True)


def _break_audit_inserts():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION test_refuse_insert() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit storage unavailable'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_insert BEFORE INSERT ON accounts_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_insert BEFORE INSERT ON accounts_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END"
            )


@pytest.fixture
def broken_audit():
    _break_audit_inserts()
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER IF EXISTS test_refuse_insert"
            + (" ON accounts_auditevent" if connection.vendor == "postgresql" else "")
        )


def test_a_case_page_is_not_shown_when_its_view_cannot_be_recorded(client_for, investigator):
    shooting = make_shooting(address="4410 Tamarack Bend")
    client = client_for(investigator)
    _break_audit_inserts()
    try:
        response = client.get(f"/cases/{shooting.pk}/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER IF EXISTS test_refuse_insert"
                + (" ON accounts_auditevent" if connection.vendor == "postgresql" else "")
            )
    assert response.status_code == 503
    assert b"4410 Tamarack Bend" not in response.content


def test_a_note_is_not_kept_when_its_creation_cannot_be_recorded(client_for, investigator):
    shooting = make_shooting()
    client = client_for(investigator)
    _break_audit_inserts()
    try:
        response = client.post(f"/cases/{shooting.pk}/notes/add/general/", {"text": "should not survive"})
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER IF EXISTS test_refuse_insert"
                + (" ON accounts_auditevent" if connection.vendor == "postgresql" else "")
            )
    assert response.status_code == 503
    assert not Note.objects.filter(shooting=shooting).exists()


def test_a_row_whose_shown_cases_are_refused_by_the_database_is_not_kept_without_them(investigator):
    # The row and the cases it showed are one record: "who has seen this case" must not lose a
    # viewer because the row was kept without its cases. The database refuses the cases here (a
    # case id its column cannot hold) after it took the row.
    with pytest.raises(audit.AuditWriteError):
        audit.record("test.half_written", actor=investigator, shown_case_ids=[1, 2**63])
    assert not AuditEvent.objects.filter(event="test.half_written").exists()
    assert not AuditEventCase.objects.exists()
