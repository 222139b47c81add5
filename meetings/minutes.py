"""What the minutes of a meeting hold: who was there, what became of every agenda item, the
action items agreed and the record of the agenda. Report numbers and outcomes only, no note
content, so the same minutes can go to every partner; with each case, the prosecution changes the
frozen agenda showed (referral, charges, custody, disposition), for readers who may see them. Drawn by the minutes page
(meetings.views.minutes) and by the printed minutes (meetings.printing.documents)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from cases.access import sees_prosecution_status, shootings_visible_to

from .agenda.presentation import prosecution_changes
from .models import ActionItem, AgendaEvent, AgendaItem, Attendance, Meeting


def minutes_context(meeting: Meeting, user) -> dict:
    """Everything the `minutes_body` partial of meetings/minutes.html needs (also used for the
    printed minutes)."""
    attendance = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("agency")
        .prefetch_related(Prefetch("people", queryset=User.objects.order_by("last_name", "first_name")))
        .order_by("agency__name")
    )
    recorded = {row.agency_id for row in attendance}
    not_recorded = [agency for agency in meeting.invited_agencies.order_by("name") if agency.pk not in recorded]
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("shooting").order_by("position", "id"))
    action_items = list(
        ActionItem.objects.filter(meeting=meeting)
        .select_related("assignee", "agency", "shooting", "agenda_item")
        .order_by("due_on", "id")
    )
    shooting_ids = {row.shooting_id for row in [*items, *action_items] if row.shooting_id}
    visible_case_ids = (
        set(shootings_visible_to(user).filter(pk__in=shooting_ids).order_by().values_list("pk", flat=True))
        if shooting_ids
        else set()
    )
    prosecution = _prosecution_discussed(items, visible_case_ids, user)
    for item in items:
        item.prosecution_changes = prosecution.get(item.pk, [])
    return {
        "meeting": meeting,
        "attendance": attendance,
        "agencies_not_recorded": not_recorded,
        "items": [i for i in items if i.removed_at is None],
        "removed_items": [i for i in items if i.removed_at is not None],
        "action_items": action_items,
        "events": list(AgendaEvent.objects.filter(meeting=meeting).order_by("at", "id")),
        "visible_case_ids": visible_case_ids,
    }


def _prosecution_discussed(items: list[AgendaItem], visible_case_ids: set[int], user) -> dict[int, list]:
    """Each item's prosecution changes as its frozen snapshot kept them (what the meeting saw), by
    item id; nothing for a reader who may not see prosecution status or the case."""
    if not sees_prosecution_status(user):
        return {}
    tz = timezone.get_current_timezone()
    return {
        item.pk: prosecution_changes(item.snapshot.get("prosecution", []), tz)
        for item in items
        if item.snapshot and item.shooting_id in visible_case_ids and item.snapshot.get("prosecution")
    }
