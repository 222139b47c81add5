"""The demo meetings: a weekly series (Wednesdays 09:00 local), its last eight meetings held
(agendas built by the rules, frozen, outcomes, attendance, action items — some still open — and
minutes), and the next meeting scheduled with its agenda built.

Written through the agenda and scheduling services as a coordinator would, then dated back so
the record reads like eight weeks of meetings. Deterministic (one seeded random generator per
meeting date) and idempotent: a held meeting is left alone, so a second run changes nothing.
Every name below is invented; the texts name nobody.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, User
from cases.models import Shooting
from meetings import scheduling, services
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, AgendaEvent, AgendaItem, Meeting, MeetingSeries

SERIES_NAME = "Weekly shoot review"
PLACE = "Riverbend Police Headquarters, 4th floor conference room"
PAST_MEETINGS = 8
SEED = 20260415

OUTCOME_TEXTS = {
    AgendaItem.Outcome.DECISION: [
        "Present to the charging unit at the next review.",
        "Refer to the federal prosecutor for a felon-in-possession review.",
        "Keep the retaliation watch on the block for two more weeks.",
        "Treat as one series with the linked incidents from now on.",
    ],
    AgendaItem.Outcome.INFORMATION: [
        "Update given; nothing new to act on this week.",
        "Lab results still pending; expected within ten days.",
        "Victim is engaged with services; no safety concerns raised.",
        "Scene video reviewed; no usable images.",
    ],
    AgendaItem.Outcome.FOLLOW_UP: [
        "Canvass again for doorbell and business cameras.",
        "Trace result to be followed up with the dealer.",
        "Check the linked cases for a common associate.",
        "Advocate to confirm the safety plan before next week.",
    ],
}
# (who, what): who is a demo username, or "lead" for the case's lead investigator.
ACTIONS = [
    ("lead", "Re-canvass the block for doorbell and business cameras"),
    ("atf", "Chase the eTrace result and report the time-to-crime"),
    ("lead", "Re-interview the reluctant witness with an advocate present"),
    ("prosecutor", "Review the file for a charging decision"),
    ("advocate", "Contact the family about relocation support"),
    ("atf", "Confirm the NIBIN lead with the examiner"),
    ("lead", "Request the phone records named in the warrant"),
    ("advocate", "Confirm the safety plan with the victim"),
]
DONE_NOTES = [
    "Done; summary added to the case notes.",
    "Completed and discussed with the lead investigator.",
    "Done. Nothing further expected.",
]
WATCH_LIST_TEXT = "Addresses under patrol checks after social-media threats; details with the unit, not on paper."


def seed_demo_meetings(users: dict[str, User], now: datetime | None = None) -> int:
    """Create what is missing of the demo meetings; returns how many meetings were held or built."""
    now = now or timezone.now()
    coordinator = users["coordinator"]
    series = _series(coordinator, now)
    done = 0
    for starts_at in _past_slots(series, now):
        meeting = _meeting_at(series, coordinator, starts_at)
        if meeting.status in {Meeting.Status.HELD, Meeting.Status.CANCELLED}:
            continue
        _hold(meeting, users, now)
        done += 1
    scheduling.ensure_upcoming_meetings(series, now)
    upcoming = series.meetings.filter(starts_at__gt=now, status=Meeting.Status.SCHEDULED).order_by("starts_at").first()
    if upcoming is not None and upcoming.agenda_built_at is None:
        agenda_services.build_agenda(upcoming, coordinator)
        _plan_times(upcoming, coordinator)
        done += 1
    return done


# Minutes the demo gives an item, by the case's kind: a homicide is talked through longest.
DEMO_TIME_BOXES = {Shooting.Kind.HOMICIDE: 8, Shooting.Kind.NONFATAL: 5, Shooting.Kind.SHOTS_FIRED: 3}


def _plan_times(meeting: Meeting, coordinator: User) -> None:
    """The upcoming agenda's time plan, as a coordinator would set it: each case presented by its
    lead investigator, for a time that suits its kind, so the agenda shows start times and an end."""
    items = meeting.items.filter(removed_at__isnull=True, shooting__isnull=False).select_related(
        "shooting__lead_investigator"
    )
    for item in items.order_by("position"):
        lead = item.shooting.lead_investigator
        presenter = lead if lead is not None and lead.is_active and lead.agency_id else None
        meeting.refresh_from_db(fields=["agenda_version"])
        agenda_services.plan_item(
            meeting,
            coordinator,
            item.pk,
            presenter=presenter,
            time_box=DEMO_TIME_BOXES.get(item.shooting.kind, 3),
            expected_version=meeting.agenda_version,
        )


def _series(coordinator: User, now: datetime) -> MeetingSeries:
    series = MeetingSeries.objects.filter(name=SERIES_NAME).order_by("pk").first()
    if series is not None:
        return series
    return services.create_series(
        coordinator,
        {
            "name": SERIES_NAME,
            "weekday": MeetingSeries.Weekday.WEDNESDAY,
            "start_time": time(9, 0),
            "duration_minutes": 90,
            "place": PLACE,
            "chair": coordinator,
            "cutoff_hours": 24,
            "weeks_ahead": 4,
        },
        invited_agencies=list(Agency.objects.filter(code__in=["RBPD", "ATF-RB", "RCPO", "HLAC"])),
        now=now,
    )


def _past_slots(series: MeetingSeries, now: datetime) -> list[datetime]:
    """The series' last PAST_MEETINGS start times before now, oldest first."""
    latest = scheduling.slot_on(series, scheduling.local_date_of(now))
    if latest >= now:
        latest = scheduling.slot_on(series, scheduling.local_date_of(latest) - timedelta(days=7))
    day = scheduling.local_date_of(latest)
    return [
        scheduling.local_datetime(day - timedelta(weeks=n), series.start_time) for n in reversed(range(PAST_MEETINGS))
    ]


