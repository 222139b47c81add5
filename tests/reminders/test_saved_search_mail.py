"""Saved searches that alert, through the real stack: a case list search saved on its page, a
sweep, a real Celery worker over Redis and the loopback SMTP server. Each alert is mailed once,
with the Message-ID of its row, naming report numbers and links only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Note, SavedSearch
from meetings.models import Reminder
from meetings.reminders import delivery
from meetings.tasks import sweep_reminders
from tests.factories import make_shooting
from tests.processes import wait_until

from .search_scenario import ADDRESS, NOTE_TEXT, SENTINELS, SUSPECT, VICTIM, save

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def mail_to(smtp, person, subject: str) -> list:
    return [
        m for m in smtp.messages() if m["To"] == person.email and m["Subject"].startswith(f"[Shoot review] {subject}")
    ]


def text_of(message) -> str:
    return "\n".join(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_maintype() == "text"
    )


def settled() -> bool:
    return not Reminder.objects.filter(state__in=[Reminder.State.PENDING, Reminder.State.CLAIMED]).exists()


def assert_no_case_detail(message) -> None:
    body = text_of(message)
    for secret in SENTINELS:
        assert secret not in body and secret not in message["Subject"], secret


def test_a_search_saved_on_the_case_list_alerts_at_once_through_a_worker_exactly_once(
    workers, smtp, settings, client_for, investigator, atf_agent, advocate
):
    workers.start()
    shooting = make_shooting(division="Central", address=ADDRESS, victims=[{"name": VICTIM, "age": 30, "sex": "F"}])
    response = client_for(investigator).post(
        "/cases/searches/save/", {"division": "Central", "name": f"Around {ADDRESS}", "alert": "at_once"}
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get(owner=investigator)
    save(advocate, division="Central")  # an advocate watching the same cases

    case_services.add_note(shooting, atf_agent, Note.Kind.SUSPECT, {"name": SUSPECT, "text": NOTE_TEXT})
    sweep_reminders.delay()  # beat's sweep, run by the worker: it plans, claims and sends

    assert wait_until(lambda: mail_to(smtp, investigator, "Saved search"), timeout=60), workers.log()[-3000:]
    assert wait_until(settled, timeout=30)
    row = Reminder.objects.get(kind=Reminder.Kind.SEARCH_ALERT)
    assert (row.recipient, row.object_id, row.state) == (investigator, str(search.pk), Reminder.State.SENT)
    [message] = mail_to(smtp, investigator, "Saved search")
    assert message["Message-ID"] == delivery.message_id(row)
    body = text_of(message)
    assert f"{shooting.report_number} (updated)" in body
    assert f"{settings.SITE_URL}/cases/{shooting.pk}/" in body
    assert f"{settings.SITE_URL}/cases/searches/{search.pk}/run/" in body
    assert_no_case_detail(message)
    assert "Around" not in body  # the search's name is the person's own text: never mailed
    # The suspect note is nothing the advocate may see: no mail, no row.
    assert not mail_to(smtp, advocate, "Saved search")
    assert not Reminder.objects.filter(recipient=advocate).exists()

    # Later sweeps find nothing more to send.
    sweep_reminders()
    assert wait_until(settled, timeout=30)
    assert len(mail_to(smtp, investigator, "Saved search")) == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.SEARCH_ALERT).count() == 1


def test_the_daily_digest_lists_every_daily_search_in_one_mail_through_a_worker(
    workers, smtp, settings, investigator, atf_agent
):
    workers.start()
    settings.REMINDER_DIGEST_HOUR = 0  # the digest hour has come, whenever the test runs
    central = save(investigator, "Central", SavedSearch.Alert.DAILY, division="Central")
    homicides = save(investigator, "Homicides", SavedSearch.Alert.DAILY, kind="homicide")
    a = make_shooting(division="Central", victims=[{"name": VICTIM, "age": 30, "sex": "F"}])
    b = make_shooting(division="North", kind="homicide", address=ADDRESS)

    sweep_reminders()  # plans here; the claimed rows go to the worker once the claim commits

    assert wait_until(lambda: mail_to(smtp, investigator, "Saved searches, daily digest"), timeout=60), workers.log()[
        -3000:
    ]
    assert wait_until(settled, timeout=30)
    row = Reminder.objects.get(kind=Reminder.Kind.SEARCH_DIGEST)
    assert row.occurrence == timezone.localdate().isoformat()
    [message] = mail_to(smtp, investigator, "Saved searches, daily digest")
    assert message["Message-ID"] == delivery.message_id(row)
    body = text_of(message)
    assert f"{a.report_number} (new case)" in body and f"{b.report_number} (new case)" in body
    for search in [central, homicides]:
        assert f"/cases/searches/{search.pk}/run/" in body
    assert_no_case_detail(message)

    # More found the same day waits for tomorrow's digest: today's is sent, once.
    make_shooting(division="Central")
    sweep_reminders()
    assert wait_until(settled, timeout=30)
    assert len(mail_to(smtp, investigator, "Saved searches")) == 1


def test_no_mail_when_access_is_lost_before_the_worker_sends_it(workers, smtp, investigator):
    save(investigator, division="Central")
    make_shooting(division="Central")
    sweep_reminders()  # no worker yet: the row is claimed and waits in the queue
    row = Reminder.objects.get(kind=Reminder.Kind.SEARCH_ALERT)

    investigator.is_active = False
    investigator.save(update_fields=["is_active"])
    workers.start()

    assert wait_until(lambda: Reminder.objects.filter(pk=row.pk, state=Reminder.State.SKIPPED).exists(), timeout=60), (
        workers.log()[-3000:]
    )
    assert not mail_to(smtp, investigator, "Saved search")
