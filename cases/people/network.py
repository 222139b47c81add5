"""The people and shootings around one person, for the person page's link chart: their shootings,
the other people in those shootings and those people's other shootings, read only through the
roles the reader may see (cases/people/access.py). So an advocate's chart holds victims and the
shootings they were shot in, and a note restricted to its agency lends its person to no chart
outside that agency. The drawing is cases/people/link_chart.py's.

Two queries whatever the size of the network: each step reads at most ROWS_READ roles."""

from __future__ import annotations

from django.utils import timezone

from ..display import url_for_each
from ..models import Person, PersonRole
from . import access
from .link_chart import PERSON, SHOOTING, Chart, Edge, Graph, Node, layout, ordered_roles, shorten

# The chart draws the nearest this many people and shootings, the person included.
MAX_NODES = 40
# The most roles each step reads: enough for MAX_NODES nodes in all but the busiest networks,
# and a bound on the page's cost however connected a person is.
ROWS_READ = 400


def _day(moment) -> str:
    day = timezone.localtime(moment).date()
    return f"{day.day} {day:%b %Y}"


def _shooting_node(pk: int, report_number: str, occurred_from, ring: int, case_url) -> Node:
    return Node(f"s{pk}", SHOOTING, report_number, ring, url=case_url(pk), sublabel=_day(occurred_from))


def _person_node(pk: int, name: str, ring: int, person_url) -> Node:
    return Node(f"p{pk}", PERSON, shorten(name or "Unnamed person"), ring, url=person_url(pk))


def link_graph(person: Person, user, roles: list[PersonRole], name: str) -> Graph:
    """The graph around `person`, nearest first. `roles` are the person's roles `user` may see,
    with their shootings (the person page has them already).

    Queries: the visible roles of others in the person's shootings; when there is room left,
    the visible roles of those people in other shootings."""
    # Hundreds of nodes may be read before the nearest are kept: one reverse() per kind of link.
    case_url, person_url = url_for_each("cases:detail"), url_for_each("cases:person")
    graph = Graph(nodes=[_person_node(person.pk, name, 0, person_url)])
    centre = graph.nodes[0].key
    # Ring 1: the person's shootings, newest first.
    kinds: dict[int, list[str]] = {}
    shootings = {}
    for role in roles:
        kinds.setdefault(role.shooting_id, []).append(role.kind)
        shootings[role.shooting_id] = role.shooting
    first = sorted(shootings.values(), key=lambda s: (s.occurred_from, s.pk), reverse=True)
    for shooting in first:
        graph.nodes.append(_shooting_node(shooting.pk, shooting.report_number, shooting.occurred_from, 1, case_url))
        graph.edges.append(Edge(centre, f"s{shooting.pk}", ordered_roles(kinds[shooting.pk])))
    room = MAX_NODES - len(graph.nodes)
    drawn_first = [shooting.pk for shooting in first[: MAX_NODES - 1]]
    if not drawn_first:
        return graph

    # Ring 2: the other people in those shootings, the most connected first.
    rows = list(
        access.roles_visible_to(user)
        .filter(shooting_id__in=drawn_first)
        .exclude(person_id=person.pk)
        .order_by("-shooting__occurred_from", "shooting_id", "person_id", "pk")
        .values_list("person_id", "shooting_id", "kind", "name")[: ROWS_READ + 1]
    )
    graph.more = len(rows) > ROWS_READ
    position = {pk: n for n, pk in enumerate(drawn_first)}
    names: dict[int, str] = {}
    ties: dict[tuple[int, int], list[str]] = {}
    for person_id, shooting_id, kind, role_name in rows[:ROWS_READ]:
        names.setdefault(person_id, role_name)
        ties.setdefault((person_id, shooting_id), []).append(kind)
    reach: dict[int, list[int]] = {}
    for person_id, shooting_id in ties:
        reach.setdefault(person_id, []).append(position[shooting_id])
    second = sorted(reach, key=lambda pk: (-len(reach[pk]), min(reach[pk]), pk))
    for person_id in second:
        graph.nodes.append(_person_node(person_id, names[person_id], 2, person_url))
    for (person_id, shooting_id), role_kinds in ties.items():
        graph.edges.append(Edge(f"p{person_id}", f"s{shooting_id}", ordered_roles(role_kinds)))
    room -= len(second)
    if room <= 0:
        return graph

    # Ring 3: those people's other shootings, the most connected first, then the newest.
    rows = list(
        access.roles_visible_to(user)
        .filter(person_id__in=second[:room])
        .exclude(shooting_id__in=list(shootings))
        .order_by("-shooting__occurred_from", "shooting_id", "person_id", "pk")
        .values_list("person_id", "shooting_id", "kind", "shooting__report_number", "shooting__occurred_from")[
            : ROWS_READ + 1
        ]
    )
    graph.more = graph.more or len(rows) > ROWS_READ
    ties = {}
    facts: dict[int, tuple[str, object]] = {}
    for person_id, shooting_id, kind, report_number, occurred_from in rows[:ROWS_READ]:
        facts.setdefault(shooting_id, (report_number, occurred_from))
        ties.setdefault((person_id, shooting_id), []).append(kind)
    count: dict[int, int] = {}
    for _person_id, shooting_id in ties:
        count[shooting_id] = count.get(shooting_id, 0) + 1
    # Rows come newest first, so `facts` keeps that order for equal counts.
    newest = {pk: n for n, pk in enumerate(facts)}
    for shooting_id in sorted(facts, key=lambda pk: (-count[pk], newest[pk])):
        report_number, occurred_from = facts[shooting_id]
        graph.nodes.append(_shooting_node(shooting_id, report_number, occurred_from, 3, case_url))
    for (person_id, shooting_id), role_kinds in ties.items():
        graph.edges.append(Edge(f"p{person_id}", f"s{shooting_id}", ordered_roles(role_kinds)))
    return graph


def link_chart(person: Person, user, roles: list[PersonRole], name: str) -> Chart:
    return layout(link_graph(person, user, roles, name), MAX_NODES)