def _meeting_at(series: MeetingSeries, coordinator: User, starts_at: datetime) -> Meeting:
    existing = series.meetings.filter(local_date=scheduling.local_date_of(starts_at)).first()
    if existing is not None:
        return existing
    times = scheduling.slot_times(series, starts_at)
    meeting = services.create_meeting(
        coordinator,
        {
            "series": series,
            "starts_at": times["starts_at"],
            "ends_at": times["ends_at"],
            "cutoff_at": times["cutoff_at"],
            "place": series.place,
            "chair": series.chair,
        },
        invited_agencies=list(series.invited_agencies.all()),
    )
    return meeting


@transaction.atomic
def _hold(meeting: Meeting, users: dict[str, User], now: datetime) -> None:
    """Build, freeze and run one past meeting, then date its record back to when it happened."""
    rng = random.Random(SEED + meeting.local_date.toordinal())
    coordinator = users["coordinator"]
    if meeting.status == Meeting.Status.SCHEDULED:
        if meeting.agenda_built_at is None:
            agenda_services.build_agenda(meeting, coordinator)
            meeting.refresh_from_db()
        if rng.random() < 0.5:
            agenda_services.add_text_item(
                meeting,
                coordinator,
                "Retaliation watch list",
                WATCH_LIST_TEXT,
                expected_version=meeting.agenda_version,
            )
            meeting.refresh_from_db()
        agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version, confirm_empty=True)
    items = list(meeting.items.filter(removed_at__isnull=True).select_related("shooting").order_by("position", "id"))
    review_again_left = 1
    for index, item in enumerate(items):
        discussed = index < len(items) - 1 or rng.random() < 0.7  # the last item sometimes runs out of time
        outcome = _outcome(item, rng) if discussed else ""
        review_again = bool(item.shooting_id and discussed and review_again_left and rng.random() < 0.3)
        review_again_left -= int(review_again)
        agenda_services.record_item(
            meeting,
            coordinator,
            item.pk,
            discussed=discussed,
            outcome=outcome,
            outcome_text=rng.choice(OUTCOME_TEXTS[outcome]) if outcome else "",
            review_again=review_again,
        )
        if item.shooting_id and outcome == AgendaItem.Outcome.FOLLOW_UP:
            _action_item(meeting, item, users, rng, now)
    agenda_services.record_attendance(meeting, coordinator, _attendance(meeting, users, rng))
    agenda_services.mark_held(meeting, coordinator)
    _date_back(meeting, now)


