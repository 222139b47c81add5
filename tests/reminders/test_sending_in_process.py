"""Sending reminders, called in this process against the real loopback SMTP server: claiming under
a lease, retrying a refusing or silent mail server with growing waits, failing for good, a
coordinator's resend, and what each message carries. The same functions run in the worker
(tests/reminders/test_delivery.py checks them there, end to end); here each rule is checked on its
own, without a worker, so that breaking any of them is noticed in seconds."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.utils import timezone

from meetings.models import Reminder
from meetings.reminders import delivery, planning
from tests.processes import free_port

from .scenario import meeting, people

pytestmark = pytest.mark.django_db

REFUSING = "451 4.3.0 Mailbox temporarily unavailable"


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://review.riverbend.example"


def due_reminders(coordinator, n_people: int = 1) -> list[Reminder]:
    """A meeting an hour away: both lead times are due for everyone invited and the chair."""
    meeting(coordinator, people(n_people), starts_in=timedelta(hours=1))
    planning.plan_due()
    return list(Reminder.objects.order_by("pk"))


def states() -> set[str]:
    return set(Reminder.objects.values_list("state", flat=True))


# --- Claiming ------------------------------------------------------------------------------------


def test_a_claim_takes_due_rows_once_until_its_lease_runs_out(smtp, coordinator, settings):
    rows = due_reminders(coordinator)
    now = timezone.now()
    first = delivery.claim(now)
    assert sorted(first) == [r.pk for r in rows]
    assert states() == {Reminder.State.CLAIMED}
    lease = timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
    assert set(Reminder.objects.values_list("claimed_until", flat=True)) == {now + lease}
    # A second sweep while the first still holds them takes nothing, even at the lease's last moment...
    assert delivery.claim(now) == []
    assert delivery.claim(now + lease) == []
    # ...and everything once it has run out (a worker killed mid-send loses nothing).
    assert sorted(delivery.claim(now + lease + timedelta(seconds=1))) == sorted(first)


def test_a_claim_takes_the_earliest_due_first_and_no_more_than_its_limit(smtp, coordinator):
    rows = due_reminders(coordinator, n_people=2)
    now = timezone.now()
    Reminder.objects.filter(pk=rows[-1].pk).update(due_at=now - timedelta(days=30))
    # Within the lease of the rows claimed below, so only this one is claimable then.
    later = now + timedelta(seconds=2)
    Reminder.objects.filter(pk=rows[0].pk).update(next_attempt_at=later)
    claimed = delivery.claim(now, limit=2)
    assert len(claimed) == 2 and claimed[0] == rows[-1].pk
    assert rows[0].pk not in delivery.claim(now)  # not to be tried before its time
    assert delivery.claim(later) == [rows[0].pk]


def test_without_a_limit_a_claim_takes_as_many_as_the_setting_allows(smtp, coordinator, settings):
    due_reminders(coordinator, n_people=2)
    settings.REMINDER_CLAIM_LIMIT = 3
    assert len(delivery.claim()) == 3


# --- Sending -------------------------------------------------------------------------------------


def test_each_claimed_reminder_goes_out_once_with_its_own_message_id_and_is_marked_sent(smtp, coordinator, site):
    rows = due_reminders(coordinator)
    ids = delivery.claim()
    with time_machine.travel(timezone.now(), tick=False):
        assert delivery.send_claimed(ids) == {"sent": len(ids), "skipped": 0, "retry": 0, "failed": 0, "not_ours": 0}
        sent_at = timezone.now()
    assert sorted(smtp.message_ids()) == sorted(f"<reminder.{r.pk}@review.riverbend.example>" for r in rows)
    for row in Reminder.objects.all():
        assert (row.state, row.attempts, row.sent_at, row.last_error) == (Reminder.State.SENT, 1, sent_at, "")
    # The same task delivered again sends nothing more, nor does a later sweep.
    assert delivery.send_claimed(ids)["not_ours"] == len(ids)
    assert delivery.claim(timezone.now() + timedelta(days=1)) == []
    assert len(smtp.message_ids()) == len(ids)


def test_a_message_says_it_is_automatic_and_carries_text_html_and_the_meeting_in_a_calendar_file(
    smtp, coordinator, site
):
    due_reminders(coordinator)
    delivery.send_claimed(delivery.claim())
    message = next(m for m in smtp.messages() if m["To"] == coordinator.email)
    assert message["Subject"].startswith("[Shoot review] ")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= parts.keys()
    assert parts["text/calendar"].get_param("method") == "PUBLISH"
    assert parts["text/calendar"].get_filename() == "shoot-review.ics"
    assert b"BEGIN:VCALENDAR" in parts["text/calendar"].get_payload(decode=True)
    settings_link = "https://review.riverbend.example/meetings/reminders/settings/"
    text = parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    assert settings_link in text and f'<a href="{settings_link}">' in html
    # Both forms say the same: the reminder's opening line is in each.
    intro = text.strip().splitlines()[0]
    assert intro and f"<p>{intro}</p>" in html
    subject = message["Subject"].replace("\r\n", "").removeprefix("[Shoot review] ")
    assert f"<title>{subject}</title>" in html


def test_a_refusing_mail_server_is_tried_again_later_then_the_reminder_fails_for_good(
    smtp, coordinator, settings, caplog
):
    rows = due_reminders(coordinator)
    smtp.fail_with = REFUSING
    base = settings.REMINDER_RETRY_BASE_SECONDS
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert delivery.send_claimed(delivery.claim())["retry"] == len(rows)
    for row in Reminder.objects.all():
        assert (row.state, row.attempts, row.claimed_until) == (Reminder.State.PENDING, 1, None)
        assert row.last_error.startswith("SMTPRecipientsRefused: ") and "451" in row.last_error
        # Not at once, and not later than the first wait allows.
        assert now + timedelta(seconds=base / 2) <= row.next_attempt_at <= now + timedelta(seconds=base * 1.5)
    assert delivery.claim(now) == []

    assert delivery.send_claimed(delivery.claim(now + timedelta(hours=2)))["retry"] == len(rows)
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {2}
    # The last allowed attempt fails for good: nothing more is tried, and the page and the log
    # say why (the last answer, not an earlier one).
    smtp.fail_with = "550 5.1.1 No such mailbox"
    with caplog.at_level(logging.ERROR, logger="shootreview.reminders"):
        assert delivery.send_claimed(delivery.claim(now + timedelta(hours=4)))["failed"] == len(rows)
    for row in Reminder.objects.all():
        assert (row.state, row.attempts, row.claimed_until) == (Reminder.State.FAILED, 3, None)
        assert "550" in row.last_error and "451" not in row.last_error
    logged = sorted(r.getMessage() for r in caplog.records if r.name == "shootreview.reminders")
    assert len(logged) == len(rows)
    assert all(m.startswith("reminder ") and " failed after 3 attempts: " in m and "550" in m for m in logged)
    assert {m.split()[1] for m in logged} == {str(r.pk) for r in rows}
    assert delivery.claim(now + timedelta(days=1)) == []
    assert smtp.message_ids() == []


def test_a_mail_server_that_does_not_answer_leaves_every_reminder_to_be_tried_again(smtp, coordinator, settings):
    rows = due_reminders(coordinator)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    assert delivery.send_claimed(delivery.claim())["retry"] == len(rows)
    assert all("ConnectionRefusedError" in row.last_error for row in Reminder.objects.all())
    settings.EMAIL_PORT = smtp.port
    assert delivery.send_claimed(delivery.claim(timezone.now() + timedelta(hours=1)))["sent"] == len(rows)
    assert len(smtp.message_ids()) == len(rows)
    # Sent at last: the error of the failed attempt is no longer shown.
    assert set(Reminder.objects.values_list("last_error", flat=True)) == {""}


def test_one_refused_message_does_not_stop_the_rest_of_the_batch(smtp, coordinator):
    due_reminders(coordinator, n_people=1)
    refused_address = coordinator.email

    async def refuse_one(server, session, envelope, address, rcpt_options):
        if address == refused_address:
            return REFUSING
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.handle_RCPT = refuse_one
    try:
        counts = delivery.send_claimed(delivery.claim())
    finally:
        del smtp.handle_RCPT
    assert counts["retry"] == 2 and counts["sent"] == 2
    assert {m["To"] for m in smtp.messages()} == {"att0000@example.invalid"}


def test_a_row_no_longer_claimed_is_left_alone(smtp, coordinator):
    rows = due_reminders(coordinator)
    ids = delivery.claim()
    Reminder.objects.filter(pk=rows[0].pk).update(state=Reminder.State.PENDING)
    counts = delivery.send_claimed(ids)
    assert counts["not_ours"] == 1 and counts["sent"] == len(rows) - 1
    assert Reminder.objects.get(pk=rows[0].pk).state == Reminder.State.PENDING


# --- Waiting between attempts ----------------------------------------------------------------------


def test_the_wait_before_another_attempt_doubles_with_jitter_and_never_passes_an_hour(settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    for attempt, ceiling in [(1, 60), (2, 120), (3, 240), (7, 3600), (30, 3600)]:
        waits = [delivery.backoff(attempt).total_seconds() for _ in range(300)]
        # Never sooner than half the base, never later than the ceiling beyond it; spread over it.
        assert min(waits) >= 30 and max(waits) <= 30 + ceiling
        assert max(waits) > 30 + ceiling * 0.75 and min(waits) < 30 + ceiling * 0.25


# --- A coordinator's resend ------------------------------------------------------------------------


def test_a_resend_goes_out_again_at_once_with_a_message_id_of_its_own(smtp, coordinator, site):
    rows = due_reminders(coordinator)
    delivery.send_claimed(delivery.claim())
    row = Reminder.objects.get(pk=rows[0].pk)
    again = delivery.resend(row)
    assert (again.state, again.attempts, again.resends, again.claimed_until) == (Reminder.State.PENDING, 0, 1, None)
    assert timezone.now() - again.next_attempt_at < timedelta(seconds=5)
    assert delivery.claim() == [row.pk]
    smtp.reset()
    assert delivery.send_claimed([row.pk])["sent"] == 1
    assert smtp.message_ids() == [f"<reminder.{row.pk}.r1@review.riverbend.example>"]


def test_resending_a_failed_reminder_starts_its_attempts_afresh_under_the_same_message_id(
    smtp, coordinator, site, settings
):
    rows = due_reminders(coordinator)
    row = rows[0]
    Reminder.objects.filter(pk=row.pk).update(
        state=Reminder.State.FAILED, attempts=settings.REMINDER_MAX_ATTEMPTS, last_error="451 refused"
    )
    again = delivery.resend(row)
    assert (again.state, again.attempts, again.resends, again.last_error) == (Reminder.State.PENDING, 0, 0, "")
    stored = Reminder.objects.get(pk=row.pk)
    assert (stored.state, stored.attempts, stored.last_error) == (Reminder.State.PENDING, 0, "")
    assert row.pk in delivery.claim()
    delivery.send_claimed([row.pk])
    assert smtp.message_ids() == [f"<reminder.{row.pk}@review.riverbend.example>"]


# --- Message-IDs and messages built one at a time ----------------------------------------------------


def test_a_site_address_without_a_host_still_gives_each_message_id_a_domain(smtp, coordinator, settings):
    rows = due_reminders(coordinator)
    settings.SITE_URL = ""
    delivery.send_claimed(delivery.claim())
    assert sorted(smtp.message_ids()) == sorted(f"<reminder.{r.pk}@shootreview.local>" for r in rows)


def test_a_reminder_built_on_its_own_carries_its_calendar_file(smtp, coordinator):
    row = due_reminders(coordinator)[0]
    email = delivery.build_email(row)
    assert [(name, mimetype) for name, _, mimetype in email.attachments] == [
        ("shoot-review.ics", "text/calendar; method=PUBLISH")
    ]


def test_a_row_deleted_after_the_claim_is_passed_over_and_the_rest_go_out(smtp, coordinator):
    rows = due_reminders(coordinator)
    ids = delivery.claim()
    Reminder.objects.filter(pk=rows[0].pk).delete()  # e.g. the person's account was deleted meanwhile
    counts = delivery.send_claimed(ids)
    assert counts["not_ours"] == 1 and counts["sent"] == len(rows) - 1


def test_in_one_batch_each_meetings_reminder_carries_that_meetings_calendar_file(smtp, coordinator):
    invited = people(1)
    meeting(coordinator, invited, starts_in=timedelta(hours=1), place="Riverbend Police HQ, Room 214")
    meeting(coordinator, invited, starts_in=timedelta(hours=1, minutes=30), place="Annex, Room 3")
    planning.plan_due()
    delivery.send_claimed(delivery.claim())
    places = set()
    for message in smtp.messages():
        [calendar] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        text = calendar.get_payload(decode=True).decode().replace("\r\n ", "")
        places.add((message["Subject"].replace("\r\n", ""), "Annex" in text, "Room 214" in text))
    # Each message's calendar file names the place of the meeting its subject names.
    assert {("Annex" in subject, annex, room_214) for subject, annex, room_214 in places} == {
        (True, True, False),
        (False, False, True),
    }


def test_a_mail_server_answering_at_length_leaves_its_answer_cut_to_what_the_page_keeps(smtp, coordinator):
    # Mail servers may answer with a long text; the row keeps its first 500 characters (the
    # column's length on PostgreSQL), so the failure is recorded rather than raising on save.
    due_reminders(coordinator)
    smtp.fail_with = "451 4.3.0 " + "Mailbox busy, try later. " * 40
    assert delivery.send_claimed(delivery.claim())["retry"] >= 1
    errors = set(Reminder.objects.values_list("last_error", flat=True))
    assert {len(error) for error in errors} == {500}
    assert all(error.startswith("SMTPRecipientsRefused: ") and "451" in error for error in errors)


def test_a_message_is_dated_in_the_reviews_own_time_zone(smtp, coordinator, settings):
    # Mail programs that show the header as it is show the city's time, not UTC.
    settings.TIME_ZONE = "America/Chicago"
    due_reminders(coordinator)
    delivery.send_claimed(delivery.claim())
    message = next(m for m in smtp.messages() if m["To"] == coordinator.email)
    sent = parsedate_to_datetime(message["Date"])
    assert sent.utcoffset() == timezone.localtime(sent).utcoffset() != timedelta(0)
