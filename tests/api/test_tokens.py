"""API tokens: stored hashed and shown once, refused (401) when missing, unknown, expired or
revoked, or when the account is switched off; each call is one audit row naming the token. Making
one needs a sign-in that passed the second factor. Integration accounts never sign in."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import tokens
from accounts.models import ApiToken, AuditEvent, User
from accounts.services import disable_inactive_accounts
from tests.factories import PASSWORD, make_shooting

from .conftest import ApiClient, integration_account, token_for

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def audit_rows_after(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last_id).order_by("id"))


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_only_a_hash_of_the_token_is_kept(investigator):
    secret = token_for(investigator)
    token = ApiToken.objects.get(user=investigator)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(f"sr_{token.prefix}_")
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert secret not in stored and secret.split("_", 2)[2] not in stored


def test_a_call_with_a_token_acts_as_its_person_and_writes_one_audit_row_naming_it(investigator):
    shooting = make_shooting(investigator)
    secret = token_for(investigator)
    before = last_audit_id()
    response = ApiClient(secret).get(f"/api/v1/cases/{shooting.pk}/")
    assert response.status_code == 200
    rows = audit_rows_after(before)
    assert len(rows) == 1
    row = rows[0]
    prefix = ApiToken.objects.get(user=investigator).prefix
    assert (row.actor_id, row.event, row.case_id, row.outcome) == (
        investigator.pk,
        "api:case_detail.view",
        shooting.pk,
        "success",
    )
    assert row.detail["token"] == prefix
    assert ApiToken.objects.get(user=investigator).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Bearer sr_nothing_here", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer sr_\x00"],
)
def test_no_token_or_an_unknown_one_answers_401_in_json(header):
    response = ApiClient(None).get(CASES, **({"Authorization": header} if header else {}))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_answers_401_and_the_refusal_is_audited(investigator):
    secret = token_for(investigator, days=1)
    api = ApiClient(secret)
    assert api.get(CASES).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        before = last_audit_id()
        response = api.get(CASES)
        assert response.status_code == 401
        assert response.json() == {"detail": "The token is not valid: it may be unknown, expired or revoked."}
        rows = audit_rows_after(before)
    assert [(r.event, r.outcome, r.actor_id, r.detail["reason"]) for r in rows] == [
        ("api.token.refused", "failure", investigator.pk, "expired")
    ]


def test_a_revoked_token_answers_401_at_once(investigator):
    secret = token_for(investigator)
    api = ApiClient(secret)
    assert api.get(CASES).status_code == 200
    tokens.revoke_token(ApiToken.objects.get(user=investigator), investigator)
    assert api.get(CASES).status_code == 401
    assert AuditEvent.objects.filter(event="api.token.revoke", actor_id=investigator.pk).count() == 1


def test_a_token_of_a_deactivated_or_locked_account_answers_401(investigator, advocate):
    api = ApiClient(token_for(investigator))
    User.objects.filter(pk=investigator.pk).update(is_active=False)
    assert api.get(CASES).status_code == 401
    api = ApiClient(token_for(advocate))
    User.objects.filter(pk=advocate.pk).update(locked_at=timezone.now())
    assert api.get(CASES).status_code == 401


def test_a_token_can_live_a_year_at_most(investigator):
    with pytest.raises(ValueError):
        tokens.create_token(
            investigator,
            name="too long",
            expires_on=timezone.localdate() + timedelta(days=tokens.TOKEN_MAX_DAYS + 1),
            created_by=investigator,
        )


def test_an_integration_account_never_signs_in_even_with_a_password(client, police):
    account = integration_account(police, User.Role.INVESTIGATOR)
    assert not account.has_usable_password()
    account.set_password(PASSWORD)
    account.save()
    response = client.post(
        "/accounts/login/", {"username": account.username, "password": PASSWORD, "acknowledge": "on"}
    )
    assert response.status_code == 200  # the form again, with the one answer for every failure
    assert "_auth_user_id" not in client.session


def test_an_integration_account_calls_with_its_token_and_stops_when_switched_off(police, supervisor):
    account = integration_account(police, User.Role.INVESTIGATOR)
    api = ApiClient(token_for(account, made_by=supervisor))
    assert api.get(CASES).status_code == 200
    tokens.set_integration_active(account, False)
    assert api.get(CASES).status_code == 401


def test_an_integration_account_is_never_a_supervisor(police, supervisor):
    with pytest.raises(ValueError):
        tokens.create_integration_account(
            username="boss-bot", name="x", agency=police, role=User.Role.SUPERVISOR, created_by=supervisor
        )


def test_calls_with_a_token_keep_an_account_from_being_disabled_as_unused(police, supervisor):
    account = integration_account(police, User.Role.INVESTIGATOR)
    User.objects.filter(pk=account.pk).update(date_joined=timezone.now() - timedelta(days=400))
    api = ApiClient(token_for(account, made_by=supervisor))
    assert api.get(CASES).status_code == 200
    assert account.username not in disable_inactive_accounts()
    ApiToken.objects.filter(user=account).update(last_used_at=timezone.now() - timedelta(days=200))
    assert account.username in disable_inactive_accounts()


# --- Making a token needs the second factor -------------------------------------------------------


def _totp_now(device: TOTPDevice) -> str:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = int(timezone.now().timestamp())
    return f"{generator.token():06d}"


def test_with_mfa_required_a_token_is_made_only_after_the_second_factor(client, investigator, settings):
    settings.REQUIRE_MFA = True
    device = TOTPDevice.objects.create(user=investigator, name="phone", confirmed=True)
    client.post("/accounts/login/", {"username": investigator.username, "password": PASSWORD, "acknowledge": "on"})
    expires = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post("/accounts/profile/", {"name": "script", "expires_on": expires})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/")
    assert not ApiToken.objects.exists()
    client.post("/accounts/mfa/", {"code": _totp_now(device)})
    response = client.post("/accounts/profile/", {"name": "script", "expires_on": expires})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=investigator)
    assert f"sr_{token.prefix}_" in response.content.decode()


def test_the_session_check_refuses_a_token_without_the_second_factor(rf, investigator, settings):
    settings.REQUIRE_MFA = True
    request = rf.post("/accounts/profile/")
    request.user = investigator
    investigator.is_verified = lambda: False
    assert not tokens.mfa_satisfied(request)
    investigator.is_verified = lambda: True
    assert tokens.mfa_satisfied(request)
