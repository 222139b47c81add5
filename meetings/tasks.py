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
