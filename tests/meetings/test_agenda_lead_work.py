"""NIBIN lead work on the agenda: open leads past the CGIC goals bring their cases (rule g), and
each item shows each lead's state, owner and age on the page, its fragments and the packets of
those who may see NIBIN leads, never to advocates or in the community packet."""

from __future__ import annotations

import pytest

from cases import lead_work
from cases.models import LeadAssignment, NibinLead, Note
from cases.services import update_nibin_lead
from meetings.agenda import services as agenda_services
from meetings.agenda.rules import plan_agenda
from meetings.printing import documents

from .agenda_helpers import at, case_at, firearm, local, meeting_at, note_at

pytestmark = pytest.mark.django_db

LEAD = "RB-2026-0610"
WORK_TEXT = "Being investigated · Dana Okafor · "


def reasons(meeting) -> dict[str, list[str]]:
    return {item.report_number: [r["code"] for r in item.reasons] for item in plan_agenda(meeting).items}


@pytest.fixture
def meeting(db):
    """This week's meeting: cutoff Tue 10 Feb 2026 09:00, no held meeting before."""
    return meeting_at(local(2026, 2, 11, 9, 0))


def old_case_with_lead(investigator, joined):
    case = case_at(investigator, local(2025, 12, 1, 22, 0), lead_investigator=investigator)
    note_at(joined, case, investigator, Note.Kind.FIREARM, firearm([LEAD]))
    return case, LeadAssignment.objects.get(shooting=case)


def test_an_unassigned_lead_a_day_old_at_the_cutoff_brings_its_case(investigator, meeting):
    late, _ = old_case_with_lead(investigator, local(2026, 2, 9, 8, 0))
    assert reasons(meeting)[late.report_number] == ["new_notes", "lead_past_goal"]


def test_a_lead_within_its_goals_or_concluded_or_excluded_does_not(investigator, coordinator, meeting):
    fresh_case = case_at(investigator, local(2025, 12, 2, 22, 0))
    old, work = old_case_with_lead(investigator, local(2025, 12, 20, 8, 0))
    # Within the goals at the cutoff: assigned 30 hours before it.
    with at(local(2026, 2, 9, 3, 0)):
        note_at(local(2026, 2, 9, 3, 0), fresh_case, investigator, Note.Kind.FIREARM, firearm(["RB-2026-0611"]))
        fresh = LeadAssignment.objects.get(shooting=fresh_case)
        lead_work.change_work(fresh, coordinator, investigator=investigator, state="assigned", version=1)
    assert reasons(meeting)[old.report_number] == ["lead_past_goal"]
    assert "lead_past_goal" not in reasons(meeting).get(fresh_case.report_number, [])

    lead_work.change_work(work, coordinator, investigator=investigator, state="done", outcome="arrest", version=1)
    assert old.report_number not in reasons(meeting)
    work.refresh_from_db()
    lead_work.change_work(work, coordinator, investigator=investigator, state="assigned", version=work.version)
    assert old.report_number in reasons(meeting)
    update_nibin_lead(NibinLead.objects.get(number=LEAD), coordinator, {"status": NibinLead.Status.EXCLUDED})
    assert old.report_number not in reasons(meeting)


@pytest.fixture
def agenda(investigator, supervisor, coordinator, meeting):
    """A case on the agenda whose lead is being investigated by someone other than the case's lead."""
    supervisor.first_name, supervisor.last_name = "Dana", "Okafor"
    supervisor.save()
    case, work = old_case_with_lead(investigator, local(2026, 2, 6, 8, 0))
    with at(local(2026, 2, 7, 8, 0)):
        lead_work.change_work(work, coordinator, investigator=supervisor, state="investigating", version=1)
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(meeting, coordinator)
    return meeting, case


def test_the_item_shows_each_leads_state_owner_and_age(client_for, coordinator, agenda):
    meeting, case = agenda
    with at(local(2026, 2, 10, 8, 0)):
        page = client_for(coordinator).get(meeting.get_absolute_url()).content.decode()
        fragment = client_for(coordinator).get(meeting.get_absolute_url(), headers={"HX-Request": "true"})
    assert f"{LEAD} (Lead): {WORK_TEXT}4 days since it joined the case" in page
    assert WORK_TEXT in fragment.content.decode()


def test_advocates_never_see_the_work_on_the_page_or_in_their_packet(client_for, advocate, coordinator, agenda):
    meeting, case = agenda
    page = client_for(advocate).get(meeting.get_absolute_url()).content.decode()
    assert case.report_number in page
    assert "Dana Okafor" not in page and "Being investigated" not in page and "item-leads" not in page
    community = " ".join(documents.agenda_html(meeting, coordinator, "community").parts)
    assert case.report_number in community and "Being investigated" not in community
    police = " ".join(documents.agenda_html(meeting, coordinator, "law_enforcement").parts)
    assert WORK_TEXT in police


def test_an_advocate_reads_a_plain_reason_for_a_lead_past_its_goal(
    client_for, advocate, investigator, coordinator, meeting
):
    case, _ = old_case_with_lead(investigator, local(2026, 2, 1, 8, 0))
    agenda_services.build_agenda(meeting, coordinator)
    advocate_page = client_for(advocate).get(meeting.get_absolute_url()).content.decode()
    assert "NIBIN lead follow-up" in advocate_page and "past the 24/48-hour goal" not in advocate_page
    coordinator_page = client_for(coordinator).get(meeting.get_absolute_url()).content.decode()
    assert "Open NIBIN lead past the 24/48-hour goal" in coordinator_page
    # The case's record of its reviews words the reason the same way for each.
    reviews = f"/meetings/cases/{case.pk}/reviews/"
    advocate_reviews = client_for(advocate).get(reviews).content.decode()
    assert "NIBIN lead follow-up" in advocate_reviews and "past the 24/48-hour goal" not in advocate_reviews
    assert "Open NIBIN lead past the 24/48-hour goal" in client_for(coordinator).get(reviews).content.decode()
