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
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, JSONField, ProtectedError
from django.utils import timezone

from accounts.models import Agency, User
from cases.models import (
    LinkKey,
    ManualLink,
    NibinLead,
    Note,
    NoteRevision,
    Person,
    PersonChange,
    PersonRole,
    Shooting,
    ShootingChange,
    Victim,
)
from cases.people.matching import search_text

from .bulk_shootings import (
    BULK_PREFIX,
    FIRST_NAMES,
    HEAVY_REPORT_NUMBER,
    LEAD_PREFIX,
    NIBIN_SHARE,
    SURNAME_HEADS,
    SURNAME_TAILS,
    BulkPerson,
    CaseGenerator,
    CasePlan,
)

AGENCY_PREFIX = "bk-"
USER_PREFIX = "bk_"

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


@dataclass
class BulkResult:
    shootings: int = 0
    victims: int = 0
    notes: int = 0
    revisions: int = 0
    link_keys: int = 0
    leads: int = 0
    clusters: int = 0
    people: int = 0
    person_roles: int = 0


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
    """Rows for one model's table as plain values; a column a row does not give gets the field's
    default. On PostgreSQL they go in with COPY, without model instances (building millions of
    them costs more than the insert); elsewhere (SQLite, in tests) through bulk_create."""

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
        """COPY streams all the rows in one statement; INSERTs would be parsed and sent batch by batch."""
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
    gen = CaseGenerator(rng, people, now, years, nibin_share)
    gen.plan_heavy_people(shootings)
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
    if progress:
        progress("refreshing the planner's statistics")
    refresh_statistics()
    return result


def refresh_statistics() -> None:
    """After a bulk load the query planner still believes the tables are small (autovacuum gets to
    them minutes later) and picks plans that scan instead of using the indexes. On PostgreSQL a
    VACUUM also marks the new pages all-visible, which lets counts and searches read the indexes
    alone; it cannot run inside a transaction, so within one only the statistics are refreshed."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _write(plans: list[CasePlan], result: BulkResult, batch: int) -> None:
    """One batch of cases with their victims, notes, revisions, link keys and people."""
    shootings, victims, notes = _Table(Shooting), _Table(Victim), _Table(Note)
    revisions, keys = _Table(NoteRevision), _Table(LinkKey)
    persons, roles = _Table(Person), _Table(PersonRole)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Losing the last batch in a crash is harmless for generated data; waiting for the
            # disk at every commit is not.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        shooting_ids = iter(shootings.reserve_ids(len(plans)))
        victim_ids = iter(victims.reserve_ids(sum(len(p.victims) for p in plans)))
        note_ids = iter(notes.reserve_ids(sum(len(p.notes) for p in plans)))
        new_people = _new_people(plans)
        for person, person_id in zip(new_people, persons.reserve_ids(len(new_people)), strict=True):
            person.id = person_id
            persons.add(
                id=person_id,
                name=person.name,
                aliases=person.aliases,
                approximate_age=person.age,
                age_noted_on=person.first_seen.date() if person.age is not None else None,
                sex=person.sex,
                created_at=person.first_seen,
            )
        for plan in plans:
            shooting_id = next(shooting_ids)
            shootings.add(id=shooting_id, **plan.shooting)
            ids = []
            for victim, person in zip(plan.victims, plan.victim_people, strict=True):
                ids.append(next(victim_ids))
                victims.add(id=ids[-1], shooting_id=shooting_id, **victim)
                _add_role(
                    roles, person, PersonRole.Kind.VICTIM, shooting_id, victim, victim["created_at"], victim_id=ids[-1]
                )
            for index, (kind, author, fields, at, restricted) in enumerate(plan.notes):
                note_id = next(note_ids)
                if index in plan.note_people:
                    _add_role(roles, plan.note_people[index], kind, shooting_id, fields, at, note_id=note_id)
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
        result.people += persons.write(batch)
        result.person_roles += roles.write(batch)


def _new_people(plans: list[CasePlan]) -> list[BulkPerson]:
    """The people of these cases not written yet, each once, in the order they appear."""
    seen: dict[int, BulkPerson] = {}
    for plan in plans:
        for person in [*plan.victim_people, *plan.note_people.values()]:
            if person.id is None:
                seen.setdefault(id(person), person)
    return list(seen.values())


def _add_role(roles: _Table, person: BulkPerson, kind: str, shooting_id: int, record: dict, at, **source) -> None:
    """The person-role cases.people.services would make for a victim or a note: what the record
    says of the person, and its search text."""
    name, aliases = record["name"], record.get("aliases") or ""
    roles.add(
        person_id=person.id,
        kind=kind,
        shooting_id=shooting_id,
        name=name,
        aliases=aliases,
        approximate_age=record.get("age") if kind == PersonRole.Kind.VICTIM else record.get("approximate_age"),
        search_text=search_text(name, aliases),
        created_at=at,
        **source,
    )


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
        # The people of bulk cases: gone with their roles, unless a role elsewhere keeps them.
        people = list(PersonRole.objects.filter(shooting__in=cases).values_list("person_id", flat=True).distinct())
        counts["person roles"] = _delete(PersonRole, "shooting_id", cases)
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
        counts["persons"] = 0
        for start in range(0, len(people), 10_000):
            gone = (
                Person.objects.filter(pk__in=people[start : start + 10_000], roles__isnull=True)
                .exclude(pk__in=PersonChange.objects.values("person_id"))
                .exclude(pk__in=PersonChange.objects.exclude(other_person=None).values("other_person_id"))
                .exclude(merged_from__isnull=False)
            )
            counts["persons"] += _delete(Person, "id", gone.values("pk"))
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
