"""Reminder delivery on the real stack: the suite's loopback SMTP server (tests/loopback_smtp.py)
and worker processes (tests/processes.py), with retries short enough to watch."""

from __future__ import annotations

import pytest

from tests.processes import WorkerPool, database_url_for_worker

from .scenario import FAST_REMINDERS


@pytest.fixture
def smtp(smtp, settings):
    """The suite's loopback SMTP server, with this process's reminder retries as fast as the
    workers'."""
    for name, value in FAST_REMINDERS.items():
        setattr(settings, name, int(value))
    return smtp


@pytest.fixture
def workers(django_db_setup, django_db_blocker, redis_url, smtp, tmp_path):
    """Worker processes the test starts itself (and may kill), sending to the loopback server."""
    with django_db_blocker.unblock():
        db_url = database_url_for_worker()
    pool = WorkerPool(redis_url, db_url, tmp_path, EMAIL_URL=smtp.email_url(), **FAST_REMINDERS)
    yield pool
    pool.stop_all()
