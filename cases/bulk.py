"""A large fictional data set for load and speed work (`manage.py seed_bulk`, `make bench`).

Rows are written with bulk inserts, not through cases.services: a hundred thousand cases one by
one would take hours. What the services would have kept is filled in directly by the same rules:
search text, last activity, link keys for firearm notes, NIBIN leads, and cluster ids (the
smallest case id of each linked group).

Every bulk case has a report number starting with BULK_PREFIX, which no records system issues,
so bulk rows never collide with real ones and `delete_bulk_data` removes exactly them. The
agencies and people the bulk notes are written by are bulk rows as well (codes and usernames
starting with "bk-" / "bk_").
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, JSONField, ProtectedError
from django.utils import timezone

from accounts.models import Agency, User

from .models import Division, LinkKey, ManualLink, NibinLead, Note, NoteRevision, Shooting, ShootingChange, Victim

BULK_PREFIX = "BK"
LEAD_PREFIX = "BK-NL-"
AGENCY_PREFIX = "bk-"
USER_PREFIX = "bk_"
# The case-detail benchmark needs one case with many notes; it carries this report number.
HEAVY_REPORT_NUMBER = f"{BULK_PREFIX}-DETAIL-HEAVY"
# Share of firearm notes citing a NIBIN lead that other bulk cases cite too.
NIBIN_SHARE = 0.01

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

BULK_AGENCIES = [
    ("bk-police", "Bulk Data Police Department", Agency.Kind.POLICE),
    ("bk-federal", "Bulk Data Federal Field Office", Agency.Kind.FEDERAL),
    ("bk-prosecutor", "Bulk Data Prosecutor's Office", Agency.Kind.PROSECUTOR),
    ("bk-advocacy", "Bulk Data Advocacy Center", Agency.Kind.VICTIM_ADVOCACY),
]
# (username, agency code, role, how many)
BULK_PEOPLE = [
    ("bk_investigator", "bk-police", User.Role.INVESTIGATOR, 12),
    ("bk_coordinator", "bk-police", User.Role.COORDINATOR, 2),
    ("bk_agent", "bk-federal", User.Role.FEDERAL_AGENT, 4),
    ("bk_prosecutor", "bk-prosecutor", User.Role.PROSECUTOR, 3),
    ("bk_advocate", "bk-advocacy", User.Role.VICTIM_ADVOCATE, 4),
]
# Which kinds of note a case gets, and how often.
NOTE_KINDS = [
    (Note.Kind.GENERAL, 35),
    (Note.Kind.SUSPECT, 15),
    (Note.Kind.FIREARM, 20),
    (Note.Kind.WITNESS, 15),
    (Note.Kind.VICTIM_SERVICES, 15),
]


@dataclass
class BulkResult:
    shootings: int = 0
    victims: int = 0
    notes: int = 0
    revisions: int = 0
    link_keys: int = 0
    leads: int = 0
    clusters: int = 0


def bulk_shootings():
    return Shooting.objects.filter(report_number__startswith=BULK_PREFIX)


def holds_other_data() -> bool:
    """Whether any case in the database is not bulk data (a real or demo case)."""
    return Shooting.objects.exclude(report_number__startswith=BULK_PREFIX).exists()


@contextmanager
def given_timestamps(*models) -> Iterator[None]:
    """Let bulk inserts keep the created/updated times they are given: a data set spread over
    years needs them, and auto_now would stamp every row with the moment of the insert."""
    fields = [f for model in models for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def bulk_people() -> dict[str, list[User]]:
    """The bulk agencies and their people, by role; created when missing."""
    agencies = {}
    for code, name, kind in BULK_AGENCIES:
        agencies[code], _ = Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    people: dict[str, list[User]] = {}
    for stem, code, role, count in BULK_PEOPLE:
        for n in range(1, count + 1):
            user, made = User.objects.get_or_create(
                username=f"{stem}_{n}",
                defaults={
                    "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
                    "last_name": f"{SURNAME_HEADS[n]}{SURNAME_TAILS[n]}",
                    "email": f"{stem}_{n}@bulk.invalid",
                    "agency": agencies[code],
                    "role": role,
                },
            )
            if made:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            people.setdefault(role, []).append(user)
    return people


# --- Making the rows ---------------------------------------------------------------------------


class _Table:
    """Rows for one model's table as plain values (no model instances: building millions of them
    costs more than the insert). A column a row does not give gets the field's default."""

    def __init__(self, model):
        self.model = model
        fields = self.fields = list(model._meta.concrete_fields)
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.json = {f.attname for f in fields if isinstance(f, JSONField)}
        self.rows: list[dict] = []

    def add(self, **values) -> None:
        self.rows.append(values)

    def reserve_ids(self, count: int) -> list[int]:
        """Primary keys for rows that others must point at before anything is inserted."""
        if not count:
            return []
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            # Elsewhere (SQLite in development and tests) writers are serialised inside the
            # transaction, so the next free ids are the ones after the largest.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + count))

    def write(self, batch: int) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        # The id is given for rows that others point at; otherwise the database assigns it.
        fields = [f for f in self.fields if f.attname != "id" or "id" in rows[0]]
        if connection.vendor == "postgresql":
            self._copy(fields, rows)
        else:
            with given_timestamps(self.model):
                self.model.objects.bulk_create([self.model(**row) for row in rows], batch_size=batch)
        return len(rows)

    def _copy(self, fields, rows: list[dict]) -> None:
        """COPY is several times faster than INSERT for this many rows."""
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        names = [f.attname for f in fields]
        defaults = self.defaults
        json_at = [i for i, name in enumerate(names) if name in self.json]
        sql = f"COPY {self.model._meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = [row.get(name, defaults[name]) for name in names]
                for i in json_at:
                    values[i] = json.dumps(values[i])
                copy.write_row(values)


