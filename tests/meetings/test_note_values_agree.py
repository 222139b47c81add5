"""A note reads the same on the case page and on the agenda for the same reader: the same labels,
the same values in the same order, the same fields withheld. Every name is fictional."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases import services as case_services
from cases.detail import case_view
from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view

from .agenda_helpers import case_at, firearm, local, meeting_at, note_at, suspect, witness

pytestmark = pytest.mark.django_db

VICTIM_NAME = "Marisol Quintaro-Bell"


@pytest.fixture
def agenda(investigator, advocate, coordinator):
    """One case back on the agenda for new notes of every kind but general, each with a choice,
    a list, a ticked and an unticked box, a date or free text where its kind has them."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    victim = case_services.add_victim(case, investigator, {"name": VICTIM_NAME, "age": 31})
    note_at(local(2026, 2, 5, 10, 0), case, investigator, Note.Kind.WITNESS, witness())
    note_at(
        local(2026, 2, 5, 11, 0),
        case,
        investigator,
        Note.Kind.FIREARM,
        firearm(["NIB-2026-0441", "NIB-2026-0442"], recovered=True, etrace_status="completed", time_to_crime_days=420),
    )
    note_at(local(2026, 2, 5, 12, 0), case, investigator, Note.Kind.SUSPECT, suspect(date_of_birth="2001-04-17"))
    note_at(
        local(2026, 2, 6, 9, 0),
        case,
        advocate,
        Note.Kind.VICTIM_SERVICES,
        {
            "victim": victim.pk,
            "service_agency": "Eastside Counselling",
            "referral_status": "engaged",
            "services_offered": "counselling; relocation help",
            "services_accepted": "counselling",
            "safety_planning": False,
            "text": "Met at the hospital.\nWill call weekly.",
        },
    )
    agenda_services.build_agenda(meeting, coordinator)
    return meeting, case


def _case_page_notes(case, user) -> dict[str, list]:
    return {item.note.kind: item.values for item in case_view(case, user).timeline}


def _case_page_values(case, user) -> dict[str, list[tuple[str, str]]]:
    """kind → the note's values, the short ones first (the agenda's order: beside their labels,
    then the paragraphs)."""
    return {
        kind: [(v.label, v.value) for v in values if not v.long] + [(v.label, v.value) for v in values if v.long]
        for kind, values in _case_page_notes(case, user).items()
    }


def _agenda_values(meeting, user) -> dict[str, list[tuple[str, str]]]:
    (item,) = agenda_view(meeting, user).items
    return {group.kind: group.notes[0].values + group.notes[0].paragraphs for group in item.case.new_notes}


@pytest.mark.parametrize("reader", ["investigator", "prosecutor", "advocate"])
def test_a_note_shows_the_same_values_on_the_case_page_and_the_agenda(request, client_for, agenda, reader):
    meeting, case = agenda
    user = request.getfixturevalue(reader)

    on_case_page = _case_page_values(case, user)
    on_agenda = _agenda_values(meeting, user)

    assert set(on_case_page) == set(on_agenda)
    for kind, pairs in on_agenda.items():
        # The timeline lists the boxes that are ticked; the agenda also says which are not.
        assert [pair for pair in pairs if pair[1] != "no"] == on_case_page[kind], kind

    case_page = client_for(user).get(reverse("cases:detail", args=[case.pk])).content.decode()
    agenda_page = client_for(user).get(meeting.get_absolute_url()).content.decode()
    for kind, values in _case_page_notes(case, user).items():
        # Free text is a paragraph on both, drawn differently; the others a label and its value.
        for label, value in [(v.label, v.value) for v in values if not v.long]:
            shown = f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
            assert shown in case_page, (kind, shown)
            assert shown in agenda_page, (kind, shown)


def test_the_two_pages_withhold_the_same_fields_from_an_advocate(advocate, agenda):
    meeting, case = agenda

    on_case_page = _case_page_values(case, advocate)
    on_agenda = _agenda_values(meeting, advocate)

    assert Note.Kind.SUSPECT not in on_case_page and Note.Kind.SUSPECT not in on_agenda
    witness_labels = {label for label, _ in on_agenda[Note.Kind.WITNESS]}
    assert witness_labels == {label for label, _ in on_case_page[Note.Kind.WITNESS]} | {
        label for label, value in on_agenda[Note.Kind.WITNESS] if value == "no"
    }
    assert "Name" not in witness_labels
    assert ("Victim", VICTIM_NAME) in on_case_page[Note.Kind.VICTIM_SERVICES]
    assert ("Victim", VICTIM_NAME) in on_agenda[Note.Kind.VICTIM_SERVICES]


@pytest.mark.parametrize("reader", ["investigator", "prosecutor", "advocate"])
def test_the_case_page_and_the_agenda_raise_the_same_indicators(request, agenda, reader):
    meeting, case = agenda
    user = request.getfixturevalue(reader)

    (item,) = agenda_view(meeting, user).items
    on_agenda = [i.code for i in item.case.indicators]

    assert on_agenda == [i.code for i in case_view(case, user).indicators]
    # The witness's intimidation concern and the firearm's 420 days to crime: fields every one
    # of these readers may see.
    assert [code for code in on_agenda if code in {"intimidation", "trafficking"}] == ["intimidation", "trafficking"]
