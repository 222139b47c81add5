"""API tokens and integration accounts: who may make them, how they are made, checked and revoked.

A token is `sr_` + a random prefix + `_` + a random secret. Only the SHA-256 of the whole token is
stored (the secret has 256 bits of randomness, so a plain hash is as good as a slow one and lets a
request be checked with one indexed lookup); the prefix is kept in clear to name the token in
lists and in the audit trail. Every token expires: people choose when, up to TOKEN_MAX_DAYS.

Integration accounts are users flagged `is_integration`, with an agency and a role: what they
see through the API is what a person of that role and agency sees (cases.access decides, as for
anyone). They never sign in interactively (accounts.backends refuses them) and have no password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import Agency, ApiToken, User
from .security import is_locked

TOKEN_PREFIX = "sr_"
# The longest a token may live; people choose a shorter life when they make it.
TOKEN_MAX_DAYS = 365
TOKEN_DEFAULT_DAYS = 90
# A token's last use is written at most this often: every call writing it would double the
# API's writes for a date people read to the day.
LAST_USED_PRECISION = timedelta(minutes=1)

# Roles an integration account may have: a system acts on cases but never supervises people
# (revising others' notes, making accounts and tokens, reading the audit trail).
INTEGRATION_ROLES = [role for role in User.Role if role != User.Role.SUPERVISOR]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", errors="surrogatepass")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # The token itself: shown once, never stored.
    secret: str


def max_expiry_date(today=None):
    return (today or timezone.localdate()) + timedelta(days=TOKEN_MAX_DAYS)


def _end_of_day(day) -> datetime:
    moment = datetime.combine(day, datetime.max.time()).replace(microsecond=0)
    return timezone.make_aware(moment, timezone.get_current_timezone())


@transaction.atomic
def create_token(user: User, *, name: str, expires_on, created_by: User, request=None) -> NewToken:
    """A new token for `user` (a person for themselves, or a supervisor for an integration
    account), valid to the end of `expires_on` (local time)."""
    if expires_on <= timezone.localdate() - timedelta(days=1) or expires_on > max_expiry_date():
        raise ValueError(f"A token expires within {TOKEN_MAX_DAYS} days.")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=hash_token(raw),
        created_by=created_by,
        expires_at=_end_of_day(expires_on),
    )
    audit.record(
        "api.token.create",
        request=request,
        actor=created_by,
        object_type="api_token",
        object_id=token.pk,
        detail={"token": prefix, "for": user.username, "expires": expires_on.isoformat()},
    )
    return NewToken(token, raw)


@transaction.atomic
def revoke_token(token: ApiToken, by: User, request=None) -> ApiToken:
    """Stop a token working at once; it stays listed as revoked, with who and when."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            "api.token.revoke",
            request=request,
            actor=by,
            object_type="api_token",
            object_id=token.pk,
            detail={"token": token.prefix, "for": token.user.username},
        )
    return token


class TokenRefused(Exception):
    """The token does not let anyone in; `reason` is for the audit trail, never for the caller."""

    def __init__(self, reason: str, token: ApiToken | None = None):
        super().__init__(reason)
        self.reason = reason
        self.token = token


def prefix_of(raw: str) -> str:
    """The prefix a presented token claims, for the audit trail of a refusal ("" if malformed)."""
    if not raw.startswith(TOKEN_PREFIX):
        return ""
    prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    return prefix[:16] if prefix.isalnum() else ""


def check_token(raw: str, now: datetime | None = None) -> ApiToken:
    """The token `raw` names, if it lets its user in now; TokenRefused otherwise."""
    now = now or timezone.now()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        raise TokenRefused("malformed")
    token = ApiToken.objects.select_related("user", "user__agency").filter(key_hash=hash_token(raw)).first()
    if token is None:
        raise TokenRefused("unknown")
    if token.revoked_at is not None:
        raise TokenRefused("revoked", token)
    if token.expires_at <= now:
        raise TokenRefused("expired", token)
    user = token.user
    if not user.is_active or is_locked(user, now):
        raise TokenRefused("account disabled", token)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- Integration accounts ---------------------------------------------------------------------


def can_manage_integrations(user) -> bool:
    """Supervisors (for their own agency) and administrators (for any)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not getattr(user, "is_integration", False)
        and (user.is_superuser or (user.role == User.Role.SUPERVISOR and user.agency_id))
    )


def integration_agencies(user) -> list[Agency]:
    """The agencies `user` may make integration accounts in."""
    if not can_manage_integrations(user):
        return []
    if user.is_superuser:
        return list(Agency.objects.order_by("name"))
    return [user.agency]


def integration_accounts_for(user):
    """The integration accounts `user` manages."""
    accounts = User.objects.filter(is_integration=True).select_related("agency")
    if not can_manage_integrations(user):
        return accounts.none()
    return accounts if user.is_superuser else accounts.filter(agency_id=user.agency_id)


@transaction.atomic
def create_integration_account(*, username: str, name: str, agency: Agency, role: str, created_by: User) -> User:
    """An account for a system, in `agency` with `role`. It has no usable password: it reaches the
    API with tokens only."""
    if role not in INTEGRATION_ROLES:
        raise ValueError("An integration account cannot be a supervisor.")
    account = User(username=username, first_name=name[:150], agency=agency, role=role, is_integration=True)
    account.set_unusable_password()
    account.save()
    return account


@transaction.atomic
def set_integration_active(account: User, active: bool) -> User:
    """Switch an integration account off (every token stops working) or on again."""
    account.is_active = active
    account.save(update_fields=["is_active"])
    return account


def tokens_of(user: User):
    return ApiToken.objects.filter(user=user).select_related("created_by", "revoked_by")


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active"


def mfa_satisfied(request) -> bool:
    """A token is made only in a session that passed the second factor when it is required."""
    user = request.user
    return not settings.REQUIRE_MFA or (hasattr(user, "is_verified") and user.is_verified())