def _outcome(item: AgendaItem, rng: random.Random) -> str:
    if not item.shooting_id:
        return AgendaItem.Outcome.INFORMATION
    return rng.choice(
        [AgendaItem.Outcome.FOLLOW_UP, AgendaItem.Outcome.FOLLOW_UP, AgendaItem.Outcome.INFORMATION]
        + [AgendaItem.Outcome.DECISION]
    )


def _action_item(meeting: Meeting, item: AgendaItem, users: dict[str, User], rng: random.Random, now) -> None:
    who, what = rng.choice(ACTIONS)
    assignee = item.shooting.lead_investigator if who == "lead" else users.get(who)
    if assignee is None or assignee.agency_id is None:
        assignee = users["investigator"]
    due = meeting.local_date + timedelta(days=rng.choice([6, 7, 13]))
    action = ActionItem(
        meeting=meeting,
        agenda_item=item,
        shooting=item.shooting,
        description=what,
        assignee=assignee,
        agency_id=assignee.agency_id,
        due_on=due,
        created_by=users["coordinator"],
    )
    # Older items are mostly done; the last two weeks' are open, and now and then an old one
    # is still open (overdue) so that it keeps coming back.
    today = timezone.localdate(now)
    if due < today - timedelta(days=7) and rng.random() < 0.8:
        done_on = due - timedelta(days=rng.randint(0, 3))
        action.status = ActionItem.Status.DONE
        action.done_at = scheduling.local_datetime(done_on, time(15, 30))
        action.done_by = assignee
        action.done_note = rng.choice(DONE_NOTES)
    action.save()
    ActionItem.objects.filter(pk=action.pk).update(created_at=meeting.starts_at + timedelta(minutes=45))


def _attendance(meeting: Meeting, users: dict[str, User], rng: random.Random) -> list:
    people_by_agency: dict[int, list[User]] = {}
    for user in users.values():
        if user.agency_id and user.role:
            people_by_agency.setdefault(user.agency_id, []).append(user)
    rows = []
    for agency in meeting.invited_agencies.order_by("name"):
        people = sorted(people_by_agency.get(agency.pk, []), key=lambda u: u.username)
        # The advocates miss one meeting in four or so: the minutes show it.
        present = agency.kind != Agency.Kind.VICTIM_ADVOCACY or rng.random() < 0.75
        others = "Two patrol sergeants" if agency.kind == Agency.Kind.POLICE and rng.random() < 0.5 else ""
        rows.append(
            agenda_services.AttendanceRow(
                agency=agency, present=present, people=people if present else [], others=others if present else ""
            )
        )
    return rows


def _date_back(meeting: Meeting, now: datetime) -> None:
    built = meeting.cutoff_at
    frozen = meeting.cutoff_at + timedelta(hours=2)
    held = min(meeting.ends_at - timedelta(minutes=5), now)
    for kind, at in [
        (AgendaEvent.Kind.BUILT, built),
        (AgendaEvent.Kind.FROZEN, frozen),
        (AgendaEvent.Kind.HELD, held),
    ]:
        AgendaEvent.objects.filter(meeting=meeting, kind=kind).update(at=at)
    AgendaItem.objects.filter(meeting=meeting).update(created_at=built, updated_at=held)
    Meeting.objects.filter(pk=meeting.pk).update(agenda_built_at=built, frozen_at=frozen, held_at=held, updated_at=held)


def demo_dates(now: datetime) -> list[date]:
    """The local dates of the held demo meetings (for tests and the start-up banner)."""
    series = MeetingSeries(weekday=MeetingSeries.Weekday.WEDNESDAY, start_time=time(9, 0))
    return [scheduling.local_date_of(s) for s in _past_slots(series, now)]
