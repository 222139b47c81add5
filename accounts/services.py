"""Account rules that run on a schedule or from commands."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import User


def disable_inactive_accounts(now=None) -> list[str]:
    """Deactivate accounts unused for INACTIVE_ACCOUNT_DAYS, by sign-in or API token (never-used
    accounts count from when they were created). Superusers are included: an unused admin account is the riskiest.
    Returns the usernames disabled."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.INACTIVE_ACCOUNT_DAYS)
    stale = (
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        # Calls with a token are use too: an integration account never signs in at all.
        .exclude(api_tokens__last_used_at__gte=cutoff)
    )
    usernames = sorted(stale.values_list("username", flat=True))
    User.objects.filter(username__in=usernames).update(is_active=False)
    return usernames
