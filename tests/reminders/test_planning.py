"""Which reminders come due, when, and for whom (planned in-process; delivery is tested on the
real stack in test_delivery)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import services as case_services
from cases.models import NibinLead, Note
from meetings import services as meeting_services
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, Meeting, Reminder, ReminderPreference
from meetings.reminders import messages, planning
from tests.factories import make_shooting

from .scenario import meeting, people

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def rows(kind=None):
    qs = Reminder.objects.all()
    return qs.filter(kind=kind) if kind else qs


def test_meeting_reminders_come_due_48_and_2_hours_before(coordinator):
    invited = people(3)
    m = meeting(coordinator, invited, starts_in=timedelta(days=5))
    start = m.starts_at
    with time_machine.travel(start - timedelta(hours=48, minutes=1), tick=False):
        assert planning.plan_due() == 0
    with time_machine.travel(start - timedelta(hours=47, minutes=59), tick=False):
        assert planning.plan_due() == 4  # three attendees and the chair
        assert planning.plan_due() == 0  # a second sweep adds nothing
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        planning.plan_due()
    assert rows(Reminder.Kind.MEETING).count() == 8
    assert set(rows(Reminder.Kind.MEETING).values_list("occurrence", flat=True)) == {
        f"48h@{timezone.localtime(start):%Y-%m-%dT%H:%M}",
        f"2h@{timezone.localtime(start):%Y-%m-%dT%H:%M}",
    }


def test_what_came_due_while_the_system_was_down_goes_out_on_the_next_sweep(coordinator):
    m = meeting(coordinator, people(2), starts_in=timedelta(days=3))
    # Down from 60 h before to 1 h before: both lead times have passed; both are still worth sending.
    with time_machine.travel(m.starts_at - timedelta(hours=1), tick=False):
        planning.plan_due()
    assert rows(Reminder.Kind.MEETING).count() == 6


def test_nothing_for_cancelled_meetings_or_deactivated_people(coordinator):
    invited = people(2)
    m = meeting(coordinator, invited, starts_in=timedelta(days=3))
    meeting_services.cancel_meeting(m, coordinator, "room unavailable")
    gone = invited[0]
    gone.is_active = False
    gone.save()
    with time_machine.travel(m.starts_at - timedelta(hours=1), tick=False):
        planning.plan_due()
    assert rows(Reminder.Kind.MEETING).count() == 0
    changed = rows(Reminder.Kind.MEETING_CHANGED)
    assert gone.pk not in set(changed.values_list("recipient_id", flat=True))
    assert changed.count() == 2  # the other attendee and the chair hear of the cancellation


def test_moving_a_meeting_moves_its_reminders(coordinator):
    invited = people(1)
    m = meeting(coordinator, invited, starts_in=timedelta(days=3))
    with time_machine.travel(m.starts_at - timedelta(hours=47), tick=False):
        planning.plan_due()
        old = Reminder.objects.get(kind=Reminder.Kind.MEETING, recipient=invited[0])
        later = m.starts_at + timedelta(days=1)
        meeting_services.update_meeting(m, coordinator, {"starts_at": later, "ends_at": later + timedelta(hours=1)})
        assert messages.compose(old) is None  # the old time's reminder no longer applies
        planning.plan_due()
    assert rows(Reminder.Kind.MEETING_CHANGED).filter(recipient=invited[0]).count() == 1
    with time_machine.travel(later - timedelta(hours=47), tick=False):
        planning.plan_due()
    fresh = rows(Reminder.Kind.MEETING).filter(recipient=invited[0]).exclude(pk=old.pk).get()
    assert fresh.occurrence.endswith(timezone.localtime(later).strftime("%Y-%m-%dT%H:%M"))


def test_the_meeting_reminder_lists_my_own_open_items_due_by_the_meeting(coordinator):
    invited = people(2)
    m = meeting(coordinator, invited, starts_in=timedelta(hours=3))
    mine = ActionItem.objects.create(
        description="Canvass the 4300 block",
        assignee=invited[0],
        agency=invited[0].agency,
        due_on=timezone.localdate(m.starts_at),
        created_by=coordinator,
    )
    ActionItem.objects.create(
        description="Not mine",
        assignee=invited[1],
        agency=invited[1].agency,
        due_on=timezone.localdate(m.starts_at),
        created_by=coordinator,
    )
    planning.plan_due()
    message = messages.compose(Reminder.objects.get(kind="meeting", recipient=invited[0]))
    texts = [text for text, _ in message.lines]
    assert f"action item #{mine.pk}" in " ".join(texts)
    assert sum("action item #" in t for t in texts) == 1


def test_case_update_asks_each_lead_once_listing_cases_without_a_note_since_review(coordinator, investigator):
    m = meeting(coordinator, [investigator], starts_in=timedelta(hours=20))
    stale = make_shooting(lead_investigator=investigator)
    fresh = make_shooting(lead_investigator=investigator)
    agenda_services.build_agenda(m, coordinator)
    m.refresh_from_db()
    for shooting in (stale, fresh):
        agenda_services.add_case(
            m, coordinator, shooting.report_number, expected_version=m.agenda_version
        ) if not m.items.filter(shooting=shooting).exists() else None
        m.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        case_services.add_note(fresh, investigator, Note.Kind.GENERAL, {"text": "canvass done"})
    planning.plan_due()
    [row] = rows(Reminder.Kind.CASE_UPDATE)
    assert row.recipient == investigator
    message = messages.compose(row)
    listed = [text for text, _ in message.lines]
    assert stale.report_number in listed
    assert fresh.report_number not in listed


def test_action_item_due_tomorrow_and_the_overdue_digest_at_the_local_hour(coordinator, investigator, settings):
    settings.REMINDER_DIGEST_HOUR = 7
    today = date(2026, 11, 23)
    ActionItem.objects.create(
        description="Serve the subpoena",
        assignee=investigator,
        agency=investigator.agency,
        due_on=today + timedelta(days=1),
        created_by=coordinator,
    )
    ActionItem.objects.create(
        description="Late one",
        assignee=investigator,
        agency=investigator.agency,
        due_on=today - timedelta(days=2),
        created_by=coordinator,
    )
    with time_machine.travel(datetime(2026, 11, 23, 6, 59, tzinfo=CHICAGO), tick=False):
        assert planning.plan_due() == 0
    with time_machine.travel(datetime(2026, 11, 23, 7, 0, tzinfo=CHICAGO), tick=False):
        planning.plan_due()
        assert rows(Reminder.Kind.ACTION_DUE).count() == 1
        assert rows(Reminder.Kind.OVERDUE_DIGEST).count() == 1
        digest = messages.compose(rows(Reminder.Kind.OVERDUE_DIGEST).get())
        assert len(digest.lines) == 1


def test_the_daily_hour_stays_local_across_the_daylight_saving_change(investigator, coordinator, settings):
    """7:00 in Chicago is 13:00 UTC in November and 12:00 UTC in October."""
    settings.REMINDER_DIGEST_HOUR = 7
    ActionItem.objects.create(
        description="Late",
        assignee=investigator,
        agency=investigator.agency,
        due_on=date(2026, 10, 1),
        created_by=coordinator,
    )
    for day, utc_hour in [(date(2026, 10, 31), 12), (date(2026, 11, 2), 13)]:
        with time_machine.travel(
            datetime(day.year, day.month, day.day, utc_hour - 1, 59, tzinfo=ZoneInfo("UTC")), tick=False
        ):
            planning.plan_due()
            assert not rows(Reminder.Kind.OVERDUE_DIGEST).filter(occurrence=day.isoformat()).exists()
        with time_machine.travel(
            datetime(day.year, day.month, day.day, utc_hour, 0, tzinfo=ZoneInfo("UTC")), tick=False
        ):
            planning.plan_due()
            assert rows(Reminder.Kind.OVERDUE_DIGEST).filter(occurrence=day.isoformat()).exists()


def test_a_finished_item_is_not_reminded(coordinator, investigator):
    item = ActionItem.objects.create(
        description="Done soon",
        assignee=investigator,
        agency=investigator.agency,
        due_on=timezone.localdate() + timedelta(days=1),
        created_by=coordinator,
    )
    with time_machine.travel(timezone.now() + timedelta(hours=20)):
        planning.plan_due()
    row = rows(Reminder.Kind.ACTION_DUE).get()
    meeting_services.complete_action_item(item, investigator, "served in person")
    assert messages.compose(row) is None


def test_agenda_ready_only_once_the_freeze_is_committed(coordinator, investigator):
    m = meeting(coordinator, [investigator], starts_in=timedelta(days=2))
    make_shooting()
    agenda_services.build_agenda(m, coordinator)
    m.refresh_from_db()
    with pytest.raises(RuntimeError), transaction.atomic():
        agenda_services.freeze(m, coordinator, expected_version=m.agenda_version)
        planning.plan_due()  # even a sweep inside the same transaction would see the freeze…
        raise RuntimeError("the freeze is rolled back")
    assert Meeting.objects.get(pk=m.pk).status == Meeting.Status.SCHEDULED
    assert not rows(Reminder.Kind.AGENDA_READY).exists()  # …but its rows went with it
    planning.plan_due()
    assert not rows(Reminder.Kind.AGENDA_READY).exists()
    m.refresh_from_db()
    agenda_services.freeze(m, coordinator, expected_version=m.agenda_version)
    planning.plan_due()
    assert set(rows(Reminder.Kind.AGENDA_READY).values_list("recipient_id", flat=True)) == {
        coordinator.pk,
        investigator.pk,
    }


def test_retaliation_follow_up_of_a_case_with_nobody_at_risk_daily_until_a_contact_is_noted(investigator, settings):
    """A flagged case with no victim or associate recorded: the follow-up note stops it. With
    people at risk, each person's contact does (tests/reminders/test_risk_follow_up_mail.py)."""
    settings.REMINDER_DIGEST_HOUR = 7
    shooting = make_shooting(is_retaliation_risk=True, lead_investigator=investigator, victims=[])
    day1 = datetime(2026, 11, 23, 8, 0, tzinfo=CHICAGO)
    with time_machine.travel(day1, tick=False):
        planning.plan_due()
    with time_machine.travel(day1 + timedelta(days=1), tick=False):
        planning.plan_due()
    assert rows(Reminder.Kind.RETALIATION).count() == 2
    case_services.add_note(
        shooting, investigator, Note.Kind.GENERAL, {"text": "spoke with the family", "follow_up_contact": True}
    )
    with time_machine.travel(day1 + timedelta(days=2), tick=False):
        planning.plan_due()
        assert rows(Reminder.Kind.RETALIATION).count() == 2
        assert messages.compose(rows(Reminder.Kind.RETALIATION).first()) is None


