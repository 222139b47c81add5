"""Which reminders have come due: each planner turns what has happened (a meeting soon, an item
due, a lead that joined a case…) into Reminder rows, once each. What a row says when it is sent,
and whether it still applies, is meetings.reminders.messages.

Mail leaves the secure system: a reminder names report numbers, times and links only — never a
victim, suspect or witness.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from cases import lead_work
from cases.models import LeadAssignment, NibinLead, Note, Shooting
from cases.people import risk

from ..models import ActionItem, AgendaEvent, AgendaItem, Meeting, Reminder, ReminderPreference
from . import search_alerts

ALWAYS_SENT = {Reminder.Kind.MEETING_CHANGED}
# Set on each saved search (none, at once, daily), not among the reminder preferences.
PER_SEARCH = {Reminder.Kind.SEARCH_ALERT, Reminder.Kind.SEARCH_DIGEST}


@dataclass(frozen=True)
class Planned:
    kind: str
    recipient_id: int
    object_type: str
    object_id: str
    occurrence: str
    due_at: datetime


def _local_at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=hour)), timezone.get_current_timezone())


def occurrence_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")


def _meeting_people(meeting: Meeting) -> set[int]:
    people = {u.pk for u in meeting.attendees.all()}
    if meeting.chair_id:
        people.add(meeting.chair_id)
    return people


def _coordinators() -> list[int]:
    return list(
        User.objects.filter(is_active=True, is_integration=False, role=User.Role.COORDINATOR).values_list(
            "pk", flat=True
        )
    )


# --- What has come due ------------------------------------------------------------------------


def plan_meeting_reminders(now: datetime) -> list[Planned]:
    """(a, e) Every attendee, at each lead time before the meeting; the person's own open action
    items due by the meeting go in the same message. A moved meeting has a new start, hence new
    occurrences: its reminders move with it."""
    leads = settings.REMINDER_MEETING_LEAD_HOURS
    horizon = now + timedelta(hours=max(leads))
    meetings = Meeting.objects.filter(
        status__in=[Meeting.Status.SCHEDULED, Meeting.Status.FROZEN], starts_at__gt=now, starts_at__lte=horizon
    ).prefetch_related("attendees")
    planned = []
    for meeting in meetings:
        for hours in leads:
            due = meeting.starts_at - timedelta(hours=hours)
            if due <= now:
                occurrence = f"{hours}h@{occurrence_stamp(meeting.starts_at)}"
                planned += [
                    Planned(Reminder.Kind.MEETING, uid, "meeting", str(meeting.pk), occurrence, due)
                    for uid in _meeting_people(meeting)
                ]
    return planned


def plan_meeting_changes(now: datetime) -> list[Planned]:
    """Moved or cancelled meetings: always sent, to everyone invited, while the meeting (at its
    old or new time) is still ahead — also after the system was down for days."""
    events = (
        AgendaEvent.objects.filter(
            Q(meeting__starts_at__gte=now) | Q(meeting__moved_from__gte=now),
            kind__in=[AgendaEvent.Kind.MOVED, AgendaEvent.Kind.CANCELLED],
            at__gte=now - timedelta(days=14),
            at__lte=now,
        )
        .select_related("meeting")
        .prefetch_related("meeting__attendees")
    )
    return [
        Planned(Reminder.Kind.MEETING_CHANGED, uid, "meeting", str(e.meeting_id), f"event-{e.pk}", e.at)
        for e in events
        for uid in _meeting_people(e.meeting)
    ]


def stale_cases_by_lead(meeting: Meeting) -> dict[int, list[Shooting]]:
    """(b) The lead investigators' cases on this agenda with no note since their last review."""
    items = AgendaItem.objects.filter(
        meeting=meeting, removed_at__isnull=True, shooting__isnull=False, shooting__lead_investigator__isnull=False
    )
    shootings = {s.pk: s for s in Shooting.objects.filter(pk__in=items.values("shooting_id"))}
    last_review = dict(
        AgendaItem.objects.filter(
            shooting_id__in=shootings, meeting__status=Meeting.Status.HELD, meeting__starts_at__lt=meeting.starts_at
        )
        .values("shooting_id")
        .annotate(at=Max("meeting__starts_at"))
        .values_list("shooting_id", "at")
    )
    last_note = dict(
        Note.objects.filter(shooting_id__in=shootings)
        .values("shooting_id")
        .annotate(at=Max("created_at"))
        .values_list("shooting_id", "at")
    )
    stale: dict[int, list[Shooting]] = defaultdict(list)
    for pk, shooting in sorted(shootings.items(), key=lambda kv: kv[1].report_number):
        since = last_review.get(pk) or shooting.created_at
        noted = last_note.get(pk)
        if noted is None or noted <= since:
            stale[shooting.lead_investigator_id].append(shooting)
    return stale


