"""People who turn up in more than one demo shooting, so that a new user finds the person pages
and their need-to-know at work: a victim of the late-spring group shooting who is named as a
suspect in a later one and as a witness in a third, a victim who had been a suspect before he
was shot, and one victim of the NIBIN cluster who reappears as a suspect and an associate.

Written through cases.services as an investigator who confirms the match would write them.
Idempotent: a role already recorded for the person in that shooting is not added again.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import services
from cases.models import Note, PersonRole, Shooting
from cases.people import services as people_services

from .seed_shootings import _date_back, _validated
from .shootings import FIRST_SEQUENCE

# (case whose first victim is the person, case where they appear again, how)
OVERLAPS = [
    (3, 9, "suspect"),
    (3, 20, "witness"),
    (1, 0, "suspect"),
    (24, 30, "suspect"),
    (24, 36, "associate"),
]


def _case(index: int) -> Shooting | None:
    return Shooting.objects.filter(report_number__endswith=f"{FIRST_SEQUENCE + index:06d}").first()


def seed_demo_overlaps(users: dict[str, User]) -> int:
    """Add the overlapping roles that are missing; returns how many were added."""
    investigator = users["investigator"]
    added = 0
    with transaction.atomic():
        for source, target, how in OVERLAPS:
            shot, again = _case(source), _case(target)
            victim = shot.victims.select_related("person_role").first() if shot and again else None
            role = getattr(victim, "person_role", None) if victim else None
            if role is None or PersonRole.objects.filter(person=role.person, shooting=again).exists():
                continue
            _add_role(again, investigator, how, victim, role.person)
            added += 1
    return added


def _add_role(shooting: Shooting, user: User, how: str, victim, person) -> None:
    written = min(shooting.reported_at + timedelta(hours=30), timezone.now() - timedelta(minutes=5))
    if how == "associate":
        people_services.add_associate(shooting, person, user, "Drove the victim's group to the gathering")
        return
    if how == "suspect":
        data = {
            "name": victim.name,
            "aliases": "",
            "status": "person_of_interest",
            "basis": "Named by a witness; the same man as the earlier victim (match confirmed).",
            "text": "Retaliation for his own shooting is the working theory.",
        }
    else:
        data = {
            "name": victim.name,
            "contact": "Through the victim advocate",
            "relation": "Friend of the victim",
            "account": "Was across the street when the shots were fired.",
            "cooperation": "reluctant",
        }
    kind = Note.Kind.SUSPECT if how == "suspect" else Note.Kind.WITNESS
    note = services.add_note(shooting, user, kind, _validated(kind, shooting, data), person=person)
    _date_back(note, written)
