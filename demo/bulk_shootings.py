"""What the bulk cases are: invented names and places, and a generator that plans each case, its
victims and its notes as plain values (demo.bulk writes them).

The shares (kinds, clearance by age, flags, notes per kind, NIBIN leads shared by about 1% of
firearm notes) are rough, but enough to make filters, counts and searches behave as on real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from cases.models import Division, NibinLead, Note, Shooting, Victim

BULK_PREFIX = "BK"
LEAD_PREFIX = "BK-NL-"
# The case-detail benchmark needs one case with many notes; it carries this report number.
HEAVY_REPORT_NUMBER = f"{BULK_PREFIX}-DETAIL-HEAVY"
# Share of firearm notes citing a NIBIN lead that other bulk cases cite too.
NIBIN_SHARE = 0.01
# People who come back: the share of victims who stay known (may reappear later), and the share
# of victims, suspects and witnesses who are such a known person rather than someone new. A few
# "heavy" people hold about HEAVY_ROLES roles each, as the handful of people at the centre of a
# city's violence do; the person-page benchmark opens one of them.
KNOWN_SHARE = 0.2
KNOWN_POOL = 3000
REAPPEAR = {"victim": 0.03, "suspect": 0.08, "witness": 0.04}
HEAVY_PEOPLE = 5
HEAVY_ROLES = 50
HEAVY_ALIASES = ["Ghost", "Tank", "Spider", "Lucky", "Dash"]

# fmt: off
FIRST_NAMES = [
    "Avery", "Blake", "Carmen", "Dario", "Elena", "Faris", "Gemma", "Hollis", "Imani", "Jalen", "Keira", "Lorne",
    "Mireya", "Nico", "Odessa", "Pax", "Quinn", "Rosalind", "Soren", "Tamsin", "Ulla", "Vesper", "Wynn", "Yara",
    "Zeke", "Anouk", "Bram", "Cosima", "Dov", "Esme", "Fable", "Gideon", "Harlow", "Ines", "Jory", "Kit",
]
# Invented surnames are made from these halves: over 900 of them, so a name fragment is selective
# the way real names are.
SURNAME_HEADS = [
    "Ash", "Brin", "Cal", "Dorn", "Ell", "Fen", "Gar", "Hal", "Isk", "Jor", "Kel", "Lom", "Mar", "Norr", "Orl",
    "Pell", "Quen", "Ros", "Sal", "Tam", "Ull", "Vor", "Wen", "Yar", "Zel", "Brac", "Cind", "Dun", "Fal", "Gil",
    "Hask", "Ivo", "Jun", "Kett", "Lark", "Marr",
]
SURNAME_TAILS = [
    "brook", "by", "cott", "dale", "ford", "gate", "hollow", "hurst", "mere", "moor", "quist", "ridge", "stead",
    "thorne", "vale", "wick", "wright", "worth", "lyn", "marsh", "holm", "field", "shaw", "ney", "ock", "ander",
]
STREET_NAMES = [
    "Tamarack", "Larkspur", "Cinder Mill", "Old Ferry", "Bellwether", "Quarry Hollow", "Kestrel", "Harbor Light",
    "Copperleaf", "Saltbox", "Ninebark", "Foxglove", "Juniper Bend", "Millrace", "Stonecrop", "Wherry", "Ropewalk",
    "Heron Marsh", "Tinker", "Lantern Hill", "Bramble", "Osprey", "Chandler", "Wicklow Fen",
]
STREET_KINDS = ["Ave", "St", "Rd", "Dr", "Ln", "Blvd", "Ct", "Ter"]
# fmt: on
DIVISIONS = [d for d in Division.values if d != Division.OTHER]

# Which kinds of note a case gets, and how often.
NOTE_KINDS = [
    (Note.Kind.GENERAL, 35),
    (Note.Kind.SUSPECT, 15),
    (Note.Kind.FIREARM, 20),
    (Note.Kind.WITNESS, 15),
    (Note.Kind.VICTIM_SERVICES, 15),
]


@dataclass(eq=False)
class BulkPerson:
    """A person of the bulk data; `id` is given when the first of their roles is written."""

    name: str
    aliases: str
    age: int | None  # at `first_seen`
    sex: str
    first_seen: datetime
    id: int | None = None

    def age_in(self, year: int) -> int | None:
        return None if self.age is None else self.age + max(0, year - self.first_seen.year)


@dataclass
class CasePlan:
    """One case before it is written: its row, its victims, and its notes as (kind, author,
    fields, time, restricted); a victim-services note names its victim by position until the
    victims have ids. `victim_people` gives each victim's person, `note_people` the person of
    each suspect and witness note (by the note's position)."""

    shooting: dict
    victims: list[dict] = field(default_factory=list)
    notes: list[tuple[str, User, dict, datetime, bool]] = field(default_factory=list)
    victim_people: list[BulkPerson] = field(default_factory=list)
    note_people: dict[int, BulkPerson] = field(default_factory=dict)


class CaseGenerator:
    """Plans bulk cases one after another from one seeded random generator."""

    def __init__(
        self, rng: random.Random, people: dict[str, list[User]], now: datetime, years: int, nibin_share: float
    ):
        self.rng = rng
        self.nibin_share = nibin_share
        self.people = people
        self.everyone = [u for users in people.values() for u in users]
        self.gun_people = people[User.Role.FEDERAL_AGENT] + people[User.Role.INVESTIGATOR][:2]
        self.now = now
        self.start = now - timedelta(days=365 * years)
        self.note_kinds = [kind for kind, weight in NOTE_KINDS for _ in range(weight)]
        self.lead_number = ""  # the lead being shared, and by how many more notes
        self.lead_left = 0
        self.leads_made = NibinLead.objects.filter(number__startswith=LEAD_PREFIX).count()
        # People who were victims and may come back as victims, suspects or witnesses.
        self.known: list[BulkPerson] = []
        self.heavy: list[BulkPerson] = []
        self.heavy_every = HEAVY_PEOPLE

    def plan_heavy_people(self, shootings: int) -> None:
        """Spread the heavy people's roles so that each gets about HEAVY_ROLES over `shootings` cases."""
        self.heavy_every = max(HEAVY_PEOPLE, shootings // HEAVY_ROLES)

    def name(self) -> str:
        rng = self.rng
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAME_HEADS)}{rng.choice(SURNAME_TAILS)}"

    def case(self, seq: int, occurred: datetime, notes: int, report_number: str = "") -> CasePlan:
        rng = self.rng
        roll = rng.random()
        kind = (
            Shooting.Kind.HOMICIDE
            if roll < 0.15
            else Shooting.Kind.SHOTS_FIRED
            if roll < 0.45
            else Shooting.Kind.NONFATAL
        )
        age_days = (self.now - occurred).days
        cleared_share = {Shooting.Kind.HOMICIDE: 0.6, Shooting.Kind.NONFATAL: 0.3, Shooting.Kind.SHOTS_FIRED: 0.1}
        status = Shooting.Status.OPEN
        cleared_on = None
        if rng.random() < cleared_share[kind] * min(1.0, age_days / 120 + 0.2):
            status = Shooting.Status.CLEARED_ARREST if rng.random() < 0.8 else Shooting.Status.CLEARED_EXCEPTIONAL
            cleared_on = min(self.now, occurred + timedelta(days=rng.uniform(1, 200))).date()
        elif age_days > 180 and rng.random() < 0.35:
            status = Shooting.Status.INACTIVE
        year = timezone.localtime(occurred).year % 100
        number = report_number or f"{BULK_PREFIX}{year:02d}{seq:07d}"
        division = rng.choice(DIVISIONS)
        address = f"{rng.randrange(1, 120) * 100} block of {rng.choice(STREET_NAMES)} {rng.choice(STREET_KINDS)}"
        reported = occurred + timedelta(minutes=rng.randint(3, 90))
        investigators = self.people[User.Role.INVESTIGATOR]
        plan = CasePlan(
            {
                "report_number": number,
                "kind": kind,
                "occurred_from": occurred,
                "reported_at": reported,
                "address": address,
                "division": division,
                "beat": f"{DIVISIONS.index(division) + 1}{rng.randint(10, 49)}",
                "status": status,
                "cleared_on": cleared_on,
                "counting": rng.choices(list(Shooting.Counting.values), weights=[98, 1, 1])[0],
                "lead_investigator_id": rng.choice(investigators).pk if rng.random() < 0.9 else None,
                "is_domestic_violence": rng.random() < 0.06,
                "is_group_involved": rng.random() < 0.15,
                "is_retaliation_risk": rng.random() < 0.1,
                "is_juvenile_involved": rng.random() < 0.08,
                "summary": "Fictional bulk case for load testing.",
                "created_at": reported,
            }
        )
        count = 0 if kind == Shooting.Kind.SHOTS_FIRED and rng.random() < 0.5 else rng.choice([1, 1, 1, 1, 2, 2, 3])
        for n in range(count):
            fatal = kind == Shooting.Kind.HOMICIDE and n == 0
            juvenile = rng.random() < 0.07
            injury = (
                Victim.Injury.FATAL
                if fatal
                else Victim.Injury.NONE
                if kind == Shooting.Kind.SHOTS_FIRED
                else Victim.Injury.NONFATAL
            )
            plan.victims.append(
                {
                    "name": self.name(),
                    "age": None if juvenile else rng.randint(18, 70),
                    "is_juvenile": juvenile,
                    "sex": rng.choice("MMMF"),
                    "injury": injury,
                    "died_on": occurred.date() if fatal else None,
                    "referral_status": Victim.Referral.NOT_REFERRED,
                    "created_at": reported,
                }
            )
        for victim in plan.victims:
            plan.victim_people.append(self.person("victim", victim, occurred))
        last = reported
        for _ in range(notes):
            at = min(reported + timedelta(hours=rng.expovariate(1 / 150)), self.now)
            last = max(last, at)
            plan.notes.append(self.note(plan, at))
        for index, (kind, _author, fields, _at, _restricted) in enumerate(plan.notes):
            if kind in (Note.Kind.SUSPECT, Note.Kind.WITNESS):
                plan.note_people[index] = self.person(kind, fields, occurred)
        self.give_heavy_role(plan, seq, occurred)
        names = " ".join(v["name"] for v in plan.victims)
        # The same text as cases.services.refresh_search_text builds.
        plan.shooting["search_text"] = f"{number} {address} {names}".lower()
        plan.shooting["last_activity_at"] = plan.shooting["updated_at"] = last
        return plan

    def person(self, kind: str, record: dict, occurred: datetime) -> BulkPerson:
        """The person of a victim or of a suspect or witness note: now and then someone known
        from an earlier shooting (the record then names them exactly as before), else someone new."""
        rng = self.rng
        if self.known and rng.random() < REAPPEAR[kind]:
            person = rng.choice(self.known)
            self._name(record, person, occurred)
            return person
        age = record.get("age") if kind == "victim" else record.get("approximate_age")
        person = BulkPerson(record["name"], record.get("aliases", ""), age, record.get("sex", "U"), occurred)
        if kind == "victim" and rng.random() < KNOWN_SHARE:
            self.known.append(person)
            if len(self.known) > KNOWN_POOL:
                self.known.pop(0)
        return person

    @staticmethod
    def _name(record: dict, person: BulkPerson, occurred: datetime) -> None:
        record["name"] = person.name
        age = person.age_in(occurred.year)
        if "approximate_age" in record:
            record["aliases"] = person.aliases
            record["approximate_age"] = age
        elif "age" in record and not record.get("is_juvenile"):
            record["age"] = age

    def give_heavy_role(self, plan: CasePlan, seq: int, occurred: datetime) -> None:
        """Every heavy_every-th case, one of the heavy people is its first suspect or witness (or,
        without either, its first victim)."""
        which = seq % self.heavy_every
        if which >= HEAVY_PEOPLE:
            return
        while len(self.heavy) <= which:
            alias = HEAVY_ALIASES[len(self.heavy) % len(HEAVY_ALIASES)]
            self.heavy.append(BulkPerson(self.name(), alias, 22, "M", occurred))
        person = self.heavy[which]
        if plan.note_people:
            index = min(plan.note_people)
            self._name(plan.notes[index][2], person, occurred)
            plan.note_people[index] = person
        elif plan.victims:
            plan.victims[0]["is_juvenile"] = False
            self._name(plan.victims[0], person, occurred)
            plan.victim_people[0] = person

    def note(self, plan: CasePlan, at: datetime) -> tuple[str, User, dict, datetime, bool]:
        rng = self.rng
        kind = rng.choice(self.note_kinds)
        if kind == Note.Kind.VICTIM_SERVICES and not plan.victims:
            kind = Note.Kind.GENERAL
        restricted = rng.random() < 0.03
        if kind == Note.Kind.SUSPECT:
            author = rng.choice(self.people[User.Role.INVESTIGATOR])
            fields = {
                "name": self.name(),
                "aliases": rng.choice(["", "", "Smoke", "Little B", "Red"]),
                "date_of_birth": None,
                "approximate_age": rng.randint(15, 45),
                "status": rng.choice(["person_of_interest", "suspect", "in_custody", "charged", "excluded"]),
                "basis": "Named by a witness.",
                "text": "Fictional bulk note.",
            }
        elif kind == Note.Kind.FIREARM:
            author = rng.choice(self.gun_people)
            fields = self.firearm(at)
        elif kind == Note.Kind.WITNESS:
            author = rng.choice(self.people[User.Role.INVESTIGATOR])
            worried = rng.random() < 0.1
            fields = {
                "name": self.name(),
                "contact": "Through the lead detective",
                "relation": "Neighbour",
                "account": "Heard shots and saw a car leave.",
                "cooperation": rng.choice(["cooperative", "reluctant", "refused"]),
                "intimidation_concern": worried,
                "relocation_requested": worried and rng.random() < 0.3,
                "referred_to_advocate": worried,
            }
        elif kind == Note.Kind.VICTIM_SERVICES:
            author = rng.choice(self.people[User.Role.VICTIM_ADVOCATE])
            victim = rng.randrange(len(plan.victims))
            status = rng.choice(["referred", "contacted", "engaged", "declined"])
            # What cases.services does: the referral status flows back to the victim.
            plan.victims[victim]["referral_status"] = status
            fields = {
                "victim": victim,
                "service_agency": "Bulk Data Advocacy Center",
                "referral_status": status,
                "services_offered": "Crisis counselling",
                "services_accepted": "",
                "safety_planning": rng.random() < 0.3,
                "text": "Fictional bulk note.",
            }
            restricted = False
        else:
            author = rng.choice(self.everyone)
            fields = {"text": f"Fictional bulk note on {plan.shooting['report_number']}: follow-up recorded."}
        return kind, author, fields, at, restricted

    def firearm(self, at: datetime) -> dict:
        rng = self.rng
        leads = []
        if rng.random() < self.nibin_share:
            if self.lead_left <= 0:
                self.leads_made += 1
                self.lead_number = f"{LEAD_PREFIX}{self.leads_made:07d}"
                self.lead_left = rng.randint(2, 4)
            leads = [self.lead_number]
            self.lead_left -= 1
        recovered = rng.random() < 0.4
        return {
            "recovered": recovered,
            "recovered_where": "Scene" if recovered else "",
            "recovered_on": at.date().isoformat() if recovered else None,
            "make": rng.choice(["Glock", "Taurus", "Hi-Point", "Ruger"]) if recovered else "",
            "model": "",
            "caliber": rng.choice(["9mm", ".40 S&W", ".45 ACP", "7.62x39mm"]),
            "serial_number": "(given when written)" if recovered else "",
            "casings_recovered": rng.randint(0, 14),
            "projectiles_recovered": rng.randint(0, 3),
            "nibin_leads": leads,
            "etrace_number": "",
            "etrace_status": "completed" if recovered else "not_submitted",
            "purchaser": self.name() if recovered else "",
            "dealer": "Bulk Data Outfitters (FFL)" if recovered else "",
            "time_to_crime_days": rng.randint(20, 6000) if recovered else None,
            "text": "Fictional bulk note.",
        }
