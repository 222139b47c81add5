"""The line each NIBIN lead's work gets on an agenda item, as its reader finds it: the state (and
the outcome, once recorded), who works it or that nobody does, its age, and a warning once it is
past the CGIC goal. The age of concluded work stops at its outcome. A lead linked before the
work on leads was kept reads as its number and status alone. Every name is fictional."""

from __future__ import annotations

import pytest

from cases import lead_work
from cases.models import LeadAssignment, Note
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view

from .agenda_helpers import at, case_at, firearm, local, meeting_at, note_at

pytestmark = pytest.mark.django_db

WAITING = "RB-2026-0701"
CONCLUDED = "RB-2026-0702"
UNTRACKED = "RB-2026-0703"


@pytest.fixture
def meeting(investigator, supervisor, coordinator):
    """Wed 11 Feb 2026 09:00: one case whose lead has waited since Fri 6 Feb 08:00 for someone to
    take it, one whose lead was worked to an arrest a day after it joined."""
    supervisor.first_name, supervisor.last_name = "Dana", "Okafor"
    supervisor.save()
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    waiting = case_at(investigator, local(2025, 12, 1, 22, 0))
    note_at(local(2026, 2, 6, 8, 0), waiting, investigator, Note.Kind.FIREARM, firearm([WAITING]))
    concluded = case_at(investigator, local(2025, 12, 2, 22, 0))
    note_at(local(2026, 2, 6, 8, 0), concluded, investigator, Note.Kind.FIREARM, firearm([CONCLUDED]))
    work = LeadAssignment.objects.get(shooting=concluded)
    with at(local(2026, 2, 6, 10, 0)):
        lead_work.change_work(work, coordinator, investigator=supervisor, state="investigating", version=1)
    work.refresh_from_db()
    with at(local(2026, 2, 7, 8, 0)):
        lead_work.change_work(
            work, coordinator, investigator=supervisor, state="done", outcome="arrest", version=work.version
        )
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(meeting, coordinator)
    return meeting


def work_lines(meeting, user) -> dict[str, str]:
    with at(local(2026, 2, 10, 8, 0)):
        view = agenda_view(meeting, user)
    return {lead["number"]: lead["work_text"] for item in view.items for lead in item.case.leads}


def test_a_lead_nobody_took_says_so_with_its_age_and_that_it_is_past_the_goal(coordinator, meeting):
    assert work_lines(meeting, coordinator)[WAITING] == (
        "New (not yet assigned) · nobody assigned · 4 days since it joined the case · past the goal"
    )


def test_a_concluded_lead_gives_its_outcome_and_its_age_when_it_was_concluded(coordinator, meeting):
    assert work_lines(meeting, coordinator)[CONCLUDED] == (
        "Outcome recorded: Arrest · Dana Okafor · 24 h since it joined the case"
    )


def test_an_advocate_sees_no_lead_work(advocate, meeting):
    assert work_lines(meeting, advocate) == {}


def test_a_lead_linked_before_work_was_kept_shows_its_number_and_status_without_a_work_line(coordinator, investigator):
    # Leads linked before the work on them was kept have none on their case.
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2025, 12, 3, 22, 0))
    note_at(local(2026, 2, 6, 8, 0), case, investigator, Note.Kind.FIREARM, firearm([UNTRACKED]))
    LeadAssignment.objects.filter(lead__number=UNTRACKED).delete()
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(meeting, coordinator)

    with at(local(2026, 2, 10, 8, 0)):
        (item,) = agenda_view(meeting, coordinator).items

    assert item.case.leads == [{"number": UNTRACKED, "status": "lead", "status_label": "Lead", "work_text": ""}]
