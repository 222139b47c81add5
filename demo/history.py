"""The demo's history: three years and more of plain past shootings before the forty detailed
cases of demo.shootings, so that the cover compares this year with the three before and names a
highest year instead of showing "n/a".

History cases hold what the cover counts (kind, time, counting state, victims and their injuries,
status and the date cleared) and what a case list shows (address, division, lead investigator);
no notes, links or flags, so no agenda rule picks them. They are written with bulk inserts, as
the records system's back file would be imported: a thousand cases through cases.services, one by
one, would make `seed_demo` slow. Everything comes from one seeded random generator and today's
date, so the same day gives the same history; it is written once, and a later run leaves it be.

The years differ on purpose, a worse year three years back and fewer shootings since, with more
in summer than in winter, as in the cities the meeting is modelled on. Every name is invented.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Person, PersonRole, Shooting, Victim
from cases.people.matching import search_text

from .bulk import given_timestamps
from .shootings import DIVISIONS, FIRST_NAMES, LAST_NAMES, LEADS, STREETS, place_in

SEED = 20260419
# History report numbers sit below the detailed cases' (demo.shootings.FIRST_SEQUENCE).
FIRST_HISTORY_SEQUENCE = 10_000
LAST_HISTORY_SEQUENCE = 49_999
YEARS_BACK = 3
# The detailed cases cover the last ten weeks; history stops before them.
DETAILED_DAYS = 71
# Shootings a year at the base rate (shots fired included), and how each year compares with it
# (this year first, then one, two and three years back).
INCIDENTS_A_YEAR = 300
YEAR_FACTORS = [0.85, 0.95, 1.0, 1.2]
KINDS = [(Shooting.Kind.HOMICIDE, 0.17), (Shooting.Kind.NONFATAL, 0.62), (Shooting.Kind.SHOTS_FIRED, 0.21)]
# Chances of clearance by arrest and by exceptional means (homicides are cleared far more often).
CLEARANCE = {Shooting.Kind.HOMICIDE: (0.47, 0.09), Shooting.Kind.NONFATAL: (0.22, 0.04)}
UNFOUNDED_SHARE = 0.03
HOLD_SHARE = 0.04  # of this year's non-fatal shootings only: older holds have been settled


def is_history(report_number: str) -> bool:
    sequence = report_number[4:]
    return (
        report_number.startswith("RB")
        and sequence.isdigit()
        and FIRST_HISTORY_SEQUENCE <= int(sequence) <= LAST_HISTORY_SEQUENCE
    )


def seed_history(users: dict[str, User], now: datetime | None = None) -> int:
    """Write the history once; returns how many cases were added."""
    now = timezone.localtime(now or timezone.now())
    numbers = Shooting.objects.filter(report_number__startswith="RB").values_list("report_number", flat=True)
    if any(is_history(number) for number in numbers):
        return 0
    plans = list(plan_history(now))
    creator = users["coordinator"]
    # The fictional detectives of the detailed cases lead these as well (demo.seed_shootings makes them).
    leads = {user.username: user for user in User.objects.filter(username__in=LEADS)}
    # The history has its own times: auto_now and auto_now_add would stamp the insert.
    with transaction.atomic(), given_timestamps(Shooting, Victim):
        shootings = Shooting.objects.bulk_create(
            [
                Shooting(
                    **plan["shooting"],
                    created_by=creator,
                    lead_investigator=leads.get(plan["lead"]) if plan["lead"] else None,
                )
                for plan in plans
            ],
            batch_size=500,
        )
        victims = Victim.objects.bulk_create(
            [
                Victim(shooting=shooting, created_at=shooting.reported_at, **victim)
                for shooting, plan in zip(shootings, plans, strict=True)
                for victim in plan["victims"]
            ],
            batch_size=1000,
        )
        _people_of(victims)
    return len(plans)


def _people_of(victims: list[Victim]) -> None:
    """Each history victim is a person of their own, as cases.people.services makes one for a
    victim entered by hand, so that the person search and the overlaps reach the back file."""
    people = Person.objects.bulk_create(
        [
            Person(
                name=victim.name,
                approximate_age=victim.age,
                age_noted_on=victim.created_at.date() if victim.age is not None else None,
                sex=victim.sex if victim.sex in Person.Sex.values else Person.Sex.UNKNOWN,
                created_at=victim.created_at,
            )
            for victim in victims
        ],
        batch_size=1000,
    )
    PersonRole.objects.bulk_create(
        [
            PersonRole(
                person=person,
                kind=PersonRole.Kind.VICTIM,
                shooting_id=victim.shooting_id,
                victim=victim,
                name=victim.name,
                approximate_age=victim.age,
                search_text=search_text(victim.name),
                created_at=victim.created_at,
            )
            for person, victim in zip(people, victims, strict=True)
        ],
        batch_size=1000,
    )


def plan_history(now: datetime):
    """The history cases as plain values, oldest first."""
    rng = random.Random(SEED)
    today = now.date()
    first = date(today.year - YEARS_BACK, 1, 1)
    last = today - timedelta(days=DETAILED_DAYS)
    zone = timezone.get_current_timezone()
    sequence = FIRST_HISTORY_SEQUENCE
    day = first
    while day <= last:
        factor = YEAR_FACTORS[today.year - day.year]
        # More shootings in summer: the rate peaks in mid-July and bottoms out in mid-January.
        season = 1 + 0.35 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 196) / 365)
        for _ in range(_poisson(rng, INCIDENTS_A_YEAR / 365 * factor * season)):
            hour = rng.choice([0, 1, 2, 3, 14, 17, 19, 20, 21, 22, 23])
            occurred = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=zone)
            yield _case(rng, sequence, occurred, today)
            sequence += 1
        day += timedelta(days=1)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _case(rng: random.Random, sequence: int, occurred: datetime, today: date) -> dict:
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    counting = Shooting.Counting.COUNTS
    if rng.random() < UNFOUNDED_SHARE:
        counting = Shooting.Counting.UNFOUNDED
    elif kind == Shooting.Kind.NONFATAL and occurred.year == today.year and rng.random() < HOLD_SHARE:
        counting = Shooting.Counting.HOLD
    status, cleared_on = Shooting.Status.OPEN, None
    arrest, exceptional = CLEARANCE.get(kind, (0.05, 0.0))
    roll = rng.random()
    if counting == Shooting.Counting.COUNTS and roll < arrest + exceptional:
        cleared = occurred.date() + timedelta(days=rng.choice([2, 5, 9, 14, 30, 45, 90, 160, 300]))
        if cleared < today:
            status = Shooting.Status.CLEARED_ARREST if roll < arrest else Shooting.Status.CLEARED_EXCEPTIONAL
            cleared_on = cleared
    elif (today - occurred.date()).days > 365 and rng.random() < 0.5:
        status = Shooting.Status.INACTIVE
    street = rng.choice(STREETS)
    division = rng.choice(DIVISIONS)
    report_number = f"RB{occurred.year % 100:02d}{sequence:06d}"
    address = f"{rng.randrange(1, 80) * 100} block of {street}"
    victims = _victims(rng, kind, occurred)
    reported = occurred + timedelta(minutes=rng.randint(4, 40))
    names = " ".join(v["name"] for v in victims)
    return {
        "shooting": {
            "report_number": report_number,
            "kind": kind,
            "occurred_from": occurred,
            "reported_at": reported,
            "address": address,
            "division": division,
            "beat": f"{DIVISIONS.index(division) + 1}{rng.randint(10, 49)}",
            **place_in(division, f"history-{report_number}"),
            "status": status,
            "cleared_on": cleared_on,
            "counting": counting,
            "summary": _SUMMARIES[kind],
            "search_text": f"{report_number} {address} {names}".lower(),
            "created_at": reported,
            "updated_at": reported,
            "last_activity_at": timezone.make_aware(datetime.combine(cleared_on, datetime.min.time()))
            if cleared_on
            else reported,
        },
        "lead": None if rng.random() < 0.08 else rng.choice(LEADS),
        "victims": victims,
    }


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _victims(rng: random.Random, kind: str, occurred: datetime) -> list[dict]:
    if kind == Shooting.Kind.SHOTS_FIRED:
        return [] if rng.random() < 0.6 else [_victim(rng, Victim.Injury.NONE, occurred)]
    if kind == Shooting.Kind.HOMICIDE:
        killed = 2 if rng.random() < 0.1 else 1
        wounded = 1 if rng.random() < 0.2 else 0
    else:
        killed, wounded = 0, rng.choices([1, 2, 3], weights=[80, 16, 4])[0]
    return [_victim(rng, Victim.Injury.FATAL, occurred) for _ in range(killed)] + [
        _victim(rng, Victim.Injury.NONFATAL, occurred) for _ in range(wounded)
    ]


def _victim(rng: random.Random, injury: str, occurred: datetime) -> dict:
    victim = {
        "name": _person(rng),
        "sex": rng.choice(["M", "M", "M", "F"]),
        "injury": injury,
        "died_on": occurred.date() if injury == Victim.Injury.FATAL else None,
    }
    if rng.random() < 0.07:
        victim.update(is_juvenile=True, age=None)
    else:
        victim["age"] = rng.randint(18, 61)
    return victim


_SUMMARIES = {
    Shooting.Kind.HOMICIDE: "Victim found with gunshot wounds, pronounced dead. From the records system's back file.",
    Shooting.Kind.NONFATAL: "Victim shot and taken to hospital. From the records system's back file.",
    Shooting.Kind.SHOTS_FIRED: "Shots fired; no one hit. From the records system's back file.",
}