def test_a_nibin_lead_not_notified_after_24_hours_reminds_the_coordinators(coordinator, atf_agent):
    shooting = make_shooting()
    case_services.add_note(shooting, atf_agent, Note.Kind.FIREARM, {"nibin_leads": ["RB-2026-0420"]})
    lead = NibinLead.objects.get(number="RB-2026-0420")
    with time_machine.travel(lead.lead_received_at + timedelta(hours=23), tick=False):
        planning.plan_due()
        assert not rows(Reminder.Kind.NIBIN_TURNAROUND).exists()
    with time_machine.travel(lead.lead_received_at + timedelta(hours=25), tick=False):
        planning.plan_due()
    assert list(rows(Reminder.Kind.NIBIN_TURNAROUND).values_list("recipient_id", flat=True)) == [coordinator.pk]


def test_a_person_can_turn_off_kinds_but_not_meeting_changes(coordinator):
    invited = people(1)
    ReminderPreference.objects.create(user=invited[0], disabled_kinds=["meeting", "meeting_changed"])
    m = meeting(coordinator, invited, starts_in=timedelta(hours=3))
    meeting_services.cancel_meeting(m, coordinator, "moved to next week")
    planning.plan_due()
    kinds = set(rows().filter(recipient=invited[0]).values_list("kind", flat=True))
    assert kinds == {Reminder.Kind.MEETING_CHANGED}


def test_a_person_who_lost_access_gets_nothing_at_sending_time(coordinator):
    invited = people(1)
    m = meeting(coordinator, invited, starts_in=timedelta(hours=3))
    planning.plan_due()
    row = rows(Reminder.Kind.MEETING).get(recipient=invited[0])
    User.objects.filter(pk=invited[0].pk).update(role="")
    row.refresh_from_db()
    assert messages.compose(row) is None
    assert m.pk
