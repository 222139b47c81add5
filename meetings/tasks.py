from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import scheduling
from .models import MeetingSeries


@shared_task
def ensure_upcoming_meetings() -> list[int]:
    """Keep every active series `weeks_ahead` meetings ahead. Returns the ids of the meetings it
    created (none on a second run)."""
    now = timezone.now()
    created: list[int] = []
    for series in MeetingSeries.objects.filter(is_active=True).order_by("pk"):
        created += [meeting.pk for meeting in scheduling.ensure_upcoming_meetings(series, now)]
    return created


@shared_task(ignore_result=True)
def sweep_reminders() -> dict[str, int]:
    """Create the reminders that have come due, claim what is ready to send, and hand the claimed
    rows to workers in batches — enqueued only after the claim has committed."""
    from django.conf import settings
    from django.db import transaction

    from . import reminder_delivery, reminders

    created = reminders.plan_due()
    ids = reminder_delivery.claim()
    size = settings.REMINDER_BATCH_SIZE
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    for batch in batches:
        transaction.on_commit(lambda batch=batch: send_reminders.delay(batch))
    return {"created": created, "claimed": len(ids), "batches": len(batches)}


@shared_task(ignore_result=True)
def send_reminders(reminder_ids: list[int]) -> dict[str, int]:
    """Send a batch of claimed reminders. Idempotent: a row already sent is not sent again."""
    from . import reminder_delivery

    return reminder_delivery.send_claimed(reminder_ids)
