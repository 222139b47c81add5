"""Derived signals shown on the case card, computed from what the viewer may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from .models import NibinLead, Note, Shooting, Victim

# Time-to-crime of three years or less is a recognised indicator of possible trafficking.
TRAFFICKING_TIME_TO_CRIME_DAYS = 3 * 365


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    severity: str  # "danger" | "warn" | "info"


@dataclass(frozen=True)
class NoteSignal:
    """A field of one kind of note that raises an indicator, written twice on purpose in one
    place: as a test of the value, for notes already read, and as a database filter, for the
    agenda, which reads only the notes that raise a signal."""

    indicator: Indicator
    kind: str
    field: str
    raises: Callable[[Any], bool]
    stored: Q  # the same test as a filter on Note

    def raised_by(self, notes) -> bool:
        return any(n.kind == self.kind and self.raises(n.fields.get(self.field)) for n in notes)


INTIMIDATION = NoteSignal(
    Indicator("intimidation", "Intimidated witness", "danger"),
    Note.Kind.WITNESS,
    "intimidation_concern",
    bool,
    Q(kind=Note.Kind.WITNESS, fields__intimidation_concern=True),
)
TRAFFICKING = NoteSignal(
    Indicator("trafficking", "Possible trafficking (time-to-crime ≤ 3 years)", "warn"),
    Note.Kind.FIREARM,
    "time_to_crime_days",
    lambda days: days is not None and days <= TRAFFICKING_TIME_TO_CRIME_DAYS,
    Q(kind=Note.Kind.FIREARM, fields__time_to_crime_days__lte=TRAFFICKING_TIME_TO_CRIME_DAYS),
)
NOTE_SIGNALS = (INTIMIDATION, TRAFFICKING)


def signal_notes() -> Q:
    """The notes that may raise a signal (their field still to be tested with `signal_fields`)."""
    found = Q()
    for signal in NOTE_SIGNALS:
        found |= signal.stored
    return found


def signal_fields(kind: str, fields: dict) -> dict:
    """Of a note's fields, only those that raise a signal: all `indicators_for` needs to read."""
    return {s.field: fields[s.field] for s in NOTE_SIGNALS if s.kind == kind and s.raises(fields.get(s.field))}


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
    found.extend(signal.indicator for signal in NOTE_SIGNALS if signal.raised_by(live))
    if any(lead.status == NibinLead.Status.HIT for lead in leads):
        found.append(Indicator("nibin_hit", "NIBIN hit", "warn"))
    if shooting.is_juvenile_involved or any(Victim.is_minor(v.age, v.is_juvenile) for v in victims):
        found.append(Indicator("juvenile", "Juvenile involved", "warn"))
    if shooting.counting == Shooting.Counting.HOLD:
        found.append(Indicator("hold", "On hold: needs information before it counts", "info"))
    elif shooting.counting == Shooting.Counting.UNFOUNDED:
        found.append(Indicator("unfounded", "Unfounded: not a qualifying shooting", "info"))
    return found
