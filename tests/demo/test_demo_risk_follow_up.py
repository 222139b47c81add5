"""The demo shows the follow-up of people at risk of retaliation: one reached (by the police and
by his advocate), one tried without reaching him, and others waiting for their first contact."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from cases.models import RiskContact, Shooting
from cases.people import risk
from demo.seed_risk_follow_up import seed_demo_risk_follow_up
from demo.shootings import FIRST_SEQUENCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def test_the_demo_has_people_at_risk_with_and_without_contact(demo):
    investigator = User.objects.get(username="investigator")
    entries = risk.people_at_risk(investigator)
    reached = [e for e in entries if e.contacted]
    waiting = [e for e in entries if not e.contacted]
    assert len(reached) == 1 and len(waiting) >= 2
    tried = [e for e in waiting if e.contacts]
    assert len(tried) == 1 and tried[0].contacts[0].summary == "Attempt, no contact"


def test_the_demo_shows_the_advocate_the_police_contact_only_as_a_fact(demo, client):
    shooting = Shooting.objects.get(report_number__endswith=f"{FIRST_SEQUENCE + 3:06d}")
    person = shooting.victims.order_by("pk").first().person_role.person
    client.force_login(User.objects.get(username="advocate"))
    text = client.get(reverse("cases:person", args=[person.pk])).content.decode()
    assert "Offered relocation help" in text and "Contact made (" in text
    assert "Custom notification delivered" not in text and "Suspect" not in text


def test_seeding_the_follow_up_again_adds_nothing(demo):
    users = {name: User.objects.get(username=name) for name in ("investigator", "advocate")}
    before = RiskContact.objects.count()
    assert seed_demo_risk_follow_up(users) == 0
    assert RiskContact.objects.count() == before == 3
