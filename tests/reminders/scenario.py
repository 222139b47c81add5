"""Building blocks for reminder tests: a meeting with people invited, due action items."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from meetings import services as meeting_services
from tests.factories import AgencyFactory, UserFactory

# Leases, retries and attempts short enough for a test to watch them run out (as environment
# values for worker processes).
FAST_REMINDERS = {
    "REMINDER_LEASE_SECONDS": "3",
    "REMINDER_RETRY_BASE_SECONDS": "1",
    "REMINDER_MAX_ATTEMPTS": "3",
}


def people(n: int, role: str = User.Role.INVESTIGATOR, prefix: str = "att") -> list[User]:
    agency = AgencyFactory(code="RBPD", name="Riverbend Metropolitan Police Department")
    return [
        UserFactory(username=f"{prefix}{i:04d}", email=f"{prefix}{i:04d}@example.invalid", agency=agency, role=role)
        for i in range(n)
    ]


def meeting(coordinator: User, attendees: list[User], starts_in: timedelta = timedelta(hours=1), **extra):
    starts = timezone.now() + starts_in
    data = {
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=90),
        "place": "Riverbend Police HQ, Room 214",
        "chair": coordinator,
        "cutoff_at": starts - timedelta(hours=1),
        **extra,
    }
    return meeting_services.create_meeting(coordinator, data, attendees=attendees)
