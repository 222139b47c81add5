"""Claiming due reminders and sending them, each at most once per claim, with retries.

The sweep claims rows with SELECT … FOR UPDATE SKIP LOCKED and a lease; workers send claimed
rows, each under a row lock so that a task delivered twice sends once. A worker killed mid-send
leaves its rows claimed until the lease runs out; the next sweep claims them again, so nothing
is lost and at most the message in flight is sent twice (its Message-ID shows the duplicate).
"""

from __future__ import annotations

import logging
import random
import smtplib
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import formatdate
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from ..ics import meeting_ics
from ..models import Reminder
from .messages import after_sent, compose, prefetch

logger = logging.getLogger("shootreview.reminders")


def message_id(reminder: Reminder) -> str:
    """Derived from the row, so a duplicate delivery is recognisable; a deliberate resend gets
    its own number."""
    host = urlparse(settings.SITE_URL).hostname or "shootreview.local"
    suffix = f".r{reminder.resends}" if reminder.resends else ""
    return f"<reminder.{reminder.pk}{suffix}@{host}>"


def claim(now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim up to `limit` rows that are due (or whose lease ran out) for this sweep."""
    now = now or timezone.now()
    limit = limit or settings.REMINDER_CLAIM_LIMIT
    lease = timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(
                Q(state=Reminder.State.PENDING, next_attempt_at__lte=now)
                | Q(state=Reminder.State.CLAIMED, claimed_until__lt=now)
            )
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(state=Reminder.State.CLAIMED, claimed_until=now + lease)
    return ids


def backoff(attempt: int) -> timedelta:
    """Exponential backoff with full jitter, capped at an hour."""
    base = settings.REMINDER_RETRY_BASE_SECONDS
    ceiling = min(3600, base * (2 ** max(0, attempt - 1)))
    return timedelta(seconds=base / 2 + random.uniform(0, ceiling))  # noqa: S311 - jitter, not security


def build_email(reminder: Reminder, connection=None, cache: dict | None = None) -> EmailMultiAlternatives | None:
    cache = cache if cache is not None else {}
    content = compose(reminder, cache=cache)
    if content is None:
        return None
    context = {
        "message": content,
        "recipient": reminder.recipient,
        "site_url": settings.SITE_URL,
        "settings_link": settings.SITE_URL + "/meetings/reminders/settings/",
    }
    email = EmailMultiAlternatives(
        subject=f"[Shoot review] {content.subject}",
        body=render_to_string("meetings/mail/reminder.txt", context),
        to=[reminder.recipient.email],
        connection=connection,
        headers={
            "Message-ID": message_id(reminder),
            "Date": formatdate(localtime=True),
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(render_to_string("meetings/mail/reminder.html", context), "text/html")
    if content.attach_ics_for is not None:
        key = ("ics", content.attach_ics_for.pk)
        if key not in cache:
            cache[key] = meeting_ics(content.attach_ics_for)
        email.attach("shoot-review.ics", cache[key], "text/calendar; method=PUBLISH")
    return email


def send_claimed(ids: list[int]) -> dict[str, int]:
    """Send the claimed reminders in `ids` over one SMTP connection. Safe to run twice."""
    counts = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0, "not_ours": 0}
    batch = {r.pk: r for r in Reminder.objects.filter(pk__in=ids).select_related("recipient")}
    cache: dict = {}
    prefetch(list(batch.values()), cache)
    smtp_connection = get_connection()
    try:
        # One connection for the batch; if the server is down, each message records the failure.
        smtp_connection.open()
    except (smtplib.SMTPException, OSError):
        _reset_connection(smtp_connection)
    try:
        with _commits_without_waiting_for_disk():
            for pk in ids:
                reminder = batch.get(pk)
                counts[_send_one(reminder, smtp_connection, cache) if reminder else "not_ours"] += 1
    finally:
        _reset_connection(smtp_connection)
    return counts


@contextmanager
def _commits_without_waiting_for_disk():
    """Each message is marked sent in a commit of its own, so that a worker killed mid-batch sends
    again at most the message in flight. Those commits need not wait for the disk: a killed worker
    cannot undo a commit the server has received; only a crash of the database server itself could
    lose the last fraction of a second of marks, and the Message-IDs make such a resend
    recognisable. Waiting for the disk on every message would halve the sending rate."""
    if db.vendor != "postgresql":
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_one(reminder: Reminder, smtp_connection, cache: dict) -> str:
    with transaction.atomic():
        # SKIP LOCKED: if another worker holds this row it is sending it; leave it alone. The
        # row is read again under the lock: the copy read for the batch may be stale by now.
        fresh = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder.pk, state=Reminder.State.CLAIMED)
            .values_list("attempts", "resends")
            .first()
        )
        if fresh is None:
            return "not_ours"
        reminder.attempts, reminder.resends = fresh
        email = build_email(reminder, smtp_connection, cache)
        if email is None:
            _mark(reminder, state=Reminder.State.SKIPPED)
            return "skipped"
        try:
            smtp_connection.send_messages([email])
        except (smtplib.SMTPException, OSError) as exc:
            attempts = reminder.attempts + 1
            error = f"{type(exc).__name__}: {exc}"[:500]
            if attempts >= settings.REMINDER_MAX_ATTEMPTS:
                logger.error("reminder %s failed after %s attempts: %s", reminder.pk, attempts, exc)
                _mark(reminder, state=Reminder.State.FAILED, attempts=attempts, last_error=error, claimed_until=None)
                outcome = "failed"
            else:
                _mark(
                    reminder,
                    state=Reminder.State.PENDING,
                    attempts=attempts,
                    last_error=error,
                    claimed_until=None,
                    next_attempt_at=timezone.now() + backoff(attempts),
                )
                outcome = "retry"
            _reset_connection(smtp_connection)
            return outcome
        _mark(
            reminder, state=Reminder.State.SENT, sent_at=timezone.now(), attempts=reminder.attempts + 1, last_error=""
        )
        after_sent(reminder)
        return "sent"


def _mark(reminder: Reminder, **changes) -> None:
    for name, value in changes.items():
        setattr(reminder, name, value)
    Reminder.objects.filter(pk=reminder.pk).update(**changes)


def _reset_connection(connection) -> None:
    # After an SMTP error the session may be unusable; the next message opens a fresh one.
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        connection.connection = None


@transaction.atomic
def resend(reminder: Reminder) -> Reminder:
    """A coordinator's deliberate resend: the row goes out again with its own Message-ID."""
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.state == Reminder.State.SENT:
        reminder.resends += 1
    reminder.state = Reminder.State.PENDING
    reminder.attempts = 0
    reminder.last_error = ""
    reminder.next_attempt_at = timezone.now()
    reminder.claimed_until = None
    reminder.save()
    return reminder
