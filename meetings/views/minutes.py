"""The minutes of a meeting: who was there, what became of every agenda item, the action items
agreed and the record of the agenda (frozen, unfrozen, held, corrected afterwards). Report
numbers and outcomes only: no note content, so the same minutes can go to every partner at the
table. On the page (not in print) open action items can be marked done by whoever may close them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import audit

from ..access import access_meeting, can_complete_action_item, can_run_meetings
from ..forms import DoneForm
from ..minutes import minutes_context
from ..models import ActionItem, Meeting


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
