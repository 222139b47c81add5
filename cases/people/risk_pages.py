"""What the risk follow-up shows: the person page's "Risk follow-up" section (with its form)
and the correction of one contact, in the shapes of cases/people/risk.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from ..models import Person
from . import risk
from .risk_forms import CorrectContactForm, RiskContactForm
from .risk_models import RiskContact


@dataclass
class RiskSection:
    person: Person
    entries: list[risk.AtRisk]
    form: RiskContactForm | None


def _shootings(entries: list[risk.AtRisk]) -> list[tuple[int, str, date]]:
    seen = {}
    for e in entries:
        seen.setdefault(e.shooting_id, (e.shooting_id, e.report_number, e.occurred_on))
    return list(seen.values())


def contact_form(user, entries: list[risk.AtRisk], data=None) -> RiskContactForm | None:
    if not entries or not risk.can_record_contact(user):
        return None
    initial = {"contacted_on": timezone.localdate()}
    return RiskContactForm(data, shootings=_shootings(entries), kinds=risk.kinds_for(user), initial=initial)


def risk_section(person: Person, user, data=None) -> RiskSection | None:
    """The section, or None when `user` sees no follow-up of this person (not at risk, or not
    theirs to see: an associate at risk is never shown to an advocate)."""
    if not risk.sees_follow_up(user):
        return None
    entries = risk.people_at_risk(user, person=person)
    if not entries:
        return None
    return RiskSection(person=person, entries=entries, form=contact_form(user, entries, data))


def correction_form(contact: RiskContact, user, data=None) -> CorrectContactForm:
    shooting = (contact.shooting_id, contact.shooting.report_number, timezone.localdate(contact.shooting.occurred_from))
    initial = {
        "shooting": contact.shooting_id,
        "kind": contact.kind,
        "contacted_on": contact.contacted_on,
        "with_whom": contact.with_whom,
        "outcome": contact.outcome,
        "note": contact.note,
    }
    kinds = risk.kinds_for(user)
    if contact.kind not in kinds:
        kinds = [contact.kind, *kinds]
    return CorrectContactForm(data, shootings=[shooting], kinds=kinds, initial=initial, id_prefix="correct")
