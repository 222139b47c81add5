"""The minutes of a meeting: who was there, what became of every agenda item, the action items
agreed and the record of the agenda (frozen, unfrozen, held, corrected afterwards). Report
numbers and outcomes only: no note content, so the same minutes can go to every partner at the
table. On the page (not in print) open action items can be marked done by whoever may close them."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import audit
from accounts.models import User
from cases.access import shootings_visible_to

from ..access import access_meeting, can_complete_action_item, can_run_meetings
from ..forms import DoneForm
from ..models import ActionItem, AgendaEvent, AgendaItem, Attendance, Meeting


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


def render_minutes(
    request: HttpRequest, meeting: Meeting, *, bound: DoneForm | None = None, bound_pk: int | None = None
) -> HttpResponse:
    """The minutes page; `bound` is a "done" form that came back with an error for item `bound_pk`.
    Only here, never in print, do open items carry the form of whoever may close them."""
    user = request.user
    context = {
        "nav": "meetings",
        **minutes_context(meeting, user),
        "can_correct": can_run_meetings(user) and meeting.status == Meeting.Status.HELD,
    }
    # The minutes show what became of each case: each goes on the audit row.
    audit.showed_cases(request, context["visible_case_ids"])
    for action in context["action_items"]:
        action.can_close = action.status == ActionItem.Status.OPEN and can_complete_action_item(user, action)
        action.close_form = bound if action.pk == bound_pk else None
    return render(request, "meetings/minutes.html", context)


def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request)
    return render_minutes(request, meeting)
