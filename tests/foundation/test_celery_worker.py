"""Tasks run on a real Celery worker process over the real Redis (the suite's own when nothing
answers at REDIS_URL)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tasks import disable_inactive_accounts
from shootreview.celery import app
from tests.factories import UserFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_a_result_backend_made_earlier_from_redis_url_is_not_the_one_results_are_read_from(request, redis_url):
    # What an earlier test leaves behind when it touches the result backend before any worker
    # started: Celery keeps the backend it made from the settings' REDIS_URL, where nothing need
    # answer (`.ci/run` runs this once with REDIS_URL at a port nothing listens on).
    app.conf.result_backend = os.environ["REDIS_URL"]
    assert app.backend is not None

    request.getfixturevalue("celery_worker")

    assert disable_inactive_accounts.delay().get(timeout=30) == []
    assert app.backend.url == redis_url


def test_task_runs_on_a_real_worker_and_its_result_comes_back(celery_worker):
    long_ago = timezone.now() - timedelta(days=91)
    UserFactory(username="stale_user", last_login=long_ago)
    UserFactory(username="recent_user", last_login=timezone.now() - timedelta(days=3))

    result = disable_inactive_accounts.delay()

    assert result.get(timeout=30) == ["stale_user"]
    assert User.objects.get(username="stale_user").is_active is False
    assert User.objects.get(username="recent_user").is_active is True
