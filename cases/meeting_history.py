"""What the case page and the case export show of the meetings that reviewed a case. The meetings
app is built on this one: it fills these in when it loads (meetings.apps), so cases never imports
it. Every answer is already cut down to what the viewer may see of the meetings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import User

from .models import Shooting


@dataclass
class MeetingHistory:
    # The case page's "Reviews" section as HTML: the newest reviews, or every one with show_all.
    section: Callable[..., str] = lambda shooting, user, *, show_all=False: ""
    # The case export's columns about the meetings, after the case's own.
    export_columns: list[str] = field(default_factory=list)
    # For the case ids of one chunk of the export, each case's cells of those columns (a case
    # without any is left out; the export fills in empty cells).
    export_cells: Callable[[User, list[int]], dict[int, list[str]]] = lambda user, ids: {}
    # The person page's "Open action items about this person": for the cases of the roles the
    # reader may see, the open action items agreed on their agenda items, oldest due first, as
    # many as `limit` (each with description, owner, agency_code, due_on, overdue, url and
    # report_number).
    open_actions: Callable[..., list] = lambda user, ids, *, limit: []


meeting_history = MeetingHistory()


def reviews_section(shooting: Shooting, user: User, *, show_all: bool = False) -> str:
    return meeting_history.section(shooting, user, show_all=show_all)


def open_actions_of_cases(user: User, shooting_ids: list[int], *, limit: int) -> list:
    return meeting_history.open_actions(user, shooting_ids, limit=limit)
