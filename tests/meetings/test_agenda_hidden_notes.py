"""An agenda item brought by new notes tells a reader who may see none of them so, plainly,
instead of saying there is nothing new."""

from __future__ import annotations

import pytest

from cases.models import Note
from meetings.agenda import services as agenda_services

from .agenda_helpers import SUSPECT_NAME, case_at, local, meeting_at, note_at

pytestmark = pytest.mark.django_db

HIDDEN = "There are new notes, but they are ones you may not see"


@pytest.fixture
def agenda(investigator, coordinator):
    """One case back on the agenda for a new suspect note only."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    note_at(local(2026, 2, 6, 12, 0), case, investigator, Note.Kind.SUSPECT, {"name": SUSPECT_NAME})
    agenda_services.build_agenda(meeting, coordinator)
    (item,) = meeting.items.all()
    assert [r["code"] for r in item.reasons] == ["new_notes"]
    return meeting


def test_an_advocate_is_told_the_new_notes_are_ones_they_may_not_see(client_for, advocate, agenda):
    page = client_for(advocate).get(agenda.get_absolute_url()).content.decode()

    assert HIDDEN in page
    assert "Nothing new" not in page
    assert SUSPECT_NAME not in page


def test_an_investigator_sees_the_new_note_and_no_such_message(client_for, investigator, agenda):
    page = client_for(investigator).get(agenda.get_absolute_url()).content.decode()

    assert SUSPECT_NAME in page
    assert HIDDEN not in page
