"""The agenda rules (a)–(f), the window's edges, a week across a daylight-saving change, the
default order and the reasons each item gives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases import services as case_services
from cases.models import LeadAssignment, NibinLead, Note, Shooting
from meetings.agenda.rules import plan_agenda, review_window
from meetings.models import ActionItem, AgendaItem, Meeting

from .agenda_helpers import NF, SF, H, at, case_at, firearm, local, meeting_at, note_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(db):
    """Last week's held meeting (cutoff Tue 3 Feb 2026 09:00) and this week's (cutoff Tue 10 Feb
    09:00): the window is (3 Feb 09:00, 10 Feb 09:00]."""
    held = meeting_at(local(2026, 2, 4, 9, 0), status=Meeting.Status.HELD)
    this = meeting_at(local(2026, 2, 11, 9, 0))
    return held, this


def being_worked() -> None:
    """Every lead's work is in hand, so that only the rule a test is about brings its cases
    (unworked leads past the 24/48-hour goal come up on their own: rule g)."""
    LeadAssignment.objects.update(state=LeadAssignment.State.INVESTIGATING)


def planned(meeting: Meeting) -> dict[str, list[str]]:
    """report number → reason codes, in agenda order."""
    return {item.report_number: [r["code"] for r in item.reasons] for item in plan_agenda(meeting).items}


# --- The window -------------------------------------------------------------------------------


def test_the_window_runs_from_the_last_held_meetings_cutoff_to_this_ones(week):
    held, this = week

    window = review_window(this)

    assert (window.start, window.end) == (held.cutoff_at, this.cutoff_at)


def test_a_shooting_exactly_at_the_previous_cutoff_is_left_to_last_week(investigator, week):
    held, this = week
    at_start = case_at(investigator, held.cutoff_at, entered=held.cutoff_at)
    just_after = case_at(investigator, held.cutoff_at + timedelta(seconds=1), entered=held.cutoff_at)

    agenda = planned(this)

    assert at_start.report_number not in agenda
    assert agenda[just_after.report_number] == ["new_occurred"]


def test_a_shooting_exactly_at_this_cutoff_is_on_this_agenda_and_one_second_later_is_not(investigator, week):
    _, this = week
    at_end = case_at(investigator, this.cutoff_at, entered=this.cutoff_at)
    too_late = case_at(investigator, this.cutoff_at + timedelta(seconds=1), entered=this.cutoff_at + timedelta(hours=1))

    agenda = planned(this)

    assert agenda[at_end.report_number] == ["new_occurred"]
    assert too_late.report_number not in agenda


def test_a_week_across_the_november_clock_change_keeps_both_cutoffs_at_nine_local(investigator):
    held = meeting_at(local(2026, 10, 28, 9, 0), status=Meeting.Status.HELD)
    this = meeting_at(local(2026, 11, 4, 9, 0))
    # Tue 27 Oct 09:00 CDT is 14:00 UTC; Tue 3 Nov 09:00 CST is 15:00 UTC: 7 days and 1 hour.
    window = review_window(this)
    assert window.end - window.start == timedelta(days=7, hours=1)
    # 08:30 on Tue 3 Nov is inside; 08:30 on Tue 27 Oct (before last week's cutoff) is not.
    inside = case_at(investigator, local(2026, 11, 3, 8, 30), entered=local(2026, 11, 3, 8, 45))
    before = case_at(investigator, local(2026, 10, 27, 8, 30), entered=local(2026, 10, 27, 8, 45))
    # 09:30 on 27 Oct CDT is after last week's cutoff, although 14:30 UTC is before 15:00 UTC.
    after_start = case_at(investigator, local(2026, 10, 27, 9, 30), entered=local(2026, 10, 27, 9, 45))

    agenda = planned(this)

    assert inside.report_number in agenda
    assert after_start.report_number in agenda
    assert before.report_number not in agenda
    assert held.pk == window.previous_meeting_id


def test_without_a_held_meeting_the_window_is_the_week_before_on_the_local_clock():
    this = meeting_at(local(2026, 11, 4, 9, 0))

    window = review_window(this)

    assert window.previous_meeting_id is None
    assert window.start == local(2026, 10, 27, 9, 0)
    assert window.end == local(2026, 11, 3, 9, 0)


# --- (a) new shootings ------------------------------------------------------------------------


def test_a_shooting_that_occurred_earlier_but_was_entered_in_the_window_is_on_the_agenda(investigator, week):
    _, this = week
    late_entry = case_at(investigator, local(2026, 1, 20, 23, 0), entered=local(2026, 2, 5, 10, 0))
    old = case_at(investigator, local(2026, 1, 20, 23, 0), entered=local(2026, 1, 21, 10, 0))

    agenda = planned(this)

    assert agenda[late_entry.report_number] == ["new_entered"]
    assert old.report_number not in agenda


def test_a_new_shooting_is_listed_whatever_its_status(investigator, week):
    _, this = week
    cleared = case_at(investigator, local(2026, 2, 6, 1, 0), status=Shooting.Status.CLEARED_ARREST)

    assert plan_agenda(this).items[0].report_number == cleared.report_number


# --- (b) new notes ----------------------------------------------------------------------------


def test_an_open_case_with_a_note_added_in_the_window_comes_back(investigator, week):
    _, this = week
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    note_at(local(2026, 2, 6, 12, 0), case, investigator, Note.Kind.GENERAL, {"text": "Canvass finished."})
    quiet = case_at(investigator, local(2026, 1, 11, 22, 0))
    note_at(local(2026, 2, 2, 12, 0), quiet, investigator, Note.Kind.GENERAL, {"text": "Before the window."})

    agenda = planned(this)

    assert agenda[case.report_number] == ["new_notes"]
    assert quiet.report_number not in agenda


def test_a_cleared_case_with_a_new_note_does_not_come_back(investigator, week):
    _, this = week
    case = case_at(investigator, local(2026, 1, 10, 22, 0), status=Shooting.Status.CLEARED_ARREST)
    note_at(local(2026, 2, 6, 12, 0), case, investigator, Note.Kind.GENERAL, {"text": "Plea hearing set."})

    assert case.report_number not in planned(this)


def test_a_note_someone_cannot_see_brings_the_case_with_a_reason_that_does_not_name_its_kind(advocate, week):
    _, this = week
    case = case_at(advocate, local(2026, 1, 10, 22, 0))
    services_note = {"victim": None, "service_agency": "Harbor Light", "referral_status": "contacted", "text": ""}
    note_at(local(2026, 2, 6, 12, 0), case, advocate, Note.Kind.VICTIM_SERVICES, services_note)

    (item,) = plan_agenda(this).items

    assert item.report_number == case.report_number
    assert item.reasons == [{"code": "new_notes", "text": "New notes since the last review"}]


def test_a_retracted_note_does_not_bring_a_case(investigator, week):
    _, this = week
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    note = note_at(local(2026, 2, 6, 12, 0), case, investigator, Note.Kind.GENERAL, {"text": "Wrong case."})
    case_services.retract_note(note, investigator, "Entered on the wrong case")

    assert case.report_number not in planned(this)


# --- (c) review again -------------------------------------------------------------------------


def test_a_case_marked_review_again_at_the_last_meeting_comes_back(investigator, week):
    held, this = week
    again = case_at(investigator, local(2026, 1, 10, 22, 0))
    done = case_at(investigator, local(2026, 1, 11, 22, 0))
    AgendaItem.objects.create(meeting=held, shooting=again, review_again=True, position=1)
    AgendaItem.objects.create(meeting=held, shooting=done, review_again=False, position=2)

    agenda = planned(this)

    assert agenda[again.report_number] == ["review_again"]
    assert done.report_number not in agenda


def test_review_again_from_an_older_meeting_does_not_carry_over(investigator, week):
    held, this = week
    older = meeting_at(local(2026, 1, 28, 9, 0), status=Meeting.Status.HELD)
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    AgendaItem.objects.create(meeting=older, shooting=case, review_again=True, position=1)

    assert case.report_number not in planned(this)


# --- (d) new links ----------------------------------------------------------------------------


def test_a_case_newly_linked_by_a_nibin_lead_comes_with_the_new_case_and_is_grouped_with_it(investigator, week):
    _, this = week
    old = case_at(investigator, local(2025, 12, 1, 22, 0))
    note_at(local(2025, 12, 3, 10, 0), old, investigator, Note.Kind.FIREARM, firearm(["RB-2025-0117"]))
    unrelated_old = case_at(investigator, local(2025, 12, 2, 22, 0))
    new = case_at(investigator, local(2026, 2, 5, 22, 0), kind=SF)
    note_at(local(2026, 2, 6, 10, 0), new, investigator, Note.Kind.FIREARM, firearm(["RB-2025-0117"]))
    being_worked()

    plan = plan_agenda(this)
    items = {item.report_number: item for item in plan.items}

    assert items[old.report_number].reasons == [{"code": "new_link", "text": f"Newly linked to {new.report_number}"}]
    assert items[old.report_number].group_key == items[new.report_number].group_key != ""
    assert unrelated_old.report_number not in items


def test_a_case_newly_linked_by_serial_number_comes_too(investigator, week):
    _, this = week
    old = case_at(investigator, local(2025, 12, 1, 22, 0))
    note_at(local(2025, 12, 3, 10, 0), old, investigator, Note.Kind.FIREARM, firearm(serial_number="KT4471"))
    new = case_at(investigator, local(2026, 2, 5, 22, 0))
    note_at(local(2026, 2, 6, 10, 0), new, investigator, Note.Kind.FIREARM, firearm(serial_number="KT4471"))

    assert planned(this)[old.report_number] == ["new_link"]


def test_an_old_link_does_not_bring_the_cluster_back(investigator, week):
    _, this = week
    a = case_at(investigator, local(2025, 12, 1, 22, 0))
    b = case_at(investigator, local(2025, 12, 2, 22, 0))
    with at(local(2025, 12, 5, 10, 0)):
        case_services.link_manually(a, b, investigator, "Same crew, per informant")
    note_at(local(2026, 2, 6, 10, 0), a, investigator, Note.Kind.GENERAL, {"text": "New lead on the crew."})

    agenda = planned(this)

    assert agenda[a.report_number] == ["new_notes"]
    assert b.report_number not in agenda


def test_a_manual_link_made_in_the_window_brings_the_linked_case(investigator, week):
    _, this = week
    old = case_at(investigator, local(2025, 12, 1, 22, 0))
    new = case_at(investigator, local(2026, 2, 5, 22, 0))
    with at(local(2026, 2, 6, 10, 0)):
        case_services.link_manually(new, old, investigator, "Same victim, retaliation")

    assert planned(this)[old.report_number] == ["new_link"]


def test_an_earlier_reviewed_case_that_a_new_nibin_hit_touches_comes_back(investigator, atf_agent, week):
    held, this = week
    reviewed = case_at(investigator, local(2025, 11, 1, 22, 0))
    never_reviewed = case_at(investigator, local(2025, 11, 2, 22, 0), status=Shooting.Status.INACTIVE)
    note_at(local(2025, 11, 3, 10, 0), reviewed, investigator, Note.Kind.FIREARM, firearm(["RB-2025-0042"]))
    note_at(local(2025, 11, 4, 10, 0), never_reviewed, investigator, Note.Kind.FIREARM, firearm(["RB-2025-0042"]))
    AgendaItem.objects.create(meeting=meeting_at(local(2025, 11, 5, 9, 0), status="held"), shooting=reviewed)
    lead = NibinLead.objects.get(number="RB-2025-0042")
    with at(local(2026, 2, 6, 15, 0)):
        case_services.update_nibin_lead(lead, atf_agent, {"status": NibinLead.Status.HIT})
    being_worked()

    agenda = planned(this)

    assert agenda[reviewed.report_number] == ["nibin_touch"]
    # The confirmed hit is a new link to a case on the agenda: its other case comes along.
    assert agenda[never_reviewed.report_number] == ["new_link"]


def test_a_nibin_lead_created_in_the_window_touches_earlier_reviewed_cases(investigator, week):
    held, this = week
    first = case_at(investigator, local(2025, 11, 1, 22, 0))
    second = case_at(investigator, local(2025, 11, 8, 22, 0))
    AgendaItem.objects.create(meeting=held, shooting=first, position=1)
    AgendaItem.objects.create(meeting=held, shooting=second, position=2)
    # The lead arrives in the window; the firearm notes citing it are written the same day.
    note_at(local(2026, 2, 6, 10, 0), first, investigator, Note.Kind.FIREARM, firearm(["RB-2026-0003"]))
    note_at(local(2026, 2, 6, 10, 5), second, investigator, Note.Kind.FIREARM, firearm(["RB-2026-0003"]))

    items = {item.report_number: item for item in plan_agenda(this).items}

    assert {"nibin_touch", "new_notes"} <= {r["code"] for r in items[first.report_number].reasons}
    assert items[first.report_number].group_key == items[second.report_number].group_key != ""


# --- (e) action items -------------------------------------------------------------------------


def test_an_open_action_item_due_by_the_meeting_brings_its_case(investigator, coordinator, week):
    _, this = week
    due = case_at(investigator, local(2025, 12, 1, 22, 0), status=Shooting.Status.INACTIVE)
    later = case_at(investigator, local(2025, 12, 2, 22, 0))
    done = case_at(investigator, local(2025, 12, 3, 22, 0))

    def action(shooting, due_on, status=ActionItem.Status.OPEN):
        return ActionItem.objects.create(
            shooting=shooting,
            description="Pull the gas-station video",
            assignee=investigator,
            agency=investigator.agency,
            due_on=due_on,
            status=status,
            created_by=coordinator,
        )

    action(due, date(2026, 2, 11))
    action(later, date(2026, 2, 12))
    action(done, date(2026, 2, 4), ActionItem.Status.DONE)
    loose = action(None, date(2026, 2, 9))
    action(None, date(2026, 2, 18))

    plan = plan_agenda(this)
    items = {item.report_number: item for item in plan.items}

    assert items[due.report_number].reasons == [{"code": "action_due", "text": "Open action item due Wed 11 Feb"}]
    assert later.report_number not in items
    assert done.report_number not in items
    assert plan.loose_action_item_ids == [loose.pk]


# --- (f) retaliation risk ---------------------------------------------------------------------


def test_open_retaliation_risk_cases_are_followed_up_every_week(investigator, week):
    _, this = week
    at_risk = case_at(investigator, local(2025, 10, 1, 22, 0), is_retaliation_risk=True)
    cleared = case_at(
        investigator, local(2025, 10, 2, 22, 0), is_retaliation_risk=True, status=Shooting.Status.CLEARED_ARREST
    )

    agenda = planned(this)

    assert agenda[at_risk.report_number] == ["retaliation"]
    assert cleared.report_number not in agenda


# --- One item per case, order ---------------------------------------------------------------


def test_a_case_brought_by_several_rules_is_one_item_with_every_reason(investigator, week):
    held, this = week
    case = case_at(investigator, local(2026, 2, 5, 22, 0), is_retaliation_risk=True)
    note_at(local(2026, 2, 6, 12, 0), case, investigator, Note.Kind.GENERAL, {"text": "Family threatened."})

    (item,) = plan_agenda(this).items

    assert [r["text"] for r in item.reasons] == [
        "Occurred since the last review",
        "New notes since the last review",
        "Retaliation-risk follow-up",
    ]


def test_homicides_come_first_then_injury_shootings_then_shots_fired_newest_first(investigator, week):
    _, this = week
    sf_new = case_at(investigator, local(2026, 2, 9, 1, 0), kind=SF)
    nf_old = case_at(investigator, local(2026, 2, 4, 1, 0), kind=NF)
    h_old = case_at(investigator, local(2026, 2, 4, 2, 0), kind=H)
    nf_new = case_at(investigator, local(2026, 2, 8, 1, 0), kind=NF)
    h_new = case_at(investigator, local(2026, 2, 7, 1, 0), kind=H)

    assert list(planned(this)) == [
        h_new.report_number,
        h_old.report_number,
        nf_new.report_number,
        nf_old.report_number,
        sf_new.report_number,
    ]


def test_linked_incidents_stay_together_where_their_highest_ranked_member_goes(investigator, week):
    _, this = week
    homicide = case_at(investigator, local(2026, 2, 5, 1, 0), kind=H)
    nonfatal = case_at(investigator, local(2026, 2, 8, 1, 0), kind=NF)
    linked_shots = case_at(investigator, local(2026, 2, 9, 1, 0), kind=SF)
    linked_homicide = case_at(investigator, local(2026, 2, 4, 1, 0), kind=H)
    with at(local(2026, 2, 9, 12, 0)):
        case_services.link_manually(linked_shots, linked_homicide, investigator, "Same shooter")

    order = list(planned(this))

    # The linked pair ranks with its homicide (older than the other homicide), shots fired
    # right behind it, ahead of the non-fatal shooting.
    assert order == [
        homicide.report_number,
        linked_homicide.report_number,
        linked_shots.report_number,
        nonfatal.report_number,
    ]


def test_building_the_plan_costs_the_same_queries_for_many_cases(
    investigator, advocate, week, django_assert_max_num_queries
):
    held, this = week
    for n in range(30):
        case = case_at(investigator, local(2026, 2, 4, 1, n), kind=[H, NF, SF][n % 3], is_retaliation_risk=n % 5 == 0)
        note_at(local(2026, 2, 6, 12, n), case, investigator, Note.Kind.FIREARM, firearm([f"RB-26-{n // 2:04d}"]))
        with at(local(2026, 2, 7, 12, n)):
            case_services.update_shooting(case, investigator, {"charges_filed": "Assault"}, expected_version=1)
        AgendaItem.objects.create(meeting=held, shooting=case, review_again=n % 4 == 0, position=n)
    # previous held meeting; (a); (b); (c); (e); (f); (g); new keys; their holders; new manual
    # links; new or confirmed leads; their holders; facts of the other cases; earlier appearances
    # of lead-touched cases; cluster members; (h) open lead work past the goal
    with django_assert_max_num_queries(16):
        plan = plan_agenda(this)
    assert len(plan.items) == 30
