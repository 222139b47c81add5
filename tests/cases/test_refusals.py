"""A refusal is on record twice: one audit row, and a warning in the application log that the
operators' monitoring reads (who asked for what, at which address), inside a request or not."""

from __future__ import annotations

import logging

import pytest
from django.http import Http404

from accounts.models import AuditEvent
from cases import access, services
from cases.models import Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db


def test_a_refused_request_is_logged_with_who_what_and_where(client_for, advocate, investigator, caplog):
    note = services.add_note(make_shooting(), investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    path = f"/cases/notes/{note.pk}/revisions/"

    with caplog.at_level(logging.WARNING, logger="shootreview.access"):
        assert client_for(advocate).get(path).status_code == 404

    [record] = [r for r in caplog.records if r.name == "shootreview.access"]
    assert record.getMessage() == f"refused access: user={advocate.pk} object=note:{note.pk} path={path}"


def test_a_refusal_outside_a_request_writes_its_own_audit_row(advocate, investigator, caplog):
    # A task or a command asking on someone's behalf: no request, so no middleware row.
    note = services.add_note(make_shooting(), investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    with caplog.at_level(logging.WARNING, logger="shootreview.access"), pytest.raises(Http404):
        access.access_note(advocate, note.pk)

    rows = list(AuditEvent.objects.filter(id__gt=before).values_list("event", "actor_id", "object_type", "object_id"))
    assert rows == [("access.refused", advocate.pk, "note", str(note.pk))]
    assert AuditEvent.objects.get(id__gt=before).outcome == AuditEvent.Outcome.REFUSED
    [record] = [r for r in caplog.records if r.name == "shootreview.access"]
    assert record.getMessage() == f"refused access: user={advocate.pk} object=note:{note.pk} path="
