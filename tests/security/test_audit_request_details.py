"""What an audit row says about the request: the source address a client cannot forge, and
the details a view adds to its request's row."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts import audit
from accounts.models import AuditEvent
from tests.factories import make_shooting

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


def test_behind_our_own_proxy_the_first_forwarded_address_is_the_client(client_for, investigator, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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
