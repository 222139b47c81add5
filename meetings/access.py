"""Who may see and run meetings. What an agenda shows of each case is still decided by
cases.access (need-to-know), item by item."""

from __future__ import annotations

from accounts.audit import refuse
from accounts.models import User
from cases.access import can_see_cases

from .models import ActionItem, Meeting, MeetingSeries


def can_view_meetings(user) -> bool:
    return can_see_cases(user)


def can_run_meetings(user) -> bool:
    """Coordinators build and freeze agendas, run the meeting and manage the weekly series."""
    return can_see_cases(user) and (user.role == User.Role.COORDINATOR or user.is_superuser)


def access_meeting(user, pk, request=None, *, for_editing: bool = False):
    allowed = can_run_meetings(user) if for_editing else can_view_meetings(user)
    meeting = Meeting.objects.filter(pk=pk).first() if allowed and str(pk).isdigit() else None
    if meeting is None:
        refuse(user, "meeting", pk, request)
    return meeting


def access_series(user, pk, request=None):
    """A weekly series, for the coordinators who manage it."""
    series = MeetingSeries.objects.filter(pk=pk).first() if can_run_meetings(user) and str(pk).isdigit() else None
    if series is None:
        refuse(user, "meeting series", pk, request)
    return series


def can_complete_action_item(user, item) -> bool:
    """The assignee closes their own items; coordinators close anyone's (for instance when it
    was reported done at the meeting)."""
    return can_view_meetings(user) and (item.assignee_id == user.pk or can_run_meetings(user))


def access_action_item(user, pk, request=None):
    item = (
        ActionItem.objects.select_related("shooting", "meeting", "agency").filter(pk=pk).first()
        if can_view_meetings(user) and str(pk).isdigit()
        else None
    )
    if item is None or not can_complete_action_item(user, item):
        refuse(user, "action item", pk, request)
    return item
