"""What each item of an agenda gives its reader, read straight from the agenda's view (what the
page, its fragments, the packets and the API draw): a free-text item and the open action items'
section as they were frozen, with what the meeting recorded on them; a case's flags, indicators,
the review its news runs from and its new notes grouped by kind in the form's order, at most
three of each; an agenda frozen before its snapshots kept people and prosecution changes still
draws; two linked cases on the agenda are drawn as one group. Every name is fictional."""

from __future__ import annotations

from datetime import date

import pytest

from cases import services as case_services
from cases.models import NibinLead, Note, Shooting
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view
from meetings.agenda.rules import LEAD_PAST_GOAL
from meetings.models import AgendaItem, Meeting

from .action_item_helpers import action
from .agenda_helpers import at, case_at, firearm, local, meeting_at, note_at, witness

pytestmark = pytest.mark.django_db

WATCH_LIST = "Retaliation watch list"
WATCH_TEXT = "Blocks of 31st and Prospect, this week and next"
LOOSE_ACTION = "Everyone: send your unit's retaliation watch list"
LEAD = "RB-2026-0801"


def frozen(meeting: Meeting, coordinator) -> Meeting:
    meeting.refresh_from_db()
    agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def text_items(coordinator, atf_agent) -> Meeting:
    """The meeting of Wed 11 Feb 2026 09:00 with a free-text item and the open action items'
    section (one action for the whole meeting, due the day before), frozen, then the free-text
    item discussed in the meeting."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    action(atf_agent, coordinator, None, LOOSE_ACTION, date(2026, 2, 10))
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    agenda_services.add_text_item(meeting, coordinator, WATCH_LIST, WATCH_TEXT, expected_version=meeting.agenda_version)
    meeting = frozen(meeting, coordinator)
    AgendaItem.objects.filter(meeting=meeting, title=WATCH_LIST).update(
        discussed=True, outcome=AgendaItem.Outcome.DECISION, outcome_text="Shared with every unit", review_again=True
    )
    return meeting


def test_a_free_text_item_shows_its_title_text_and_who_added_it_with_what_the_meeting_recorded(
    coordinator, investigator, text_items
):
    section, item = agenda_view(text_items, investigator).items

    assert (item.pk, item.number, item.title, item.text, item.reasons, item.group_key, item.is_case) == (
        AgendaItem.objects.get(title=WATCH_LIST).pk,
        2,
        WATCH_LIST,
        WATCH_TEXT,
        [f"Added by {coordinator.get_full_name()}"],
        "",
        False,
    )
    assert (item.discussed, item.outcome, item.outcome_text, item.review_again) == (
        True,
        AgendaItem.Outcome.DECISION,
        "Shared with every unit",
        True,
    )
    # A free-text item lists no action items of its own; only the section does.
    assert item.section_actions is None
    assert not section.discussed


def test_a_frozen_free_text_item_reads_as_it_was_frozen(investigator, text_items):
    # The agenda handed round at the meeting is the frozen one, whatever happens to the row since.
    AgendaItem.objects.filter(title=WATCH_LIST).update(title="Edited later", text="Edited text")

    item = agenda_view(text_items, investigator).items[1]

    assert (item.title, item.text) == (WATCH_LIST, WATCH_TEXT)


def test_the_action_items_section_lists_each_open_action_with_its_assignee_agency_and_due_day(investigator, text_items):
    section = agenda_view(text_items, investigator).items[0]

    assert not section.is_case
    assert [(a.description, a.assignee, a.agency, a.due_text, a.overdue) for a in section.section_actions] == [
        (LOOSE_ACTION, "Marcus Ortelli", "ATF-RB", "Tue 10 Feb", True)
    ]


# --- A case ------------------------------------------------------------------------------------


@pytest.fixture
def case_item(investigator, atf_agent, coordinator):
    """The meeting of Wed 11 Feb 2026 09:00 and a group-involved domestic shooting of Mon 2 Feb,
    a retaliation risk involving a juvenile held back from counting, reviewed at the meeting of Wed 4 Feb (cutoff
    Tue 3 Feb 09:00). Since then: a witness note of each agency on Thu 5 and Fri 6 Feb (four
    in all), then a general note on Sat 7 Feb; a NIBIN hit on its firearm."""
    earlier = meeting_at(local(2026, 2, 4, 9, 0), status=Meeting.Status.HELD)
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(
        investigator,
        local(2026, 2, 2, 22, 0),
        entered=local(2026, 2, 2, 23, 30),
        is_domestic_violence=True,
        is_group_involved=True,
        is_retaliation_risk=True,
    )
    Shooting.objects.filter(pk=case.pk).update(counting=Shooting.Counting.HOLD, is_juvenile_involved=True)
    AgendaItem.objects.create(meeting=earlier, kind=AgendaItem.Kind.CASE, shooting=case, position=1)
    note_at(local(2026, 2, 3, 10, 0), case, investigator, Note.Kind.FIREARM, firearm([LEAD]))
    NibinLead.objects.filter(number=LEAD).update(status=NibinLead.Status.HIT)
    for day_of_month in (5, 6):
        for author, name in ((investigator, "Tobias Quenneville"), (atf_agent, "Ilse Marchetti")):
            note_at(
                local(2026, 2, day_of_month, 10, 0), case, author, Note.Kind.WITNESS, witness(f"{name} {day_of_month}")
            )
    note_at(local(2026, 2, 7, 10, 0), case, investigator, Note.Kind.GENERAL, {"text": "Canvass done"})
    with at(local(2026, 2, 10, 12, 0)):
        agenda_services.build_agenda(meeting, coordinator)
    return meeting, case


def test_a_case_item_is_titled_by_its_report_number_with_its_flags_and_indicators(coordinator, case_item):
    meeting, case = case_item

    (item,) = agenda_view(meeting, coordinator).items

    assert (item.number, item.title, item.text, item.is_case) == (1, case.report_number, "", True)
    assert item.case.flags == ["Domestic violence", "Group-involved"]
    assert [indicator.label for indicator in item.case.indicators] == [
        "Retaliation risk",
        "Intimidated witness",
        "NIBIN hit",
        "Juvenile involved",
        "On hold: needs information before it counts",
    ]


def test_a_case_reviewed_before_shows_what_is_new_since_that_review(coordinator, case_item):
    meeting, _ = case_item

    (item,) = agenda_view(meeting, coordinator).items

    assert item.case.since_text == "the review of 3 Feb"


def test_new_notes_come_grouped_in_the_forms_order_with_the_latest_three_of_each_kind(coordinator, case_item):
    meeting, _ = case_item

    (item,) = agenda_view(meeting, coordinator).items

    # The form's order (suspect, firearm, witness, victim services, general), whatever came last.
    assert [(group.kind, group.label) for group in item.case.new_notes] == [
        ("firearm", "Firearm trace"),
        ("witness", "Witness"),
        ("general", "General"),
    ]
    witnesses = item.case.new_notes[1].notes
    assert [line.when_text for line in witnesses] == ["Fri 6 Feb 2026, 10:00"] * 2 + ["Thu 5 Feb 2026, 10:00"]
    # The coordinator may read every note: nothing is said to be held back.
    assert not item.case.new_notes_hidden


def test_an_agenda_frozen_before_its_snapshots_kept_people_and_prosecution_changes_still_draws(coordinator, case_item):
    meeting, case = case_item
    meeting = frozen(meeting, coordinator)
    item = meeting.items.get()
    for old in ("people", "prosecution"):
        item.snapshot.pop(old)
    AgendaItem.objects.filter(pk=item.pk).update(snapshot=item.snapshot)

    (view,) = agenda_view(meeting, coordinator).items

    assert view.title == case.report_number
    assert (view.case.overlaps, view.case.prosecution) == ([], [])


def linked_pair(investigator, atf_agent) -> None:
    """Two cases of the nights of 5 and 6 Feb 2026 linked by one NIBIN lead."""
    for night in (5, 6):
        case = case_at(investigator, local(2026, 2, night, 22, 0))
        note_at(local(2026, 2, night + 1, 10, 0), case, atf_agent, Note.Kind.FIREARM, firearm([LEAD]))


def test_two_linked_cases_on_the_agenda_are_drawn_as_one_group(investigator, atf_agent, coordinator):
    """Only the linked pair is a group, though a case of its own comes before it and a free-text
    item after it."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    alone = case_at(investigator, local(2026, 2, 8, 22, 0))
    linked_pair(investigator, atf_agent)
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    agenda_services.add_text_item(meeting, coordinator, "Watch list", "", expected_version=meeting.agenda_version)

    items = agenda_view(meeting, coordinator).items

    assert items[0].title == alone.report_number and items[-1].title == "Watch list"
    assert [(item.group_start, item.group_size) for item in items] == [(False, 1), (True, 2), (False, 2), (False, 1)]


