"""Likely matches for a name being entered, and the person search: who this might already be.
Suggestions only; a person is linked when someone confirms (cases/people/services.py).

Both read the roles the reader may see (each keeps the name, aliases and dates its source gives),
never the person record's own fields, so a name seen only in another agency's restricted note,
or only in a suspect note for an advocate, never matches. Names are compared by trigram word
similarity (cases/people/trigrams.py: pg_trgm on PostgreSQL, indexed by migration 0006, and the
same measure on SQLite), so typos and partial names match.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.lookups import TrigramStrictWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Func, Q, QuerySet, Value
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from ..models import Person, PersonChange, PersonRole
from .access import roles_visible_to
from .trigrams import MIN_SIMILARITY

# Years either side of an approximate age that still count as the same age band.
AGE_BAND = 3
MAX_SUGGESTIONS = 6
MAX_RESULTS = 50


def normalise_name(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).lower()


def search_text(name: str, aliases: str = "") -> str:
    return normalise_name(f"{name} {aliases}")[:330]


def _strictly_alike(text: str):
    """A filter on roles: a name or alias resembles `text` as whole words (MIN_SIMILARITY)."""
    if connection.vendor == "postgresql":
        # Served by the trigram index; the `<<%` operator's threshold is the connection's
        # (trigrams.py).
        return TrigramStrictWordSimilar(F("search_text"), text)
    likeness = Func(Value(text), F("search_text"), function="STRICT_WORD_SIMILARITY", output_field=FloatField())
    return GreaterThanOrEqual(likeness, MIN_SIMILARITY)


def resembling(roles: QuerySet[PersonRole], text: str, *, typos: bool = True) -> QuerySet[PersonRole]:
    """`roles` narrowed to those whose name or aliases contain `text` (part of a name is enough)
    or, with `typos`, resemble it as whole words, misspelt (trigrams.py). Unordered: also the case
    list's subquery. Both tests are served by the trigram index on PostgreSQL (a BitmapOr)."""
    text = normalise_name(text)
    if not text:
        return roles.none()
    named = Q(search_text__contains=text)
    return roles.filter(named | Q(_strictly_alike(text)) if typos else named)


def similar_roles(roles: QuerySet[PersonRole], text: str) -> QuerySet[PersonRole]:
    """`roles` narrowed to those whose name or aliases resemble `text`, most alike first."""
    return (
        resembling(roles, text)
        .annotate(similarity=TrigramWordSimilarity(normalise_name(text), "search_text"))
        .order_by("-similarity", "person_id", "pk")
    )


def shootings_of_people_named(user, text: str, *, typos: bool = True) -> QuerySet[PersonRole]:
    """The case list's search of people: the shooting ids (a subquery) in which someone has a role
    `user` may see, and has a name or alias (in a role `user` may see) resembling `text`.

    Both steps read only visible roles: an advocate finds a person only by the names they were
    shot under and reaches only the shootings they were shot in; a restricted note neither lends
    its name nor leads to its shooting outside its agency."""
    visible = roles_visible_to(user)
    named = resembling(visible, text, typos=typos).order_by().values("person_id")
    return visible.filter(person_id__in=named).order_by().values("shooting_id")


@dataclass
class Candidate:
    """A person as the reader may know them: the roles of theirs that matched."""

    person_id: int
    roles: list[PersonRole] = field(default_factory=list)
    why: str = ""

    @property
    def names(self) -> list[str]:
        seen: list[str] = []
        for role in self.roles:
            for name in [role.name, *[a.strip() for a in role.aliases.split(",")]]:
                if name and name not in seen:
                    seen.append(name)
        return seen

    @property
    def name(self) -> str:
        return self.roles[0].name


def _grouped(roles) -> dict[int, Candidate]:
    found: dict[int, Candidate] = {}
    for role in roles:
        found.setdefault(role.person_id, Candidate(role.person_id)).roles.append(role)
    return found


def search_people(user, text: str) -> list[Candidate]:
    """The person search: people with a visible role whose name or alias resembles `text`."""
    roles = similar_roles(roles_visible_to(user), text).select_related("shooting")[: MAX_RESULTS * 3]
    return list(_grouped(roles).values())[:MAX_RESULTS]


def _dates_fit(role: PersonRole, age: int | None, born: dt.date | None, today: dt.date) -> bool | None:
    """True when the dates agree, False when they rule the role's person out, None when unknown."""
    if born and role.date_of_birth:
        return born == role.date_of_birth
    theirs = role.age_on(today)
    ours = age if age is not None else (PersonRole(date_of_birth=born).age_on(today) if born else None)
    if theirs is None or ours is None:
        return None
    return abs(theirs - ours) <= AGE_BAND


def rejected_pairs(person_id: int | None) -> set[int]:
    if person_id is None:
        return set()
    rows = PersonChange.objects.filter(
        Q(person_id=person_id) | Q(other_person_id=person_id), action=PersonChange.Action.REJECTED
    ).values_list("person_id", "other_person_id")
    return {other for pair in rows for other in pair if other != person_id}


def likely_matches(
    user, name: str, *, born: dt.date | None = None, age: int | None = None, exclude: int | None = None
) -> list[Candidate]:
    """The people `user` may see who may be the one named: a similar name or alias, and no date
    of birth or age that rules them out. Pairs once rejected are not offered again."""
    roles = roles_visible_to(user)
    if exclude is not None:
        roles = roles.exclude(person_id__in={exclude, *rejected_pairs(exclude)})
    today = timezone.localdate()
    ranked: list[tuple[int, Candidate]] = []
    for candidate in _grouped(similar_roles(roles, name).select_related("shooting")[:60]).values():
        fits = [_dates_fit(role, age, born, today) for role in candidate.roles]
        if False in fits and True not in fits:
            continue
        if True in fits:
            same_birth = born and any(r.date_of_birth == born for r in candidate.roles)
            candidate.why = "same date of birth" if same_birth else "age fits"
            ranked.append((0 if same_birth else 1, candidate))
        else:
            candidate.why = "similar name"
            ranked.append((2, candidate))
    ranked.sort(key=lambda pair: pair[0])
    return [candidate for _rank, candidate in ranked[:MAX_SUGGESTIONS]]


def exact_match(name: str, born: dt.date | None, *, visible_to=None) -> Person | None:
    """The one person recorded under exactly this name and date of birth (the conservative rule
    of the migration, and of imports), in the roles `visible_to` may see when given; None when
    there is none, or more than one."""
    if not born or not normalise_name(name):
        return None
    key = normalise_name(name)
    roles = roles_visible_to(visible_to) if visible_to is not None else PersonRole.objects.all()
    # Names compared ignoring case and spacing, as the migration did.
    rows = roles.filter(person__merged_into__isnull=True, date_of_birth=born, search_text__startswith=key)
    people = {person for person, other in rows.values_list("person_id", "name")[:50] if normalise_name(other) == key}
    return Person.objects.get(pk=people.pop()) if len(people) == 1 else None


def roles_by_person(roles) -> dict[int, list[PersonRole]]:
    grouped: dict[int, list[PersonRole]] = defaultdict(list)
    for role in roles:
        grouped[role.person_id].append(role)
    return grouped
