"""Every write of the risk follow-up: a contact recorded, a contact corrected or withdrawn.
Rows are never changed; a correction is a new row that replaces the one it corrects."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User

from ..models import PersonRole
from .risk_models import RiskContact

# What a form gives: kind, contacted_on, with_whom, outcome, note.
FIELDS = ("kind", "contacted_on", "with_whom", "outcome", "note")


def _by(user: User) -> dict:
    return {
        "recorded_by": user,
        "recorded_by_name": user.get_full_name() or user.username,
        "agency": user.agency,
        "agency_name": user.agency.name,
    }


@transaction.atomic
def record_contact(role: PersonRole, user: User, data: dict) -> RiskContact:
    """A contact attempt, custom notification or outreach with the person at risk of `role`."""
    return RiskContact.objects.create(
        role=role, person_id=role.person_id, shooting_id=role.shooting_id, **{k: data[k] for k in FIELDS}, **_by(user)
    )


class AlreadyCorrected(Exception):
    """Someone corrected the same row first: the correction would fork the record."""


@transaction.atomic
def correct_contact(contact: RiskContact, user: User, data: dict, *, withdraw: bool = False) -> RiskContact:
    """A new row in place of `contact`, with the corrected values, or withdrawing it (recorded on
    the wrong person, or it never happened; the note says why). The old row stays, replaced."""
    old = RiskContact.objects.select_for_update().get(pk=contact.pk)
    if RiskContact.objects.filter(replaces=old).exists():
        raise AlreadyCorrected
    return RiskContact.objects.create(
        role_id=old.role_id,
        # Whom the role names now (a merge may have moved it), else whom the old row named.
        person_id=PersonRole.objects.filter(pk=old.role_id).values_list("person_id", flat=True).first()
        or old.person_id,
        shooting_id=old.shooting_id,
        replaces=old,
        withdrawn=withdraw,
        **{k: data[k] for k in FIELDS},
        **_by(user),
    )
