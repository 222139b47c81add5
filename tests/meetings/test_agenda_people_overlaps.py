"""People in other shootings, at the meeting: rule (i) brings an open case whose victim or suspect
appears in another shooting of the last 12 months, and each item says who appears where, as far
as its reader (and a packet's audience) may see: an advocate reads only of victims shot before,
never that a victim was a suspect, and a role in a note restricted to one agency stays in it.
Every name is fictional."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as case_services
from cases.models import Note, Person, Shooting
from cases.people import services as people_services
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view
from meetings.agenda.rules import (
    OPEN_CASE_TEXT,
    PERSON_OVERLAP,
    PERSON_OVERLAP_TEXT,
    VICTIM_SHOT_BEFORE_TEXT,
    plan_agenda,
)
from meetings.agenda.snapshot import snapshot_items
from meetings.models import Meeting, PrintedCopy
from tests.meetings.test_pdf import pdf_text

from .agenda_helpers import at, case_at, local, meeting_at, packet_html_text, suspect, url, witness

pytestmark = pytest.mark.django_db

CURRENT = "RB26600002"  # this week's shooting
HALBERD_SHOT = "RB26600001"  # last month: Orrin Halberd shot, Sela Marrow a witness
VALLANCE_SUSPECT = "RB26600003"  # December: Piet Vallance a suspect
VALLANCE_SHOT = "RB26600004"  # November: Piet Vallance shot
VALLANCE_SHOT_FIRST = "RB26600005"  # September: Piet Vallance shot
CORRIVEAU_SHOT = "RB26600006"  # November: Dax Corriveau shot; a suspect now in an ATF-only note
ASHGROVE_OLD = "RB26600007"  # January 2024: Nell Ashgrove shot
ASHGROVE_OLDER = "RB26600008"  # December 2024: Nell Ashgrove shot again, over 12 months ago

SUSPECT_SHOT = f"Suspect Orrin Halberd was shot in {HALBERD_SHOT} (10 Jan 2026)"
VICTIM_SUSPECT = f"Victim Piet Vallance was a suspect in {VALLANCE_SUSPECT} (5 Dec 2025)"
VICTIM_SHOT_BEFORE = f"Victim Piet Vallance was shot before (2 times, last on 1 Nov 2025 in {VALLANCE_SHOT})"
WITNESS_ELSEWHERE = f"Witness Sela Marrow in 1 other case: {HALBERD_SHOT} (witness, 10 Jan 2026)"
RESTRICTED_SUSPECT_SHOT = f"Suspect Dax Corriveau was shot in {CORRIVEAU_SHOT} (3 Nov 2025)"
EVERY_ROLE = [VICTIM_SUSPECT, VICTIM_SHOT_BEFORE, SUSPECT_SHOT, WITNESS_ELSEWHERE]


def shot(user, number: str, when, name: str, *, person: Person | None = None, **fields) -> tuple[Shooting, Person]:
    """A shooting with one victim (`person` when given: a confirmed match), and the victim's person."""
    case = case_at(user, when, report_number=number, victims=[], **fields)
    with at(when):
        victim = case_services.add_victim(case, user, {"name": name, "age": 27, "sex": "M"}, person=person)
    return case, victim.person_role.person


