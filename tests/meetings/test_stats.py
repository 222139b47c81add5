"""The cover numbers: the review window, the year to date against last year, clearance, open
clusters, and the weekly counts behind the chart, on hand-built data."""

from __future__ import annotations

from datetime import datetime

import pytest

from cases import services as case_services
from cases.models import Shooting
from meetings.cover import stats
from meetings.models import Meeting
from tests.factories import make_shooting

from .agenda_helpers import CHICAGO, NF, SF, H, local, meeting_at

pytestmark = pytest.mark.django_db


def shooting(user, when: datetime, kind: str = NF, **fields) -> Shooting:
    return make_shooting(user, kind=kind, occurred_from=when, **fields)


@pytest.fixture
def meetings(db):
    """Last week's held meeting (cutoff Tue 3 Mar 09:00) and this week's (cutoff Tue 10 Mar 09:00,
    across the start of daylight time on Sun 8 Mar 2026)."""
    held = meeting_at(local(2026, 3, 4, 9, 0), status=Meeting.Status.HELD)
    this = meeting_at(local(2026, 3, 11, 9, 0))
    return held, this


def test_window_counts_shootings_by_kind_between_the_two_cutoffs(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 5, 22, 0), H)
    shooting(investigator, local(2026, 3, 6, 1, 0), NF)
    shooting(investigator, local(2026, 3, 9, 23, 0), NF)
    shooting(investigator, local(2026, 3, 7, 2, 0), SF)
    # The edges: the previous cutoff belongs to last week's window, this cutoff to this one.
    shooting(investigator, local(2026, 3, 3, 9, 0), H)
    shooting(investigator, local(2026, 3, 10, 9, 0), NF)
    shooting(investigator, local(2026, 3, 10, 9, 1), H)

    cover = stats.compute_cover(this, investigator)

    assert (cover.window_start, cover.window_end) == (local(2026, 3, 3, 9, 0), local(2026, 3, 10, 9, 0))
    assert cover.window_homicides == 1
    assert cover.window_nonfatal == 3
    assert cover.window_shootings == 4
    assert cover.window_shots_fired == 1


def test_unfounded_shootings_never_count_and_held_ones_are_listed_apart(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 6, 1, 0), NF)
    shooting(investigator, local(2026, 3, 6, 2, 0), NF, counting=Shooting.Counting.UNFOUNDED)
    shooting(investigator, local(2026, 3, 6, 3, 0), NF, counting=Shooting.Counting.HOLD)
    shooting(investigator, local(2026, 1, 6, 3, 0), H, counting=Shooting.Counting.HOLD)

    cover = stats.compute_cover(this, investigator)

    assert cover.window_nonfatal == 1
    assert cover.window_hold == 1
    assert cover.window_unfounded == 1
    assert cover.ytd_nonfatal == 1
    assert cover.ytd_homicides == 0
    assert cover.ytd_hold == 2
    assert cover.weeks[-1].shootings == 1


def test_without_a_held_meeting_the_window_is_the_week_before_the_cutoff_on_the_local_clock(investigator):
    this = meeting_at(local(2026, 3, 11, 9, 0))
    shooting(investigator, local(2026, 3, 3, 9, 30), NF)
    shooting(investigator, local(2026, 3, 3, 8, 30), NF)

    cover = stats.compute_cover(this, investigator)

    # Tuesday 09:00 standard time to Tuesday 09:00 daylight time: 167 hours, not 168.
    assert cover.window_start == local(2026, 3, 3, 9, 0)
    assert cover.window_end.timestamp() - cover.window_start.timestamp() == 167 * 3600
    assert cover.window_nonfatal == 1


def test_year_to_date_is_compared_with_the_same_date_last_year(investigator, meetings):
    _, this = meetings
    for when in [local(2026, 1, 1, 0, 0), local(2026, 2, 1, 12, 0), local(2026, 3, 9, 12, 0)]:
        shooting(investigator, when, H)
    for when in [local(2026, 1, 5, 12, 0), local(2026, 2, 5, 12, 0)]:
        shooting(investigator, when, NF)
    # Last year: two homicides up to 10 March 09:00, one after it (not comparable), and one
    # non-fatal shooting on the last day of 2024 (another year).
    shooting(investigator, local(2025, 1, 20, 12, 0), H)
    shooting(investigator, local(2025, 3, 10, 8, 0), H)
    shooting(investigator, local(2025, 3, 10, 10, 0), H)
    shooting(investigator, local(2024, 12, 31, 23, 0), NF)

    cover = stats.compute_cover(this, investigator)

    assert (cover.ytd_homicides, cover.last_year_homicides) == (3, 2)
    assert cover.homicides_change == pytest.approx(50.0)
    assert (cover.ytd_nonfatal, cover.last_year_nonfatal) == (2, 0)
    assert cover.nonfatal_change is None
    assert cover.shootings_change == pytest.approx(150.0)
    assert cover.last_year_date.isoformat() == "2025-03-10"


def test_a_fall_on_last_year_is_a_negative_change():
    assert stats.percent_change(3, 4) == pytest.approx(-25.0)
    assert stats.percent_change(0, 0) is None
    assert stats.percent_change(5, 0) is None


def test_the_same_date_last_year_of_a_leap_day_is_the_28th():
    assert stats.same_moment_last_year(local(2028, 2, 29, 9, 0)) == local(2027, 2, 28, 9, 0)


