"""The map on the agenda cover: the review window's counted shootings by kind, drawn on the
server for the page and the packet, kept with a frozen agenda, and carrying no case's identity."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import Shooting
from meetings.agenda import services as agenda_services
from meetings.cover import stats
from meetings.cover.chart import cover_context
from meetings.models import Meeting
from tests.factories import make_shooting
from tests.meetings.test_pdf import pdf_pages

from .agenda_helpers import NF, SF, H, local, meeting_at, meeting_soon

pytestmark = pytest.mark.django_db


def shooting(user, when: datetime, kind: str = NF, *, place: tuple[str, str] | None = ("39.1", "-94.58"), **fields):
    lat, lon = place or (None, None)
    return make_shooting(user, kind=kind, occurred_from=when, latitude=lat, longitude=lon, **fields)


@pytest.fixture
def meetings(db):
    """Last week's held meeting (cutoff Tue 3 Mar 09:00) and this week's (cutoff Tue 10 Mar 09:00)."""
    held = meeting_at(local(2026, 3, 4, 9, 0), status=Meeting.Status.HELD)
    this = meeting_at(local(2026, 3, 11, 9, 0))
    return held, this


def drawn(svg: str) -> dict[str, int]:
    """What the map draws: single markers by kind, and the shootings inside numbered circles."""
    kinds = re.findall(r'<g class="point" data-kind="([a-z_]+)"', svg)
    in_clusters = sum(int(n) for n in re.findall(r'<g class="cluster" data-count="(\d+)"', svg))
    return {kind: kinds.count(kind) for kind in set(kinds)} | {"clustered": in_clusters}


def test_the_cover_map_draws_the_window_s_counted_shootings_by_kind(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 5, 1, 0), H, place=("39.05", "-94.60"))
    shooting(investigator, local(2026, 3, 6, 1, 0), NF, place=("39.10", "-94.50"))
    shooting(investigator, local(2026, 3, 7, 1, 0), SF, place=("39.15", "-94.55"))
    shooting(investigator, local(2026, 3, 8, 1, 0), NF, place=None)  # no coordinates
    shooting(investigator, local(2026, 3, 1, 1, 0), H)  # before the window
    shooting(investigator, local(2026, 3, 9, 1, 0), H, counting=Shooting.Counting.UNFOUNDED)

    context = cover_context(this, investigator)
    svg = str(context["cover_map"])

    assert drawn(svg) == {"homicide": 1, "nonfatal": 1, "shots_fired": 1, "clustered": 0}
    assert "Homicide (1)" in svg and "Non-fatal shooting (1)" in svg and "Shots fired (1)" in svg
    assert "1 without coordinates is not on the map" in svg
    assert context["cover"].map_unplaced == 1


def test_shootings_close_together_are_one_numbered_circle_on_the_cover(investigator, meetings):
    _, this = meetings
    for minute in range(5):
        shooting(investigator, local(2026, 3, 5, 1, minute), NF, place=("39.1000", f"-94.58{minute}0"))
    shooting(investigator, local(2026, 3, 6, 1, 0), H, place=("39.30", "-94.30"))

    svg = str(cover_context(this, investigator)["cover_map"])

    assert drawn(svg) == {"homicide": 1, "clustered": 5}
    assert "5 shootings close together: 5 non-fatal shootings" in svg


def test_a_frozen_agenda_keeps_the_map_it_was_frozen_with(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 5, 1, 0), H, place=("39.05", "-94.60"))
    this.status = Meeting.Status.FROZEN
    this.save()
    first = str(cover_context(this, investigator)["cover_map"])

    shooting(investigator, local(2026, 3, 6, 1, 0), NF, place=("39.2", "-94.4"))
    this.refresh_from_db()
    again = str(cover_context(this, investigator)["cover_map"])

    assert again == first
    assert drawn(again) == {"homicide": 1, "clustered": 0}
    assert this.cover_snapshot["map_points"] == [[39.05, -94.6, H]]


def test_a_cover_kept_before_covers_had_maps_shows_no_map_rather_than_a_live_one(investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 5, 1, 0), H)
    kept = stats.compute_cover(this, investigator).to_json()
    kept.pop("map_points")
    kept.pop("map_unplaced")
    Meeting.objects.filter(pk=this.pk).update(status=Meeting.Status.FROZEN, cover_snapshot=kept)
    this.refresh_from_db()

    assert cover_context(this, investigator)["cover_map"] is None


def test_the_cover_page_shows_the_map(client_for, coordinator, investigator, meetings):
    _, this = meetings
    shooting(investigator, local(2026, 3, 5, 1, 0), H)

    html = client_for(coordinator).get(reverse("meetings:cover", args=[this.pk])).content.decode()

    assert f'id="cover-map-{this.pk}"' in html
    assert "Where the shootings of the review window happened" in html


def test_the_packet_cover_holds_the_map_without_any_case_s_identity(client_for, coordinator, investigator):
    meeting = meeting_soon()
    homicide = make_shooting(
        investigator, kind=H, latitude="39.0997", longitude="-94.5786", address="4100 Prospect Ave"
    )
    make_shooting(investigator, kind=NF, latitude="39.1123", longitude="-94.5412")
    make_shooting(investigator, kind=SF, latitude="39.0500", longitude="-94.6000")
    agenda_services.build_agenda(meeting, coordinator)
    client = client_for(coordinator)

    for audience in ["law_enforcement", "community"]:
        response = client.get(reverse("meetings:agenda_pdf", args=[meeting.pk]), {"audience": audience})
        pages = pdf_pages(response.content)
        first_item = next(n for n, page in enumerate(pages) if homicide.report_number in page)
        cover = " ".join(pages[:first_item])
        # The SVG's title is for screen readers; the caption and the legend are printed.
        assert "Counted shootings of the review window by kind" in cover
        assert "Homicide (1)" in cover and "Non-fatal shooting (1)" in cover and "Shots fired (1)" in cover
        # The map adds no page of its own to the cover: numbers, people, chart and map in two.
        assert first_item <= 2, f"the cover takes {first_item} pages"
        assert homicide.report_number not in cover and "Prospect" not in cover


def test_a_case_moved_on_a_live_agenda_redraws_the_cover_map(client_for, coordinator, investigator):
    meeting = meeting_soon()
    case = make_shooting(investigator, kind=NF, latitude="39.0997", longitude="-94.5786")
    make_shooting(investigator, kind=NF, latitude="39.2000", longitude="-94.4000")
    agenda_services.build_agenda(meeting, coordinator)
    before = str(cover_context(meeting, coordinator)["cover_map"])

    case_services.update_shooting(case, investigator, {"kind": H}, expected_version=case.version)
    after = str(cover_context(meeting, coordinator)["cover_map"])

    # The packet's parts are kept under the digest of their HTML: another drawing, another part.
    assert after != before
    assert drawn(after) == {"homicide": 1, "nonfatal": 1, "clustered": 0}
