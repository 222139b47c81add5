"""The page links under a long list (one shared piece, templates/_pagination.html) go to the next
and previous page of the same list: the audit log keeps its search, the Reminders page its state,
My items its filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import audit
from meetings.models import ActionItem
from meetings.reminders import planning
from tests.reminders.scenario import meeting, people

pytestmark = pytest.mark.django_db


def test_the_audit_logs_older_and_newer_pages_keep_the_search(client_for, supervisor, investigator):
    for _ in range(51):
        audit.record("login.failure", actor=investigator, outcome="failure")
    client = client_for(supervisor)

    first = client.get("/accounts/audit/", {"user": investigator.username}).content.decode()
    second = client.get("/accounts/audit/", {"user": investigator.username, "page": 2}).content.decode()

    assert f'<a href="?user={investigator.username}&amp;page=2">Older</a>' in first
    assert "Page 1 of 2" in first and "Newer" not in first
    assert f'<a href="?user={investigator.username}&amp;page=1">Newer</a>' in second
    assert "Page 2 of 2" in second and "Older" not in second


def test_the_reminders_next_page_keeps_the_state(client_for, coordinator):
    meeting(coordinator, people(26), starts_in=timedelta(hours=1))
    planning.plan_due()  # two lead times each: 52 reminders coming

    html = client_for(coordinator).get("/meetings/reminders/?state=coming").content.decode()

    assert '<a href="?state=coming&amp;page=2">Next</a>' in html
    assert "Page 1 of 2" in html


def test_my_items_next_page_of_everyones_items_keeps_the_filters(client_for, coordinator, investigator):
    due = timezone.localdate() + timedelta(days=7)
    ActionItem.objects.bulk_create(
        ActionItem(
            description=f"Item {n}",
            assignee=investigator,
            agency=investigator.agency,
            due_on=due,
            created_by=coordinator,
        )
        for n in range(51)
    )
    query = {"agency": investigator.agency_id, "assignee": investigator.pk}

    html = client_for(coordinator).get("/meetings/my-items/", query).content.decode()

    link = f'<a href="?agency={investigator.agency_id}&amp;assignee={investigator.pk}&amp;page=2">Next</a>'
    assert link in html
    assert "Page 1 of 2" in html
