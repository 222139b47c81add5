"""The agenda's time plan: who presents each item, the planned start of each (the meeting's
start plus the time boxes of the items before it) and the meeting's expected end. An item without
a time box takes no time in the plan; the summary says how many there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from ..models import AgendaItem, Meeting

# A time box longer than a whole meeting is a typing mistake.
LONGEST_TIME_BOX = 240


def clock(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def person_label(user: User) -> str:
    """How a presenter is shown, and typed: "Jane Doe (RMPD)"."""
    return f"{user.get_full_name() or user.username} ({user.agency.code if user.agency_id else '—'})"


def presenters() -> QuerySet:
    """Who may present an item: anyone active at a partner agency."""
    return (
        User.objects.filter(is_active=True, is_integration=False, agency__isnull=False)
        .select_related("agency")
        .order_by("last_name", "first_name", "username")
    )


class UnknownPresenter(ValueError):
    pass


def find_presenter(text: str) -> User | None:
    """The person typed (or chosen from the list) as presenter: their label or username; nobody
    for an empty field."""
    text = " ".join(text.split())
    if not text:
        return None
    by_username = presenters().filter(username__iexact=text).first()
    if by_username is not None:
        return by_username
    matches = [user for user in presenters() if person_label(user).casefold() == text.casefold()]
    if len(matches) > 1:
        raise UnknownPresenter("More than one person has that name: type the presenter's username instead.")
    if not matches:
        raise UnknownPresenter("Nobody by that name: choose the presenter from the list.")
    return matches[0]


@dataclass(frozen=True)
class TimePlan:
    meeting_start: datetime
    scheduled_end: datetime
    expected_end: datetime
    timed: int
    untimed: int
    starts: dict[int, datetime] = field(default_factory=dict)

    @property
    def minutes_over(self) -> int:
        return max(0, int((self.expected_end - self.scheduled_end).total_seconds() // 60))

    @property
    def summary(self) -> str:
        """One line for the page and the packet; empty while no item has a time box."""
        if not self.timed:
            return ""
        text = f"Starts {clock(self.meeting_start)}; expected end {clock(self.expected_end)}"
        if self.minutes_over:
            text += f", {self.minutes_over} minutes after the scheduled end ({clock(self.scheduled_end)})"
        if self.untimed:
            text += f". {self.untimed} item{'s' if self.untimed != 1 else ''} without a time box counted as taking none"
        return text + "."


def plan_times(meeting: Meeting, items: list[AgendaItem]) -> TimePlan:
    """`items`: the agenda's items in their order (those still on it)."""
    at = meeting.starts_at
    starts = {}
    for item in items:
        starts[item.pk] = at
        at += timedelta(minutes=item.time_box or 0)
    timed = sum(1 for item in items if item.time_box)
    return TimePlan(meeting.starts_at, meeting.ends_at, at, timed, len(items) - timed, starts)