def test_two_linked_cases_at_the_top_of_the_agenda_are_a_group_too(investigator, atf_agent, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    linked_pair(investigator, atf_agent)
    agenda_services.build_agenda(meeting, coordinator)

    items = agenda_view(meeting, coordinator).items

    assert [(item.group_start, item.group_size) for item in items] == [(True, 2), (False, 2)]


def test_a_lead_past_its_goal_is_a_reason_in_full_for_those_who_see_detail_and_a_follow_up_for_others(
    investigator, advocate, case_item
):
    meeting, _ = case_item
    late = {"code": LEAD_PAST_GOAL, "text": "Open NIBIN lead past the 24/48-hour goal"}
    AgendaItem.objects.filter(meeting=meeting).update(reasons=[late])

    assert agenda_view(meeting, investigator).items[0].reasons == ["Open NIBIN lead past the 24/48-hour goal"]
    assert agenda_view(meeting, advocate).items[0].reasons == ["NIBIN lead follow-up"]


def test_a_case_never_reviewed_shows_what_is_new_since_it_was_entered_and_a_cleared_field_as_none(
    investigator, prosecutor, coordinator
):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 2, 5, 22, 0))
    for charges in ("Assault in the first degree", ""):
        current = Shooting.objects.get(pk=case.pk)
        case_services.update_shooting(current, prosecutor, {"charges_filed": charges}, expected_version=current.version)
    agenda_services.build_agenda(meeting, coordinator)

    (item,) = agenda_view(meeting, investigator).items

    assert item.case.since_text == "the case was entered (first review)"
    assert [change.rows for change in item.case.prosecution] == [
        [("Charges filed", "none", "Assault in the first degree")],
        [("Charges filed", "Assault in the first degree", "none")],
    ]
