"""The pages of tokens: on one's profile, list, make (shown once) and revoke one's own tokens; a
supervisor makes integration accounts for their agency, their tokens, and switches them off.
Nobody reaches another person's token or another agency's account (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken, AuditEvent, User

from .conftest import ApiClient, integration_account, token_for

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def expiry(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_a_new_token_is_shown_once_and_then_listed_by_its_prefix(client, advocate, django_assert_max_num_queries):
    client.force_login(advocate)
    response = client.post(PROFILE, {"name": "Case sync", "expires_on": expiry(30)})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=advocate)
    page = response.content.decode()
    secret = page.split('value="sr_', 1)[1].split('"', 1)[0]
    assert ApiClient(f"sr_{secret}").get("/api/v1/cases/").status_code == 200
    # The session, the user, the tokens (with who made them), the audit row (three on PostgreSQL).
    with django_assert_max_num_queries(7):
        again = client.get(PROFILE).content.decode()
    assert secret not in again
    assert f"sr_{token.prefix}_" in again and "Case sync" in again
    assert AuditEvent.objects.filter(event="api.token.create", actor_id=advocate.pk).count() == 1


def test_the_profile_asks_the_same_queries_however_many_tokens(client, advocate):
    client.force_login(advocate)
    token_for(advocate)
    # The first request reads the session and the account into the shared cache.
    client.get(PROFILE)
    with CaptureQueriesContext(connection) as few:
        client.get(PROFILE)
    for _ in range(6):
        token_for(advocate)
    with CaptureQueriesContext(connection) as many:
        client.get(PROFILE)
    assert len(few) == len(many)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "expires_on": expiry(5)}, "name", "This field is required"),
        ({"name": "bad\x1bname", "expires_on": expiry(5)}, "name", "control character"),
        ({"name": "script", "expires_on": expiry(tokens.TOKEN_MAX_DAYS + 1)}, "expires_on", "at most 365 days"),
        ({"name": "script", "expires_on": expiry(-1)}, "expires_on", "today or a later day"),
        ({"name": "script", "expires_on": "9999-12-31"}, "expires_on", "Enter a date between"),
        ({"name": "script", "expires_on": "soon"}, "expires_on", "Enter a valid date"),
    ],
)
def test_a_bad_token_form_says_why_beside_the_field_and_keeps_what_was_typed(client, advocate, data, field, message):
    client.force_login(advocate)
    response = client.post(PROFILE, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}_error' in page or f"id_{field}" in page
    assert not ApiToken.objects.exists()


def test_one_revokes_ones_own_tokens_only(client, advocate, investigator):
    mine, theirs = token_for(advocate), token_for(investigator)
    client.force_login(advocate)
    own = ApiToken.objects.get(user=advocate)
    other = ApiToken.objects.get(user=investigator)
    assert client.post(reverse("api_token_revoke", args=[other.pk])).status_code == 404
    assert client.post(reverse("api_token_revoke", args=[own.pk])).status_code == 302
    assert ApiClient(mine).get("/api/v1/cases/").status_code == 401
    assert ApiClient(theirs).get("/api/v1/cases/").status_code == 200
    assert "Revoked" in client.get(PROFILE).content.decode()


def test_a_supervisor_makes_an_integration_account_and_its_token(client, supervisor, police):
    client.force_login(supervisor)
    response = client.post(
        reverse("integration_accounts"),
        {"username": "rms-feed", "name": "Records feed", "agency": police.pk, "role": User.Role.INVESTIGATOR},
    )
    account = User.objects.get(username="rms-feed")
    assert response["Location"] == reverse("integration_account", args=[account.pk])
    assert (account.is_integration, account.agency, account.role, account.has_usable_password()) == (
        True,
        police,
        User.Role.INVESTIGATOR,
        False,
    )
    page = client.post(reverse("integration_account", args=[account.pk]), {"name": "Nightly", "expires_on": expiry(90)})
    secret = page.content.decode().split('value="sr_', 1)[1].split('"', 1)[0]
    api = ApiClient(f"sr_{secret}")
    assert api.get("/api/v1/cases/").status_code == 200
    assert ApiToken.objects.get(user=account).created_by == supervisor
    client.post(reverse("integration_account_active", args=[account.pk]), {"active": "0"})
    assert api.get("/api/v1/cases/").status_code == 401
    refused = client.post(reverse("integration_account", args=[account.pk]), {"name": "Again", "expires_on": expiry(9)})
    assert refused.status_code == 400 and "Switch the account on" in refused.content.decode()


def test_the_integration_form_refuses_a_taken_name_a_supervisors_role_and_another_agency(
    client, supervisor, other_police
):
    client.force_login(supervisor)
    response = client.post(
        reverse("integration_accounts"),
        {"username": supervisor.username.upper(), "name": "x", "agency": other_police.pk, "role": "supervisor"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "exists already" in page and "Select a valid choice" in page
    assert not User.objects.filter(is_integration=True).exists()


@pytest.mark.parametrize("role", ["investigator", "atf_agent", "prosecutor", "advocate", "coordinator", "outsider"])
def test_only_supervisors_reach_integration_accounts(client, role, request, police, supervisor):
    account = integration_account(police, User.Role.INVESTIGATOR)
    token_for(account, made_by=supervisor)
    token = ApiToken.objects.get(user=account)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("integration_accounts")).status_code == 404
    assert client.get(reverse("integration_account", args=[account.pk])).status_code == 404
    assert client.post(reverse("integration_token_revoke", args=[account.pk, token.pk])).status_code == 404
    assert client.post(reverse("integration_account_active", args=[account.pk]), {"active": "0"}).status_code == 404
    account.refresh_from_db()
    assert account.is_active and ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_supervisor_of_another_agency_does_not_reach_the_account(client, supervisor, other_police):
    theirs = integration_account(other_police, User.Role.INVESTIGATOR, "lakeshore-feed")
    client.force_login(supervisor)
    assert client.get(reverse("integration_account", args=[theirs.pk])).status_code == 404
    assert "lakeshore-feed" not in client.get(reverse("integration_accounts")).content.decode()


def test_a_supervisor_revokes_an_integration_token(client, supervisor, police, django_assert_max_num_queries):
    account = integration_account(police, User.Role.INVESTIGATOR)
    secret = token_for(account, made_by=supervisor)
    token = ApiToken.objects.get(user=account)
    client.force_login(supervisor)
    # The session, the user, the account, its tokens, the audit row (three on PostgreSQL).
    with django_assert_max_num_queries(8):
        assert client.get(reverse("integration_account", args=[account.pk])).status_code == 200
    client.post(reverse("integration_token_revoke", args=[account.pk, token.pk]))
    assert ApiClient(secret).get("/api/v1/cases/").status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_by == supervisor


def test_the_integration_accounts_page_asks_the_same_queries_however_many_accounts(
    client, supervisor, police, django_assert_max_num_queries
):
    client.force_login(supervisor)
    integration_account(police, User.Role.INVESTIGATOR, "feed-1")
    # The first request reads the session and the account into the shared cache.
    client.get(reverse("integration_accounts"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("integration_accounts"))
    for n in range(2, 7):
        integration_account(police, User.Role.PROSECUTOR, f"feed-{n}")
    # The session, the user, the accounts (with agency), the agencies of the form, the audit row
    # (three on PostgreSQL).
    with django_assert_max_num_queries(8):
        page = client.get(reverse("integration_accounts")).content.decode()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("integration_accounts"))
    assert len(few) == len(many)
    assert all(f"feed-{n}" in page for n in range(1, 7))