def plan_case_updates(now: datetime) -> list[Planned]:
    lead = timedelta(hours=settings.REMINDER_CASE_UPDATE_HOURS)
    meetings = Meeting.objects.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + lead)
    planned = []
    for meeting in meetings:
        due = meeting.starts_at - lead
        for uid in stale_cases_by_lead(meeting):
            planned.append(
                Planned(
                    Reminder.Kind.CASE_UPDATE, uid, "meeting", str(meeting.pk), occurrence_stamp(meeting.starts_at), due
                )
            )
    return planned


def plan_action_items(now: datetime) -> list[Planned]:
    """(c) Each open item the day before it is due, and a daily digest of overdue items, both at
    the configured local hour."""
    today = timezone.localdate(now)
    hour = settings.REMINDER_DIGEST_HOUR
    planned = []
    for item in ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_on__in=[today, today + timedelta(1)]):
        due = _local_at(item.due_on - timedelta(days=1), hour)
        if due <= now:
            planned.append(
                Planned(
                    Reminder.Kind.ACTION_DUE,
                    item.assignee_id,
                    "action_item",
                    str(item.pk),
                    item.due_on.isoformat(),
                    due,
                )
            )
    digest_due = _local_at(today, hour)
    if digest_due <= now:
        overdue_people = (
            ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_on__lt=today)
            .values_list("assignee_id", flat=True)
            .distinct()
        )
        planned += [
            Planned(Reminder.Kind.OVERDUE_DIGEST, uid, "user", str(uid), today.isoformat(), digest_due)
            for uid in overdue_people
        ]
    return planned


def plan_agenda_ready(now: datetime) -> list[Planned]:
    """(d) Coordinators and attendees, once a freeze is committed (the sweep reads committed rows
    only, so a freeze that rolls back never reaches here)."""
    meetings = Meeting.objects.filter(
        status=Meeting.Status.FROZEN, frozen_at__isnull=False, frozen_at__lte=now, starts_at__gt=now
    ).prefetch_related("attendees")
    coordinators = _coordinators()
    return [
        Planned(Reminder.Kind.AGENDA_READY, uid, "meeting", str(m.pk), occurrence_stamp(m.frozen_at), m.frozen_at)
        for m in meetings
        for uid in _meeting_people(m) | set(coordinators)
    ]


def retaliation_cases_awaiting_contact():
    """Open retaliation-risk cases with a lead investigator that still owe a follow-up: a person
    at risk (a victim or associate) not yet reached (cases.people.risk); where nobody at risk is
    recorded, until a general note says a follow-up contact was made."""
    followed_up = Note.objects.filter(
        kind=Note.Kind.GENERAL, retracted_at__isnull=True, fields__follow_up_contact=True
    ).values("shooting_id")
    people_waiting = Exists(risk.awaiting_contact().filter(shooting_id=OuterRef("pk")))
    nobody_at_risk = ~Exists(risk.at_risk_roles().filter(shooting_id=OuterRef("pk")))
    return Shooting.objects.filter(
        status=Shooting.Status.OPEN, is_retaliation_risk=True, lead_investigator__isnull=False
    ).filter(people_waiting | (nobody_at_risk & ~Q(pk__in=followed_up)))


def plan_retaliation(now: datetime) -> list[Planned]:
    """(f) Daily to the lead of each open retaliation-risk case until every person at risk in it
    has been reached (or, with nobody at risk recorded, a follow-up contact is noted)."""
    today = timezone.localdate(now)
    due = _local_at(today, settings.REMINDER_DIGEST_HOUR)
    if due > now:
        return []
    return [
        Planned(Reminder.Kind.RETALIATION, s.lead_investigator_id, "shooting", str(s.pk), today.isoformat(), due)
        for s in retaliation_cases_awaiting_contact()
    ]


def plan_nibin(now: datetime) -> list[Planned]:
    """(g) A lead not notified to the investigators a day after it arrived reminds the coordinators."""
    hours = settings.REMINDER_NIBIN_HOURS
    leads = NibinLead.objects.filter(
        notified_at__isnull=True, lead_received_at__lte=now - timedelta(hours=hours)
    ).exclude(status=NibinLead.Status.EXCLUDED)
    coordinators = _coordinators()
    return [
        Planned(
            Reminder.Kind.NIBIN_TURNAROUND,
            uid,
            "nibin_lead",
            str(lead.pk),
            f"{hours}h",
            lead.lead_received_at + timedelta(hours=hours),
        )
        for lead in leads
        for uid in coordinators
    ]


# --- Action items reaching people: a new item to its assignee, the minutes to the invitees ------

