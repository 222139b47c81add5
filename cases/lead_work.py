"""NIBIN leads as work (ATF CGIC practice): triage a lead, assign it on each case it joins, follow
it to an outcome. Every change is kept in LeadChange with who and when.

The work on a case opens when the lead first joins it (`open_work`, called by cases.linking);
meetings.reminders tells the investigators, and reminds them when the work stalls past the goals.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import User

from .models import LeadAssignment, LeadChange, NibinLead, Shooting

# CGIC goals, counted from the moment the lead joined the case: assigned within a day, being
# worked within two.
ASSIGN_GOAL = timedelta(hours=24)
WORK_GOAL = timedelta(hours=48)


class LeadConflict(Exception):
    """Someone else changed the lead, or its work on a case, after the caller read it (a form
    loaded before, the version the API sent). `current` is the lead as it is now, when the caller
    is to show it."""

    def __init__(self, message: str = "The lead was changed by someone else.", *, current: NibinLead | None = None):
        super().__init__(message)
        self.current = current


def open_work(lead_numbers: set[str], shooting_id: int) -> None:
    """Open the work on `shooting_id` for each lead that now joins it, once: the case's lead
    investigator is proposed as the assigned investigator."""
    if not lead_numbers:
        return
    lead_investigator = Shooting.objects.filter(pk=shooting_id).values_list("lead_investigator_id", flat=True).first()
    leads = NibinLead.objects.filter(number__in=lead_numbers).exclude(assignments__shooting_id=shooting_id)
    LeadAssignment.objects.bulk_create(
        [LeadAssignment(lead=lead, shooting_id=shooting_id, investigator_id=lead_investigator) for lead in leads],
        ignore_conflicts=True,
    )


def _person(user: User | None) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


def _record(lead_id: int, user: User, changes: dict, assignment: LeadAssignment | None = None) -> None:
    LeadChange.objects.create(
        lead_id=lead_id,
        assignment=assignment,
        changed_by=user,
        changed_by_name=_person(user)[:150],
        changes=changes,
    )


def record_change(lead_id: int, user: User, changes: dict) -> None:
    """A change to the lead itself (its status, examiner or times: by hand, or by a lead report
    import), in its history."""
    _record(lead_id, user, changes)


@transaction.atomic
def triage(lead: NibinLead, user: User, *, priority: str, reason: str, version: int) -> NibinLead:
    """Set the lead's priority and the reason for it."""
    current = NibinLead.objects.select_for_update().get(pk=lead.pk)
    if current.version != version:
        raise LeadConflict()
    changes = {}
    if priority != current.priority:
        changes["priority"] = [current.get_priority_display(), NibinLead.Priority(priority).label]
    if reason != current.priority_reason:
        changes["priority_reason"] = [current.priority_reason, reason]
    if changes:
        NibinLead.objects.filter(pk=lead.pk).update(priority=priority, priority_reason=reason, version=F("version") + 1)
        _record(lead.pk, user, changes)
    current.refresh_from_db()
    return current


