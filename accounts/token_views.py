"""API tokens on a person's profile (list, make, revoke; a new token shown once), and the
supervisors' page of integration accounts and their tokens. Plain POST forms that work without
JavaScript; each new token is shown on the page that made it and never again."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens
from .access import (
    access_integration_account,
    access_integration_token,
    access_integrations,
    access_own_token,
    access_token_making,
)
from .forms import IntegrationAccountForm, TokenForm


def _rows(user) -> list[tuple]:
    now = timezone.now()
    return [(token, tokens.token_state(token, now)) for token in tokens.tokens_of(user)]


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Your profile: who you are to the app, and your API tokens.

    Queries: the tokens (with who made and revoked them); on a save, the token's insert and its
    audit row."""
    user = request.user
    form = TokenForm(request.POST or None)
    new = None
    if request.method == "POST":
        access_token_making(request)
        if form.is_valid():
            new = tokens.create_token(
                user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                created_by=user,
                request=request,
            )
            form = TokenForm()
    context = {
        "nav": "profile",
        "form": form,
        "rows": _rows(user),
        "new": new,
        "can_manage_integrations": tokens.can_manage_integrations(user),
    }
    return render(
        request, "accounts/api_tokens.html", context, status=200 if form.is_valid() or not form.is_bound else 400
    )


@require_POST
def revoke_api_token(request: HttpRequest, token_pk: int) -> HttpResponse:
    token = access_own_token(request, token_pk)
    tokens.revoke_token(token, request.user, request)
    messages.success(request, f"The token “{token.name}” ({token.prefix}…) no longer works.")
    return redirect("api_tokens")


@require_http_methods(["GET", "POST"])
def integration_accounts(request: HttpRequest) -> HttpResponse:
    """Queries: the accounts of the supervisor's agency (with agency); the agencies of the form."""
    access_integrations(request)
    user = request.user
    agencies = tokens.integration_agencies(user)
    form = IntegrationAccountForm(
        request.POST or None, agencies=agencies, initial={"agency": agencies[0].pk if agencies else None}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = tokens.create_integration_account(
            username=data["username"], name=data["name"], agency=data["agency"], role=data["role"], created_by=user
        )
        messages.success(request, f"Integration account {account.username} created. Make it a token below.")
        return redirect("integration_account", account_pk=account.pk)
    context = {
        "nav": "audit",
        "form": form,
        "accounts": list(tokens.integration_accounts_for(user).order_by("username")),
    }
    return render(request, "accounts/integration_accounts.html", context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def integration_account(request: HttpRequest, account_pk: int) -> HttpResponse:
    """Queries: the account; its tokens; on a save, the token and its audit row."""
    account = access_integration_account(request, account_pk)
    form = TokenForm(request.POST or None)
    new = None
    status = 200
    if request.method == "POST":
        access_token_making(request)
        if not account.is_active:
            form.add_error(None, "Switch the account on before making it a token.")
            status = 400
        elif form.is_valid():
            new = tokens.create_token(
                account,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                created_by=request.user,
                request=request,
            )
            form = TokenForm()
        else:
            status = 400
    context = {"nav": "audit", "account": account, "form": form, "rows": _rows(account), "new": new}
    return render(request, "accounts/integration_account.html", context, status=status)


@require_POST
def integration_account_active(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = access_integration_account(request, account_pk)
    active = request.POST.get("active") == "1"
    tokens.set_integration_active(account, active)
    state = "on: its tokens work again" if active else "off: none of its tokens works"
    messages.success(request, f"Integration account {account.username} is {state}.")
    return redirect("integration_account", account_pk=account.pk)


@require_POST
def revoke_integration_token(request: HttpRequest, account_pk: int, token_pk: int) -> HttpResponse:
    token = access_integration_token(request, account_pk, token_pk)
    tokens.revoke_token(token, request.user, request)
    messages.success(request, f"The token “{token.name}” ({token.prefix}…) no longer works.")
    return redirect("integration_account", account_pk=token.user_id)