@pytest.fixture
def world(investigator, atf_agent, advocate):
    """The meeting of Wed 11 Feb 2026 (cutoff Tue 10 Feb 09:00) and the shootings around it."""
    halberd_case, halberd = shot(investigator, HALBERD_SHOT, local(2026, 1, 10, 22, 0), "Orrin Halberd")
    _, vallance = shot(investigator, VALLANCE_SHOT_FIRST, local(2025, 9, 1, 22, 0), "Piet Vallance")
    shot(investigator, VALLANCE_SHOT, local(2025, 11, 1, 22, 0), "Piet Vallance", person=vallance)
    accused = case_at(investigator, local(2025, 12, 5, 22, 0), report_number=VALLANCE_SUSPECT, victims=[])
    with at(local(2025, 12, 6, 9, 0)):
        case_services.add_note(accused, investigator, Note.Kind.SUSPECT, suspect("Piet Vallance"), person=vallance)
    _, corriveau = shot(investigator, CORRIVEAU_SHOT, local(2025, 11, 3, 22, 0), "Dax Corriveau")
    current, _ = shot(
        investigator, CURRENT, local(2026, 2, 8, 1, 0), "Piet Vallance", person=vallance, kind=Shooting.Kind.HOMICIDE
    )
    with at(local(2026, 2, 8, 12, 0)):
        case_services.add_note(current, investigator, Note.Kind.SUSPECT, suspect("Orrin Halberd"), person=halberd)
        marrow = case_services.add_note(halberd_case, investigator, Note.Kind.WITNESS, witness("Sela Marrow"))
        case_services.add_note(
            current, investigator, Note.Kind.WITNESS, witness("Sela Marrow"), person=marrow.person_role.person
        )
        case_services.add_note(
            current, atf_agent, Note.Kind.SUSPECT, suspect("Dax Corriveau"), restricted=True, person=corriveau
        )
    # Nell Ashgrove was shot twice, both times more than 12 months before the cutoff.
    _, ashgrove = shot(investigator, ASHGROVE_OLD, local(2024, 1, 20, 22, 0), "Nell Ashgrove")
    shot(investigator, ASHGROVE_OLDER, local(2024, 12, 20, 22, 0), "Nell Ashgrove", person=ashgrove)
    return meeting_at(local(2026, 2, 11, 9, 0))


@pytest.fixture
def built(world, coordinator) -> Meeting:
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(world, coordinator)
    world.refresh_from_db()
    return world


def items_for(meeting: Meeting, user, audience: str | None = None) -> dict[str, object]:
    with at(local(2026, 2, 10, 12, 0)):
        view = agenda_view(meeting, user, audience)
    return {item.case.report_number: item for item in view.items if item.is_case}


def lines(item) -> list[str]:
    return [line.text for line in item.case.overlaps]


# --- Rule (i) ---------------------------------------------------------------------------------


def test_the_rule_brings_open_cases_whose_people_appear_in_a_shooting_of_the_last_12_months(built):
    reasons = {item.shooting.report_number: [r["code"] for r in item.reasons] for item in built.items.all()}
    # This week's case came as new and gets the reason too; the others come for it alone (the
    # witness note added to last month's case is news as well).
    assert reasons[CURRENT] == ["new_occurred", "new_notes", PERSON_OVERLAP]
    assert reasons[HALBERD_SHOT] == ["new_notes", PERSON_OVERLAP]
    for brought in [VALLANCE_SUSPECT, VALLANCE_SHOT, CORRIVEAU_SHOT]:
        assert reasons[brought] == [PERSON_OVERLAP], brought
    # September's victim was shot again in November: both within the 12 months.
    assert reasons[VALLANCE_SHOT_FIRST] == [PERSON_OVERLAP]
    # Nell Ashgrove's two shootings are each more than 12 months before the cutoff.
    assert ASHGROVE_OLD not in reasons and ASHGROVE_OLDER not in reasons


def test_a_closed_case_or_a_retracted_note_brings_nothing(world, investigator, coordinator):
    Shooting.objects.filter(report_number__in=[VALLANCE_SHOT, VALLANCE_SHOT_FIRST, VALLANCE_SUSPECT]).update(
        status=Shooting.Status.CLEARED_ARREST
    )
    suspect_note = Note.objects.get(shooting__report_number=CURRENT, fields__name="Orrin Halberd")
    case_services.retract_note(suspect_note, investigator, "Wrong man")
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(world, coordinator)
    reasons = {item.shooting.report_number: [r["code"] for r in item.reasons] for item in world.items.all()}
    assert {VALLANCE_SHOT, VALLANCE_SHOT_FIRST, VALLANCE_SUSPECT}.isdisjoint(reasons)
    # Last month's case is news for its witness note, no longer for Orrin Halberd.
    assert reasons[HALBERD_SHOT] == ["new_notes"]
    assert PERSON_OVERLAP in reasons[CURRENT] and PERSON_OVERLAP in reasons[CORRIVEAU_SHOT]


