"""The cover's two percentages, shared by its incident counts (.stats) and its people counts
(.people) so that both print the same figure for the same numbers."""

from __future__ import annotations


def percent_change(now: int, before: int) -> float | None:
    """None when there is nothing to compare with: a rise from 0 has no meaningful percentage."""
    if before == 0:
        return None
    return (now - before) * 100.0 / before


def percent_of(part: int, whole: int) -> float | None:
    """None when the whole is 0: a clearance rate of nothing is not 0%."""
    return part * 100.0 / whole if whole else None
