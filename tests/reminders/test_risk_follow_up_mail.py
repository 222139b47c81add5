"""The daily retaliation-risk reminder to a case's lead investigator while a person at risk in
it has no contact recorded: planned once a day, sent once through a real worker to the loopback
SMTP server, stopped by a contact that reached the person, and never naming anyone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cases.models import PersonRole, RiskContact
from meetings.models import Reminder
from meetings.reminders import delivery, messages, planning
from meetings.tasks import sweep_reminders
from tests.processes import wait_until
from tests.risk_helpers import ASSOCIATE, VICTIM, flagged_case, reach

CHICAGO = ZoneInfo("America/Chicago")


def retaliation_rows():
    return Reminder.objects.filter(kind=Reminder.Kind.RETALIATION)


@pytest.mark.django_db
def test_the_lead_is_reminded_daily_until_everyone_at_risk_is_reached(investigator, settings):
    settings.REMINDER_DIGEST_HOUR = 7
    shot = flagged_case(investigator)
    day1 = datetime(2026, 11, 23, 8, 0, tzinfo=CHICAGO)
    with time_machine.travel(day1 - timedelta(hours=2), tick=False):
        planning.plan_due()
    assert not retaliation_rows().exists()  # before the digest hour
    with time_machine.travel(day1, tick=False):
        planning.plan_due()
        planning.plan_due()
    assert list(retaliation_rows().values_list("recipient_id", "object_id", "occurrence")) == [
        (investigator.pk, str(shot.pk), "2026-11-23")
    ]

    reach(shot, PersonRole.Kind.VICTIM, investigator)
    reach(shot, PersonRole.Kind.ASSOCIATE, investigator, RiskContact.Outcome.NOT_REACHED)
    with time_machine.travel(day1 + timedelta(days=1), tick=False):
        planning.plan_due()
    assert retaliation_rows().count() == 2
    message = messages.compose(retaliation_rows().first())
    assert "1 person at risk in it has no contact recorded yet" in message.intro

    reach(shot, PersonRole.Kind.ASSOCIATE, investigator)
    with time_machine.travel(day1 + timedelta(days=2), tick=False):
        planning.plan_due()
        assert retaliation_rows().count() == 2
        # A row planned before the contact no longer applies when it is sent.
        assert messages.compose(retaliation_rows().first()) is None


@pytest.mark.django_db
def test_the_message_names_the_case_and_links_but_nobody(investigator, settings):
    settings.REMINDER_DIGEST_HOUR = 0
    shot = flagged_case(investigator)
    planning.plan_due()
    message = messages.compose(retaliation_rows().get())
    text = message.subject + message.intro + " ".join(f"{t} {link}" for t, link in message.lines)
    assert shot.report_number in message.subject and "2 people at risk" in message.intro
    assert "/cases/people/at-risk/" in text and f"/cases/{shot.pk}/" in text
    assert VICTIM not in text and ASSOCIATE not in text and "Ezekiel" not in text


def sweep():
    sweep_reminders.delay()


def settled() -> bool:
    return not Reminder.objects.filter(state__in=[Reminder.State.PENDING, Reminder.State.CLAIMED]).exists()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_sent_once_through_a_worker_and_no_more_once_the_person_is_reached(workers, smtp, investigator, settings):
    settings.REMINDER_DIGEST_HOUR = 0
    workers.start(REMINDER_DIGEST_HOUR="0")
    shot = flagged_case(investigator)
    planning.plan_due()
    row = retaliation_rows().get()
    sweep()
    assert wait_until(settled, timeout=60, on_tick=sweep), workers.log()[-3000:]
    for _ in range(3):  # more sweeps the same day: nothing new
        sweep_reminders()
    wait_until(lambda: False, timeout=2)
    assert smtp.message_ids() == [delivery.message_id(row)]
    (sent,) = smtp.messages()
    body = "\n".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", errors="replace")
        for part in sent.walk()
        if not part.is_multipart()
    )
    assert shot.report_number in sent["Subject"] and "/cases/people/at-risk/" in body
    assert VICTIM not in body + sent["Subject"] and ASSOCIATE not in body

    # The next day's row is planned, then both are reached before it goes out: it is not sent.
    tomorrow = timezone.now() + timedelta(days=1)
    planning.plan_due(tomorrow)
    Reminder.objects.update(next_attempt_at=timezone.now())
    reach(shot, PersonRole.Kind.VICTIM, investigator)
    reach(shot, PersonRole.Kind.ASSOCIATE, investigator)
    sweep()
    assert wait_until(settled, timeout=60, on_tick=sweep), workers.log()[-3000:]
    assert retaliation_rows().exclude(pk=row.pk).get().state == Reminder.State.SKIPPED
    assert smtp.message_ids() == [delivery.message_id(row)]
    planning.plan_due(tomorrow + timedelta(days=1))
    assert retaliation_rows().count() == 2
