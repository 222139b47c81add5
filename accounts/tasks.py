from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def disable_inactive_accounts() -> list[str]:
    return services.disable_inactive_accounts()
