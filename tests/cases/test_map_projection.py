"""Latitude and longitude to picture coordinates (cases.maps.projection), and the drawn map."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.maps.projection import Bounds, Frame
from cases.maps.svg import MAP_HEIGHT, WIDTH, Marker, map_svg


def test_points_land_where_the_compass_says():
    bounds = Bounds.around([(39.0, -94.7), (39.2, -94.4)], pad=0)
    frame = Frame(bounds, 600, 400)
    nw, ne, sw, centre = (
        frame.project(39.2, -94.7),
        frame.project(39.2, -94.4),
        frame.project(39.0, -94.7),
        frame.project(39.1, -94.55),
    )

    assert nw[0] < ne[0] and nw[1] == ne[1]  # east is right, same latitude same height
    assert sw[1] > nw[1] and sw[0] == nw[0]  # south is down
    assert (round(centre[0], 6), round(centre[1], 6)) == (
        300.0,
        200.0,
    )  # the middle of the box is the middle of the picture


def test_a_kilometre_east_is_as_long_as_a_kilometre_north():
    # At 39°N a degree of longitude is cos(39°) ≈ 0.777 of a degree of latitude.
    frame = Frame(Bounds(38.9, -94.8, 39.3, -94.3), 800, 800)
    x0, y0 = frame.project(39.1, -94.55)
    x1, _ = frame.project(39.1, -94.55 + 0.01 / 0.7771)
    _, y1 = frame.project(39.11, -94.55)

    assert abs((x1 - x0) - (y0 - y1)) < 0.01 * (y0 - y1)


def test_one_point_still_gets_a_map_around_it():
    bounds = Bounds.around([(39.1, -94.5)])
    x, y = Frame(bounds, 640, 400, 20).project(39.1, -94.5)

    assert bounds.north > bounds.south and bounds.east > bounds.west
    assert (round(x), round(y)) == (320, 200)


# The machine may be busy: generating coordinates is cheap, however slow it looks then.
PROPERTY = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
coordinate = st.tuples(
    st.floats(min_value=-85, max_value=85, allow_nan=False), st.floats(min_value=-179, max_value=179, allow_nan=False)
)


@PROPERTY
@given(
    points=st.lists(coordinate, min_size=1, max_size=30),
    width=st.integers(min_value=50, max_value=2000),
    height=st.integers(min_value=50, max_value=2000),
)
def test_every_point_in_the_bounds_lands_inside_the_picture(points, width, height):
    bounds = Bounds.around(points)
    frame = Frame(bounds, width, height, margin=10)
    for lat, lon in points:
        assert bounds.holds(lat, lon)
        x, y = frame.project(lat, lon)
        assert 10 - 1e-6 <= x <= width - 10 + 1e-6
        assert 10 - 1e-6 <= y <= height - 10 + 1e-6


@PROPERTY
@given(points=st.lists(coordinate, min_size=1, max_size=40))
def test_every_drawn_marker_is_inside_the_map_and_every_shooting_is_drawn(points):
    markers = [Marker(lat, lon, ["homicide", "nonfatal", "shots_fired"][n % 3]) for n, (lat, lon) in enumerate(points)]
    svg = str(map_svg(markers, title="t"))

    places = [(float(x), float(y)) for x, y in re.findall(r'data-x="([-\d.]+)" data-y="([-\d.]+)"', svg)]
    singles = len(re.findall(r'<g class="point"', svg))
    clustered = sum(int(n) for n in re.findall(r'data-count="(\d+)"', svg))
    assert singles + clustered == len(markers)
    assert all(0 <= x <= WIDTH and 0 <= y <= MAP_HEIGHT for x, y in places)


def test_kinds_differ_in_shape_as_well_as_colour():
    svg = str(
        map_svg(
            [Marker(39.0, -94.5, "homicide"), Marker(39.5, -94.0, "nonfatal"), Marker(39.9, -93.5, "shots_fired")],
            title="t",
        )
    )

    assert '<rect class="marker marker-homicide"' in svg
    assert '<circle class="marker marker-nonfatal"' in svg
    assert '<polygon class="marker marker-shots_fired"' in svg


def test_text_in_a_marker_title_is_escaped():
    svg = str(map_svg([Marker(39.0, -94.5, "homicide", '<script>alert("x")</script>')], title="<b>t</b>"))

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
