from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_shows_the_system_use_notice(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Restricted system" in response.content
    assert b"monitored and recorded" in response.content


def test_user_logs_in_and_sees_name_agency_and_role(client, investigator):
    response = client.post(
        "/accounts/login/", {"username": investigator.username, "password": PASSWORD, "acknowledge": "on"}, follow=True
    )
    page = response.content.decode()
    assert "Dana Whitfield" in page
    assert "Riverbend Metropolitan Police Department" in page
    assert "Investigator" in page


def test_wrong_password_is_refused_and_keeps_the_username(client, investigator):
    response = client.post(
        "/accounts/login/", {"username": investigator.username, "password": "wrong", "acknowledge": "on"}
    )
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert f'value="{investigator.username}"'.encode() in response.content
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client, investigator):
    investigator.is_active = False
    investigator.save()
    client.post("/accounts/login/", {"username": investigator.username, "password": PASSWORD, "acknowledge": "on"})
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, investigator):
    client.force_login(investigator)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/cases/").status_code == 302


def test_login_gives_a_new_session_id(client, investigator):
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    client.post("/accounts/login/", {"username": investigator.username, "password": PASSWORD, "acknowledge": "on"})
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"


def test_every_htmx_request_carries_the_csrf_token(client, investigator):
    client.force_login(investigator)
    page = client.get("/cases/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert "/static/vendor/htmx-2.0.11.min.js" in page
