"""A shooting flagged as a retaliation risk, with its victim and an associate at risk, and a
contact recorded with one of them: what the risk follow-up tests of every app start from."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import Person, PersonRole, RiskContact
from cases.people import risk_services
from cases.people import services as people_services
from tests.factories import make_shooting

VICTIM = "Ezekiel Brannigan-Moss"
ASSOCIATE = "Corwin Ashdown-Peale"


def flagged_case(investigator, *, days_ago: int = 3, **fields):
    """Shot `days_ago` days ago in a case flagged as a retaliation risk; his brother is recorded
    as an associate of it. `investigator` leads it."""
    shooting = make_shooting(
        investigator,
        is_retaliation_risk=True,
        lead_investigator=investigator,
        occurred_from=timezone.now() - timedelta(days=days_ago),
        victims=[{"name": VICTIM, "age": 23, "sex": "M"}],
        **fields,
    )
    people_services.add_associate(shooting, Person.objects.create(name=ASSOCIATE), investigator, "Brother")
    return shooting


def reach(shooting, kind, user, outcome=RiskContact.Outcome.REACHED_NOTIFIED) -> RiskContact:
    """A custom notification given today to the person with this role in the shooting."""
    role = PersonRole.objects.get(shooting=shooting, kind=kind)
    data = {
        "kind": RiskContact.Kind.NOTIFICATION,
        "contacted_on": timezone.localdate(),
        "with_whom": "the person",
        "outcome": outcome,
        "note": "",
    }
    return risk_services.record_contact(role, user, data)
