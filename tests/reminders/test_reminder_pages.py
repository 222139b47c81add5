"""The coordinators' Reminders page and each person's reminder choices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from meetings.models import Reminder, ReminderPreference
from meetings.reminders import planning

from .scenario import meeting, people

pytestmark = pytest.mark.django_db


def test_coordinators_see_coming_sent_and_failed_reminders(client_for, coordinator, django_assert_max_num_queries):
    invited = people(12)
    meeting(coordinator, invited, starts_in=timedelta(hours=1))
    meeting(coordinator, invited[:3], starts_in=timedelta(days=3))
    planning.plan_due()
    Reminder.objects.filter(pk__in=Reminder.objects.values("pk")[:2]).update(state="failed", last_error="451 busy")
    client = client_for(coordinator)
    # session, user, counts per state (4), exists, page count and rows, meetings ahead (+ attendees),
    # the audit row (2–3)
    with django_assert_max_num_queries(16):
        page = client.get("/meetings/reminders/?state=coming").content.decode()
    assert "Meeting reminders not yet due" in page
    assert "48 h before" in page
    failed = client.get("/meetings/reminders/?state=failed").content.decode()
    assert "451 busy" in failed and "Resend" in failed


@pytest.mark.parametrize("role", ["investigator", "advocate", "supervisor", "prosecutor"])
def test_only_coordinators_open_the_reminders_page_or_resend(client_for, request, coordinator, role):
    meeting(coordinator, people(1), starts_in=timedelta(hours=1))
    planning.plan_due()
    row = Reminder.objects.first()
    Reminder.objects.filter(pk=row.pk).update(state="failed")
    client = client_for(request.getfixturevalue(role))
    assert client.get("/meetings/reminders/").status_code == 404
    assert client.post(f"/meetings/reminders/{row.pk}/resend/").status_code == 404
    assert Reminder.objects.get(pk=row.pk).state == "failed"


def test_resend_puts_a_failed_reminder_back_in_the_queue_and_is_audited(client_for, coordinator):

    meeting(coordinator, people(1), starts_in=timedelta(hours=1))
    planning.plan_due()
    row = Reminder.objects.first()
    Reminder.objects.filter(pk=row.pk).update(state="failed", attempts=3)
    client_for(coordinator).post(f"/meetings/reminders/{row.pk}/resend/")
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 0)
    assert AuditEvent.objects.filter(event="reminder.resend", object_id=str(row.pk)).exists()


def test_a_person_turns_off_kinds_but_meeting_changes_are_not_offered(client_for, investigator):
    client = client_for(investigator)
    page = client.get("/meetings/reminders/settings/").content.decode()
    assert "Overdue action items" in page
    assert "Meeting moved or cancelled" not in page
    client.post("/meetings/reminders/settings/", {"meeting": "on", "action_due": "on"})
    disabled = set(ReminderPreference.objects.get(user=investigator).disabled_kinds)
    assert "overdue_digest" in disabled and "meeting" not in disabled and "meeting_changed" not in disabled
