"""Who may use the supervisors' pages (the audit log, who has seen a case, locked accounts).
A lookup that is not allowed answers 404 through `audit.refuse`, like every refusal in the app."""

from __future__ import annotations

from .audit import can_audit, refuse
from .models import ApiToken, User
from .tokens import can_manage_integrations, integration_accounts_for, mfa_satisfied


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


def access_own_token(request, token_pk) -> ApiToken:
    """One of the signed-in person's own tokens."""
    token = ApiToken.objects.filter(pk=token_pk, user=request.user).select_related("user").first()
    if token is None:
        refuse(request.user, "API token", token_pk, request)
    return token


def access_token_making(request) -> None:
    """Making a token needs a session that passed the second factor (when it is required)."""
    if not mfa_satisfied(request):
        refuse(request.user, "API token", "new", request)


def access_integrations(request) -> None:
    """The integration accounts page: supervisors and administrators."""
    if not can_manage_integrations(request.user):
        refuse(request.user, "integration accounts", "-", request)


def access_integration_account(request, account_pk) -> User:
    """An integration account the signed-in supervisor manages (one of their agency)."""
    access_integrations(request)
    account = integration_accounts_for(request.user).filter(pk=account_pk).first()
    if account is None:
        refuse(request.user, "integration account", account_pk, request)
    return account


def access_integration_token(request, account_pk, token_pk) -> ApiToken:
    account = access_integration_account(request, account_pk)
    token = ApiToken.objects.filter(pk=token_pk, user=account).select_related("user").first()
    if token is None:
        refuse(request.user, "API token", token_pk, request)
    return token
