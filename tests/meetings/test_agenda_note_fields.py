"""Which fields of a witness note a reader finds on the agenda, by who wrote the note: a note of
the reader's own agency in full (as on the case page), another agency's reduced to the safety
fields for a reader without investigative detail, and a note restricted to its agency only in
that agency. A packet goes to a reader of no one's agency: it never carries more than the
safety fields, whoever prints it. Every name is fictional."""

from __future__ import annotations

import pytest

from accounts.models import User
from cases.detail import case_view
from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view
from meetings.models import PrintedCopy
from tests.factories import UserFactory

from .agenda_helpers import WITNESS_NAME, case_at, local, meeting_at, note_at, witness

pytestmark = pytest.mark.django_db

RESTRICTED_NAME = "Ilse Varrandow"
SAFETY_LABELS = {"Intimidation or safety concern", "Relocation or protection requested", "Referred to an advocate"}


@pytest.fixture
def police_advocate(police) -> User:
    """A victim advocate employed by the police: no investigative detail, but the police's own
    notes are their agency's."""
    return UserFactory(username="adv_rowntree", agency=police, role=User.Role.VICTIM_ADVOCATE)


@pytest.fixture
def agenda(investigator, coordinator):
    """A case back on the agenda for two witness notes of the police, one restricted to it."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    note_at(local(2026, 2, 5, 10, 0), case, investigator, Note.Kind.WITNESS, witness())
    note_at(local(2026, 2, 5, 11, 0), case, investigator, Note.Kind.WITNESS, witness(RESTRICTED_NAME), restricted=True)
    agenda_services.build_agenda(meeting, coordinator)
    return meeting, case


def witness_lines(meeting, user, audience=None):
    (item,) = agenda_view(meeting, user, audience).items
    groups = {group.kind: group.notes for group in item.case.new_notes}
    return groups.get(Note.Kind.WITNESS, [])


def labels(line) -> set[str]:
    return {label for label, _ in line.values + line.paragraphs}


def names(line) -> list[str]:
    return [value for label, value in line.values if label == "Name"]


def test_an_advocate_of_the_police_reads_the_polices_witness_notes_whole(police_advocate, agenda):
    meeting, case = agenda

    lines = witness_lines(meeting, police_advocate)

    # Newest first.
    assert [names(line) for line in lines] == [[RESTRICTED_NAME], [WITNESS_NAME]]
    assert [(line.agency, line.restricted, line.redacted) for line in lines] == [
        ("RBPD", True, False),
        ("RBPD", False, False),
    ]
    # As on the case page: the same fields, none withheld.
    on_case_page = [item for item in case_view(case, police_advocate).timeline if item.note.kind == Note.Kind.WITNESS]
    assert len(on_case_page) == 2 and not any(item.redacted for item in on_case_page)
    assert all({v.label for v in item.values} <= labels(line) for item, line in zip(on_case_page, lines, strict=True))


def test_an_advocate_of_another_agency_reads_only_the_safety_fields_and_no_restricted_note(
    client_for, advocate, agenda
):
    meeting, _ = agenda

    (line,) = witness_lines(meeting, advocate)

    assert labels(line) == SAFETY_LABELS
    assert (line.agency, line.restricted, line.redacted) == ("RBPD", False, True)
    page = client_for(advocate).get(meeting.get_absolute_url()).content.decode()
    assert "shortened for need-to-know" in page
    assert WITNESS_NAME not in page and RESTRICTED_NAME not in page
    assert "restricted to RBPD" not in page


def test_the_advocates_packet_printed_by_the_polices_own_advocate_keeps_only_the_safety_fields(police_advocate, agenda):
    meeting, _ = agenda

    (line,) = witness_lines(meeting, police_advocate, PrintedCopy.Audience.COMMUNITY)

    assert labels(line) == SAFETY_LABELS and line.redacted
    assert not line.restricted


def test_an_investigator_reads_both_whole_and_sees_which_is_restricted(client_for, investigator, agenda):
    meeting, _ = agenda

    lines = witness_lines(meeting, investigator)

    assert [names(line) for line in lines] == [[RESTRICTED_NAME], [WITNESS_NAME]]
    assert not any(line.redacted for line in lines)
    page = client_for(investigator).get(meeting.get_absolute_url()).content.decode()
    assert page.count("restricted to RBPD") == 1
    assert "shortened for need-to-know" not in page


def test_the_law_enforcement_packet_names_the_witness_but_leaves_out_the_restricted_note(investigator, agenda):
    meeting, _ = agenda

    (line,) = witness_lines(meeting, investigator, PrintedCopy.Audience.LAW_ENFORCEMENT)

    assert names(line) == [WITNESS_NAME] and not line.redacted
