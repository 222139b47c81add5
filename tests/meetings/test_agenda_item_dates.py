"""The dates an agenda item gives its readers: when each of the case's open action items is due,
and whether it is overdue on the meeting's day; the day (with its year) each change of the case's
prosecution was recorded. Every name is fictional."""

from __future__ import annotations

from datetime import date

import pytest

from cases import services as case_services
from cases.models import Shooting
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view

from .action_item_helpers import action
from .agenda_helpers import at, case_at, local, meeting_at

pytestmark = pytest.mark.django_db

CHARGES = "Assault in the first degree"


@pytest.fixture
def item(investigator, prosecutor, coordinator):
    """The item, as an investigator reads it, of a shooting of Thu 5 Feb 2026 on the agenda of
    Wed 11 Feb: two action items open on it, charges filed on Mon 9 Feb."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 2, 5, 22, 0))
    for description, due_on in [
        ("Canvass the block again", date(2026, 2, 10)),
        ("Call the victim", meeting.local_date),
    ]:
        action(investigator, coordinator, meeting, description, due_on, shooting=case)
    with at(local(2026, 2, 9, 10, 0)):
        current = Shooting.objects.get(pk=case.pk)
        case_services.update_shooting(current, prosecutor, {"charges_filed": CHARGES}, expected_version=current.version)
    agenda_services.build_agenda(meeting, coordinator)
    (item,) = agenda_view(meeting, investigator).items
    return item


def test_each_action_item_says_when_it_is_due_and_only_one_due_before_the_meeting_is_overdue(item):
    shown = {action.description: (action.due_text, action.overdue) for action in item.case.action_items}

    assert shown == {"Canvass the block again": ("Tue 10 Feb", True), "Call the victim": ("Wed 11 Feb", False)}


def test_a_change_of_the_prosecution_gives_the_day_it_was_recorded_with_its_year(item):
    assert [(change.day_text, change.rows) for change in item.case.prosecution] == [
        ("Mon 9 Feb 2026", [("Charges filed", "none", CHARGES)])
    ]
