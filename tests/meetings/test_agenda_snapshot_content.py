"""What an agenda's snapshot keeps for the page and the packets: each new note's time, and the
"Open action items" section with only the open items of no case that are due by the meeting,
each with who holds it (by name, or by username when the account has no name)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view
from meetings.agenda.snapshot import ACTION_ITEMS_SECTION, snapshot_items
from meetings.models import ActionItem
from tests.factories import UserFactory

from .agenda_helpers import SF, H, case_at, local, meeting_at, note_at, witness

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


def facts_of(html: str, report_number: str) -> str:
    """The item of `report_number` on the page, its tags dropped: what a reader reads of it."""
    start = html.index(f">{report_number}</a>")
    end = html.find('<li class="agenda-item', start)
    return " ".join(re.sub(r"<[^>]+>", " ", html[start : end if end != -1 else len(html)]).split())


def test_each_case_item_shows_the_case_and_its_victims_as_recorded(client_for, investigator, coordinator):
    investigator.first_name, investigator.last_name = "Mara", "Quillon"
    investigator.save()
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    victims = [
        {"name": "Corin Vale", "age": 17, "sex": "M", "injury": "fatal", "died_on": date(2026, 2, 9)},
        {"name": "Ines Harrow", "age": 44, "sex": "F", "injury": "nonfatal", "referral_status": "engaged"},
        {"name": "Tamsin Ock", "sex": "F", "injury": "none"},
    ]
    homicide = case_at(
        investigator,
        local(2026, 2, 8, 1, 30),
        kind=H,
        address="4410 E 31st St",
        division="East",
        beat="322",
        lead_investigator=investigator,
        victims=victims,
    )
    # Eighteen is no longer a juvenile; a juvenile whose age is withheld is one.
    adult = case_at(investigator, local(2026, 2, 8, 3, 0), victims=[{"name": "Rhea Lund", "age": 18, "sex": "F"}])
    withheld = case_at(
        investigator, local(2026, 2, 8, 4, 0), victims=[{"name": "Juno Pell", "is_juvenile": True, "sex": "M"}]
    )
    agenda_services.build_agenda(meeting, coordinator)

    html = client_for(coordinator).get(meeting.get_absolute_url()).content.decode()

    assert '<span class="badge kind-homicide">Homicide</span>' in html
    item = facts_of(html, homicide.report_number)
    assert "Juvenile involved" in item
    assert "Sun 8 Feb 2026, 01:30" in item and "4410 E 31st St · East · beat 322" in item
    assert "Status Open" in item and "Lead investigator Mara Quillon" in item
    assert (
        "Victims Corin Vale (17, M, fatal, died 2026-02-09; advocate referral: not referred);"
        " Ines Harrow (44, F, non-fatal injury; advocate referral: engaged);"
        " Tamsin Ock (unknown, F, not injured; advocate referral: not referred)"
    ) in item
    assert "Juvenile involved" not in facts_of(html, adult.report_number)
    withheld_item = facts_of(html, withheld.report_number)
    assert "Juvenile involved" in withheld_item and "Juno Pell (juvenile, M," in withheld_item
