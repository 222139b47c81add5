"""What a reader sees of a person: the person page, the search results and the suggestions,
each built from the roles the reader may see (cases/people/access.py), in a fixed number of
queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from ..meeting_history import open_actions_of_cases
from ..models import Person, PersonChange, PersonRole
from . import access
from .forms import MatchQueryForm, SamePersonForm
from .link_chart import SHOOTING, Chart
from .matching import Candidate, likely_matches, normalise_name
from .network import link_chart

# The names of a person the suggestions on their page look for (the first few different ones).
NAMES_COMPARED = 3
# The open action items the page lists; the cases' own Reviews sections have them all.
ACTIONS_SHOWN = 30


@dataclass
class PersonPage:
    person: Person
    roles: list[PersonRole]
    names: list[str]
    births: list[str]
    sees_every_role: bool
    can_link: bool
    can_merge: bool
    history: list[PersonChange] = field(default_factory=list)
    merged_from: list[Person] = field(default_factory=list)
    # Open action items of the cases in which the reader may see the person (meetings' rules).
    open_actions: list = field(default_factory=list)
    chart: Chart | None = None

    @property
    def shown_case_ids(self) -> set[int]:
        """Every case the page names (for the request's audit row): the roles', the chart's."""
        ids = {role.shooting_id for role in self.roles}
        if self.chart:
            ids |= {int(p.node.key[1:]) for p in self.chart.nodes if p.node.kind == SHOOTING}
        return ids

    @property
    def more_actions(self) -> bool:
        return len(self.open_actions) > ACTIONS_SHOWN

    @property
    def actions_shown(self) -> list:
        return self.open_actions[:ACTIONS_SHOWN]

    @property
    def name(self) -> str:
        return self.names[0] if self.names else "Unnamed person"


def _names(roles) -> list[str]:
    seen: list[str] = []
    for role in roles:
        for name in [role.name, *(a.strip() for a in role.aliases.split(","))]:
            if name and name not in seen:
                seen.append(name)
    return seen


def role_order(role: PersonRole):
    return (role.shooting.occurred_from, role.pk)


def person_page(person: Person, user) -> PersonPage:
    roles = sorted(access.roles_visible_to(user).filter(person=person).select_related("shooting"), key=role_order)
    every = access.sees_every_role(user)
    page = PersonPage(
        person=person,
        roles=roles,
        names=_names(roles),
        births=sorted({r.date_of_birth.isoformat() for r in roles if r.date_of_birth}) if every else [],
        sees_every_role=every,
        can_link=access.can_link_people(user),
        can_merge=access.can_merge_people(user),
    )
    # Only the cases of roles the reader may see: an advocate never gets the action items of a
    # case in which the person was a suspect or witness.
    case_ids = sorted({role.shooting_id for role in roles})
    page.open_actions = open_actions_of_cases(user, case_ids, limit=ACTIONS_SHOWN + 1)
    page.chart = link_chart(person, user, roles, page.name)
    if not page.can_link:
        return page
    visible_roles = access.roles_visible_to(user).values("pk")
    page.history = list(
        PersonChange.objects.filter(Q(person=person) | Q(other_person=person))
        .filter(Q(role__isnull=True) | Q(role__in=visible_roles))
        .select_related("role__shooting")[:50]
    )
    if page.can_merge:
        page.merged_from = list(person.merged_from.all())
    return page


def possible_matches(person: Person, user) -> list[Candidate]:
    """Other records that may be the same person, from the names and dates of birth the reader
    may see of this one. A trigram search of every role per name: the person page asks for it
    as a fragment of its own, so that the page itself does not wait on it."""
    roles = access.roles_visible_to(user).filter(person=person).order_by("created_at", "pk")
    found: dict[int, Candidate] = {}
    # Each different name (and date of birth) once: a person recorded fifty times under one name
    # is looked for once.
    compared = list(dict.fromkeys((normalise_name(role.name), role.date_of_birth) for role in roles))
    for name, born in compared[:NAMES_COMPARED]:
        for candidate in likely_matches(user, name, born=born, exclude=person.pk):
            found.setdefault(candidate.person_id, candidate)
    return list(found.values())


def match_context(user, data) -> dict:
    """The suggestions a victim or note form shows when asked without JavaScript ("Look for this
    person"), in the names the fragment's template reads. Nothing for those who may not link."""
    if data is None or not access.can_link_people(user):
        return {"person_matches": [], "person_looked": False, "person_chosen": None}
    query = MatchQueryForm(data).query()
    matches = likely_matches(user, query["name"], born=query["born"], age=query["age"]) if query["name"] else []
    return {"person_matches": matches, "person_looked": bool(query["name"]), "person_chosen": query["chosen"]}


def chosen_person_pk(data) -> int | None:
    """The suggested person the user chose in a victim or note form, if any."""
    return SamePersonForm(data).chosen() if data is not None else None


@dataclass
class CaseAssociates:
    """The case page's "Associates": the people the meeting connected with the case by hand."""

    roles: list[PersonRole]
    can_record: bool


def case_associates(shooting, user) -> CaseAssociates | None:
    """None for those who may not see associates (advocates): no section at all.

    Queries: the case's associate roles."""
    if not access.sees_every_role(user):
        return None
    roles = list(
        access.roles_visible_to(user)
        .filter(shooting=shooting, kind=PersonRole.Kind.ASSOCIATE)
        .order_by("created_at", "pk")
    )
    return CaseAssociates(roles, access.can_record_associates(user))
