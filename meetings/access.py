"""Who may see and run meetings, and print their packets. What an agenda shows of each case is
still decided by cases.access (need-to-know), item by item.

A view gets each meeting-side object or page it acts on through an `access_*` lookup here, which
answers what the viewer may not have with `accounts.audit.refuse` (404, and the attempt on record).
"""

from __future__ import annotations

from accounts.audit import refuse
from accounts.models import User
from cases.access import access_shooting, can_see_cases, sees_investigative_detail
from cases.models import Shooting

from .models import ActionItem, AgendaItem, Meeting, MeetingSeries, PrintedCopy, Reminder

Audience = PrintedCopy.Audience

# Widest first: the default packet of a person is the first they may print.
AUDIENCE_ORDER = [Audience.LAW_ENFORCEMENT, Audience.PROSECUTORS, Audience.COMMUNITY]


def can_view_meetings(user) -> bool:
    """Meetings, their agendas, the outcomes recorded and the minutes: one rule for all of them, so
    that what a case page's Reviews section shows of a meeting is what its minutes show."""
    return can_see_cases(user)


def can_run_meetings(user) -> bool:
    """Coordinators build and freeze agendas, run the meeting and manage the weekly series."""
    return can_see_cases(user) and (user.role == User.Role.COORDINATOR or user.is_superuser)


def printable_audiences(user) -> list[str]:
    """The packets `user` may print. Investigative detail (suspects, witness identities, trace
    purchasers) is in the law-enforcement and prosecutor packets, so only people who may see it
    print them; everyone who may see meetings may print the community packet."""
    if not can_view_meetings(user):
        return []
    if sees_investigative_detail(user):
        return list(AUDIENCE_ORDER)
    return [Audience.COMMUNITY]


def can_print(user, audience: str) -> bool:
    return audience in printable_audiences(user)


def access_meetings(user, request=None, *, page: str) -> None:
    """A page about meetings in general (the list, the calendar, one's action items)."""
    if not can_view_meetings(user):
        refuse(user, page, "-", request)


def access_new_meeting(user, request=None, *, what: str = "meeting") -> None:
    """Starting a meeting or a weekly series is for coordinators."""
    if not can_run_meetings(user):
        refuse(user, what, "new", request)


def access_meeting(user, pk, request=None, *, for_editing: bool = False):
    allowed = can_run_meetings(user) if for_editing else can_view_meetings(user)
    meeting = Meeting.objects.filter(pk=pk).first() if allowed and str(pk).isdigit() else None
    if meeting is None:
        refuse(user, "meeting", pk, request)
    return meeting


def access_case_reviews(user, shooting_pk, request=None) -> Shooting:
    """The meetings' record of one case (its Reviews): the case must be one the viewer may see,
    and its meetings too."""
    shooting = access_shooting(user, shooting_pk, request)
    if not can_view_meetings(user):
        refuse(user, "case reviews", shooting_pk, request)
    return shooting


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


def access_everyones_action_items(user, request=None) -> None:
    """Everyone's action items (the API's `scope=all`; the coordinators' part of My items)."""
    if not can_run_meetings(user):
        refuse(user, "action items of everyone", "-", request)


def access_action_item(user, pk, request=None):
    item = (
        ActionItem.objects.select_related("shooting", "meeting", "agency").filter(pk=pk).first()
        if can_view_meetings(user) and str(pk).isdigit()
        else None
    )
    if item is None or not can_complete_action_item(user, item):
        refuse(user, "action item", pk, request)
    return item


def access_action_target(user, meeting: Meeting, item_pk, request=None) -> AgendaItem | None:
    """Where a new action item goes: an item still on the agenda of `meeting` (None: the whole
    meeting), whose access the caller has already checked. Action items are recorded against a
    frozen agenda only."""
    whole_meeting = item_pk is None
    item = None
    if not whole_meeting and str(item_pk).isdigit():
        item = meeting.items.filter(pk=item_pk, removed_at__isnull=True).select_related("shooting").first()
    if (item is None and not whole_meeting) or meeting.status != Meeting.Status.FROZEN:
        refuse(user, "meeting" if whole_meeting else "agenda item", item_pk or meeting.pk, request)
    return item


def access_print_audience(user, meeting: Meeting, document: str, audience: str, request=None) -> str:
    """The packet asked for, or the widest the person may print; asking for a packet one may not
    print answers as if it did not exist."""
    allowed = printable_audiences(user)
    audience = audience or (allowed[0] if allowed else "")
    if audience not in allowed:
        refuse(user, f"{document} packet", f"{meeting.pk}:{audience[:30]}", request)
    return audience


def access_minutes(user, pk, request=None) -> Meeting:
    """Minutes exist once the meeting is marked held."""
    meeting = access_meeting(user, pk, request)
    if meeting.status != Meeting.Status.HELD:
        refuse(user, "minutes", pk, request)
    return meeting


def access_reminder_list(user, request=None) -> None:
    if not can_run_meetings(user):
        refuse(user, "reminders", "-", request)


def access_reminder(user, pk, request=None) -> Reminder:
    reminder = Reminder.objects.filter(pk=pk).first() if can_run_meetings(user) and str(pk).isdigit() else None
    if reminder is None:
        refuse(user, "reminder", pk, request)
    return reminder