# --- What each reader is told -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["investigator", "prosecutor", "coordinator", "supervisor"])
def test_law_enforcement_reads_every_overlap_but_another_agencys_restricted_one(who, built, request):
    items = items_for(built, request.getfixturevalue(who))
    assert lines(items[CURRENT]) == EVERY_ROLE
    assert items[CURRENT].reasons == [
        "Occurred since the last review",
        "New notes since the last review",
        PERSON_OVERLAP_TEXT,
    ]
    assert lines(items[HALBERD_SHOT]) == [
        f"Victim Orrin Halberd was a suspect in {CURRENT} (8 Feb 2026)",
        f"Witness Sela Marrow in 1 other case: {CURRENT} (witness, 8 Feb 2026)",
    ]
    assert lines(items[VALLANCE_SUSPECT]) == [
        f"Suspect Piet Vallance was shot in {CURRENT} (8 Feb 2026), {VALLANCE_SHOT} (1 Nov 2025), "
        f"{VALLANCE_SHOT_FIRST} (1 Sep 2025)"
    ]
    # Dax Corriveau is a suspect only in the ATF's restricted note: nothing says so, not even why
    # his own shooting is on the agenda.
    assert lines(items[CORRIVEAU_SHOT]) == []
    assert items[CORRIVEAU_SHOT].reasons == [OPEN_CASE_TEXT]


def test_the_agency_that_restricted_the_note_reads_its_overlap(built, atf_agent):
    items = items_for(built, atf_agent)
    # Suspects in name order: Dax Corriveau before Orrin Halberd.
    assert lines(items[CURRENT]) == [*EVERY_ROLE[:2], RESTRICTED_SUSPECT_SHOT, *EVERY_ROLE[2:]]
    assert lines(items[CORRIVEAU_SHOT]) == [f"Victim Dax Corriveau was a suspect in {CURRENT} (8 Feb 2026)"]
    assert items[CORRIVEAU_SHOT].reasons == [PERSON_OVERLAP_TEXT]


def test_an_advocate_reads_only_of_victims_shot_before(built, advocate):
    items = items_for(built, advocate)
    assert lines(items[CURRENT]) == [VICTIM_SHOT_BEFORE]
    assert items[CURRENT].reasons == [
        "Occurred since the last review",
        "New notes since the last review",
        VICTIM_SHOT_BEFORE_TEXT,
    ]
    # Orrin Halberd's shooting is on the agenda because he is a suspect now: not for her to know.
    assert lines(items[HALBERD_SHOT]) == []
    assert items[HALBERD_SHOT].reasons == ["New notes since the last review"]
    assert lines(items[VALLANCE_SUSPECT]) == [] and items[VALLANCE_SUSPECT].reasons == [OPEN_CASE_TEXT]
    # November's shooting of the same victim: shot again since, and shot before it.
    assert lines(items[VALLANCE_SHOT]) == [
        f"Victim Piet Vallance was shot again in {CURRENT} (8 Feb 2026)",
        f"Victim Piet Vallance was shot before, in {VALLANCE_SHOT_FIRST} (1 Sep 2025)",
    ]