# How far back a sweep still sends these: the view asks for a sweep at once, and one missed
# (the queue down) is sent by a later sweep, but not days later.
ACTION_ASSIGNED_WITHIN = timedelta(days=3)
MINUTES_WITHIN = timedelta(days=14)


def plan_new_action_items(now: datetime) -> list[Planned]:
    """A new action item, to its assignee, once."""
    items = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN, created_at__gt=now - ACTION_ASSIGNED_WITHIN, created_at__lte=now
    ).values_list("pk", "assignee_id", "created_at")
    return [
        Planned(Reminder.Kind.ACTION_ASSIGNED, assignee_id, "action_item", str(pk), "new", created_at)
        for pk, assignee_id, created_at in items
    ]


def plan_minutes(now: datetime) -> list[Planned]:
    """A meeting marked held: its minutes to everyone invited (as for the meeting's reminders:
    by name, and the chair), once."""
    meetings = Meeting.objects.filter(
        status=Meeting.Status.HELD, held_at__gt=now - MINUTES_WITHIN, held_at__lte=now
    ).prefetch_related("attendees")
    return [
        Planned(Reminder.Kind.MINUTES, uid, "meeting", str(m.pk), occurrence_stamp(m.held_at), m.held_at)
        for m in meetings
        for uid in _meeting_people(m)
    ]


# --- NIBIN lead work (cases.lead_work) ----------------------------------------------------------

# Work that joined or was assigned longer ago than this is past the telling and the reminding:
# a sweep after an outage still catches up, and the planner's query stays small.
NIBIN_WORK_DAYS = 14
# Each reminder of stalled work: its occurrence, the states in which it still applies, and when
# it comes due after the lead joined the case.
NIBIN_STALLED = {
    "24h": ({LeadAssignment.State.NEW}, lead_work.ASSIGN_GOAL),
    "48h": ({LeadAssignment.State.NEW, LeadAssignment.State.ASSIGNED}, lead_work.WORK_GOAL),
}


def plan_nibin_work(now: datetime) -> list[Planned]:
    """When a lead joins a case, or the work on it is assigned to someone new, the assigned
    investigator and the case's lead investigator are told at once; both are reminded when the
    work is still unassigned a day after the lead joined, or not worked after two."""
    recent = now - timedelta(days=NIBIN_WORK_DAYS)
    rows = (
        LeadAssignment.objects.filter(lead_work.open_work_q())
        .filter(Q(joined_at__gte=recent) | Q(assigned_at__gte=recent))
        .values_list("pk", "investigator_id", "shooting__lead_investigator_id", "state", "joined_at", "assigned_at")
    )
    planned = []
    for pk, investigator, lead_investigator, state, joined_at, assigned_at in rows:
        people = {investigator, lead_investigator} - {None}
        told_at = max(joined_at, assigned_at or joined_at)
        planned += [
            Planned(Reminder.Kind.NIBIN_JOINED, uid, "lead_assignment", str(pk), "joined", told_at) for uid in people
        ]
        for occurrence, (states, after) in NIBIN_STALLED.items():
            if state in states and joined_at + after <= now:
                planned += [
                    Planned(Reminder.Kind.NIBIN_STALLED, uid, "lead_assignment", str(pk), occurrence, joined_at + after)
                    for uid in people
                ]
    return planned


PLANNERS = [
    plan_meeting_reminders,
    plan_meeting_changes,
    plan_case_updates,
    plan_action_items,
    plan_agenda_ready,
    plan_retaliation,
    plan_nibin,
    plan_new_action_items,
    plan_minutes,
    plan_nibin_work,
]


def plan_due(now: datetime | None = None) -> int:
    """Create a row for every reminder that has come due and has none yet. Idempotent: the
    unique constraint makes a second sweep (or two at once) add nothing. Returns rows added."""
    now = now or timezone.now()
    # Saved searches make their rows themselves: each row carries the cases it tells of.
    alerts = search_alerts.plan(now)
    planned = [p for planner in PLANNERS for p in planner(now)]
    if not planned:
        return alerts
    active = set(
        User.objects.filter(pk__in={p.recipient_id for p in planned}, is_active=True).values_list("pk", flat=True)
    )
    opted_out = {
        pref.user_id: set(pref.disabled_kinds) for pref in ReminderPreference.objects.filter(user_id__in=active)
    }
    rows = [
        Reminder(
            kind=p.kind,
            recipient_id=p.recipient_id,
            object_type=p.object_type,
            object_id=p.object_id,
            occurrence=p.occurrence,
            due_at=p.due_at,
            next_attempt_at=now,
        )
        for p in set(planned)
        if p.recipient_id in active and (p.kind in ALWAYS_SENT or p.kind not in opted_out.get(p.recipient_id, set()))
    ]
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return alerts + Reminder.objects.count() - before
