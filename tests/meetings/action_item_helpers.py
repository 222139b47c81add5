"""Shared building blocks of the action-item tests: a review held on Wednesday 14 October 2026,
the Monday after it as the tests' present, and an action item given out at that review."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from meetings import services
from meetings.models import ActionItem, Meeting

CHICAGO = ZoneInfo("America/Chicago")
# The Monday after the review: items due that Friday are open, items due before it overdue.
MONDAY_AFTER = datetime(2026, 10, 19, 10, 0, tzinfo=CHICAGO)
FRIDAY_AFTER = date(2026, 10, 23)


def review_of_14_october(coordinator, *, minutes: int = 60, **extra) -> Meeting:
    starts_at = datetime(2026, 10, 14, 9, 0, tzinfo=CHICAGO)
    data = {"starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=minutes), "place": "Headquarters, room 4B"}
    return services.create_meeting(coordinator, data, **extra)


def action(assignee, coordinator, meeting, description, due_on: date = FRIDAY_AFTER, **extra) -> ActionItem:
    """An item given to `assignee` for their own agency; `extra` sets any other field (shooting, status)."""
    return ActionItem.objects.create(
        meeting=meeting,
        description=description,
        assignee=assignee,
        agency=assignee.agency,
        due_on=due_on,
        created_by=coordinator,
        **extra,
    )
