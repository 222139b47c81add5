from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import scheduling
from .access import can_print, printable_audiences
from .models import Meeting, MeetingSeries
from .printing.documents import prepare_agenda_packet
from .reminders import delivery, planning

# The same logger as the drawing itself (meetings.printing.packets), where operators look for it.
logger = logging.getLogger("shootreview.printing")


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
    created = planning.plan_due()
    ids = delivery.claim()
    batches = _enqueue_in_batches(ids)
    return {"created": created, "claimed": len(ids), "batches": batches}


@shared_task(ignore_result=True)
def send_reminders(reminder_ids: list[int]) -> dict[str, int]:
    """Send a batch of claimed reminders. Idempotent: a row already sent is not sent again.

    A sweep claims at most REMINDER_CLAIM_LIMIT rows, so that nothing waits in the queue longer
    than its lease. When more have come due, each finished batch claims the next one itself:
    a large wave of reminders drains at the workers' pace instead of one claim per minute."""
    counts = delivery.send_claimed(reminder_ids)
    _enqueue_in_batches(delivery.claim(limit=settings.REMINDER_BATCH_SIZE))
    return counts


def _enqueue_in_batches(ids: list[int]) -> int:
    size = settings.REMINDER_BATCH_SIZE
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    for batch in batches:
        transaction.on_commit(lambda batch=batch: send_reminders.delay(batch))
    return len(batches)


@shared_task(ignore_result=True)
def prepare_packets(meeting_id: int, user_id: int, audience: str) -> bool:
    """Draw an agenda's packet for `audience` ahead of the first print (see meetings/printing/packets.py).
    Whether it was drawn: not for a meeting or person gone, or an audience they may not print."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).select_related("agency").first()
    if meeting is None or user is None or not can_print(user, audience):
        return False
    prepare_agenda_packet(meeting, user, audience)
    return True


def prepare_soon(meeting: Meeting, user) -> None:
    """Queue the drawing of each packet `user` may print, once the current transaction has
    committed: one task per audience, so that workers draw them side by side. A broker that does
    not answer costs nothing but speed: the first print then draws what is missing itself."""
    if not settings.PREPARE_PACKETS:
        return

    def enqueue():
        try:
            for audience in printable_audiences(user):
                prepare_packets.delay(meeting.pk, user.pk, audience)
        except Exception:  # noqa: BLE001 - any broker failure; the print draws it instead
            logger.warning("could not queue the drawing of packets for meeting %s", meeting.pk, exc_info=True)

    transaction.on_commit(enqueue)


def remind_soon() -> None:
    """Sweep the reminders once the current transaction has committed: a new action item or a
    meeting just held is mailed now rather than at beat's next sweep. A broker that does not
    answer only delays the mail to that sweep."""
    if not settings.REMINDERS_AT_ONCE:
        return

    def enqueue():
        try:
            sweep_reminders.delay()
        except Exception:  # noqa: BLE001 - any broker failure; beat's sweep sends it instead
            logger.warning("could not queue a reminder sweep", exc_info=True)

    transaction.on_commit(enqueue)
