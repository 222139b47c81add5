"""What an agenda item's snapshot keeps of its case, checked on the snapshot itself (the page, the
minutes and the packets are drawn from it): which earlier meeting counts as the case's last
review, and so which notes and prosecution changes are new; the newest notes of a kind; the open
action items and the signals of live notes only; the lead investigator and the work on each NIBIN
lead, with who does it and what came of it; and the leads' and linked cases' status."""

from __future__ import annotations

from datetime import date

import pytest

from cases import lead_work
from cases import services as case_services
from cases.models import LeadAssignment, NibinLead, Note, Shooting
from meetings.agenda.snapshot import SNAPSHOT_VERSION, as_datetime, snapshot_items
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.factories import UserFactory

from .action_item_helpers import action
from .agenda_helpers import at, case_at, firearm, local, meeting_at, note_at, witness

pytestmark = pytest.mark.django_db

HELD = Meeting.Status.HELD


def kept(meeting: Meeting, *cases: Shooting) -> dict[int, dict]:
    """case id → the snapshot of its item on `meeting` (an item each, in the order given)."""
    items = [AgendaItem.objects.create(meeting=meeting, shooting=case, position=n) for n, case in enumerate(cases, 1)]
    return {item.shooting_id: snap for item, snap in zip(items, snapshot_items(meeting, items).values(), strict=True)}


def on(meeting: Meeting, case: Shooting, **fields) -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, shooting=case, position=meeting.items.count() + 1, **fields)


def test_only_an_earlier_held_meeting_that_kept_the_case_counts_as_its_last_review(investigator, coordinator):
    # Counting a review that did not happen would hide everything written since the real one.
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    reviewed = meeting_at(local(2026, 1, 28, 9, 0), status=HELD)
    removed_there = meeting_at(local(2026, 2, 4, 9, 0), status=HELD)
    cancelled = meeting_at(local(2026, 2, 4, 10, 0), status=Meeting.Status.CANCELLED)
    later = meeting_at(local(2026, 2, 18, 9, 0), status=HELD)
    dropped, called_off, ahead = (case_at(investigator, local(2026, 1, 10 + n, 22, 0)) for n in range(3))
    for case in (dropped, called_off, ahead):
        on(reviewed, case)
    on(removed_there, dropped, removed_at=local(2026, 2, 2, 12, 0), removed_by=coordinator, removal_reason="Closed")
    on(cancelled, called_off)
    on(later, ahead)

    snapshots = kept(meeting, dropped, called_off, ahead)

    since = [as_datetime(snapshots[case.pk]["since"]) for case in (dropped, called_off, ahead)]
    assert since == [reviewed.cutoff_at] * 3