def test_clearance_counts_this_years_homicides_cleared_by_arrest_and_exceptionally(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 1, 10, 12, 0), H, status=Shooting.Status.CLEARED_ARREST)
    shooting(investigator, local(2026, 1, 11, 12, 0), H, status=Shooting.Status.CLEARED_EXCEPTIONAL)
    shooting(investigator, local(2026, 1, 12, 12, 0), H)
    shooting(investigator, local(2026, 2, 12, 12, 0), H)
    # Neither last year's homicides nor this year's non-fatal shootings are in the rate.
    shooting(investigator, local(2025, 6, 1, 12, 0), H, status=Shooting.Status.CLEARED_ARREST)
    shooting(investigator, local(2026, 2, 1, 12, 0), NF, status=Shooting.Status.CLEARED_ARREST)

    cover = stats.compute_cover(this, investigator)

    assert (cover.cleared_arrest, cover.cleared_exceptional, cover.ytd_homicides) == (1, 1, 4)
    assert cover.clearance_rate == pytest.approx(50.0)


def test_clearance_rate_is_not_a_number_without_homicides(investigator, meetings):
    _, this = meetings

    cover = stats.compute_cover(this, investigator)

    assert cover.clearance_rate is None


def test_open_clusters_count_each_linked_group_of_open_cases_once(investigator, meetings):
    _, this = meetings
    when = local(2026, 2, 1, 12, 0)
    a, b, c = (shooting(investigator, when) for _ in range(3))
    d, e = (shooting(investigator, when) for _ in range(2))
    cleared = shooting(investigator, when, status=Shooting.Status.CLEARED_ARREST)
    also_cleared = shooting(investigator, when, status=Shooting.Status.CLEARED_ARREST)
    case_services.link_manually(a, b, investigator, "same crew")
    case_services.link_manually(b, c, investigator, "same car")
    case_services.link_manually(d, e, investigator, "same victim")
    case_services.link_manually(cleared, also_cleared, investigator, "same address")

    cover = stats.compute_cover(this, investigator)

    assert cover.open_clusters == 2


def test_weekly_counts_cover_twelve_local_weeks_ending_at_the_cutoff(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 3, 9, 30), H)  # last week (after Tuesday 09:00)
    shooting(investigator, local(2026, 3, 10, 9, 0), NF)  # last week, at the cutoff itself
    shooting(investigator, local(2026, 3, 3, 8, 30), NF)  # the week before
    shooting(investigator, local(2025, 12, 16, 9, 30), NF)  # first of the twelve weeks
    shooting(investigator, local(2025, 12, 16, 8, 30), NF)  # before the chart
    shooting(investigator, local(2026, 3, 5, 12, 0), SF)  # shots fired: not in the bars

    cover = stats.compute_cover(this, investigator)

    weeks = cover.weeks
    assert len(weeks) == 12
    assert all(timezone_hour(w.start) == 9 and timezone_hour(w.end) == 9 for w in weeks)
    assert weeks[-1].end == local(2026, 3, 10, 9, 0)
    assert weeks[0].start == local(2025, 12, 16, 9, 0)
    assert [(w.shootings, w.homicides) for w in weeks] == [(1, 0)] + [(0, 0)] * 9 + [(1, 0), (2, 1)]
    assert weeks[-1].last_day.isoformat() == "2026-03-10"


def timezone_hour(moment: datetime) -> int:
    return moment.astimezone(CHICAGO).hour


def test_cover_numbers_cost_eight_queries_however_many_shootings(investigator, meetings, django_assert_num_queries):
    _, this = meetings
    for day in range(1, 30):
        case = shooting(investigator, local(2026, 2, day % 28 + 1, 12, 0), H if day % 3 else NF)
        case_services.update_shooting(case, investigator, {"charges_filed": "Assault"}, expected_version=case.version)

    # 1. previous held meeting's cutoff  2. one aggregate over the counted period  3. open clusters
    # 4. the year's prosecution changes  5. the data's stamp, under which the people counts are kept
    # 6. people: one aggregate over shootings and victims  7. people per calendar year
    # 8. the places of the window's shootings (the map)
    with django_assert_num_queries(8):
        stats.compute_cover(this, investigator)


def test_a_frozen_agenda_keeps_its_cover_numbers_when_cases_change(investigator, meetings):
    _, this = meetings
    first = shooting(investigator, local(2026, 3, 6, 1, 0), NF)
    this.status = Meeting.Status.FROZEN
    this.save()

    kept = stats.cover_for(this, investigator)
    shooting(investigator, local(2026, 3, 7, 1, 0), H)
    case_services.update_shooting(first, investigator, {"kind": H}, expected_version=first.version)
    this.refresh_from_db()
    again = stats.cover_for(this, investigator)

    assert (kept.window_homicides, kept.window_nonfatal) == (0, 1)
    assert again.to_json() == kept.to_json()
    assert stats.compute_cover(this, investigator).window_homicides == 2


def test_unfreezing_returns_the_cover_to_live_numbers(investigator, meetings):
    _, this = meetings
    this.status = Meeting.Status.FROZEN
    this.save()
    stats.keep_cover(this, investigator)
    shooting(investigator, local(2026, 3, 6, 1, 0), H)

    stats.forget_cover(this)
    this.status = Meeting.Status.SCHEDULED
    this.save()

    assert stats.cover_for(this, investigator).window_homicides == 1


def test_kept_cover_numbers_survive_the_round_trip_through_json(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 6, 1, 0), H, status=Shooting.Status.CLEARED_ARREST)

    cover = stats.compute_cover(this, investigator)
    back = stats.CoverStats.from_json(cover.to_json())

    assert back == cover
    assert back.clearance_rate == pytest.approx(100.0)


def test_people_who_may_not_see_cases_count_nothing(meetings, django_user_model):
    _, this = meetings
    nobody = django_user_model.objects.create_user("no_role", password="x")
    make_shooting(None, kind=H, occurred_from=local(2026, 3, 6, 1, 0))

    cover = stats.compute_cover(this, nobody)

    assert cover.window_homicides == 0
