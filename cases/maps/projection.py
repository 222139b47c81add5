"""Latitude and longitude to the coordinates of a picture, for maps drawn on the server.

Equirectangular with the longitudes shrunk by the cosine of the middle latitude: at the scale of
a city this keeps distances and angles true to within a fraction of a percent, which is all a
printed cover needs, and it is a few lines instead of a projection library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# A box around a single point (or points on one street) still needs a size: about 1 km.
MIN_SPAN_DEGREES = 0.01
# Near the poles the cosine goes to 0; no city we serve is there, but the maths must not break.
MIN_COS = 0.05


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]], *, pad: float = 0.08) -> Bounds | None:
        """The box holding every (lat, lon), widened by `pad` of its size on each side (so the
        markers at the edge are drawn whole) and to at least MIN_SPAN_DEGREES; None for none."""
        points = list(points)
        if not points:
            return None
        lats = [lat for lat, _lon in points]
        lons = [lon for _lat, lon in points]
        south, north, west, east = min(lats), max(lats), min(lons), max(lons)
        lat_pad = max((north - south) * pad, (MIN_SPAN_DEGREES - (north - south)) / 2, 0)
        lon_pad = max((east - west) * pad, (MIN_SPAN_DEGREES - (east - west)) / 2, 0)
        return cls(
            south=max(south - lat_pad, -90.0),
            west=max(west - lon_pad, -180.0),
            north=min(north + lat_pad, 90.0),
            east=min(east + lon_pad, 180.0),
        )

    def holds(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True)
class Frame:
    """Where `bounds` is drawn in a box of `width` × `height` (inside `margin`), the same scale
    both ways, centred."""

    bounds: Bounds
    width: float
    height: float
    margin: float = 0.0

    @property
    def _x_factor(self) -> float:
        middle = math.radians((self.bounds.north + self.bounds.south) / 2)
        return max(math.cos(middle), MIN_COS)

    @property
    def scale(self) -> float:
        """Picture units per degree of latitude."""
        span_x = max(self.bounds.east - self.bounds.west, MIN_SPAN_DEGREES / 100) * self._x_factor
        span_y = max(self.bounds.north - self.bounds.south, MIN_SPAN_DEGREES / 100)
        return min((self.width - 2 * self.margin) / span_x, (self.height - 2 * self.margin) / span_y)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """(x, y) in the picture, y growing downwards as SVG's does."""
        scale = self.scale
        drawn_w = (self.bounds.east - self.bounds.west) * self._x_factor * scale
        drawn_h = (self.bounds.north - self.bounds.south) * scale
        left = (self.width - drawn_w) / 2
        top = (self.height - drawn_h) / 2
        x = left + (lon - self.bounds.west) * self._x_factor * scale
        y = top + (self.bounds.north - lat) * scale
        return x, y

    def metres_per_unit(self) -> float:
        """Ground distance of one picture unit, for the scale bar (a degree of latitude is
        111.32 km everywhere, near enough)."""
        return 111_320.0 / self.scale

    def visible(self) -> Bounds:
        """The whole picture's box in degrees (wider than `bounds` on the side it was centred)."""
        scale, x_factor = self.scale, self._x_factor
        north = self.bounds.north + self.project(self.bounds.north, self.bounds.west)[1] / scale
        west = self.bounds.west - self.project(self.bounds.north, self.bounds.west)[0] / (scale * x_factor)
        return Bounds(
            south=north - self.height / scale,
            west=west,
            north=north,
            east=west + self.width / (scale * x_factor),
        )


def nice_step(span: float, *, at_most: int = 6) -> float:
    """A round step (1, 2 or 5 times a power of ten) that cuts `span` into at most `at_most`."""
    if span <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span / at_most))
    for factor in (1, 2, 5, 10):
        if span / (factor * power) <= at_most:
            return factor * power
    return 10 * power
