"""Derived signals shown on the case card, computed from what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

from .models import NibinLead, Note, Shooting, Victim

# Time-to-crime of three years or less is a recognised indicator of possible trafficking.
TRAFFICKING_TIME_TO_CRIME_DAYS = 3 * 365


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    severity: str  # "danger" | "warn" | "info"


def indicators_for(
    shooting: Shooting, visible_notes: list[Note], victims: list[Victim], leads: list[NibinLead]
) -> list[Indicator]:
    """`visible_notes` must already be filtered (and redacted) for the viewer: a signal never
    reveals a note the viewer may not see. Only their kind, fields and is_retracted are read
    (the case page passes detail.NoteFacts)."""
    found: list[Indicator] = []
    live = [n for n in visible_notes if not n.is_retracted]
    if shooting.is_retaliation_risk:
        found.append(Indicator("retaliation", "Retaliation risk", "danger"))
    if any(n.kind == Note.Kind.WITNESS and n.fields.get("intimidation_concern") for n in live):
        found.append(Indicator("intimidation", "Intimidated witness", "danger"))
    ttc = [n.fields.get("time_to_crime_days") for n in live if n.kind == Note.Kind.FIREARM]
    if any(days is not None and days <= TRAFFICKING_TIME_TO_CRIME_DAYS for days in ttc):
        found.append(Indicator("trafficking", "Possible trafficking (time-to-crime ≤ 3 years)", "warn"))
    if any(lead.status == NibinLead.Status.HIT for lead in leads):
        found.append(Indicator("nibin_hit", "NIBIN hit", "warn"))
    if shooting.is_juvenile_involved or any(v.is_juvenile or (v.age is not None and v.age < 18) for v in victims):
        found.append(Indicator("juvenile", "Juvenile involved", "warn"))
    if shooting.counting == Shooting.Counting.HOLD:
        found.append(Indicator("hold", "On hold: needs information before it counts", "info"))
    elif shooting.counting == Shooting.Counting.UNFOUNDED:
        found.append(Indicator("unfounded", "Unfounded: not a qualifying shooting", "info"))
    return found
