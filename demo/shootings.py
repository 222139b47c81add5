"""What the demo shootings are, as plain data: forty fictional cases over the last ten weeks
chosen so that every feature has something to show (see demo.seed_shootings, which writes them).

Everything comes from one seeded random generator and offsets from today, so the same day gives
the same cases. Every person, street and organisation here is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from cases.models import Division, Note, Shooting, Victim

SEED = 20260417
CASE_COUNT = 40
# Report numbers look like the RMS's (two-digit year, six digits) but sit in a range of their
# own, above anything the test factories produce.
FIRST_SEQUENCE = 60_100

# fmt: off
FIRST_NAMES = [
    "Avery", "Blake", "Carmen", "Dario", "Elena", "Faris", "Gemma", "Hollis", "Imani", "Jalen",
    "Keira", "Lorne", "Mireya", "Nico", "Odessa", "Pax", "Quinn", "Rosalind", "Soren", "Tamsin",
]
# Invented surnames, chosen to be obviously made up.
LAST_NAMES = [
    "Ashmoor", "Brindlecott", "Cindervale", "Dunharrow", "Emberlyn", "Fallowmere", "Gildersleeve",
    "Hollowbrook", "Ivorywood", "Juniperhall", "Kettleby", "Larkhaven", "Marrowgate", "Nettlefield",
    "Oakhurst-Vane", "Pennywhistle", "Quillfeather", "Rookwell", "Saltmarsh", "Thistlewood",
]
STREETS = [
    "Tamarack Ave", "Larkspur St", "Cinder Mill Rd", "Old Ferry Rd", "Bellwether Blvd", "Quarry Hollow Dr",
    "Kestrel Ln", "Harbor Light Way", "Copperleaf Ct", "Saltbox Ter", "Widow's Walk Pkwy", "Ninebark St",
]
# fmt: on
DIVISIONS = [d for d in Division.values if d != Division.OTHER]
# Where each division's cases are placed on the map: a made-up city's districts (centred where
# Kansas City is, as the KCPD import's divisions are), a few kilometres across.
DIVISION_CENTRES = {
    "Central": (39.100, -94.580),
    "East": (39.075, -94.520),
    "Metro": (39.030, -94.585),
    "South": (38.950, -94.570),
    "North": (39.195, -94.580),
    "Shoal Creek": (39.225, -94.480),
}
# Cases the records system could not place: the map lists them under it.
UNPLACED = {11, 27}

EXTRA_INVESTIGATORS = [
    {"username": "det_fenwright", "first_name": "Corin", "last_name": "Fenwright"},
    {"username": "det_oakhollow", "first_name": "Mara", "last_name": "Oakhollow"},
    {"username": "det_brackwater", "first_name": "Teo", "last_name": "Brackwater"},
]
LEADS = ["investigator", "det_fenwright", "investigator", "det_oakhollow", "det_brackwater"]

HOMICIDES = {2, 7, 14, 19, 24, 31, 35, 38}
SHOTS_FIRED = {5, 10, 16, 22, 28, 33, 37}
CLEARED_ARREST = {2, 4, 8, 14, 21, 27}
CLEARED_EXCEPTIONAL = {7, 17}
INACTIVE = {5, 10, 16}
UNASSIGNED = {5, 16, 33}
ON_HOLD, UNFOUNDED = 34, 26
JUVENILE_VICTIMS = {6, 13, 25, 32, 39}
DOMESTIC = {1, 15, 23, 29}
GROUP = {3, 9, 20, 24, 30, 36, 38}
RETALIATION = {3, 9, 14, 20, 24, 30, 36, 38}
# NIBIN: one confirmed hit joining three cases, turned round inside the CGIC's 48 hours; a
# cluster of four joined by two leads (one of them late), and two cases sharing a serial number.
HIT_CLUSTER = (24, 30, 36)
LATE_CLUSTER = (3, 9, 14)
CHAINED = (14, 20)
SERIAL_PAIR = (12, 27)
HIT_LEAD, LATE_LEAD, CHAINED_LEAD = "NL-26-0417", "NL-26-0388", "NL-26-0452"
SHARED_SERIAL = "RBX440917"
VICTIM_DIES = 11
REVISED_SUSPECT = 14
RETRACTED_GENERAL = 19
RESTRICTED_SUSPECTS = {8, 21}
ATF_ONLY = {9, 30}
INTIMIDATED = {3, 14, 24, 38}
RELOCATION = {14, 38}


@dataclass
class NoteSpec:
    kind: str
    author: str
    data: dict
    hours_after: float
    restricted: bool = False
    revision: dict | None = None
    retraction: str = ""


@dataclass
class CaseSpec:
    index: int
    occurred: datetime
    data: dict
    lead: str | None
    victims: list[dict]
    partners: list[str] = field(default_factory=list)
    notes: list[NoteSpec] = field(default_factory=list)


def build_specs(now: datetime) -> list[CaseSpec]:
    """The forty cases as plain data, oldest first; the same every run for the same day."""
    rng = random.Random(SEED)
    specs = []
    for i in range(CASE_COUNT):
        days_ago = 69 - round(i * 68 / (CASE_COUNT - 1))
        # Most shootings happen in the evening and at night.
        hour = rng.choice([0, 1, 2, 3, 14, 17, 19, 20, 21, 22, 23])
        day = (now - timedelta(days=days_ago)).date()
        local = timezone.get_current_timezone()
        occurred = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=local)
        specs.append(_case(i, occurred, now.date(), rng))
    return specs


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _case(i: int, occurred: datetime, today: date, rng: random.Random) -> CaseSpec:
    kind = (
        Shooting.Kind.HOMICIDE
        if i in HOMICIDES
        else Shooting.Kind.SHOTS_FIRED
        if i in SHOTS_FIRED
        else Shooting.Kind.NONFATAL
    )
    status = (
        Shooting.Status.CLEARED_ARREST
        if i in CLEARED_ARREST
        else Shooting.Status.CLEARED_EXCEPTIONAL
        if i in CLEARED_EXCEPTIONAL
        else Shooting.Status.INACTIVE
        if i in INACTIVE
        else Shooting.Status.OPEN
    )
    division = DIVISIONS[i % len(DIVISIONS)]
    street = rng.choice(STREETS)
    data = {
        "kind": kind,
        "occurred_from": occurred,
        "reported_at": occurred + timedelta(minutes=rng.randint(4, 40)),
        "address": f"{rng.randrange(1, 80) * 100} block of {street}",
        "division": division,
        "beat": f"{DIVISIONS.index(division) + 1}{rng.randint(10, 49)}",
        "status": status,
        "counting": Shooting.Counting.HOLD
        if i == ON_HOLD
        else Shooting.Counting.UNFOUNDED
        if i == UNFOUNDED
        else Shooting.Counting.COUNTS,
        "is_domestic_violence": i in DOMESTIC,
        "is_group_involved": i in GROUP,
        "is_retaliation_risk": i in RETALIATION,
        "is_juvenile_involved": i in JUVENILE_VICTIMS or i == 18,
        "summary": _summary(i, kind, street, rng),
        **_place(i, division),
    }
    days_open = max(1, (today - occurred.date()).days)
    if status in {Shooting.Status.CLEARED_ARREST, Shooting.Status.CLEARED_EXCEPTIONAL}:
        data["cleared_on"] = occurred.date() + timedelta(days=rng.randint(1, max(1, days_open - 1)))
    if status == Shooting.Status.CLEARED_ARREST:
        data.update(_prosecution(i, kind, rng))
    elif status == Shooting.Status.CLEARED_EXCEPTIONAL:
        data.update({"referred_to": Shooting.Referral.STATE, "disposition": Shooting.Disposition.DECLINED})
    lead = None if i in UNASSIGNED else LEADS[i % len(LEADS)]
    spec = CaseSpec(i, occurred, data, lead, _victims(i, kind, occurred, rng))
    if i in HIT_CLUSTER + LATE_CLUSTER + CHAINED + SERIAL_PAIR:
        spec.partners = ["ATF-RB"]
    spec.notes = _notes(spec, rng)
    return spec


def place_in(division: str, seed: str) -> dict:
    """Coordinates somewhere in `division`, from a generator of their own (`seed`) so that the
    rest of the demo data stays as it was."""
    rng = random.Random(seed)
    lat, lon = DIVISION_CENTRES.get(division, DIVISION_CENTRES["Central"])
    return {
        "latitude": Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}"),
        "longitude": Decimal(f"{lon + rng.uniform(-0.025, 0.025):.6f}"),
    }


def _place(i: int, division: str) -> dict:
    """The detailed case's coordinates; a few get none, as the records system leaves some."""
    return {} if i in UNPLACED else place_in(division, f"place-{i}")


