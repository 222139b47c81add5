"""People against the bulk data set: the person search (a full name, and the same name misspelt),
the case list searched by a person's name, and the page of a person with about fifty roles and
the other records that may be them.
Target: a median under 50 ms each. A report, not a pass/fail check."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db.models import Count
from django.urls import reverse

from accounts.models import User
from cases.models import PersonRole
from demo import bulk

from .test_bench_cases import _time

pytestmark = pytest.mark.django_db


@pytest.fixture
def advocate_client(client, bulk_data):
    client.force_login(User.objects.get(username=f"{bulk.USER_PREFIX}advocate_1"))
    return client


@pytest.fixture
def busiest_person(bulk_data) -> int:
    """The bulk person with the most roles (seed_bulk gives a few of them about fifty)."""
    row = (
        PersonRole.objects.filter(shooting__report_number__startswith=bulk.BULK_PREFIX)
        .values("person_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "person_id")
        .first()
    )
    return row["person_id"]


@pytest.fixture
def known_name(bulk_data) -> str:
    """The name of a victim from the middle of the set who is also a suspect elsewhere."""
    suspects = PersonRole.objects.filter(kind=PersonRole.Kind.SUSPECT).values("person_id")
    role = (
        PersonRole.objects.filter(kind=PersonRole.Kind.VICTIM, person_id__in=suspects)
        .order_by("pk")[bulk_data["shootings"] // 400 : bulk_data["shootings"] // 400 + 1]
        .get()
    )
    return role.name


def _misspelt(name: str) -> str:
    """The name with two letters of its surname swapped, as a hurried typist would."""
    first, last = name.split(" ", 1)
    return f"{first} {last[:2]}{last[3]}{last[2]}{last[4:]}"


def test_person_search_by_name(investigator_client, known_name, bench_report):
    url = f"{reverse('cases:people')}?{urlencode({'q': known_name})}"
    _time(investigator_client, url, bench_report, f"person search '{known_name}'")


def test_person_search_by_misspelt_name(investigator_client, known_name, bench_report):
    typed = _misspelt(known_name)
    url = f"{reverse('cases:people')}?{urlencode({'q': typed})}"
    _time(investigator_client, url, bench_report, f"person search '{typed}'")


def test_case_list_search_by_misspelt_person_name(investigator_client, known_name, bench_report):
    typed = _misspelt(known_name).split(" ", 1)[1]
    url = f"{reverse('cases:list')}?{urlencode({'q': typed})}"
    _time(investigator_client, url, bench_report, f"case search, person '{typed}'")


def test_case_list_search_by_person_name_as_advocate(advocate_client, known_name, bench_report):
    url = f"{reverse('cases:list')}?{urlencode({'q': known_name})}"
    _time(advocate_client, url, bench_report, f"case search, person '{known_name}' (advocate)")


def test_person_page_with_fifty_roles(investigator_client, busiest_person, bench_report):
    roles = PersonRole.objects.filter(person_id=busiest_person).count()
    url = reverse("cases:person", args=[busiest_person])
    _time(investigator_client, url, bench_report, f"person page, {roles} roles")


def test_possible_matches_of_a_person_with_fifty_roles(investigator_client, busiest_person, bench_report):
    """The person page's "Possibly the same person", which it loads after itself: timed as the
    page it is without JavaScript, a little more than the fragment."""
    url = reverse("cases:person_possible_matches", args=[busiest_person])
    _time(investigator_client, url, bench_report, "possible matches, person with 50 roles")
