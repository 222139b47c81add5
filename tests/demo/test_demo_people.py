"""The demo shows people across shootings: a few victims who reappear as suspects, witnesses
or associates elsewhere, seen in full by an investigator and only as victims by an advocate."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from cases.models import PersonRole, Shooting, Victim
from demo.seed_person_overlaps import OVERLAPS, seed_demo_overlaps
from demo.shootings import FIRST_SEQUENCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def person_of_case(index: int):
    shooting = Shooting.objects.get(report_number__endswith=f"{FIRST_SEQUENCE + index:06d}")
    return shooting.victims.order_by("pk").first().person_role.person


def test_the_demo_has_people_with_overlapping_roles(demo):
    kinds = set(PersonRole.objects.filter(person=person_of_case(3)).values_list("kind", flat=True))
    assert kinds == {"victim", "suspect", "witness"}
    assert set(PersonRole.objects.filter(person=person_of_case(24)).values_list("kind", flat=True)) == {
        "victim",
        "suspect",
        "associate",
    }


def test_the_demo_person_page_shows_an_investigator_every_role_and_an_advocate_only_the_victim(demo, client):
    url = reverse("cases:person", args=[person_of_case(3).pk])
    client.force_login(User.objects.get(username="investigator"))
    assert "Suspect</strong>" in client.get(url).content.decode()
    client.force_login(User.objects.get(username="advocate"))
    text = client.get(url).content.decode()
    assert "Victim</strong>" in text and "Suspect" not in text and "Witness" not in text


def test_seeding_the_overlaps_again_adds_nothing(demo):
    users = {"investigator": User.objects.get(username="investigator")}
    before = PersonRole.objects.count()
    assert seed_demo_overlaps(users) == 0
    assert PersonRole.objects.count() == before
    assert len(OVERLAPS) == 5


def test_every_demo_victim_is_a_person_back_file_included_and_found_by_the_person_search(demo, client):
    assert Victim.objects.count() > 1000
    assert not Victim.objects.filter(person_role__isnull=True).exists()
    back_file = Victim.objects.filter(shooting__occurred_from__year__lt=2025).order_by("pk").first()
    client.force_login(User.objects.get(username="investigator"))
    page = client.get(reverse("cases:people"), {"q": back_file.name}).content.decode()
    assert back_file.shooting.report_number in page