def test_the_advocates_page_and_fragment_never_say_a_victim_was_a_suspect(client_for, advocate, built):
    client = client_for(advocate)
    for response in [
        client.get(built.get_absolute_url()),
        client.get(built.get_absolute_url(), headers={"HX-Request": "true"}),
    ]:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Piet Vallance</a> was shot before (2 times" in html
        for hidden in [
            "was a suspect",
            "was shot in",
            "Suspect ",
            "Witness Sela",
            "Orrin Halberd</a>",
            "Corriveau</a>",
        ]:
            assert hidden not in html, hidden
        assert PERSON_OVERLAP_TEXT not in html


def test_the_coordinators_page_links_each_name_and_report_number(client_for, coordinator, built):
    html = client_for(coordinator).get(built.get_absolute_url()).content.decode()
    halberd = Person.objects.get(roles__shooting__report_number=HALBERD_SHOT, roles__kind="victim")
    halberd_case = Shooting.objects.get(report_number=HALBERD_SHOT)
    expected = (
        f'Suspect <a href="{reverse("cases:person", args=[halberd.pk])}">Orrin Halberd</a> was shot in '
        f'<a href="{reverse("cases:detail", args=[halberd_case.pk])}">{HALBERD_SHOT}</a> (10 Jan 2026)'
    )
    assert expected in html
    assert PERSON_OVERLAP_TEXT in html and "Dax Corriveau</a>" not in html


def test_a_frozen_agenda_keeps_the_overlaps_it_was_frozen_with(built, coordinator, investigator, advocate):
    agenda_services.freeze(built, coordinator, expected_version=built.agenda_version)
    built.refresh_from_db()
    # Orrin Halberd's link is undone after the freeze: the live record changes, the frozen agenda not.
    role = Note.objects.get(shooting__report_number=CURRENT, fields__name="Orrin Halberd").person_role
    people_services.unlink_role(role, investigator, "Another man of that name")
    assert lines(items_for(built, investigator)[CURRENT]) == EVERY_ROLE
    assert lines(items_for(built, advocate)[CURRENT]) == [VICTIM_SHOT_BEFORE]


def test_a_live_agenda_shows_an_undone_link_at_once(client_for, built, coordinator, investigator):
    client = client_for(coordinator)
    assert "Orrin Halberd</a> was shot in" in client.get(built.get_absolute_url()).content.decode()
    role = Note.objects.get(shooting__report_number=CURRENT, fields__name="Orrin Halberd").person_role
    people_services.unlink_role(role, investigator, "Another man of that name")
    assert lines(items_for(built, coordinator)[CURRENT]) == [VICTIM_SUSPECT, VICTIM_SHOT_BEFORE, WITNESS_ELSEWHERE]
    assert "Orrin Halberd</a> was shot in" not in client.get(built.get_absolute_url()).content.decode()


def test_the_reviews_of_a_case_word_the_reason_for_each_reader(client_for, built, coordinator, advocate, atf_agent):
    halberd_case = Shooting.objects.get(report_number=HALBERD_SHOT)
    accused_case = Shooting.objects.get(report_number=VALLANCE_SUSPECT)
    corriveau_case = Shooting.objects.get(report_number=CORRIVEAU_SHOT)

    def reviews(user, case) -> str:
        return client_for(user).get(reverse("meetings:case_reviews", args=[case.pk])).content.decode()

    assert PERSON_OVERLAP_TEXT in reviews(coordinator, halberd_case)
    advocate_reviews = reviews(advocate, accused_case)
    assert OPEN_CASE_TEXT in advocate_reviews and PERSON_OVERLAP_TEXT not in advocate_reviews
    assert PERSON_OVERLAP_TEXT not in reviews(coordinator, corriveau_case)
    assert PERSON_OVERLAP_TEXT in reviews(atf_agent, corriveau_case)


# --- The packets ------------------------------------------------------------------------------


def packet_text(client, meeting: Meeting, audience: str, printer=None) -> str:
    """The packet's words: printed through the print view, or (given its printer) as handed to
    the layout, which is cheap enough for the mutation runs."""
    if printer is not None:
        return packet_html_text(meeting, printer, audience)
    response = client.get(reverse("meetings:agenda_pdf", args=[meeting.pk]), {"audience": audience})
    assert response.status_code == 200
    return " ".join(pdf_text(response.content).split())


@pytest.mark.parametrize("packets", ["pdf", "html"])
def test_each_packet_holds_the_overlaps_its_audience_may_read(packets, client_for, built, atf_agent, coordinator):
    agenda_services.freeze(built, coordinator, expected_version=built.agenda_version)
    built.refresh_from_db()
    client = client_for(atf_agent)
    printer = atf_agent if packets == "html" else None
    police = packet_text(client, built, PrintedCopy.Audience.LAW_ENFORCEMENT, printer)
    prosecutors = packet_text(client, built, PrintedCopy.Audience.PROSECUTORS, printer)
    community = packet_text(client, built, PrintedCopy.Audience.COMMUNITY, printer)
    for text in [police, prosecutors]:
        for line in EVERY_ROLE:
            assert line in text, line
        # The ATF's own restricted note is in no packet, even one its agent prints.
        assert RESTRICTED_SUSPECT_SHOT not in text and "Dax Corriveau was a suspect" not in text
    assert VICTIM_SHOT_BEFORE in community
    for hidden in [VICTIM_SUSPECT, SUSPECT_SHOT, WITNESS_ELSEWHERE, "was a suspect", "was shot in", "Sela Marrow"]:
        assert hidden not in community, hidden
    assert PERSON_OVERLAP_TEXT not in community and VICTIM_SHOT_BEFORE_TEXT in community


# --- Cost -------------------------------------------------------------------------------------


def more_people_in_more_shootings(investigator, count: int) -> None:
    """`count` more pairs of shootings this week, the victim of one a suspect in the other."""
    for n in range(count):
        first, person = shot(investigator, f"RB2669{n:04d}", local(2026, 2, 6, 1, 0), f"Wynn Asterby {n}")
        second = case_at(investigator, local(2026, 2, 7, 1, 0), report_number=f"RB2668{n:04d}", victims=[])
        with at(local(2026, 2, 7, 9, 0)):
            case_services.add_note(second, investigator, Note.Kind.SUSPECT, suspect(f"Wynn Asterby {n}"), person=person)
            case_services.add_note(first, investigator, Note.Kind.WITNESS, witness(f"Tamsin Orr {n}"))


def agenda_page_queries(client, meeting: Meeting, coordinator) -> int:
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(meeting, coordinator)
        meeting.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("detail", meeting))
    assert response.status_code == 200
    return len(queries)


