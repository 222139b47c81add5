"""Action items reach people: a new item is mailed to its assignee at once, and the minutes of a
meeting marked held to everyone invited, with their own open items. Through the real stack (the
agenda page, a real worker, Redis and a loopback SMTP server); each message once, naming report
numbers, due dates and links only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, Meeting, Reminder
from meetings.reminders import delivery, messages, planning
from meetings.tasks import sweep_reminders
from tests.factories import make_shooting
from tests.processes import wait_until

from .scenario import meeting

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

VICTIM = "Avery Lindqvist"
WITNESS = "Wilhelmina Quarrystone"
DESCRIPTION = f"Re-interview {WITNESS} about the grey sedan"


@pytest.fixture
def frozen(coordinator, investigator, advocate) -> Meeting:
    """A meeting three days ahead (no meeting reminder due yet), the investigator and the
    advocate invited, its agenda one case with a victim and a witness, frozen."""
    m = meeting(coordinator, [investigator, advocate], starts_in=timedelta(days=3))
    shooting = make_shooting(investigator, victims=[{"name": VICTIM, "age": 30, "sex": "M"}])
    case_services.add_note(shooting, investigator, Note.Kind.WITNESS, {"name": WITNESS})
    agenda_services.add_case(m, coordinator, shooting.report_number, expected_version=m.agenda_version)
    m.refresh_from_db()
    agenda_services.freeze(m, coordinator, expected_version=m.agenda_version)
    m.refresh_from_db()
    return m


def case_item(m: Meeting):
    return m.items.select_related("shooting").get(shooting__isnull=False)


def assign_due_today(m: Meeting, coordinator, item, assignee) -> ActionItem:
    """The action item these tests mail about, given out in the meeting on `item`'s case."""
    return agenda_services.create_action_item(
        m, coordinator, item_id=item.pk, description=DESCRIPTION, assignee=assignee, due_on=timezone.localdate()
    )


def to(smtp, person, subject: str) -> list:
    return [
        message
        for message in smtp.messages()
        if message["To"] == person.email and message["Subject"].startswith(f"[Shoot review] {subject}")
    ]


def text_of(message) -> str:
    """Every text part, decoded (the raw message may wrap or encode a name)."""
    return "\n".join(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_maintype() == "text"
    )


def settled() -> bool:
    return not Reminder.objects.filter(state__in=[Reminder.State.PENDING, Reminder.State.CLAIMED]).exists()


def test_a_new_action_item_is_mailed_to_its_assignee_at_once_and_only_once(
    workers, smtp, settings, client_for, coordinator, investigator, frozen
):
    settings.REMINDERS_AT_ONCE = True
    workers.start()
    item = case_item(frozen)
    due = timezone.localdate() + timedelta(days=5)
    prefix = f"action-{item.pk}-"

    response = client_for(coordinator).post(
        reverse("meetings:agenda_action", args=[frozen.pk, item.pk]),
        {f"{prefix}description": DESCRIPTION, f"{prefix}assignee": investigator.pk, f"{prefix}due_on": due},
    )

    assert response.status_code == 302
    action = ActionItem.objects.get()
    # No sweep of the test's own: the save queued one.
    assert wait_until(lambda: to(smtp, investigator, "New action item"), timeout=60), workers.log()[-3000:]
    row = Reminder.objects.get(kind=Reminder.Kind.ACTION_ASSIGNED)
    assert (row.recipient, row.object_id, row.state) == (investigator, str(action.pk), Reminder.State.SENT)
    [message] = to(smtp, investigator, "New action item")
    assert message["Message-ID"] == delivery.message_id(row)
    body = text_of(message)
    assert item.shooting.report_number in body and f"{due:%a %d %b}" in body
    assert f"{settings.SITE_URL}/meetings/action-items/{action.pk}/" in body
    for secret in [WITNESS, VICTIM, "grey sedan"]:
        assert secret not in body and secret not in message["Subject"]
    # Later sweeps find nothing more to send.
    assert wait_until(settled, timeout=30)
    assert sweep_reminders() == {"created": 0, "claimed": 0, "batches": 0}
    assert len(to(smtp, investigator, "New action item")) == 1


def test_marking_the_meeting_held_mails_everyone_invited_the_minutes_link_and_their_own_open_items(
    workers, smtp, settings, client_for, coordinator, investigator, advocate, frozen
):
    item = case_item(frozen)
    action = assign_due_today(frozen, coordinator, item, investigator)
    settings.REMINDERS_AT_ONCE = True
    workers.start()

    response = client_for(coordinator).post(reverse("meetings:agenda_held", args=[frozen.pk]))

    assert response.status_code == 302
    people = [investigator, advocate, coordinator]
    assert wait_until(lambda: all(to(smtp, person, "Minutes") for person in people), timeout=60), workers.log()[-3000:]
    assert wait_until(settled, timeout=30)
    assert sweep_reminders() == {"created": 0, "claimed": 0, "batches": 0}
    rows = Reminder.objects.filter(kind=Reminder.Kind.MINUTES)
    assert sorted(row.recipient_id for row in rows) == sorted(person.pk for person in people)
    minutes_url = f"{settings.SITE_URL}/meetings/{frozen.pk}/minutes/"
    item_url = f"{settings.SITE_URL}/meetings/action-items/{action.pk}/"
    for person in people:
        [message] = to(smtp, person, "Minutes")
        assert message["Message-ID"] == delivery.message_id(rows.get(recipient=person))
        # A link, never the minutes themselves.
        assert {part.get_content_type() for part in message.walk()} <= {
            "multipart/alternative",
            "text/plain",
            "text/html",
        }
        body = text_of(message)
        assert minutes_url in body
        for secret in [WITNESS, VICTIM, "grey sedan"]:
            assert secret not in body and secret not in message["Subject"]
        assert (item_url in body) == (person == investigator)
    investigator_body = text_of(to(smtp, investigator, "Minutes")[0])
    assert "Your open action items" in investigator_body and item.shooting.report_number in investigator_body


# --- Planning, without a worker ---------------------------------------------------------------


def test_a_new_item_is_planned_once_however_often_the_sweep_runs(coordinator, investigator, frozen):
    item = case_item(frozen)
    assign_due_today(frozen, coordinator, item, investigator)

    planning.plan_due()
    planning.plan_due()

    assert list(Reminder.objects.filter(kind=Reminder.Kind.ACTION_ASSIGNED).values_list("recipient", flat=True)) == [
        investigator.pk
    ]


def test_an_item_done_before_its_mail_goes_out_is_not_mailed(coordinator, investigator, frozen):
    item = case_item(frozen)
    action = assign_due_today(frozen, coordinator, item, investigator)
    planning.plan_due()
    row = Reminder.objects.get(kind=Reminder.Kind.ACTION_ASSIGNED)
    assert messages.compose(row) is not None

    ActionItem.objects.filter(pk=action.pk).update(status=ActionItem.Status.DONE)

    assert messages.compose(row) is None


def test_minutes_are_planned_once_a_meeting_is_held_and_for_those_still_invited(
    coordinator, investigator, advocate, frozen
):
    planning.plan_due()
    assert not Reminder.objects.filter(kind=Reminder.Kind.MINUTES).exists()

    agenda_services.mark_held(frozen, coordinator)
    planning.plan_due()
    rows = Reminder.objects.filter(kind=Reminder.Kind.MINUTES)
    assert {row.recipient_id for row in rows} == {investigator.pk, advocate.pk, coordinator.pk}

    frozen.attendees.remove(advocate)
    assert messages.compose(rows.get(recipient=advocate)) is None
    assert messages.compose(rows.get(recipient=investigator)) is not None
