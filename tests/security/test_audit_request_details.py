"""What an audit row says about the request: the source address a client cannot forge, and
the details a view adds to its request's row."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from accounts import audit
from accounts.models import AuditEvent
from tests.factories import make_shooting
from tests.security.test_fail_closed import _break_audit_inserts

pytestmark = pytest.mark.django_db

FORGED = {"X-Forwarded-For": "203.0.113.66, 10.0.0.2"}


def latest_view_row(user) -> AuditEvent:
    return AuditEvent.objects.filter(actor_id=user.pk, event="cases:detail.view").latest("id")


def test_a_forwarded_for_header_is_ignored_without_our_own_proxy(client_for, investigator, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    shooting = make_shooting()

    client_for(investigator).get(f"/cases/{shooting.pk}/", headers=FORGED)

    # Anyone can send the header: only the address the connection came from is recorded.
    assert latest_view_row(investigator).source_ip == "127.0.0.1"


def test_behind_two_proxies_of_our_own_the_address_the_outer_one_saw_is_the_client(client_for, investigator, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    shooting = make_shooting()

    client_for(investigator).get(f"/cases/{shooting.pk}/", headers=FORGED)

    assert latest_view_row(investigator).source_ip == "203.0.113.66"


def test_a_views_details_add_up_on_its_requests_row():
    request = RequestFactory().get("/")

    audit.annotate(request, event="meetings.print", object_type="meeting", object_id=4)
    audit.annotate(request, case_id=12, detail={"audience": "community"})

    assert request.audit == {
        "event": "meetings.print",
        "object_type": "meeting",
        "object_id": 4,
        "case_id": 12,
        "detail": {"audience": "community"},
    }


def test_a_row_written_outside_any_request_names_no_object_session_or_address(db):
    row = audit.record("test.command")

    row.refresh_from_db()
    assert (row.object_type, row.object_id, row.session_hash, row.source_ip) == ("", "", "", None)
    assert (row.actor_id, row.actor_username, row.actor_name) == (None, "", "")


def test_a_failed_sign_in_with_an_unknown_name_is_recorded_without_an_actor(client):
    client.post("/accounts/login/", {"username": "no_such_person", "password": "whatever it is", "acknowledge": "on"})

    row = AuditEvent.objects.filter(event="login.failure").latest("id")
    assert (row.actor_id, row.actor_username, row.actor_name, row.outcome) == (None, "", "", "failure")
    assert row.detail == {"account_exists": False} and row.source_ip == "127.0.0.1"


def test_code_called_inside_a_request_writes_rows_naming_that_requests_person_address_and_session(investigator):
    # Model signals and services write rows without being handed the request.
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")
    request.user = investigator
    request.session = SessionStore()
    request.session.save()
    token = audit.current_request.set(request)
    try:
        row = audit.record("test.inner")
    finally:
        audit.current_request.reset(token)

    assert (row.actor_id, row.actor_username, row.source_ip) == (investigator.pk, investigator.username, "198.51.100.4")
    assert row.session_hash == audit.session_hash(request) and len(row.session_hash) == 64


def test_each_session_has_its_own_hash_and_the_log_never_holds_the_session_id(client_for, investigator, client):
    shooting = make_shooting()
    first, second = client_for(investigator), Client()
    second.force_login(investigator)

    hashes = []
    for browser in (first, second):
        browser.get(f"/cases/{shooting.pk}/")
        hashes.append(latest_view_row(investigator).session_hash)

    assert hashes[0] != hashes[1]
    keys = {first.session.session_key, second.session.session_key}
    assert not keys & set(hashes) and all(len(h) == 64 for h in hashes)


def test_a_failed_audit_write_tells_the_operators_which_event_was_lost(db):
    _break_audit_inserts()

    with pytest.raises(audit.AuditWriteError, match=r"^could not write audit row for test\.event$"):
        audit.record("test.event")
