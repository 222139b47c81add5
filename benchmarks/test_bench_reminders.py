"""10,000 due reminders through a real worker to a loopback SMTP server: how long, none doubled,
none lost. A report (printed), not a timing assertion; the correctness checks do assert."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Agency, User
from meetings.models import Meeting, Reminder
from meetings.reminders import delivery, planning
from meetings.tasks import sweep_reminders
from tests.loopback_smtp import smtp, smtp_server  # noqa: F401 - fixtures
from tests.processes import WorkerPool, database_url_for_worker, redis_url, wait_until  # noqa: F401 - fixture
from tests.reminders.scenario import FAST_REMINDERS

REMINDERS = int(os.environ.get("BENCH_REMINDERS", "10000"))
TARGET_SECONDS = 60

pytestmark = pytest.mark.django_db(transaction=True)


def _people(n: int) -> list[User]:
    agency, _ = Agency.objects.get_or_create(code="RBPD", defaults={"name": "Riverbend PD", "kind": "police"})
    password = make_password(None)
    User.objects.bulk_create(
        User(
            username=f"bench{i:05d}",
            email=f"bench{i:05d}@example.invalid",
            agency=agency,
            role="investigator",
            password=password,
        )
        for i in range(n)
    )
    return list(User.objects.filter(username__startswith="bench"))


def test_ten_thousand_reminders_through_a_real_worker(django_db_blocker, redis_url, smtp, tmp_path, settings):  # noqa: F811
    settings.REMINDER_LEASE_SECONDS = 300
    attendees = _people(REMINDERS // 2)
    starts = timezone.now() + timedelta(hours=1)
    meeting = Meeting.objects.create(
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place="Room 214",
        cutoff_at=starts - timedelta(hours=1),
        local_date=timezone.localdate(starts),
    )
    meeting.attendees.set(attendees)
    planning.plan_due()
    # The page benchmarks' demo data (kept for the session) may have reminders of its own due.
    own = Reminder.objects.filter(recipient__in=User.objects.filter(username__startswith="bench"))
    assert own.count() == REMINDERS
    expected = {delivery.message_id(r) for r in own}

    pool = WorkerPool(redis_url, database_url_for_worker(), tmp_path, EMAIL_URL=smtp.email_url(), **FAST_REMINDERS)
    try:
        pool.start(concurrency=2, REMINDER_LEASE_SECONDS="300")
        started = time.monotonic()
        sweep_reminders()
        done = wait_until(lambda: expected <= set(smtp.message_ids()), timeout=300, interval=0.5, on_tick=lambda: None)
        elapsed = time.monotonic() - started
    finally:
        pool.stop_all()
    received = smtp.message_ids()
    doubled = len(received) - len(set(received))
    lost = len(expected - set(received))
    delivered = len(expected & set(received))
    rate = delivered / elapsed if elapsed else 0
    print(
        f"\n[bench] reminders: {REMINDERS} due, {delivered} delivered, {doubled} doubled, {lost} lost, "
        f"{elapsed:.1f} s ({rate:.0f}/s) through a real worker (2 processes) to loopback SMTP; "
        f"target under {TARGET_SECONDS} s: {'met' if elapsed < TARGET_SECONDS else 'NOT met'}"
    )
    assert done, pool.log()[-3000:]
    assert doubled == 0
    assert lost == 0
