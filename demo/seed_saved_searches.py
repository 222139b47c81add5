"""Saved searches of the demo users, so that a new user finds the list filled and sees an alert
set: the investigator's daily digest of open retaliation-risk cases and an at-once watch of
homicides, and the advocate's daily digest of open homicides.

Idempotent: a search is added only when its owner has none of that name.
"""

from __future__ import annotations

from accounts.models import User
from cases.models import SavedSearch, Shooting
from cases.saved_searches import services
from cases.search import CaseQuery

PLAN = [
    (
        "investigator",
        "Open retaliation risks",
        SavedSearch.Alert.DAILY,
        CaseQuery(status="open", flags=("retaliation",)),
    ),
    ("investigator", "Homicides", SavedSearch.Alert.AT_ONCE, CaseQuery(kind=Shooting.Kind.HOMICIDE)),
    ("advocate", "Open homicides", SavedSearch.Alert.DAILY, CaseQuery(status="open", kind=Shooting.Kind.HOMICIDE)),
]


def seed_demo_saved_searches(users: dict[str, User]) -> int:
    """Returns how many searches were added."""
    added = 0
    for username, name, alert, query in PLAN:
        owner = users.get(username)
        if owner is None or SavedSearch.objects.filter(owner=owner, name__iexact=name).exists():
            continue
        services.save_search(owner, name, alert, query)
        added += 1
    return added
