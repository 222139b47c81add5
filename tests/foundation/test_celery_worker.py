"""Tasks run on a real Celery worker process over the real Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tasks import disable_inactive_accounts
from tests.factories import UserFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_task_runs_on_a_real_worker_and_its_result_comes_back(celery_worker):
    long_ago = timezone.now() - timedelta(days=91)
    UserFactory(username="stale_user", last_login=long_ago)
    UserFactory(username="recent_user", last_login=timezone.now() - timedelta(days=3))

    result = disable_inactive_accounts.delay()

    assert result.get(timeout=30) == ["stale_user"]
    assert User.objects.get(username="stale_user").is_active is False
    assert User.objects.get(username="recent_user").is_active is True
