from __future__ import annotations

from celery import shared_task

from . import audit, security, services


@shared_task
def disable_inactive_accounts() -> list[str]:
    return services.disable_inactive_accounts()


@shared_task
def prune_login_failures() -> int:
    return security.prune_login_failures()


@shared_task
def seal_audit() -> int:
    # Never waits: a sealer still running (a backlog after an outage) already takes these rows.
    return audit.seal(wait=False)
