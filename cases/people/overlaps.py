"""Overlaps: the people of a shooting who appear in other shootings, as short sentences ("Victim
Orrin Halberd was a suspect in RB26500002 (3 Nov 2026)"), for the agenda items and the packets.

Three steps, so that a frozen agenda can say the same thing to each reader long after:
- `role_facts` reads, for many shootings in one query, every live role of their people with
  what decides who may see it (the role's kind, its note's kind, author agency and restriction);
- `overlap_lines` keeps only the roles a reader may see, at both ends (the role in this
  shooting and the one elsewhere: a suspect the reader may not see is no one's "suspect who was
  shot before"), and words what is left;
- `overlaps_for` is both for a signed-in user, with cases.people.access's `role_is_visible`.
`shootings_with_recent_overlap` is the agenda rule's question, asked of the database at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..display import url_for_each
from ..models import PersonRole, Shooting
from . import access

Kind = PersonRole.Kind
# The order a shooting's people are told in, and the order of what is said of each.
ROLE_ORDER = [Kind.VICTIM, Kind.SUSPECT, Kind.WITNESS, Kind.ASSOCIATE]
SAID_ORDER = [Kind.SUSPECT, Kind.VICTIM, Kind.WITNESS, Kind.ASSOCIATE]
ROLE_LABELS = dict(Kind.choices)
WAS = {Kind.SUSPECT: "was a suspect in", Kind.WITNESS: "was a witness in", Kind.ASSOCIATE: "was an associate in"}
# A sentence names at most this many other shootings, then "and N more".
CASES_NAMED = 3

# A role counts while its source stands: a victim row, an associate, a note not retracted.
LIVE = Q(note__isnull=True) | Q(note__retracted_at__isnull=True)

Fact = dict  # one role as role_facts keeps it: "role", "note", and where it is

MaySee = Callable[[Fact], bool]


# --- What the database says, for anyone --------------------------------------------------------


def role_facts(shooting_ids: Iterable[int], *, id_filter=None) -> dict[int, list[Fact]]:
    """shooting id → its people's roles there, each with the person's live roles in other
    shootings ("elsewhere", newest first). JSON-safe, and no decision about who sees what.
    `id_filter` is the ids as the query should take them (the agenda's snapshot passes hundreds
    as one array parameter on PostgreSQL).

    One query, however many shootings and people: every live role of every person with a live
    role in one of the shootings."""
    ids = set(shooting_ids)
    if not ids:
        return {}
    people = PersonRole.objects.filter(LIVE, shooting_id__in=ids if id_filter is None else id_filter).values(
        "person_id"
    )
    rows = (
        PersonRole.objects.filter(LIVE, person_id__in=people, person__merged_into__isnull=True)
        .values(
            "person_id",
            "kind",
            "name",
            "shooting_id",
            "shooting__report_number",
            "shooting__occurred_from",
            "note__kind",
            "note__author_agency_id",
            "note__author_agency__kind",
            "note__restricted_to_agency",
        )
        .order_by("-shooting__occurred_from", "shooting_id", "pk")
    )
    roles_of: dict[int, list[dict]] = {}
    for row in rows:
        roles_of.setdefault(row["person_id"], []).append(row)
    out: dict[int, list[Fact]] = {}
    for person_id, roles in roles_of.items():
        for here in roles:
            if here["shooting_id"] not in ids:
                continue
            out.setdefault(here["shooting_id"], []).append(
                {
                    **_fact(here),
                    "person_id": person_id,
                    "name": here["name"],
                    "elsewhere": [_fact(other) for other in roles if other["shooting_id"] != here["shooting_id"]],
                }
            )
    for facts in out.values():
        facts.sort(key=lambda f: (ROLE_ORDER.index(f["role"]), f["name"], f["person_id"]))
    return out


def _fact(row: dict) -> Fact:
    note = None
    if row["note__kind"] is not None:
        note = {
            "kind": row["note__kind"],
            "author_agency_id": row["note__author_agency_id"],
            "author_agency_kind": row["note__author_agency__kind"],
            "restricted": row["note__restricted_to_agency"],
        }
    occurred = row["shooting__occurred_from"]
    return {
        "role": row["kind"],
        "note": note,
        "shooting_id": row["shooting_id"],
        "report_number": row["shooting__report_number"],
        "occurred_from": occurred.isoformat() if occurred else None,
    }


def shootings_with_recent_overlap(shootings: QuerySet[Shooting], since: datetime, until: datetime) -> set[int]:
    """Those of `shootings` whose victim or suspect has a role (any) in another shooting that
    occurred in (since, until]. One query; whoever may see the roles (the agenda's reasons are
    worded for each reader by the presentation)."""
    recent = PersonRole.objects.filter(LIVE, shooting__occurred_from__gt=since, shooting__occurred_from__lte=until)
    elsewhere = recent.filter(person_id=OuterRef("person_id")).exclude(shooting_id=OuterRef("shooting_id"))
    return set(
        PersonRole.objects.filter(
            LIVE,
            kind__in=[Kind.VICTIM, Kind.SUSPECT],
            person__merged_into__isnull=True,
            shooting__in=shootings.values("pk"),
            # A year's roles are a small part of all: the people in them narrow the roles looked
            # at before each is checked for a role in another shooting.
            person_id__in=recent.values("person_id"),
        )
        .filter(Exists(elsewhere.values("pk")))
        .values_list("shooting_id", flat=True)
        .distinct()
    )


# --- What one reader is told ---------------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    """One sentence about one person of the shooting. `parts` are (text, link) in reading order,
    the link "" where there is none: the page links names and report numbers, a test or a
    plain-text reader joins the texts."""

    person_id: int
    role: str  # the person's role in this shooting
    said: str  # what they were elsewhere: a role, or "" for "in n other cases"
    count: int  # how many other shootings the sentence is about
    last_on: date | None  # the newest of them, on the local calendar
    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


def _day(value: str | None, tz: tzinfo) -> date | None:
    moment = parse_datetime(value) if value else None
    return moment.astimezone(tz).date() if moment else None


def _day_text(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "date unknown"


class _Words:
    """Builds the parts of one sentence."""

    def __init__(self, case_url: Callable[[int], str], tz: tzinfo):
        self.case_url, self.tz = case_url, tz

    def cases(self, facts: list[Fact], note: Callable[[Fact], str] | None = None) -> list[tuple[str, str]]:
        parts: list[tuple[str, str]] = []
        for n, fact in enumerate(facts[:CASES_NAMED]):
            parts += [(", " if n else "", ""), (fact["report_number"], self.case_url(fact["shooting_id"]))]
            parts.append((f" ({note(fact) if note else _day_text(_day(fact['occurred_from'], self.tz))})", ""))
        if len(facts) > CASES_NAMED:
            parts.append((f" and {len(facts) - CASES_NAMED} more", ""))
        return [p for p in parts if p[0]]


def _one_per_shooting(facts: list[Fact]) -> list[Fact]:
    seen: set[int] = set()
    return [f for f in facts if not (f["shooting_id"] in seen or seen.add(f["shooting_id"]))]


def overlap_lines(
    facts: list[Fact],
    may_see: MaySee,
    *,
    tz: tzinfo | None = None,
    case_url: Callable[[int], str] | None = None,
    person_url: Callable[[int], str] | None = None,
) -> list[Overlap]:
    """The sentences about one shooting's people (`role_facts` of it) that a reader for whom
    `may_see` holds may read: only roles they may see, at both ends."""
    tz = tz or timezone.get_current_timezone()
    case_url = case_url or url_for_each("cases:detail")
    person_url = person_url or url_for_each("cases:person")
    words = _Words(case_url, tz)
    lines: list[Overlap] = []
    for here in facts:
        others = [fact for fact in here["elsewhere"] if may_see(fact)] if may_see(here) else []
        if not others:
            continue
        role = here["role"]
        subject = [(f"{ROLE_LABELS[role]} ", ""), (here["name"] or "Unnamed person", person_url(here["person_id"]))]

        def line(said: str, found: list[Fact], rest: list[tuple[str, str]], here=here, subject=subject) -> Overlap:
            last_on = _day(found[0]["occurred_from"], tz)
            return Overlap(here["person_id"], here["role"], said, len(found), last_on, tuple(subject + rest))

        if role in (Kind.WITNESS, Kind.ASSOCIATE):
            # A witness's other cases matter as a count (how exposed they are), each with its role.
            cases = _one_per_shooting(others)
            roles_in: dict[int, list[str]] = {}
            for fact in others:
                roles_in.setdefault(fact["shooting_id"], []).append(ROLE_LABELS[fact["role"]].lower())

            def role_and_day(fact: Fact, roles_in=roles_in) -> str:
                return f"{' and '.join(roles_in[fact['shooting_id']])}, {_day_text(_day(fact['occurred_from'], tz))}"

            count = f"{len(cases)} other case" + ("" if len(cases) == 1 else "s")
            lines.append(line("", cases, [(f" in {count}: ", ""), *words.cases(cases, role_and_day)]))
            continue
        for said in SAID_ORDER:
            found = _one_per_shooting([fact for fact in others if fact["role"] == said])
            if not found:
                continue
            if said != Kind.VICTIM:
                lines.append(line(said, found, [(f" {WAS[said]} ", ""), *words.cases(found)]))
            elif role != Kind.VICTIM:
                lines.append(line(said, found, [(" was shot in ", ""), *words.cases(found)]))
            else:
                # A victim shot before this shooting, and (on an older case) shot again since.
                before = [f for f in found if _earlier(f, here)]
                again = [f for f in found if not _earlier(f, here)]
                if again:
                    lines.append(line(said, again, [(" was shot again in ", ""), *words.cases(again)]))
                if len(before) == 1:
                    lines.append(line(said, before, [(" was shot before, in ", ""), *words.cases(before)]))
                elif before:
                    last = before[0]
                    last_text = _day_text(_day(last["occurred_from"], tz))
                    rest = [
                        (f" was shot before ({len(before)} times, last on {last_text} in ", ""),
                        (last["report_number"], case_url(last["shooting_id"])),
                        (")", ""),
                    ]
                    lines.append(line(said, before, rest))
    return lines


def _earlier(fact: Fact, here: Fact) -> bool:
    """Whether `fact`'s shooting occurred before `here`'s (an unknown date counts as earlier)."""
    theirs, ours = (parse_datetime(f["occurred_from"]) if f["occurred_from"] else None for f in (fact, here))
    return theirs is None or (ours is not None and theirs < ours)


def has_recent_overlap(facts: list[Fact], may_see: MaySee, since: datetime, until: datetime) -> bool:
    """Whether a reader for whom `may_see` holds sees what the agenda rule saw: a victim or
    suspect of the shooting with a role in another shooting that occurred in (since, until]."""
    for here in facts:
        if here["role"] not in (Kind.VICTIM, Kind.SUSPECT) or not may_see(here):
            continue
        for fact in here["elsewhere"]:
            moment = parse_datetime(fact["occurred_from"]) if fact["occurred_from"] else None
            if moment is not None and since < moment <= until and may_see(fact):
                return True
    return False


def visible_to(user) -> MaySee:
    """`may_see` for a signed-in user (cases.people.access.role_is_visible)."""
    return lambda fact: access.role_is_visible(user, kind=fact["role"], note=fact["note"])


def overlaps_for(user, shooting_ids: Iterable[int]) -> dict[int, list[Overlap]]:
    """shooting id → the overlaps `user` may read of it (none for a shooting without any). One
    query, however many shootings."""
    may_see = visible_to(user)
    return {sid: lines for sid, facts in role_facts(shooting_ids).items() if (lines := overlap_lines(facts, may_see))}
