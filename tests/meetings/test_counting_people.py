"""Counting as the city counts: people shot beside incidents, year to date against the three
years before (cut on the same date, leap day included), the highest year, and clearance of
homicides and non-fatal shootings apart as the FBI's UCR Program counts it; on the cover page and
on the printed cover, on hand-built data."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases import services as case_services
from cases.models import Shooting
from meetings.cover import chart, stats
from meetings.cover import people as counting
from meetings.models import Meeting
from meetings.printing import documents, packets
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
H = Shooting.Kind.HOMICIDE
NF = Shooting.Kind.NONFATAL
SF = Shooting.Kind.SHOTS_FIRED
ARREST = Shooting.Status.CLEARED_ARREST
EXCEPTIONAL = Shooting.Status.CLEARED_EXCEPTIONAL


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def killed(n: int = 1) -> list[dict]:
    return [{"name": f"Odessa Rookwell {i}", "age": 30, "sex": "F", "injury": "fatal"} for i in range(n)]


def wounded(n: int = 1) -> list[dict]:
    return [{"name": f"Soren Kettleby {i}", "age": 22, "sex": "M", "injury": "nonfatal"} for i in range(n)]


def missed(n: int = 1) -> list[dict]:
    return [{"name": f"Pax Saltmarsh {i}", "age": 40, "sex": "M", "injury": "none"} for i in range(n)]


def shooting(user, when: datetime, kind: str, victims: list[dict], **fields) -> Shooting:
    return make_shooting(user, kind=kind, occurred_from=when, victims=victims, **fields)


def meeting_with_cutoff(cutoff: datetime, *, status: str = Meeting.Status.SCHEDULED) -> Meeting:
    start = cutoff + timedelta(hours=24)
    return Meeting.objects.create(
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        local_date=start.astimezone(CHICAGO).date(),
        cutoff_at=cutoff,
        place="Headquarters, room 4B",
        status=status,
    )


@pytest.fixture
def this_week(db) -> Meeting:
    """Last week's held meeting (cutoff Tue 3 Mar 2026 09:00) and this week's (Tue 10 Mar 09:00)."""
    meeting_with_cutoff(local(2026, 3, 3, 9, 0), status=Meeting.Status.HELD)
    return meeting_with_cutoff(local(2026, 3, 10, 9, 0))


def people(meeting: Meeting, viewer) -> counting.PeopleCounts:
    return stats.compute_cover(meeting, viewer).people


def test_a_double_homicide_is_two_homicide_victims_and_one_homicide(investigator, this_week):
    shooting(investigator, local(2026, 3, 5, 22, 0), H, killed(2) + wounded(1))
    shooting(investigator, local(2026, 3, 6, 1, 0), NF, wounded(2))
    shooting(investigator, local(2026, 3, 7, 2, 0), SF, missed(2))

    counts = people(this_week, investigator)

    assert (counts.window_homicide_victims, counts.window_nonfatal_victims) == (2, 3)
    assert counts.window_people_shot == 5
    year = counts.this_year
    assert (year.homicide_victims, year.homicides) == (2, 1)
    assert (year.nonfatal_victims, year.nonfatal, year.shots_fired) == (3, 1, 1)


def test_unfounded_cases_never_count_and_cases_on_hold_are_listed_apart(investigator, this_week):
    shooting(investigator, local(2026, 3, 6, 1, 0), NF, wounded(1))
    shooting(investigator, local(2026, 3, 6, 2, 0), NF, wounded(3), counting=Shooting.Counting.UNFOUNDED)
    shooting(investigator, local(2026, 3, 6, 3, 0), H, killed(1), counting=Shooting.Counting.HOLD)
    shooting(investigator, local(2026, 1, 6, 3, 0), NF, wounded(2), counting=Shooting.Counting.HOLD)
    shooting(investigator, local(2026, 2, 6, 3, 0), H, killed(1), status=ARREST, cleared_on=date(2026, 2, 9))
    shooting(
        investigator,
        local(2026, 2, 7, 3, 0),
        H,
        killed(1),
        status=ARREST,
        cleared_on=date(2026, 2, 9),
        counting=Shooting.Counting.UNFOUNDED,
    )

    counts = people(this_week, investigator)

    assert (counts.window_homicide_victims, counts.window_nonfatal_victims) == (0, 1)
    assert (counts.window_hold_victims, counts.ytd_hold_victims) == (1, 3)
    assert (counts.this_year.homicide_victims, counts.this_year.nonfatal_victims) == (1, 1)
    assert counts.homicide_clearance.cleared == 1
    assert counts.highest_nonfatal_victims.count == 1


def test_year_to_date_is_compared_with_three_years_each_cut_at_the_same_date_and_time(investigator, this_week):
    shooting(investigator, local(2026, 1, 1, 0, 0), H, killed(1))
    shooting(investigator, local(2026, 3, 10, 9, 0), NF, wounded(1))  # at the cut-off: in
    shooting(investigator, local(2026, 3, 10, 9, 1), NF, wounded(1))  # after it: out
    shooting(investigator, local(2025, 3, 10, 8, 59), H, killed(2))
    shooting(investigator, local(2025, 3, 10, 9, 1), H, killed(1))  # after the same moment: out
    shooting(investigator, local(2024, 2, 29, 12, 0), NF, wounded(3))
    shooting(investigator, local(2024, 12, 1, 12, 0), NF, wounded(1))  # later in the year: out
    shooting(investigator, local(2023, 1, 1, 0, 0), NF, wounded(1))
    shooting(investigator, local(2022, 12, 31, 23, 59), H, killed(1))  # four years back: not shown

    counts = people(this_week, investigator)

    assert [y.year for y in counts.years] == [2026, 2025, 2024, 2023]
    assert [y.end for y in counts.years] == [local(y, 3, 10, 9, 0) for y in (2026, 2025, 2024, 2023)]
    assert [(y.homicide_victims, y.nonfatal_victims) for y in counts.years] == [(1, 1), (2, 0), (0, 3), (0, 1)]
    assert [(y.homicides, y.nonfatal) for y in counts.years] == [(1, 1), (1, 0), (0, 1), (0, 1)]
    homicide_row = counts.rows[0]
    assert homicide_row.counts == [1, 2, 0, 0]
    assert homicide_row.change == pytest.approx(-50.0)


def test_a_cut_off_on_a_leap_day_cuts_the_years_without_one_on_the_28th(investigator):
    meeting = meeting_with_cutoff(local(2028, 2, 29, 9, 0))
    shooting(investigator, local(2027, 2, 28, 8, 0), NF, wounded(1))
    shooting(investigator, local(2027, 3, 1, 0, 30), NF, wounded(1))  # the day after the cut: out
    shooting(investigator, local(2028, 2, 29, 8, 0), NF, wounded(2))

    counts = people(meeting, investigator)

    assert [y.end for y in counts.years] == [
        local(2028, 2, 29, 9, 0),
        local(2027, 2, 28, 9, 0),
        local(2026, 2, 28, 9, 0),
        local(2025, 2, 28, 9, 0),
    ]
    assert [y.nonfatal_victims for y in counts.years] == [2, 1, 0, 0]


def test_a_leap_year_cut_on_1_march_keeps_its_29_february(investigator):
    meeting = meeting_with_cutoff(local(2029, 3, 1, 9, 0))
    shooting(investigator, local(2028, 2, 29, 12, 0), H, killed(1))

    counts = people(meeting, investigator)

    assert counts.years[1].end == local(2028, 3, 1, 9, 0)
    assert counts.years[1].homicide_victims == 1


def test_clearance_is_per_victim_by_kind_with_clearances_recorded_this_year(investigator, this_week):
    # This year: a double homicide cleared by arrest, one cleared exceptionally, one open.
    shooting(investigator, local(2026, 1, 10, 12, 0), H, killed(2), status=ARREST, cleared_on=date(2026, 1, 20))
    shooting(investigator, local(2026, 1, 11, 12, 0), H, killed(1), status=EXCEPTIONAL, cleared_on=date(2026, 2, 2))
    shooting(investigator, local(2026, 1, 12, 12, 0), H, killed(1))
    # Last year's homicide cleared this year counts as a clearance this year (UCR).
    shooting(investigator, local(2025, 11, 1, 12, 0), H, killed(1), status=ARREST, cleared_on=date(2026, 3, 2))
    # Last year's homicide cleared last year does not.
    shooting(investigator, local(2025, 6, 1, 12, 0), H, killed(1), status=ARREST, cleared_on=date(2025, 7, 1))
    # Cleared after the cut-off's date: not yet, for this cover.
    shooting(investigator, local(2026, 2, 1, 12, 0), H, killed(1), status=ARREST, cleared_on=date(2026, 3, 11))
    # Non-fatal shootings: four wounded this year, one case of two cleared by arrest.
    shooting(investigator, local(2026, 2, 1, 12, 0), NF, wounded(2), status=ARREST, cleared_on=date(2026, 2, 3))
    shooting(investigator, local(2026, 2, 2, 12, 0), NF, wounded(2))
    # A homicide with one killed and one wounded: the wounded person's clearance is a non-fatal one.
    shooting(
        investigator, local(2026, 2, 3, 12, 0), H, killed(1) + wounded(1), status=ARREST, cleared_on=date(2026, 2, 4)
    )

    counts = people(this_week, investigator)

    homicides = counts.homicide_clearance
    assert homicides.victims == 6
    assert (homicides.cleared_arrest, homicides.cleared_exceptional) == (4, 1)
    assert homicides.rate == pytest.approx(5 * 100 / 6)
    assert homicides.own_cleared == 4  # 2 + 1 + 1 of this year's own; the one cleared on 11 March is not yet
    nonfatal = counts.nonfatal_clearance
    assert nonfatal.victims == 5
    assert (nonfatal.cleared_arrest, nonfatal.cleared_exceptional) == (3, 0)
    assert nonfatal.rate == pytest.approx(60.0)


def test_clearances_of_older_cases_can_take_the_rate_past_a_hundred(investigator, this_week):
    shooting(investigator, local(2026, 1, 5, 12, 0), H, killed(1), status=ARREST, cleared_on=date(2026, 1, 9))
    shooting(investigator, local(2024, 5, 5, 12, 0), H, killed(1), status=ARREST, cleared_on=date(2026, 2, 9))

    counts = people(this_week, investigator)

    assert counts.homicide_clearance.rate == pytest.approx(200.0)
    assert counts.homicide_clearance.own_rate == pytest.approx(100.0)


def test_no_victims_this_year_is_no_clearance_rate_rather_than_zero(investigator, this_week):
    counts = people(this_week, investigator)

    assert counts.homicide_clearance.rate is None
    assert counts.nonfatal_clearance.rate is None


def test_the_highest_year_counts_whole_years_and_this_year_to_date(investigator, this_week):
    shooting(investigator, local(2019, 7, 4, 23, 0), H, killed(3))
    shooting(investigator, local(2024, 12, 31, 12, 0), H, killed(2))
    shooting(investigator, local(2024, 8, 1, 12, 0), NF, wounded(2))
    shooting(investigator, local(2026, 2, 1, 12, 0), NF, wounded(3))
    shooting(investigator, local(2026, 3, 11, 12, 0), NF, wounded(5))  # after the cut-off
    shooting(investigator, local(2021, 3, 1, 12, 0), NF, wounded(9), counting=Shooting.Counting.UNFOUNDED)

    counts = people(this_week, investigator)

    assert counts.highest_homicide_victims == counting.Highest(year=2019, count=3, to_date=False)
    assert counts.highest_nonfatal_victims == counting.Highest(year=2026, count=3, to_date=True)


def test_people_counts_cost_two_queries_however_many_years_and_victims(
    investigator, this_week, django_assert_num_queries
):
    for year in range(2016, 2027):
        for month in (1, 2):
            shooting(investigator, local(year, month, 3, 12, 0), H, killed(2) + wounded(1), status=ARREST)

    # 1. one aggregate over the visible shootings joined to their victims  2. counts per year
    with django_assert_num_queries(2):
        counts = counting.compute_people(local(2026, 3, 3, 9, 0), local(2026, 3, 10, 9, 0), investigator)
    assert counts.highest_homicide_victims.count == 4


def test_people_counts_are_kept_until_a_shooting_or_a_victim_changes(
    investigator, this_week, django_assert_num_queries
):
    case = shooting(investigator, local(2026, 3, 6, 1, 0), H, killed(1))
    window = (local(2026, 3, 3, 9, 0), local(2026, 3, 10, 9, 0))
    first = counting.people_for(*window, investigator)

    # The data's stamp only: nothing changed since.
    with django_assert_num_queries(1):
        again = counting.people_for(*window, investigator)
    assert again == first
    case_services.add_victim(case, investigator, wounded(1)[0])
    after = counting.people_for(*window, investigator)

    assert (first.window_homicide_victims, first.window_nonfatal_victims) == (1, 0)
    assert (after.window_homicide_victims, after.window_nonfatal_victims) == (1, 1)


def test_people_counts_survive_a_frozen_agenda_and_an_old_snapshot_has_none(investigator, this_week):
    shooting(investigator, local(2026, 3, 6, 1, 0), H, killed(2), status=ARREST, cleared_on=date(2026, 3, 8))
    cover = stats.compute_cover(this_week, investigator)

    assert stats.CoverStats.from_json(cover.to_json()) == cover
    old = cover.to_json()
    del old["people"]
    assert stats.CoverStats.from_json(old).people is None


# --- On the page and on paper ------------------------------------------------------------------


def page_text(content: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


@pytest.fixture
def counted(investigator, this_week) -> Meeting:
    """A double homicide and two wounded in the window, a third homicide victim this year, one
    unfounded case and one on hold; a homicide victim last year, and one cleared this year."""
    shooting(investigator, local(2026, 3, 5, 22, 0), H, killed(2), status=ARREST, cleared_on=date(2026, 3, 8))
    shooting(investigator, local(2026, 3, 6, 1, 0), NF, wounded(2))
    shooting(investigator, local(2026, 3, 7, 1, 0), NF, wounded(4), counting=Shooting.Counting.UNFOUNDED)
    shooting(investigator, local(2026, 3, 7, 2, 0), NF, wounded(1), counting=Shooting.Counting.HOLD)
    shooting(investigator, local(2026, 2, 1, 12, 0), H, killed(1))
    shooting(investigator, local(2025, 2, 1, 12, 0), H, killed(1), status=ARREST, cleared_on=date(2026, 1, 5))
    shooting(investigator, local(2023, 2, 1, 12, 0), NF, wounded(1))
    return this_week


COVER_FACTS = [
    "4 people shot in the window 2 homicide victims, 2 non-fatal shooting victims",
    "100% Homicide clearance 2026 to date 3 cleared for 3 victims (3 arrest, 0 exceptional); this year's own: 67%",
    "0% Non-fatal shooting clearance 2026 to date 0 cleared for 2 victims (0 arrest, 0 exceptional)",
    "Counted 2026 2025 2024 2023 Change on 2025 Highest year",
    "Homicide victims 3 1 0 0 +200% 2026: 3 (to date)",
    "Homicides (incidents) 2 1 0 0 +100% —",
    "Non-fatal shooting victims 2 0 0 1 n/a 2026: 2 (to date)",
    "Non-fatal shootings (incidents) 1 0 0 1 n/a —",
    "All people shot 5 1 0 1 +400% —",
    "People in cases on hold, not counted yet: 1 in the window, 1 this year.",
    "Clearance as the FBI's Uniform Crime Reporting Program counts it",
]


@pytest.mark.parametrize("persona", ["coordinator", "advocate"])
def test_the_cover_page_shows_people_years_and_clearance(request, client_for, counted, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("meetings:cover", args=[counted.pk]))

    text = page_text(response.content.decode())
    assert response.status_code == 200
    for fact in COVER_FACTS:
        assert fact in text, fact
    # Unfounded: the four wounded are in no count.
    assert "6 people shot" not in text and "Non-fatal shooting victims 6" not in text


def test_the_cover_page_queries_stay_the_same_with_years_of_data(
    client_for, coordinator, investigator, counted, django_assert_max_num_queries
):
    client = client_for(coordinator)
    for year in range(2015, 2026):
        shooting(investigator, local(year, 2, 2, 12, 0), H, killed(2) + wounded(2), status=ARREST)

    # Session, user with agency (2), the meeting (1), the cover: previous held meeting, one
    # aggregate, open clusters (3), the places of the window's shootings for the map (1), the
    # year's prosecution changes (1), people: the data's stamp, one aggregate, one count per year
    # (3), the audit row (2, 3 on PostgreSQL).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("meetings:cover", args=[counted.pk]))
    assert response.status_code == 200


def pdf_pages(content: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(content)).pages]


def test_the_printed_cover_shows_the_same_numbers(client_for, coordinator, counted):
    response = client_for(coordinator).get(reverse("meetings:agenda_pdf", args=[counted.pk]))

    pages = pdf_pages(response.content)
    cover = " ".join(pages[:2])
    for fact in COVER_FACTS[:2] + COVER_FACTS[3:-1]:
        assert fact in cover, fact
    assert "Uniform Crime Reporting Program" in cover


def laid_out_chart(meeting: Meeting, printer) -> tuple[int, float, float]:
    """Where the weekly chart lands in the packet's cover as WeasyPrint lays it out: the page it
    is on, its printed width in millimetres, and its bottom's distance above the page's text
    bottom in millimetres (negative: cut off)."""
    cover_html = documents.agenda_html(meeting, printer, "law_enforcement").parts[0]
    rendered = packets._render(cover_html)
    for number, page in enumerate(rendered.pages):
        for box in page._page_box.descendants():
            svg = (getattr(box, "element_tag", None) or "").endswith("}svg")
            if svg and "weekly-chart" in box.element.get("class", ""):
                text_bottom = page._page_box.margin_height() - page._page_box.margin_bottom
                return number, box.width * MM_PER_PX, (text_bottom - (box.position_y + box.height)) * MM_PER_PX
    raise AssertionError("no weekly chart in the cover")


MM_PER_PX = 25.4 / 96
PT_PER_MM = 72 / 25.4


def test_the_printed_weekly_chart_is_whole_on_one_page_with_every_label_readable(
    client_for, coordinator, investigator, counted
):
    response = client_for(coordinator).get(reverse("meetings:agenda_pdf", args=[counted.pk]))
    pages = pdf_pages(response.content)
    [on] = [n for n, text in enumerate(pages) if "Shootings per week" in text]
    assert on <= 1  # the cover's first or second page
    for label in ["Week ending", "Homicides", "Non-fatal shootings", "Dec 23", "Mar 10"]:
        assert label in pages[on], label

    page, width_mm, room_mm = laid_out_chart(counted, coordinator)

    assert page == on
    assert room_mm >= 0
    # The smallest text in the chart (11 of its 640 units) printed at 7 points or more.
    assert 11 * width_mm / chart.WIDTH * PT_PER_MM >= 7.0


def test_an_agenda_frozen_before_people_were_counted_keeps_its_incidents_table(client_for, coordinator, counted):
    kept = stats.compute_cover(counted, coordinator).to_json()
    del kept["people"]
    kept["version"] = 1
    Meeting.objects.filter(pk=counted.pk).update(status=Meeting.Status.FROZEN, cover_snapshot=kept)

    text = page_text(client_for(coordinator).get(reverse("meetings:cover", args=[counted.pk])).content.decode())

    assert "against the same date last year" in text
    assert "Homicides 2 1 +100%" in text
    assert "People shot were not counted when this agenda was frozen" in text
    assert "Homicide victims" not in text