def test_what_was_recorded_at_the_instant_of_the_last_reviews_cutoff_is_not_new(investigator, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    held = meeting_at(local(2026, 2, 4, 9, 0), status=HELD)
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    on(held, case)
    note_at(held.cutoff_at, case, investigator, Note.Kind.GENERAL, {"text": "Seen at the review"})
    with at(held.cutoff_at):
        case = case_services.update_shooting(
            case, coordinator, {"charges_filed": "Aggravated battery"}, expected_version=case.version
        )
    fresh = note_at(local(2026, 2, 5, 9, 0), case, investigator, Note.Kind.GENERAL, {"text": "Written after"})

    snapshot = kept(meeting, case)[case.pk]

    assert [n["id"] for n in snapshot["notes"]] == [fresh.pk]
    assert snapshot["prosecution"] == []


def test_a_case_never_reviewed_keeps_its_notes_older_than_another_cases_reviewed_ones(investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    held = meeting_at(local(2026, 2, 4, 9, 0), status=HELD)
    reviewed = case_at(investigator, local(2026, 1, 10, 22, 0))
    first_time = case_at(investigator, local(2026, 1, 11, 22, 0))
    on(held, reviewed)
    note_at(local(2026, 2, 1, 10, 0), reviewed, investigator, Note.Kind.GENERAL, {"text": "Reviewed"})
    newer = note_at(local(2026, 2, 6, 10, 0), reviewed, investigator, Note.Kind.GENERAL, {"text": "Since"})
    older = note_at(local(2026, 1, 30, 10, 0), first_time, investigator, Note.Kind.GENERAL, {"text": "Never seen"})

    snapshots = kept(meeting, reviewed, first_time)

    assert [n["id"] for n in snapshots[reviewed.pk]["notes"]] == [newer.pk]
    assert [n["id"] for n in snapshots[first_time.pk]["notes"]] == [older.pk]


def test_the_three_newest_notes_of_a_kind_are_kept_whatever_order_they_were_entered_in(investigator):
    # Notes entered late keep the moment they were written (created_at): the newest three are
    # the ones the table needs, not the first or last three typed in.
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    in_order, backwards = case_at(investigator, local(2026, 1, 10, 22, 0)), case_at(investigator, local(2026, 1, 11, 1))
    days = {in_order: range(2, 8), backwards: range(7, 1, -1)}
    newest = {}
    for case, order in days.items():
        notes = {
            d: note_at(local(2026, 2, d, 10, 0), case, investigator, Note.Kind.GENERAL, {"text": f"{d}"}) for d in order
        }
        newest[case.pk] = [notes[d].pk for d in (7, 6, 5)]

    snapshots = kept(meeting, in_order, backwards)

    assert {sid: [n["id"] for n in snapshots[sid]["notes"]] for sid in newest} == newest


def test_prosecution_changes_are_the_prosecution_ones_oldest_first_by_when_they_were_recorded(
    investigator, coordinator
):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    steps = [
        (local(2026, 2, 6, 10, 0), {"charges_filed": "Aggravated battery"}),
        # Saved after the one above but dated before it: the list follows the moments recorded.
        (local(2026, 2, 5, 10, 0), {"custody_status": "in_custody"}),
        (local(2026, 2, 7, 10, 0), {"address": "4410 E 31st St"}),
    ]
    for moment, data in steps:
        with at(moment):
            case = case_services.update_shooting(case, coordinator, data, expected_version=case.version)

    changes = kept(meeting, case)[case.pk]["prosecution"]

    assert [as_datetime(c["changed_at"]) for c in changes] == [local(2026, 2, d, 10, 0) for d in (5, 6)]


def test_prosecution_changes_recorded_at_one_instant_keep_the_order_they_were_made_in(investigator, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    # Changes sharing one moment read in the order they were saved, so the last charge shown is
    # the one that stands.
    with at(local(2026, 2, 6, 10, 0)):
        for charges in ("Aggravated battery", "Attempted murder", "Armed violence"):
            case = case_services.update_shooting(
                case, coordinator, {"charges_filed": charges}, expected_version=case.version
            )

    changes = kept(meeting, case)[case.pk]["prosecution"]

    assert [new for c in changes for _, _, new in c["fields"]] == [
        "Aggravated battery",
        "Attempted murder",
        "Armed violence",
    ]


def test_only_open_action_items_and_signals_of_live_notes_are_kept(investigator, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    for description, status in (("Canvass the block", ActionItem.Status.OPEN), ("Pull the video", "done")):
        action(investigator, coordinator, None, description, date(2026, 2, 10), shooting=case, status=status)
    # A witness fearing intimidation raises a signal; once the note is retracted, it no longer does.
    scared = note_at(local(2026, 2, 5, 10, 0), case, investigator, Note.Kind.WITNESS, witness())
    case_services.retract_note(scared, investigator, "Entered on the wrong case")

    snapshot = kept(meeting, case)[case.pk]

    assert [a["description"] for a in snapshot["action_items"]] == ["Canvass the block"]
    assert snapshot["signals"] == []


def test_the_lead_investigator_is_named_by_username_when_the_account_has_no_name_and_blank_when_none(
    investigator,
):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    nameless = UserFactory(username="duty_desk", first_name="", last_name="", agency=investigator.agency)
    named = case_at(investigator, local(2026, 1, 10, 22, 0), lead_investigator=nameless)
    unassigned = case_at(investigator, local(2026, 1, 11, 22, 0))

    snapshots = kept(meeting, named, unassigned)

    assert [snapshots[case.pk]["shooting"]["lead_investigator"] for case in (named, unassigned)] == ["duty_desk", ""]


def test_the_work_on_each_lead_says_who_does_it_and_what_came_of_it_and_when(investigator, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    nameless = UserFactory(username="duty_desk", first_name="", last_name="", agency=investigator.agency)
    worked, waiting = case_at(investigator, local(2026, 1, 10, 22, 0)), case_at(investigator, local(2026, 1, 11, 1))
    note_at(local(2026, 2, 2, 10, 0), worked, investigator, Note.Kind.FIREARM, firearm(["RB-2026-0701"]))
    note_at(local(2026, 2, 2, 11, 0), waiting, investigator, Note.Kind.FIREARM, firearm(["RB-2026-0702"]))
    with at(local(2026, 2, 6, 15, 0)):
        lead_work.change_work(
            LeadAssignment.objects.get(shooting=worked),
            coordinator,
            investigator=nameless,
            state=LeadAssignment.State.DONE,
            outcome=LeadAssignment.Outcome.ARREST,
            version=1,
        )

    snapshots = kept(meeting, worked, waiting)

    [done], [open_] = snapshots[worked.pk]["leads"], snapshots[waiting.pk]["leads"]
    assert {k: done["work"][k] for k in ("state_label", "outcome_label", "owner")} == {
        "state_label": "Outcome recorded",
        "outcome_label": "Arrest",
        "owner": "duty_desk",
    }
    # The lead's age on the item runs to its outcome, not to today.
    assert as_datetime(done["work"]["outcome_at"]) == local(2026, 2, 6, 15, 0)
    # Nobody on it yet: the item says so ("nobody assigned"), never a stand-in name.
    assert (open_["work"]["owner"], open_["work"]["outcome_label"], open_["work"]["outcome_at"]) == ("", "", None)


def test_each_case_keeps_its_own_leads_with_their_status_and_its_linked_cases_status(investigator, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    alone = [case_at(investigator, local(2026, 1, 10 + n, 22, 0)) for n in range(2)]
    pair = [case_at(investigator, local(2026, 1, 20 + n, 22, 0)) for n in range(2)]
    for n, case in enumerate(alone):
        note_at(local(2026, 2, 2, 10 + n, 0), case, investigator, Note.Kind.FIREARM, firearm([f"RB-2026-080{n}"]))
    for case in pair:
        note_at(local(2026, 2, 3, 10, 0), case, investigator, Note.Kind.FIREARM, firearm(["RB-2026-0810"]))
    case_services.update_nibin_lead(
        NibinLead.objects.get(number="RB-2026-0800"), coordinator, {"status": NibinLead.Status.HIT}
    )
    cleared = pair[1]
    cleared.refresh_from_db()
    case_services.update_shooting(
        cleared, coordinator, {"status": Shooting.Status.CLEARED_ARREST}, expected_version=cleared.version
    )

    snapshots = kept(meeting, *alone, pair[0])

    assert [
        [(lead["number"], lead["status"], lead["status_label"]) for lead in snapshots[c.pk]["leads"]] for c in alone
    ] == [
        [("RB-2026-0800", "hit", "Hit (confirmed by examiner)")],
        [("RB-2026-0801", "lead", "Lead (computer correlation)")],
    ]
    [linked] = snapshots[pair[0].pk]["linked"]
    assert (linked["report_number"], linked["status_label"]) == (cleared.report_number, "Cleared by arrest")


def test_a_link_by_hand_is_kept_on_the_two_cases_it_joins_with_its_reason(investigator):
    """Three cases joined by two links by hand: each case keeps the reason of its own link only,
    and the case it is joined to through the other is linked without one."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    first, second, third = (case_at(investigator, local(2026, 1, 10 + n, 22, 0)) for n in range(3))
    case_services.link_manually(first, second, investigator, "Same car seen at both")
    case_services.link_manually(second, third, investigator, "The same witness named both")

    snapshots = kept(meeting, first, second)

    def how(case):
        return {entry["report_number"]: entry["how"] for entry in snapshots[case.pk]["linked"]}

    car = {"kind": "manual", "value": "Same car seen at both"}
    witness_named = {"kind": "manual", "value": "The same witness named both"}
    assert how(first) == {second.report_number: [car], third.report_number: []}
    assert how(second) == {first.report_number: [car], third.report_number: [witness_named]}


def test_each_snapshot_says_what_it_keeps_and_the_version_it_was_kept_with(investigator):
    """A frozen agenda is kept for years: each item's snapshot names its kind (a case or a free
    text) and the version of the snapshot's layout, so that a later release can read it."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 2, 6, 22, 0))
    case_item = on(meeting, case)
    text_item = AgendaItem.objects.create(
        meeting=meeting, kind=AgendaItem.Kind.TEXT, title="Watch list", text="Two names", position=2
    )

    snapshots = snapshot_items(meeting, [case_item, text_item])

    assert (snapshots[case_item.pk]["v"], snapshots[case_item.pk]["kind"]) == (SNAPSHOT_VERSION, "case")
    assert {key: snapshots[text_item.pk][key] for key in ("v", "kind", "title", "text")} == {
        "v": SNAPSHOT_VERSION,
        "kind": "text",
        "title": "Watch list",
        "text": "Two names",
    }