def _summary(i: int, kind: str, street: str, rng: random.Random) -> str:
    if i == UNFOUNDED:
        return "Caller reported being shot; hospital and scene evidence show an accidental self-inflicted wound."
    if i == ON_HOLD:
        return "Victim arrived at hospital by private car and left before interview; scene not yet located."
    opening = {
        Shooting.Kind.HOMICIDE: "Victim found with gunshot wounds, pronounced dead at the scene.",
        Shooting.Kind.NONFATAL: "Victim shot and taken to hospital in a private car.",
        Shooting.Kind.SHOTS_FIRED: "Several shots fired at an occupied house; no one hit.",
    }[kind]
    detail = rng.choice(
        [
            f"Dispute outside a corner store on {street}.",
            "Shots fired from a dark sedan that left eastbound.",
            "Argument at a house party spilled into the street.",
            "Victim says two men on foot approached and fired.",
            "Neighbours heard an argument, then five or six shots.",
        ]
    )
    return f"{opening} {detail} {rng.randint(2, 14)} cartridge casings recovered."


def _prosecution(i: int, kind: str, rng: random.Random) -> dict:
    federal = i in HIT_CLUSTER + LATE_CLUSTER + SERIAL_PAIR
    return {
        "referred_to": Shooting.Referral.BOTH if federal else Shooting.Referral.STATE,
        "charges_filed": (
            "Murder in the second degree; armed criminal action"
            if kind == Shooting.Kind.HOMICIDE
            else "Assault in the first degree; armed criminal action"
        )
        + ("; felon in possession of a firearm (federal)" if federal else ""),
        "custody_status": rng.choice([Shooting.Custody.IN_CUSTODY, Shooting.Custody.RELEASED_BOND]),
        "disposition": Shooting.Disposition.PLEA if i == 2 else Shooting.Disposition.PENDING,
    }


