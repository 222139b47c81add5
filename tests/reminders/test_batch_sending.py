"""A batch of reminders is read once and sent over one connection to the loopback SMTP server:
what each person gets is still their own, and the cost per message does not grow with the
meeting or the batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import ActionItem, Reminder
from meetings.reminders import delivery, planning

from .scenario import meeting, people

pytestmark = pytest.mark.django_db


def _text(message) -> str:
    return "\n".join(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/plain"
    )


def _item(person, coordinator, due_on, description):
    return ActionItem.objects.create(
        description=description, assignee=person, agency=person.agency, due_on=due_on, created_by=coordinator
    )


def test_each_message_of_a_batch_lists_only_its_recipients_own_items(smtp, coordinator):
    invited = people(3)
    m = meeting(coordinator, invited, starts_in=timedelta(hours=1))
    day = timezone.localdate(m.starts_at)
    first = _item(invited[0], coordinator, day, "Canvass the 4300 block")
    second = _item(invited[1], coordinator, day - timedelta(days=2), "Pull the camera footage")
    later = _item(invited[1], coordinator, day + timedelta(days=7), "Due after the meeting")
    planning.plan_due()
    batch = list(Reminder.objects.filter(kind=Reminder.Kind.MEETING).values_list("pk", flat=True))
    delivery.claim()
    assert delivery.send_claimed(batch)["sent"] == len(batch) == 8

    by_person: dict[str, set[str]] = {}
    for message in smtp.messages():
        by_person.setdefault(message["To"], set()).add(_text(message))
    mine = "\n".join(by_person[invited[0].email])
    theirs = "\n".join(by_person[invited[1].email])
    assert f"action item #{first.pk}" in mine and f"action item #{second.pk}" not in mine
    assert f"action item #{second.pk}" in theirs and f"action item #{first.pk}" not in theirs
    assert f"action item #{later.pk}" not in theirs  # due after the meeting
    assert "action item #" not in "\n".join(by_person[invited[2].email])


def test_someone_uninvited_after_planning_gets_nothing_from_the_batch(smtp, coordinator):
    invited = people(2)
    m = meeting(coordinator, invited, starts_in=timedelta(hours=1))
    planning.plan_due()
    m.attendees.remove(invited[1])
    ids = delivery.claim()
    counts = delivery.send_claimed(ids)
    assert counts["skipped"] == 2 and counts["sent"] == 4
    assert invited[1].email not in {message["To"] for message in smtp.messages()}
    assert set(Reminder.objects.filter(recipient=invited[1]).values_list("state", flat=True)) == {
        Reminder.State.SKIPPED
    }


@pytest.mark.parametrize("attendees", [4, 24])
def test_sending_costs_the_same_few_queries_per_message(smtp, coordinator, attendees, django_assert_max_num_queries):
    invited = people(attendees)
    meeting(coordinator, invited, starts_in=timedelta(hours=1))
    for person in invited:
        _item(person, coordinator, timezone.localdate() - timedelta(days=1), "Overdue")
    planning.plan_due()
    ids = delivery.claim()
    # Both lead times for everyone invited; after the daily hour, overdue digests too.
    assert Reminder.objects.filter(kind=Reminder.Kind.MEETING).count() == 2 * (attendees + 1)
    # Once per batch: the rows with their recipients, the meeting, who of them is invited, their
    # open items, the new items announced (each overdue item here is new too), the calendar
    # file's sequence, and (PostgreSQL) commits that need not wait for the disk, set and reset.
    # Per message: the row locked again and marked, in a savepoint here.
    with django_assert_max_num_queries(8 + 4 * len(ids)):
        assert delivery.send_claimed(ids)["sent"] == len(ids)
    assert len(set(smtp.message_ids())) == len(ids)
