"""The weekly chart: twelve bars whose heights follow the counts, labelled, titled for screen
readers, and safe with any text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meetings.cover import chart
from meetings.cover.stats import Week, chart_weeks

SVG = "{http://www.w3.org/2000/svg}"
CUTOFF = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("America/Chicago"))


def weeks_with(counts: list[tuple[int, int]]) -> list[Week]:
    return [Week(start, end, n, h) for (start, end), (n, h) in zip(chart_weeks(CUTOFF), counts, strict=True)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def test_the_chart_has_twelve_bars_as_tall_as_their_counts():
    counts = [(0, 0), (2, 1), (4, 0), (8, 3), (1, 0), (3, 1), (5, 0), (6, 2), (2, 0), (7, 1), (8, 0), (4, 4)]

    root = parse(chart.weekly_chart_svg(weeks_with(counts), title="Shootings per week"))

    bars = root.findall(f"{SVG}rect[@class='bar']")
    assert [int(b.get("data-count")) for b in bars] == [n for n, _ in counts]
    heights = [float(b.get("height")) for b in bars]
    # The axis tops out at 8 (ticks every 2): the tallest bar fills the plot, the others in proportion.
    assert heights[3] == pytest.approx(chart.PLOT_H, abs=0.1)
    assert heights[4] == pytest.approx(chart.PLOT_H / 8, abs=0.1)
    assert heights[2] == pytest.approx(heights[3] / 2, abs=0.1)
    assert heights[0] == 0
    # The bars stand on one baseline.
    assert len({round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}) == 1
    homicides = root.findall(f"{SVG}rect[@class='bar-homicides']")
    assert [int(h.get("data-count")) for h in homicides] == [h for _, h in counts if h]


def test_each_bar_is_labelled_with_its_count_and_the_last_day_of_its_week():
    counts = [(n, 0) for n in range(12)]

    root = parse(chart.weekly_chart_svg(weeks_with(counts), title="Shootings per week"))

    values = [t.text for t in root.findall(f"{SVG}text[@class='value']")]
    labels = [t.text for t in root.findall(f"{SVG}text[@class='week']")]
    assert values == [str(n) for n in range(12)]
    assert labels[0] == "Dec 23"
    assert labels[-1] == "Mar 10"
    assert len(labels) == 12
    axis = [t.text for t in root.findall(f"{SVG}text[@class='axis-label']")]
    assert axis == ["Week ending", "Shootings"]


def test_the_chart_is_an_image_with_a_title_and_a_description_for_screen_readers():
    root = parse(chart.weekly_chart_svg(weeks_with([(1, 1)] * 12), title="Shootings per week", id_prefix="c7"))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c7-title c7-desc"
    assert root.find(f"{SVG}title").text == "Shootings per week"
    description = root.find(f"{SVG}desc").text
    assert "week ending Mar 10: 1 shooting (1 homicide)" in description
    assert description.count("week ending") == 12


def test_text_in_the_chart_is_escaped():
    svg = chart.weekly_chart_svg(weeks_with([(1, 0)] * 12), title='<script>alert("x")</script> & co')

    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co'


def test_an_empty_quarter_still_draws_an_axis():
    root = parse(chart.weekly_chart_svg(weeks_with([(0, 0)] * 12), title="Shootings per week"))

    ticks = [t.text for t in root.findall(f"{SVG}text[@class='tick']")]
    assert ticks == ["0", "1", "2", "3", "4", "5"]
    assert all(float(b.get("height")) == 0 for b in root.findall(f"{SVG}rect[@class='bar']"))


@pytest.mark.parametrize(("largest", "top"), [(0, 5), (5, 5), (6, 6), (7, 8), (13, 15), (99, 100), (4321, 5000)])
def test_the_axis_tops_out_at_a_round_number_at_or_above_the_largest_week(largest, top):
    assert chart.axis_top(largest)[0] == top
