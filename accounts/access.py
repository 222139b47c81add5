"""Who may use the supervisors' pages (the audit log, who has seen a case, locked accounts).
A lookup that is not allowed answers 404 through `audit.refuse`, like every refusal in the app."""

from __future__ import annotations

from .audit import can_audit, refuse
from .models import User


def access_audit_trail(request) -> None:
    """Supervisors and administrators only; anyone else is refused as if the page did not exist."""
    if not can_audit(request.user):
        refuse(request.user, "audit log", "-", request)


def access_locked_account(request, user_pk: int) -> User:
    """A locked account a supervisor may release."""
    access_audit_trail(request)
    user = User.objects.filter(pk=user_pk, locked_at__isnull=False).first()
    if user is None:
        refuse(request.user, "locked account", user_pk, request)
    return user
