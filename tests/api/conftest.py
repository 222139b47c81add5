"""Helpers of the API tests: a token for a person or an integration account, and a client that
sends it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import Agency, User


def token_for(user: User, *, days: int = 30, made_by: User | None = None) -> str:
    new = tokens.create_token(
        user, name="tests", expires_on=timezone.localdate() + timedelta(days=days), created_by=made_by or user
    )
    return new.secret


class ApiClient:
    """Django's test client with `Authorization: Bearer` on every call, and JSON bodies."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url, data=None, **headers):
        return self.client.get(url, data or {}, headers={**self.headers, **headers})

    def _send(self, method, url, body, **headers):
        return getattr(self.client, method)(
            url, body, content_type="application/json", headers={**self.headers, **headers}
        )

    def post(self, url, body=None, **headers):
        return self._send("post", url, body if body is not None else {}, **headers)

    def patch(self, url, body=None, **headers):
        return self._send("patch", url, body if body is not None else {}, **headers)


@pytest.fixture
def api_for():
    """api_for(user) → a client calling with a fresh personal token of `user`."""
    return lambda user: ApiClient(token_for(user))


def integration_account(agency: Agency, role: str, username: str = "rms-feed") -> User:
    creator = User(username=f"{username}-maker")
    return tokens.create_integration_account(
        username=username, name="Records feed", agency=agency, role=role, created_by=creator
    )
