from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import disable_inactive_accounts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_accounts_unused_for_90_days_are_disabled():
    now = timezone.now()
    UserFactory(username="old", last_login=now - timedelta(days=90, minutes=1))
    UserFactory(username="edge", last_login=now - timedelta(days=89, hours=23))
    UserFactory(username="never", last_login=None, date_joined=now - timedelta(days=120))
    UserFactory(username="new", last_login=None, date_joined=now - timedelta(days=2))

    assert disable_inactive_accounts(now) == ["never", "old"]
    assert disable_inactive_accounts(now) == []