@transaction.atomic
def change_work(
    assignment: LeadAssignment,
    user: User,
    *,
    investigator: User | None,
    state: str,
    outcome: str = "",
    outcome_note: str = "",
    version: int,
) -> LeadAssignment:
    """Assign, move the state on, or record the outcome of the lead's work on one case. A new
    investigator, or the first move past a state, stamps its time."""
    current = (
        LeadAssignment.objects.select_for_update(of=("self",)).select_related("investigator").get(pk=assignment.pk)
    )
    if current.version != version:
        raise LeadConflict("The lead's work on this case was changed by someone else.")
    if state != LeadAssignment.State.NEW and investigator is None:
        raise ValueError("Work on a lead needs an assigned investigator.")
    if state == LeadAssignment.State.DONE and not outcome:
        raise ValueError("Recording the outcome needs an outcome.")
    if state != LeadAssignment.State.DONE:
        outcome, outcome_note = "", ""
    now = timezone.now()
    changes: dict[str, list[str]] = {}
    if (investigator.pk if investigator else None) != current.investigator_id:
        changes["investigator"] = [_person(current.investigator), _person(investigator)]
        current.investigator = investigator
        if state != LeadAssignment.State.NEW:
            current.assigned_at = now
    if state != current.state:
        changes["state"] = [current.get_state_display(), LeadAssignment.State(state).label]
        current.state = state
    order = list(LeadAssignment.State.values)
    reached = order.index(state)
    if reached >= order.index(LeadAssignment.State.ASSIGNED) and current.assigned_at is None:
        current.assigned_at = now
    if reached >= order.index(LeadAssignment.State.INVESTIGATING) and current.started_at is None:
        current.started_at = now
    if outcome != current.outcome or outcome_note != current.outcome_note:
        changes["outcome"] = [
            current.get_outcome_display() if current.outcome else "—",
            LeadAssignment.Outcome(outcome).label if outcome else "—",
        ]
        if outcome_note != current.outcome_note:
            changes["outcome_note"] = [current.outcome_note, outcome_note]
        current.outcome, current.outcome_note = outcome, outcome_note
    if state != LeadAssignment.State.DONE:
        current.outcome_at = None
    elif "outcome" in changes or current.outcome_at is None:
        current.outcome_at = now
    if not changes:
        return current
    current.version += 1
    current.save()
    _record(current.lead_id, user, changes, current)
    Shooting.objects.filter(pk=current.shooting_id).update(last_activity_at=now)
    return current


def record_notified(lead_id: int, at: datetime) -> None:
    """The app told the investigators of a lead (the first mail of its work went out): the CGIC
    turnaround stops here unless someone recorded a notification already."""
    NibinLead.objects.filter(pk=lead_id, notified_at__isnull=True).update(notified_at=at)


# --- Reading the work: the queue and its medians -----------------------------------------------


def open_work_q() -> Q:
    """Work still to do: not done, on a lead the examiner did not exclude."""
    return ~Q(state=LeadAssignment.State.DONE) & ~Q(lead__status=NibinLead.Status.EXCLUDED)


def late_q(now: datetime) -> Q:
    """Of open work, what is past the goals: unassigned a day after joining, not worked after two."""
    return Q(state=LeadAssignment.State.NEW, joined_at__lt=now - ASSIGN_GOAL) | Q(
        state__in=[LeadAssignment.State.NEW, LeadAssignment.State.ASSIGNED], joined_at__lt=now - WORK_GOAL
    )


def is_past_goal(state: str, joined_at: datetime, now: datetime) -> bool:
    if state == LeadAssignment.State.NEW:
        return now - joined_at > ASSIGN_GOAL
    return state == LeadAssignment.State.ASSIGNED and now - joined_at > WORK_GOAL


def age_text(since: datetime, now: datetime) -> str:
    hours = max(0, int((now - since).total_seconds() // 3600))
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


@dataclass(frozen=True)
class Medians:
    year: int
    to_assignment_hours: float | None
    to_outcome_hours: float | None
    assigned: int
    concluded: int


def medians(work: QuerySet[LeadAssignment], now: datetime) -> list[Medians]:
    """Median hours from the lead joining a case to its assignment and to its outcome, for work
    that joined this year and last (one query)."""
    this_year = timezone.localtime(now).year
    start = datetime(this_year - 1, 1, 1, tzinfo=timezone.get_current_timezone())
    rows = work.filter(joined_at__gte=start).values_list("joined_at", "assigned_at", "outcome_at")
    spans: dict[int, tuple[list[float], list[float]]] = {this_year: ([], []), this_year - 1: ([], [])}
    for joined, assigned, concluded in rows:
        year = timezone.localtime(joined).year
        if year not in spans:
            continue
        if assigned:
            spans[year][0].append((assigned - joined).total_seconds() / 3600)
        if concluded:
            spans[year][1].append((concluded - joined).total_seconds() / 3600)
    return [
        Medians(
            year,
            statistics.median(to_assign) if to_assign else None,
            statistics.median(to_outcome) if to_outcome else None,
            len(to_assign),
            len(to_outcome),
        )
        for year, (to_assign, to_outcome) in spans.items()
    ]