def _victims(i: int, kind: str, occurred: datetime, rng: random.Random) -> list[dict]:
    if kind == Shooting.Kind.SHOTS_FIRED:
        # Shot at, not hit: a victim of the assault, but uninjured. Some have none named.
        return [] if i % 2 else [{"name": _person(rng), "age": rng.randint(19, 64), "sex": "F", "injury": "none"}]
    count = 2 if i % 6 == 0 else 1
    victims = []
    for n in range(count):
        fatal = kind == Shooting.Kind.HOMICIDE and n == 0
        victim = {
            "name": _person(rng),
            "sex": rng.choice(["M", "M", "M", "F"]),
            "injury": Victim.Injury.FATAL if fatal else Victim.Injury.NONFATAL,
            "died_on": occurred.date() if fatal else None,
        }
        if i in JUVENILE_VICTIMS and n == 0:
            victim.update(is_juvenile=True, age=None)
        else:
            victim["age"] = rng.randint(18, 58)
        victims.append(victim)
    return victims


def _notes(spec: CaseSpec, rng: random.Random) -> list[NoteSpec]:
    i = spec.index
    by = spec.lead or "investigator"
    notes = [
        NoteSpec(
            Note.Kind.GENERAL,
            by,
            {"text": rng.choice(GENERAL_TEXTS)},
            hours_after=rng.uniform(2, 10),
        )
    ]
    if i in CLEARED_ARREST or i in CLEARED_EXCEPTIONAL or rng.random() < 0.45:
        notes.append(_suspect(spec, by, rng))
    if i in INTIMIDATED or rng.random() < 0.35:
        notes.append(_witness(spec, by, rng))
    if i in HIT_CLUSTER + LATE_CLUSTER + CHAINED + SERIAL_PAIR or rng.random() < 0.3:
        notes.append(_firearm(spec, rng))
    if spec.victims and (i % 3 != 1 or i in INTIMIDATED):
        notes.append(_victim_services(spec, rng))
    if i in CLEARED_ARREST or i in {17, 24}:
        text = rng.choice(PROSECUTOR_TEXTS)
        notes.append(NoteSpec(Note.Kind.GENERAL, "prosecutor", {"text": text}, hours_after=rng.uniform(60, 140)))
    if i % 7 == 3:
        text = "Reviewed at shoot review; carried to next week for the firearm trace result."
        notes.append(NoteSpec(Note.Kind.GENERAL, "coordinator", {"text": text}, hours_after=rng.uniform(30, 70)))
    if i == RETRACTED_GENERAL:
        notes.append(
            NoteSpec(
                Note.Kind.GENERAL,
                "coordinator",
                {"text": "Victim's family asked for a call-back from the lead detective."},
                hours_after=20,
                retraction="Entered on the wrong case; moved to the correct report.",
            )
        )
    if i in ATF_ONLY:
        text = "Controlled purchase of a firearm from an associate is being planned. ATF only until it is done."
        notes.append(NoteSpec(Note.Kind.GENERAL, "atf", {"text": text}, hours_after=50, restricted=True))
    if i % 9 == 4:
        text = "Clearance reviewed; case file complete for the monthly report."
        notes.append(NoteSpec(Note.Kind.GENERAL, "supervisor", {"text": text}, hours_after=rng.uniform(90, 160)))
    if i in {6, 25}:
        text = "Family asked that any contact go through the advocate. School has been told."
        notes.append(NoteSpec(Note.Kind.GENERAL, "advocate", {"text": text}, hours_after=rng.uniform(20, 40)))
    return notes


