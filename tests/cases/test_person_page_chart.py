"""The person page's link chart (people and shootings two steps out) and its open action items,
as each role: built only from the roles the reader may see, so an advocate's chart holds victims
and the shootings they were shot in, and a note restricted to its agency keeps its person out of
every other agency's chart."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Note
from cases.people import services as people_services
from cases.people.link_chart import CENTRE, PERSON, SHOOTING, Edge, Graph, Node, layout
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import meeting_at

from .test_people import witness

pytestmark = pytest.mark.django_db

LAW_ENFORCEMENT = ["investigator", "atf_agent", "prosecutor", "coordinator", "supervisor"]


def suspect(shooting, user, name, *, restricted=False, person=None, aliases=""):
    fields = {"name": name, "aliases": aliases, "date_of_birth": None, "approximate_age": 30, "status": "suspect"}
    fields |= {"basis": "", "text": ""}
    return services.add_note(shooting, user, Note.Kind.SUSPECT, fields, restricted=restricted, person=person)


def shot(user, number, days_ago, *victims):
    return make_shooting(
        user,
        report_number=number,
        occurred_from=timezone.now() - timedelta(days=days_ago),
        victims=[{"name": name, "age": 25, "sex": "M"} for name in victims],
    )


def person_of(shooting, name):
    return shooting.victims.get(name=name).person_role.person


@pytest.fixture
def network(investigator):
    """Orrin Halberd was shot in A, is a suspect in B and a witness in C. In A: Piet Vallance
    (shot again in D), a suspect Garrick Stonebridge (a witness in F), a suspect in a note the
    police restricted to their agency, Tamsin Orrery, and an associate, Wendell Ashgrove. In B:
    Sela Marrow, shot again in E."""
    a = shot(investigator, "RB26600001", 40, "Orrin Halberd", "Piet Vallance")
    orrin, piet = person_of(a, "Orrin Halberd"), person_of(a, "Piet Vallance")
    b = shot(investigator, "RB26600002", 20, "Sela Marrow")
    suspect(b, investigator, "Orrin Halberd", person=orrin, aliases="Quillfeather")
    c = shot(investigator, "RB26600003", 10, "Dorian Fennick")
    witness(c, investigator, "Orrin Halberd", person=orrin)
    d = shot(investigator, "RB26600004", 5, "Piet Vallance Jr")
    d_role = d.victims.get().person_role
    people_services.merge_people(piet, d_role.person, investigator)
    e = shot(investigator, "RB26600005", 3, "Mirela Dunsany")
    sela = person_of(b, "Sela Marrow")
    people_services.merge_people(sela, person_of(e, "Mirela Dunsany"), investigator)
    garrick = suspect(a, investigator, "Garrick Stonebridge").person_role.person
    f = shot(investigator, "RB26600006", 2, "Hester Quayle")
    witness(f, investigator, "Garrick Stonebridge", person=garrick)
    suspect(a, investigator, "Tamsin Orrery", restricted=True)
    people_services.record_associate(a, investigator, "Drove the group", name="Wendell Ashgrove")
    return {"orrin": orrin, "a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def chart_of(client, user, person) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:person", args=[person.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    return text[text.index('id="link-chart"') : text.index("</section>", text.index('id="link-chart"'))]


def svg_labels(chart: str) -> list[str]:
    svg = chart[chart.index("<svg") : chart.index("</svg>")]
    return re.findall(r"<text[^>]*>([^<]+)", svg)


# --- Who sees which nodes ---------------------------------------------------------------------


@pytest.mark.parametrize("who", LAW_ENFORCEMENT)
def test_law_enforcement_sees_the_network_two_steps_out(who, network, client, request):
    user = request.getfixturevalue(who)
    labels = svg_labels(chart_of(client, user, network["orrin"]))
    expected = {"Orrin Halberd", "Piet Vallance", "Sela Marrow", "Garrick Stonebridge", "Dorian Fennick"}
    expected |= {"Wendell Ashgrove", "RB26600001", "RB26600002", "RB26600003", "RB26600004", "RB26600005"}
    expected |= {"RB26600006"}
    assert expected <= set(labels)
    # Three steps out: the victim of the shooting Garrick Stonebridge witnessed.
    assert "Hester Quayle" not in labels
    # Tamsin Orrery is in a note the police restricted to their agency.
    police = user.agency_id == request.getfixturevalue("investigator").agency_id
    assert ("Tamsin Orrery" in labels) is police


def test_an_advocate_sees_only_victims_and_the_shootings_they_were_shot_in(network, advocate, client):
    chart = chart_of(client, advocate, network["orrin"])
    assert set(svg_labels(chart)) == {"Orrin Halberd", "Piet Vallance", "RB26600001", "RB26600004"}
    # Not in the drawing, the key, the list in words, nor anywhere else on the page.
    page = client.get(reverse("cases:person", args=[network["orrin"].pk])).content.decode()
    for hidden in ["RB26600002", "RB26600003", "RB26600005", "RB26600006", "Sela Marrow", "Garrick", "Tamsin"]:
        assert hidden not in page
    for hidden in ["Wendell", "Quillfeather", "Suspect", "suspect", "Witness", "witness", "Associate", "associate"]:
        assert hidden not in page


def test_an_outsider_never_sees_the_person_of_a_note_restricted_to_another_agency(network, outsider, client):
    chart = chart_of(client, outsider, network["orrin"])
    assert "Tamsin" not in chart
    assert "Garrick Stonebridge" in svg_labels(chart)


def test_the_chart_in_words_names_each_tie_and_its_role(network, investigator, client):
    chart = chart_of(client, investigator, network["orrin"])
    words = chart[chart.index('class="chart-words"') :]
    assert re.search(r"RB26600002</a> \([^)]*\):\s*<a [^>]*>Orrin Halberd</a> \(suspect\)", words)
    assert "Wendell Ashgrove</a> (associate)" in words
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    # Shapes and dashes, not colour, tell roles apart; each role drawn is in the key.
    assert "stroke-dasharray" in chart
    key = chart[chart.index('class="chart-key"') : chart.index("</figcaption>")]
    assert all(label in key for label in ["Victim", "Suspect", "Witness", "Associate"])


def test_the_chart_is_cut_at_the_nearest_forty_and_says_so(investigator, client):
    first = shot(investigator, "RB26610000", 100, "Ansel Corrigan")
    ansel = person_of(first, "Ansel Corrigan")
    for n in range(1, 45):
        witness(shot(investigator, f"RB266100{n:02d}", 100 - n, f"Bystander {n}"), investigator, "Ansel", person=ansel)
    chart = chart_of(client, investigator, ansel)
    svg = chart[chart.index("<svg") : chart.index("</svg>")]
    assert svg.count("<rect") + svg.count("<circle") == 40
    assert "cut at the nearest 40" in chart
    # The nearest are the person's own shootings, newest first.
    assert "RB26610044" in svg and "RB26610000" not in svg


# --- Cost ---------------------------------------------------------------------------------------


def test_the_person_page_with_its_chart_takes_the_same_queries_as_the_network_grows(
    network, investigator, client, django_assert_max_num_queries
):
    client.force_login(investigator)
    url = reverse("cases:person", args=[network["orrin"].pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    piet = person_of(network["a"], "Piet Vallance")
    for n in range(8):
        other = shot(investigator, f"RB2662000{n}", 30 + n, f"Lorcan Whitby {n}")
        witness(other, investigator, "Piet Vallance", person=piet)
        witness(other, investigator, "Orrin Halberd", person=network["orrin"])
    # session, user and agency, the person, the roles with their shootings, per compared name the
    # rejected pairs and the similar roles (three names at most), the history, the open action
    # items, the chart's two steps, the audit row
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert "Lorcan Whitby 7" in response.content.decode()


# --- The layout ----------------------------------------------------------------------------------


def small_graph() -> Graph:
    nodes = [
        Node("p1", PERSON, "Centre", 0),
        Node("s1", SHOOTING, "RB1", 1),
        Node("s2", SHOOTING, "RB2", 1),
        Node("p2", PERSON, "Second", 2),
        Node("s3", SHOOTING, "RB3", 3),
    ]
    edges = [
        Edge("p1", "s1", ("victim",)),
        Edge("p1", "s2", ("suspect",)),
        Edge("p2", "s1", ("witness",)),
        Edge("p2", "s3", ("victim",)),
    ]
    return Graph(nodes, edges)


def test_the_layout_is_the_same_every_time_and_stays_inside_the_drawing():
    first, again = layout(small_graph(), 40), layout(small_graph(), 40)
    assert [(p.node.key, p.x, p.y) for p in first.nodes] == [(p.node.key, p.x, p.y) for p in again.nodes]
    left, top, width, height = (float(n) for n in first.view_box.split())
    assert all(left < p.x < left + width and top < p.y < top + height for p in first.nodes)
    centre = first.nodes[0]
    assert (centre.x, centre.y) == CENTRE
    assert not first.is_cut


def test_a_cut_chart_leaves_out_what_no_longer_hangs_on_to_the_centre():
    chart = layout(small_graph(), 3)
    assert [p.node.key for p in chart.nodes] == ["p1", "s1", "s2"]
    assert chart.left_out == 2 and "2 more left out" in chart.summary()
    assert [line.role for line in chart.lines] == ["victim", "suspect"]
    assert [item["role"] for item in chart.legend] == ["suspect", "victim"]


# --- Open action items ------------------------------------------------------------------------


@pytest.fixture
def actions(network, coordinator, investigator, advocate):
    """A held meeting with A, B and an unrelated case on its agenda: open items on A and B, a
    done one on A, and an open one on the unrelated case."""
    meeting = meeting_at(timezone.now() - timedelta(days=3), status=Meeting.Status.HELD)
    unrelated = shot(investigator, "RB26600099", 4, "Jonah Pellow")
    today = timezone.localdate()

    def action(shooting, description, assignee, **extra):
        item, _ = AgendaItem.objects.get_or_create(meeting=meeting, shooting=shooting)
        return ActionItem.objects.create(
            meeting=meeting,
            agenda_item=item,
            shooting=shooting,
            description=description,
            assignee=assignee,
            agency=assignee.agency,
            due_on=today + timedelta(days=2),
            created_by=coordinator,
            **extra,
        )

    return {
        "on_a": action(network["a"], "Safety plan with the family", advocate),
        "on_b": action(network["b"], "Ask ATF for the casing results", investigator),
        "done": action(network["a"], "Canvass Harbor St again", investigator, status=ActionItem.Status.DONE),
        "unrelated": action(unrelated, "Call the store owner", investigator),
        "meeting": meeting,
    }


def actions_section(client, user, person) -> str:
    client.force_login(user)
    text = client.get(reverse("cases:person", args=[person.pk])).content.decode()
    start = text.index('id="open-actions"')
    return text[start : text.index("</section>", start)]


def test_law_enforcement_sees_the_open_items_of_every_case_of_the_person(network, actions, investigator, client):
    section = actions_section(client, investigator, network["orrin"])
    assert "Safety plan with the family" in section and "Ask ATF for the casing results" in section
    assert "Canvass Harbor St again" not in section and "Call the store owner" not in section
    # The investigator's own item leads to its page; another's to where the minutes list it.
    assert reverse("meetings:action_item", args=[actions["on_b"].pk]) in section
    minutes = reverse("meetings:minutes", args=[actions["meeting"].pk])
    assert f"{minutes}#minutes-action-{actions['on_a'].pk}" in section
    assert "RB26600002" in section and "Open" in section


def test_an_advocate_sees_only_the_items_of_the_shootings_the_person_was_shot_in(network, actions, advocate, client):
    section = actions_section(client, advocate, network["orrin"])
    assert "Safety plan with the family" in section
    assert "Ask ATF for the casing results" not in section and "RB26600002" not in section
    assert reverse("meetings:action_item", args=[actions["on_a"].pk]) in section


def test_an_overdue_item_says_so(network, actions, investigator, client):
    ActionItem.objects.filter(pk=actions["on_b"].pk).update(due_on=timezone.localdate() - timedelta(days=1))
    section = actions_section(client, investigator, network["orrin"])
    assert "Overdue" in section


def test_a_restricted_notes_case_lends_its_items_to_no_other_agency(investigator, outsider, coordinator, client):
    case = shot(investigator, "RB26600077", 6, "Hollis Brantree")
    hollis = person_of(case, "Hollis Brantree")
    other = shot(investigator, "RB26600078", 5, "Rowan Ebbs")
    suspect(other, investigator, "Hollis Brantree", restricted=True, person=hollis)
    meeting = meeting_at(timezone.now() - timedelta(days=1), status=Meeting.Status.HELD)
    item = AgendaItem.objects.create(meeting=meeting, shooting=other)
    ActionItem.objects.create(
        meeting=meeting,
        agenda_item=item,
        shooting=other,
        description="Pull the phone records",
        assignee=investigator,
        agency=investigator.agency,
        due_on=timezone.localdate() + timedelta(days=3),
        created_by=coordinator,
    )
    assert "Pull the phone records" not in actions_section(client, outsider, hollis)
    assert "Pull the phone records" in actions_section(client, coordinator, hollis)