@dataclass
class _Plan:
    """One case before it is written: its row, its victims, and its notes as (kind, author,
    fields, time, restricted); a victim-services note names its victim by position until the
    victims have ids."""

    shooting: dict
    victims: list[dict] = field(default_factory=list)
    notes: list[tuple[str, User, dict, datetime, bool]] = field(default_factory=list)


class _Generator:
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

    def name(self) -> str:
        rng = self.rng
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAME_HEADS)}{rng.choice(SURNAME_TAILS)}"

    def case(self, seq: int, occurred: datetime, notes: int, report_number: str = "") -> _Plan:
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
        plan = _Plan(
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
        names = " ".join(v["name"] for v in plan.victims)
        # The same text as cases.services.refresh_search_text builds.
        plan.shooting["search_text"] = f"{number} {address} {names}".lower()
        last = reported
        for _ in range(notes):
            at = min(reported + timedelta(hours=rng.expovariate(1 / 150)), self.now)
            last = max(last, at)
            plan.notes.append(self.note(plan, at))
        plan.shooting["last_activity_at"] = plan.shooting["updated_at"] = last
        return plan

    def note(self, plan: _Plan, at: datetime) -> tuple[str, User, dict, datetime, bool]:
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


def create_bulk_data(
    shootings: int,
    notes_per_case: int,
    *,
    batch: int = 5000,
    years: int = 5,
    seed: int = 1,
    heavy_notes: int = 200,
    nibin_share: float = NIBIN_SHARE,
    progress: Callable[[str], None] | None = None,
) -> BulkResult:
    """Add `shootings` bulk cases with `notes_per_case` notes each, spread evenly over `years`
    up to now, plus — once — the case with `heavy_notes` notes that the case-detail benchmark
    opens. Each batch of cases is one transaction."""
    people = bulk_people()
    now = timezone.now()
    first_seq = bulk_shootings().count() + 1
    # A second run adds different cases, not copies of the first run's.
    rng = random.Random(f"{seed}-{first_seq}")
    gen = _Generator(rng, people, now, years, nibin_share)
    result = BulkResult()
    span = (now - gen.start).total_seconds()
    for offset in range(0, shootings, batch):
        size = min(batch, shootings - offset)
        # Each batch covers its own slice of the years, so ids rise with time as in a live system.
        slice_start, slice_len = span * offset / shootings, span * size / shootings
        times = sorted(slice_start + slice_len * rng.random() for _ in range(size))
        plans = [
            gen.case(first_seq + offset + n, gen.start + timedelta(seconds=t), notes_per_case)
            for n, t in enumerate(times)
        ]
        _write(plans, result, batch)
        if progress:
            progress(f"{offset + size} of {shootings} cases written")
    if heavy_notes and not Shooting.objects.filter(report_number=HEAVY_REPORT_NUMBER).exists():
        occurred = now - timedelta(days=3)
        _write([gen.case(0, occurred, heavy_notes, report_number=HEAVY_REPORT_NUMBER)], result, batch)
    result.leads = _make_leads(now)
    result.clusters = cluster_bulk_cases()
    return result


def _write(plans: list[_Plan], result: BulkResult, batch: int) -> None:
    """One batch of cases with their victims, notes, revisions and link keys."""
    shootings, victims, notes = _Table(Shooting), _Table(Victim), _Table(Note)
    revisions, keys = _Table(NoteRevision), _Table(LinkKey)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Losing the last batch in a crash is harmless for generated data; waiting for the
            # disk at every commit is not.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        shooting_ids = iter(shootings.reserve_ids(len(plans)))
        victim_ids = iter(victims.reserve_ids(sum(len(p.victims) for p in plans)))
        note_ids = iter(notes.reserve_ids(sum(len(p.notes) for p in plans)))
        for plan in plans:
            shooting_id = next(shooting_ids)
            shootings.add(id=shooting_id, **plan.shooting)
            ids = []
            for victim in plan.victims:
                ids.append(next(victim_ids))
                victims.add(id=ids[-1], shooting_id=shooting_id, **victim)
            for kind, author, fields, at, restricted in plan.notes:
                note_id = next(note_ids)
                if kind == Note.Kind.VICTIM_SERVICES:
                    fields = {**fields, "victim": ids[fields["victim"]]}
                elif kind == Note.Kind.FIREARM and fields["serial_number"]:
                    # Unique, so that only the NIBIN leads link bulk cases, however many runs.
                    fields = {**fields, "serial_number": f"BKS{note_id:09d}"}
                # The same text as cases.services builds for suspect notes.
                search = f"{fields['name']} {fields['aliases']}".lower().strip() if kind == Note.Kind.SUSPECT else ""
                notes.add(
                    id=note_id,
                    shooting_id=shooting_id,
                    kind=kind,
                    author_id=author.pk,
                    author_agency_id=author.agency_id,
                    restricted_to_agency=restricted,
                    fields=fields,
                    search_text=search,
                    created_at=at,
                    updated_at=at,
                )
                revisions.add(
                    note_id=note_id,
                    number=1,
                    fields=fields,
                    restricted_to_agency=restricted,
                    edited_by_id=author.pk,
                    edited_by_name=author.get_full_name(),
                    created_at=at,
                )
                if kind == Note.Kind.FIREARM:
                    if fields["serial_number"]:
                        keys.add(
                            shooting_id=shooting_id,
                            note_id=note_id,
                            kind=LinkKey.Kind.SERIAL,
                            value=fields["serial_number"],
                        )
                    for number in fields["nibin_leads"]:
                        keys.add(shooting_id=shooting_id, note_id=note_id, kind=LinkKey.Kind.NIBIN, value=number)
        result.shootings += shootings.write(batch)
        result.victims += victims.write(batch)
        result.notes += notes.write(batch)
        result.revisions += revisions.write(batch)
        result.link_keys += keys.write(batch)


def _make_leads(now: datetime) -> int:
    """A NibinLead row for every bulk lead number cited and not yet recorded; a third are hits."""
    cited = set(
        LinkKey.objects.filter(kind=LinkKey.Kind.NIBIN, value__startswith=LEAD_PREFIX).values_list("value", flat=True)
    )
    known = set(NibinLead.objects.filter(number__startswith=LEAD_PREFIX).values_list("number", flat=True))
    leads = []
    for number in sorted(cited - known):
        hit = int(number[len(LEAD_PREFIX) :]) % 3 == 0
        leads.append(
            NibinLead(
                number=number,
                status=NibinLead.Status.HIT if hit else NibinLead.Status.LEAD,
                lead_received_at=now,
                created_at=now,
            )
        )
    with given_timestamps(NibinLead):
        NibinLead.objects.bulk_create(leads, batch_size=5000)
    return len(leads)


def cluster_bulk_cases() -> int:
    """Set the cluster id of bulk cases that share a NIBIN lead or serial, by cases.linking's rule
    (the smallest case id of each connected group); returns how many clusters there are."""
    keys = LinkKey.objects.filter(shooting__report_number__startswith=BULK_PREFIX)
    holders: dict[tuple[str, str], list[int]] = {}
    shared = keys.values("kind", "value").annotate(n=Count("shooting_id", distinct=True)).filter(n__gt=1)
    values = {row["value"] for row in shared}
    for kind, value, shooting_id in keys.filter(value__in=values).values_list("kind", "value", "shooting_id"):
        holders.setdefault((kind, value), []).append(shooting_id)
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in holders.values():
        first = root(members[0])
        for other in members[1:]:
            a, b = sorted((first, root(other)))
            parent[b] = a
            first = a
    clusters: dict[int, list[int]] = {}
    for sid in parent:
        clusters.setdefault(root(sid), []).append(sid)
    wanted = {sid: min(members) for members in clusters.values() for sid in members}
    current = dict(Shooting.objects.filter(pk__in=wanted).values_list("pk", "cluster_id"))
    changed: dict[int, list[int]] = {}
    for sid, cluster in wanted.items():
        if current.get(sid) != cluster:
            changed.setdefault(cluster, []).append(sid)
    with transaction.atomic():
        for cluster, members in changed.items():
            Shooting.objects.filter(pk__in=members).update(cluster_id=cluster)
    return len(clusters)


# --- Removing them -----------------------------------------------------------------------------


def delete_bulk_data(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Remove every bulk row and nothing else. Cases put on a meeting agenda are protected: the
    meeting must drop them first."""
    counts: dict[str, int] = {}
    cases = bulk_shootings().values("pk")
    with transaction.atomic():
        counts["link keys"] = _delete(LinkKey, "shooting_id", cases)
        notes = Note.objects.filter(shooting__in=cases).values("pk")
        counts["note revisions"] = _delete(NoteRevision, "note_id", notes)
        counts["notes"] = _delete(Note, "shooting_id", cases)
        counts["victims"] = _delete(Victim, "shooting_id", cases)
        counts["case changes"] = _delete(ShootingChange, "shooting_id", cases)
        if progress:
            progress("notes and victims removed")
        both_bulk = ManualLink.objects.filter(from_shooting__in=cases, to_shooting__in=cases)
        counts["manual links"] = _delete(ManualLink, "id", both_bulk.values("pk"))
        ids = list(bulk_shootings().values_list("pk", flat=True))
        counts["cases"] = 0
        try:
            # In slices: the ORM's delete loads every row it deletes, and checks what protects them.
            for start in range(0, len(ids), 10_000):
                deleted = Shooting.objects.filter(pk__in=ids[start : start + 10_000]).delete()[1]
                counts["cases"] += deleted.get(Shooting._meta.label, 0)
        except ProtectedError as error:
            raise ProtectedError(
                f"{len(error.protected_objects)} rows outside the bulk data refer to bulk cases "
                "(for example agenda items); remove those first.",
                error.protected_objects,
            ) from error
        counts["NIBIN leads"] = NibinLead.objects.filter(number__startswith=LEAD_PREFIX).delete()[0]
    # People and agencies go last and only if nothing else refers to them any more.
    try:
        with transaction.atomic():
            counts["people"] = (
                User.objects.filter(username__startswith=USER_PREFIX).delete()[1].get(User._meta.label, 0)
            )
            counts["agencies"] = Agency.objects.filter(code__startswith=AGENCY_PREFIX).delete()[0]
    except ProtectedError:
        counts["people"] = counts["agencies"] = 0
    return counts


def _delete(model, column: str, subquery) -> int:
    """DELETE … WHERE column IN (subquery) in one statement: bulk tables are too big for the
    ORM's collector, which loads every row first."""
    sql, params = subquery.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({sql})", params)
        return cursor.rowcount
