"""What an agenda's snapshot keeps for the page and the packets: each new note's time, and the
"Open action items" section with only the open items of no case that are due by the meeting,
each with who holds it (by name, or by username when the account has no name)."""

from __future__ import annotations

from datetime import date

import pytest

from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view
from meetings.agenda.snapshot import ACTION_ITEMS_SECTION, snapshot_items
from meetings.models import ActionItem
from tests.factories import UserFactory

from .agenda_helpers import SF, case_at, local, meeting_at, note_at, witness

pytestmark = pytest.mark.django_db


def test_each_new_note_on_the_agenda_shows_when_it_was_written(investigator, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    note_at(local(2026, 2, 6, 12, 5), case, investigator, Note.Kind.WITNESS, witness())
    agenda_services.build_agenda(meeting, coordinator)
    [item] = [i for i in agenda_view(meeting, investigator).items if i.is_case]
    times = [line.when_text for group in item.case.new_notes for line in group.notes]
    assert times == ["Fri 6 Feb 2026, 12:05"]


def action(coordinator, holder, description, *, due_on=date(2026, 2, 10), **fields) -> ActionItem:
    return ActionItem.objects.create(
        description=description, assignee=holder, agency=holder.agency, due_on=due_on, created_by=coordinator, **fields
    )


def test_the_open_action_items_section_holds_only_open_items_of_no_case_due_by_the_meeting(
    investigator, atf_agent, coordinator
):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    nameless = UserFactory(username="duty_desk", first_name="", last_name="", agency=atf_agent.agency)
    action(coordinator, atf_agent, "Send the retaliation watch list")
    action(coordinator, nameless, "Staff the phone line")
    action(coordinator, atf_agent, "Already done", status=ActionItem.Status.DONE)
    action(coordinator, atf_agent, "Belongs to a case", shooting=case)
    action(coordinator, atf_agent, "Due after the meeting", due_on=date(2026, 2, 12))
    agenda_services.build_agenda(meeting, coordinator)
    section = meeting.items.get(group_key=ACTION_ITEMS_SECTION)

    rows = snapshot_items(meeting, [section])[section.pk]["action_items"]

    assert sorted((r["description"], r["assignee"], r["due_on"]) for r in rows) == [
        ("Send the retaliation watch list", atf_agent.get_full_name(), "2026-02-10"),
        ("Staff the phone line", "duty_desk", "2026-02-10"),
    ]


def test_the_snapshot_names_each_note_and_action_item_it_kept_so_the_record_leads_back_to_them(
    investigator, atf_agent, coordinator
):
    # A frozen agenda is the record of what the meeting saw: an auditor asked "which note was
    # this?" must be able to go from the snapshot to the note's revisions, and from an action
    # item to the item and its case.
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    note = note_at(local(2026, 2, 6, 12, 5), case, investigator, Note.Kind.WITNESS, witness())
    item = action(coordinator, atf_agent, "Canvass the block again", shooting=case)
    loose = action(coordinator, atf_agent, "Send the retaliation watch list")
    agenda_services.build_agenda(meeting, coordinator)
    [case_item] = meeting.items.filter(shooting=case)
    section = meeting.items.get(group_key=ACTION_ITEMS_SECTION)

    kept = snapshot_items(meeting, [case_item, section])

    assert [n["id"] for n in kept[case_item.pk]["notes"]] == [note.pk]
    assert [(a["id"], a["shooting_id"]) for a in kept[case_item.pk]["action_items"]] == [(item.pk, case.pk)]
    assert [(a["id"], a["shooting_id"]) for a in kept[section.pk]["action_items"]] == [(loose.pk, None)]


def test_a_shots_fired_case_with_no_one_named_on_it_still_shows_on_the_agenda(client_for, investigator, coordinator):
    # Shots fired with nobody hit and nobody named yet: the case has no people at all, and the
    # agenda must still show it (no overlaps to tell), not fail on it.
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 2, 8, 1, 0), kind=SF, victims=[])
    agenda_services.build_agenda(meeting, coordinator)

    page = client_for(coordinator).get(meeting.get_absolute_url())

    assert page.status_code == 200
    assert case.report_number in page.content.decode()
    [item] = [i for i in agenda_view(meeting, coordinator).items if i.is_case]
    assert item.case.report_number == case.report_number and item.case.overlaps == []
