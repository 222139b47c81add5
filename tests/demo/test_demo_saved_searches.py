"""The demo's saved searches: valid queries of the case list, with alerts set, added once."""

from __future__ import annotations

import pytest

from cases.models import SavedSearch
from cases.saved_searches import queries
from demo.seed_people import seed_demo_accounts
from demo.seed_saved_searches import seed_demo_saved_searches

pytestmark = pytest.mark.django_db


def test_the_demo_users_have_saved_searches_with_alerts_added_once():
    users = seed_demo_accounts()

    assert seed_demo_saved_searches(users) == 3
    assert seed_demo_saved_searches(users) == 0

    searches = SavedSearch.objects.order_by("owner__username", "name")
    assert [(s.owner.username, s.name) for s in searches] == [
        ("advocate", "Open homicides"),
        ("investigator", "Homicides"),
        ("investigator", "Open retaliation risks"),
    ]
    assert all(queries.check(s.params).query is not None for s in searches)
    assert {s.alert for s in searches} == {SavedSearch.Alert.DAILY, SavedSearch.Alert.AT_ONCE}
