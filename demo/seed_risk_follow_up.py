"""The follow-up of people at risk of retaliation in the demo: the first victim of a flagged
shooting (the man who is also a suspect and a witness elsewhere) given a custom notification by
the police and reached by his advocate; the victim of the flagged NIBIN cluster tried once by
the police without reaching him, so still without contact. The other people at risk of the demo
wait for their first contact, as the agenda's section shows.

Written through cases.people.risk_services as the investigator and the advocate would write
them. Idempotent: a victim with any contact recorded is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import PersonRole, RiskContact
from cases.people import risk_services

from .seed_person_overlaps import _case

# (case index, who records, after how many days, what)
CONTACTS = [
    (
        3,
        "investigator",
        1,
        {
            "kind": RiskContact.Kind.NOTIFICATION,
            "with_whom": "the person, with his mother present",
            "outcome": RiskContact.Outcome.REACHED_NOTIFIED,
            "note": "Custom notification delivered at home with a pastor from the street-outreach team.",
        },
    ),
    (
        3,
        "advocate",
        2,
        {
            "kind": RiskContact.Kind.OUTREACH,
            "with_whom": "the person",
            "outcome": RiskContact.Outcome.REACHED_DECLINED,
            "note": "Offered relocation help; declined for now, will call back.",
        },
    ),
    (
        24,
        "investigator",
        1,
        {
            "kind": RiskContact.Kind.ATTEMPT,
            "with_whom": "nobody answered",
            "outcome": RiskContact.Outcome.NOT_REACHED,
            "note": "Card left at the door.",
        },
    ),
]


def seed_demo_risk_follow_up(users: dict[str, User]) -> int:
    """Record the contacts that are missing; returns how many were added."""
    added = 0
    done: set[int] = set()
    with transaction.atomic():
        for index, who, after, values in CONTACTS:
            shooting = _case(index)
            role = (
                PersonRole.objects.filter(shooting=shooting, kind=PersonRole.Kind.VICTIM).order_by("pk").first()
                if shooting
                else None
            )
            if role is None or (role.pk not in done and role.risk_contacts.exists()):
                continue
            done.add(role.pk)
            day = min(timezone.localdate(shooting.occurred_from) + timedelta(days=after), timezone.localdate())
            risk_services.record_contact(role, users[who], {**values, "contacted_on": day})
            added += 1
    return added