GENERAL_TEXTS = [
    "Canvass of the block done; two doorbell cameras pulled, footage with the real-time crime centre.",
    "Scene processed; casings submitted for NIBIN entry.",
    "Victim interviewed at hospital; not cooperative yet. Will try again with the family present.",
    "Tip line call about a vehicle seen leaving; plate partial only.",
    "Area businesses asked to keep their camera footage.",
]
PROSECUTOR_TEXTS = [
    "Charging conference held. Need the lab report on the casings before the preliminary hearing.",
    "Filed; ask for a no-contact order covering the witnesses at arraignment.",
    "Reviewed for federal referral: felon-in-possession looks strong if the trace comes back.",
]


def _suspect(spec: CaseSpec, by: str, rng: random.Random) -> NoteSpec:
    i = spec.index
    cleared = i in CLEARED_ARREST
    birth_year = rng.randint(1988, 2006)
    data = {
        "name": _person(rng),
        "aliases": rng.choice(["", "Smoke", "Little B", "Tiny, T-Bone", "Red"]),
        "date_of_birth": date(birth_year, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "status": "charged" if cleared else rng.choice(["person_of_interest", "suspect"]),
        "basis": rng.choice(
            [
                "Named by two witnesses independently.",
                "Seen on doorbell video minutes before the shooting.",
                "Ongoing dispute with the victim over social-media posts.",
            ]
        ),
        "text": "Known to associate with the victim's rivals.",
    }
    note = NoteSpec(Note.Kind.SUSPECT, by, data, hours_after=rng.uniform(12, 48), restricted=i in RESTRICTED_SUSPECTS)
    if i == REVISED_SUSPECT:
        # First written as a person of interest, later updated when charges were filed.
        note.data = {**data, "status": "person_of_interest"}
        note.revision = {**data, "status": "charged", "text": "Arrested on the warrant; charged."}
    return note


def _witness(spec: CaseSpec, by: str, rng: random.Random) -> NoteSpec:
    i = spec.index
    data = {
        "name": _person(rng),
        "contact": "Through the lead detective only",
        "relation": rng.choice(["Neighbour", "Cousin of the victim", "Store clerk", "Passer-by"]),
        "account": rng.choice(
            [
                "Saw two men arguing, then heard shots and saw one run towards the alley.",
                "Heard shots and saw a dark sedan leave without lights.",
                "Knows the shooter by a nickname; will not say it on record yet.",
            ]
        ),
        "cooperation": "reluctant" if i in INTIMIDATED else rng.choice(["cooperative", "cooperative", "reluctant"]),
    }
    if i in INTIMIDATED:
        data.update(intimidation_concern=True, referred_to_advocate=True)
    if i in RELOCATION:
        data["relocation_requested"] = True
    return NoteSpec(Note.Kind.WITNESS, by, data, hours_after=rng.uniform(6, 30))


def _firearm(spec: CaseSpec, rng: random.Random) -> NoteSpec:
    i = spec.index
    leads = []
    if i in HIT_CLUSTER:
        leads.append(HIT_LEAD)
    if i in LATE_CLUSTER:
        leads.append(LATE_LEAD)
    if i in CHAINED:
        leads.append(CHAINED_LEAD)
    recovered = i in SERIAL_PAIR or rng.random() < 0.4
    data = {
        "casings_recovered": rng.randint(2, 12),
        "projectiles_recovered": rng.randint(0, 3),
        "nibin_leads": ", ".join(leads),
        "caliber": rng.choice(["9mm", ".40 S&W", ".45 ACP", "7.62x39mm"]),
        "etrace_status": "not_submitted",
        "text": "Casings entered into NIBIN the morning after the shooting.",
    }
    if recovered:
        ttc = rng.choice([41, 180, 388, 610, 1020, 2300, 4100])
        data.update(
            recovered=True,
            recovered_where="Waistband of the suspect at arrest" if i in CLEARED_ARREST else "Yard two houses north",
            recovered_on=(spec.occurred + timedelta(days=1)).date().isoformat(),
            make=rng.choice(["Glock", "Taurus", "Smith & Wesson", "Hi-Point"]),
            model=rng.choice(["19", "G2C", "M&P9 Shield", "C9"]),
            serial_number=SHARED_SERIAL if i in SERIAL_PAIR else f"DM{rng.randint(100000, 999999)}",
            etrace_number=f"T2026{rng.randint(1000000, 9999999)}",
            etrace_status="completed",
            purchaser=_person(rng),
            dealer=rng.choice(
                ["Kettle Creek Outfitters (FFL)", "Ridgeline Pawn & Loan (FFL)", "Saltbox Sporting Goods"]
            ),
            time_to_crime_days=ttc,
            text="Short time-to-crime: purchaser interview requested." if ttc <= 1095 else "Long time-to-crime.",
        )
    author = "investigator" if i in SERIAL_PAIR[1:] else "atf"
    return NoteSpec(Note.Kind.FIREARM, author, data, hours_after=rng.uniform(20, 60))


def _victim_services(spec: CaseSpec, rng: random.Random) -> NoteSpec:
    i = spec.index
    status = ["referred", "contacted", "engaged", "declined"][i % 4]
    data = {
        "victim": 0,  # the case's first victim, resolved once it exists
        "service_agency": rng.choice(
            ["Harbor Light Advocacy Center", "Riverbend Trauma Recovery Project", "Northside Family Housing Trust"]
        ),
        "referral_status": status,
        "services_offered": "Crisis counselling, help with medical bills, court accompaniment",
        "services_accepted": "" if status in {"referred", "declined"} else "Crisis counselling",
        "safety_planning": i in INTIMIDATED or i in DOMESTIC,
        "text": "Family asked for contact through the advocate only." if i in DOMESTIC else "",
    }
    return NoteSpec(Note.Kind.VICTIM_SERVICES, "advocate", data, hours_after=rng.uniform(20, 70))