def test_the_agenda_page_costs_the_same_with_more_people_in_more_shootings(
    client_for, built, coordinator, investigator, django_assert_max_num_queries
):
    client = client_for(coordinator)
    # The first request reads the session and the account into the shared cache; the later ones
    # take them from there.
    agenda_page_queries(client, built, coordinator)
    few = agenda_page_queries(client, built, coordinator)
    more_people_in_more_shootings(investigator, 6)
    many = agenda_page_queries(client, built, coordinator)
    assert many == few
    assert len(items_for(built, coordinator)) > 14
    # Session and user (2), meeting, items, the stamp (3); after the build, the snapshot: cases,
    # victims, last reviews, latest notes, signal notes, open action items, link keys, prosecution
    # changes, lead work, people's roles everywhere (10); the previous held meeting, the page's
    # action items, agenda events, presenters (4); the audit row and its cases (3; PostgreSQL
    # adds its own statement).
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(built, coordinator)
        with django_assert_max_num_queries(23):
            client.get(url("detail", built))


def test_the_rule_and_the_snapshot_read_people_in_one_query_each(built, coordinator, investigator):
    def people_queries(run) -> int:
        with CaptureQueriesContext(connection) as queries:
            run()
        return sum('"cases_personrole"' in q["sql"] for q in queries)

    items = list(built.items.all())
    with at(local(2026, 2, 10, 12, 0)):
        assert people_queries(lambda: plan_agenda(built)) == 1
        assert people_queries(lambda: snapshot_items(built, items)) == 1
        more_people_in_more_shootings(investigator, 4)
        agenda_services.build_agenda(built, coordinator)
        items = list(built.items.all())
        assert people_queries(lambda: plan_agenda(built)) == 1
        assert people_queries(lambda: snapshot_items(built, items)) == 1
