"""Create the fictional demo agencies and one user per role (see demo.people)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from accounts.models import Agency, User

from .people import ADMIN_USERNAME, AGENCIES, USERS


def _set_password_once(user: User, password: str) -> None:
    # Rehashing an unchanged password would rewrite the row; the seed must be idempotent.
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])


@transaction.atomic
def seed_demo_accounts(password: str | None = None) -> dict[str, User]:
    password = password or settings.DEMO_PASSWORD
    agencies = {}
    for spec in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            code=spec["code"], defaults={"name": spec["name"], "kind": spec["kind"]}
        )
        agencies[agency.code] = agency
    users = {}
    for spec in USERS:
        user, _ = User.objects.update_or_create(
            username=spec["username"],
            defaults={
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "email": f"{spec['username']}@demo.invalid",
                "agency": agencies[spec["agency"]],
                "role": spec["role"],
            },
        )
        _set_password_once(user, password)
        users[user.username] = user
    admin, _ = User.objects.update_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "first_name": "System",
            "last_name": "Administrator",
            "email": "admin@demo.invalid",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    _set_password_once(admin, password)
    users[ADMIN_USERNAME] = admin
    return users
