"""The NIBIN queue: the open work on leads a person may see, what is unassigned or past the CGIC
goals, who holds how much, and how fast leads are assigned and concluded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from accounts.models import User

from . import access
from .lead_work import Medians, age_text, is_past_goal, late_q, medians, open_work_q
from .models import LeadAssignment, LeadChange, NibinLead

QUEUE_ROWS = 50
OWNER_FIELDS = ("investigator_id", "investigator__first_name", "investigator__last_name", "investigator__username")
FILTERS = {"unassigned": "Unassigned", "late": "Past the goal"}


@dataclass(frozen=True)
class WorkRow:
    work: LeadAssignment
    age: str
    late: bool


@dataclass(frozen=True)
class Owner:
    name: str
    open: int
    late: int


@dataclass
class Queue:
    open: int
    unassigned: int
    late: int
    rows: list[WorkRow]
    owners: list[Owner]
    medians: list[Medians]
    shown: str


def person(user: User | None) -> str:
    if user is None:
        return "Nobody yet"
    return user.get_full_name() or user.username


def work_row(work: LeadAssignment, now: datetime) -> WorkRow:
    return WorkRow(work, age_text(work.joined_at, now), is_past_goal(work.state, work.joined_at, now))


def lead_queue(user: User, now: datetime, shown: str = "") -> Queue:
    """Queries: the counts; the rows (past the goal first, then high priority, then oldest); the
    counts per investigator; the times to assignment and outcome over this year and last."""
    work = access.lead_work_visible_to(user)
    open_work = work.filter(open_work_q())
    counts = open_work.aggregate(
        open=Count("pk"),
        unassigned=Count("pk", filter=Q(state=LeadAssignment.State.NEW)),
        late=Count("pk", filter=late_q(now)),
    )
    listed = open_work
    if shown == "unassigned":
        listed = listed.filter(state=LeadAssignment.State.NEW)
    elif shown == "late":
        listed = listed.filter(late_q(now))
    rows = (
        listed.select_related("lead", "shooting", "investigator")
        .annotate(
            late_rank=Case(When(late_q(now), then=Value(0)), default=Value(1), output_field=IntegerField()),
            priority_rank=Case(
                When(lead__priority=NibinLead.Priority.HIGH, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("late_rank", "priority_rank", "joined_at", "pk")[:QUEUE_ROWS]
    )
    owners = (
        open_work.values(*OWNER_FIELDS)
        .annotate(open=Count("pk"), late=Count("pk", filter=late_q(now)))
        .order_by("-late", "-open", "investigator__last_name", "investigator__username")
    )
    return Queue(
        open=counts["open"],
        unassigned=counts["unassigned"],
        late=counts["late"],
        rows=[work_row(w, now) for w in rows],
        owners=[
            Owner(
                " ".join(filter(None, [o["investigator__first_name"], o["investigator__last_name"]]))
                or o["investigator__username"]
                or "Nobody yet",
                o["open"],
                o["late"],
            )
            for o in owners
        ],
        medians=medians(work, now),
        shown=shown if shown in FILTERS else "",
    )


def lead_work_rows(lead: NibinLead, user: User, now: datetime) -> list[WorkRow]:
    """The work on each case of one lead that `user` may see (one query)."""
    work = access.lead_work_visible_to(user).filter(lead=lead).select_related("shooting", "investigator")
    return [work_row(w, now) for w in work.order_by("shooting__report_number")]


def lead_history(lead: NibinLead, work_ids: list[int]) -> QuerySet[LeadChange]:
    """The lead's own changes and those of the work the viewer may see, newest first."""
    changes = LeadChange.objects.filter(Q(assignment__isnull=True) | Q(assignment_id__in=work_ids), lead=lead)
    return changes.select_related("assignment__shooting")
