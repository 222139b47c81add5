"""The Celery app: Redis broker, settings under the CELERY_ namespace, tasks found in each app."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shootreview.settings")

app = Celery("shootreview")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
