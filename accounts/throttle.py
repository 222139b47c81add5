"""The per-address sign-in throttle: one address failing against account after account is slowed,
then refused for a while, before it can lock more than a couple of them (the account lockout of
AC-7 stays as it is, in accounts/security.py).

State is the LoginFailure table, so every web process and machine sees the same counts. On
PostgreSQL a transaction-scoped advisory lock per address makes an address's sign-in attempts
take turns, so that a burst of parallel attempts cannot all pass the check before any of them is
counted (SQLite's IMMEDIATE transactions already take turns). The sign-in POST runs in one
transaction with its audit row (AuditMiddleware), which keeps the lock until the failure is
written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from . import audit
from .models import AuditEvent, LoginFailure

# The first of the two keys of the advisory lock; the second is a hash of the address. Two-key
# advisory locks never collide with the one-key lock the audit writers take.
_ADVISORY_LOCK_CLASS = 0x7A7


@dataclass(frozen=True)
class Refusal:
    """Why an address may not try to sign in now, and for how long."""

    retry_after: int  # seconds
    paused: bool  # True: refused for a while; False: asked to wait a moment between attempts


def hold(key: str) -> None:
    """Take this address's turn until the surrounding transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_ADVISORY_LOCK_CLASS, key])


def _window() -> timedelta:
    return timedelta(minutes=settings.SIGNIN_ADDRESS_WINDOW_MINUTES)


def _recent_failures(key: str, now: datetime) -> list[datetime]:
    """The address's latest failures within the window, newest first, at most as many as refuse."""
    return list(
        LoginFailure.objects.filter(source_network=key, at__gt=now - _window())
        .order_by("-at")
        .values_list("at", flat=True)[: settings.SIGNIN_ADDRESS_FAILURES]
    )


def _delay(failures: int) -> timedelta:
    """The pause an attempt must leave after the last failure: none below the slow-down
    threshold, then 2 s, 4 s, 8 s, ..., never longer than the window."""
    if failures < settings.SIGNIN_ADDRESS_SLOW_AFTER:
        return timedelta(0)
    doublings = min(failures - settings.SIGNIN_ADDRESS_SLOW_AFTER + 1, 30)
    return min(timedelta(seconds=2**doublings), _window())


def refusal(key: str, now: datetime | None = None) -> Refusal | None:
    """Whether the address must not try now. Asked before the password is checked, so a refused
    attempt tells nothing about the account and is not counted as a failure."""
    now = now or timezone.now()
    recent = _recent_failures(key, now)
    if len(recent) >= settings.SIGNIN_ADDRESS_FAILURES:
        # Refused until the oldest of the failures that reached the limit leaves the window.
        until = recent[settings.SIGNIN_ADDRESS_FAILURES - 1] + _window()
        return Refusal(retry_after=max(1, math.ceil((until - now).total_seconds())), paused=True)
    if recent:
        ready_at = recent[0] + _delay(len(recent))
        if now < ready_at:
            return Refusal(retry_after=max(1, math.ceil((ready_at - now).total_seconds())), paused=False)
    return None


def paused_addresses(now: datetime | None = None) -> list[tuple[str, Refusal]]:
    """The addresses refused now, each with how long it still is (`release_lockout --list`)."""
    now = now or timezone.now()
    keys = (
        LoginFailure.objects.filter(at__gt=now - _window())
        .values("source_network")
        .annotate(failures=Count("id"))
        .filter(failures__gte=settings.SIGNIN_ADDRESS_FAILURES)
        .order_by("source_network")
        .values_list("source_network", flat=True)
    )
    return [(key, refused) for key in keys if (refused := refusal(key, now)) is not None and refused.paused]


@transaction.atomic
def release_address(key: str, detail: dict) -> int:
    """Let a paused address sign in again: its recent failures are forgotten (the audit trail
    keeps them). Returns how many were."""
    hold(key)
    forgotten, _ = LoginFailure.objects.filter(source_network=key).delete()
    audit.record(
        "signin.address_released", object_type="address", object_id=key, detail={**detail, "forgotten": forgotten}
    )
    return forgotten


def note_failure(key: str, request=None, now: datetime | None = None) -> None:
    """After a failure from the address is counted: record in the audit trail the moment the
    address reaches the limit and is refused (once, not for every refused attempt after)."""
    now = now or timezone.now()
    failures = LoginFailure.objects.filter(source_network=key, at__gt=now - _window()).count()
    if failures == settings.SIGNIN_ADDRESS_FAILURES:
        audit.record(
            "signin.address_paused",
            request=request,
            object_type="address",
            object_id=key,
            outcome=AuditEvent.Outcome.REFUSED,
            detail={"failures": failures, "window_minutes": settings.SIGNIN_ADDRESS_WINDOW_MINUTES},
        )
