"""Prosecution follow-through as the weekly review reads it: which recorded changes of a case's
referral, charges, custody / bail and disposition are news, taken from the case's change history
(`ShootingChange`, written by `cases.services`, the values entered with a new case included).

The agenda's rule and items (`meetings.agenda`) and the cover's counts (`meetings.cover`) all
read the history through here, so "charged" or "disposed" means the same on each of them.
Plain functions over the history's rows; nothing here queries the database.
"""

from __future__ import annotations

from functools import cache

from django.db.models import Q

from .display import shooting_value_text
from .models import Shooting

PROSECUTION_FIELDS = ("referred_to", "charges_filed", "custody_status", "disposition")

# Events, in the order the cover and the reasons name them.
REFERRED = "referred"  # referred for prosecution where it was not before
CHARGED = "charged"  # charges entered where there were none
DECLINED = "declined"  # the prosecutor declined to charge
DISPOSED = "disposed"  # a final outcome in court
EVENTS = (REFERRED, CHARGED, DECLINED, DISPOSED)
# What brings a case back to the agenda (the referral alone does not: nothing was decided yet).
AGENDA_EVENTS = (CHARGED, DECLINED, DISPOSED)
_NEWS = {CHARGED: "charges filed", DECLINED: "charges declined", DISPOSED: "case disposed"}

_FINAL = (
    Shooting.Disposition.PLEA,
    Shooting.Disposition.CONVICTED,
    Shooting.Disposition.ACQUITTED,
    Shooting.Disposition.DISMISSED,
)


def touches_prosecution() -> Q:
    """The history rows that change at least one prosecution field."""
    return Q(changes__has_any_keys=list(PROSECUTION_FIELDS))


@cache
def _disposition_texts() -> tuple[str, frozenset[str]]:
    # The history keeps values as people read them (cases.display), so compare with the same text.
    declined = shooting_value_text("disposition", Shooting.Disposition.DECLINED)
    return declined, frozenset(shooting_value_text("disposition", value) for value in _FINAL)


def events(changes: dict) -> list[str]:
    """The prosecution events one history row records (its `changes`: field → [old, new])."""
    found = []
    old, new = changes.get("referred_to", ("", ""))
    if not old and new:
        found.append(REFERRED)
    old, new = changes.get("charges_filed", ("", ""))
    if not old and new:
        found.append(CHARGED)
    _, new = changes.get("disposition", ("", ""))
    declined, final = _disposition_texts()
    if new == declined:
        found.append(DECLINED)
    elif new in final:
        found.append(DISPOSED)
    return found


def news_text(found: list[str]) -> str:
    """The agenda's reason for a case with these events, e.g. "Charges filed since the last review"."""
    text = " and ".join(_NEWS[event] for event in AGENDA_EVENTS if event in found)
    return f"{text[:1].upper()}{text[1:]} since the last review"


@cache
def field_label(name: str) -> str:
    """A prosecution field's name as the case page's history writes it."""
    return str(Shooting._meta.get_field(name).verbose_name).capitalize()


def changed_fields(changes: dict) -> list[list[str]]:
    """[name, old, new] of each prosecution field in one history row, in the case form's order."""
    return [[name, *map(str, changes[name])] for name in PROSECUTION_FIELDS if name in changes]
