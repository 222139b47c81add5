"""Factories for test data. Every name is fictional."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Agency, User
from cases import services
from cases.models import Shooting

# Every persona's password, for tests that sign in through the real form.
PASSWORD = "correct horse battery staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n}")
    name = factory.Sequence(lambda n: f"Test Agency {n}")
    kind = Agency.Kind.POLICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    agency = factory.SubFactory(AgencyFactory)
    role = User.Role.INVESTIGATOR
    password = factory.django.Password(PASSWORD)


def make_shooting(user=None, **overrides):
    """A shooting created through the service, as the app creates them."""
    n = next(_report_numbers)
    data = {
        # RB27…: tests write their own numbers as RB26…, and a counter that reached one of
        # them would make a duplicate.
        "report_number": f"RB27{n:06d}",
        "kind": Shooting.Kind.NONFATAL,
        "occurred_from": timezone.now() - timedelta(days=2),
        "address": f"{100 + n} E Harbor St",
        "division": "Central",
        "beat": "114",
        "summary": "",
    }
    victims = overrides.pop("victims", [{"name": f"Avery Lindqvist {n}", "age": 24, "sex": "M"}])
    data.update(overrides)
    return services.create_shooting(user or UserFactory(), data, victims=victims)


def _counter():
    n = 0
    while True:
        n += 1
        yield n


_report_numbers = _counter()
