"""The OpenAPI 3 schema validates without a warning and is served to callers who are signed in or
hold a token; the documentation page draws every operation from it, under the app's own style
sheet and content security policy (no script, no other site)."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from api.docs import operations

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/cases/{shooting_pk}/notes/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal token (made on your profile) or an integration account's token.",
    }


def test_the_schema_is_served_at_api_v1_schema_to_callers_only(investigator, client):
    assert ApiClient(None).get("/api/v1/schema/").status_code == 401
    response = ApiClient(token_for(investigator)).get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Shoot review API"
    as_yaml = ApiClient(token_for(investigator)).get("/api/v1/schema/", {"format": "yaml"})
    assert yaml.safe_load(as_yaml.content)["openapi"].startswith("3.")
    client.force_login(investigator)
    assert client.get("/api/v1/schema/").status_code == 200


def test_the_docs_page_lists_every_operation_for_a_signed_in_person(
    investigator, client, django_assert_max_num_queries
):
    assert client.get(reverse("api:docs")).status_code == 302  # to the sign-in page
    client.force_login(investigator)
    # The session, the user, and the audit row (three on PostgreSQL).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("api:docs"))
    page = response.content.decode()
    assert response.status_code == 200
    for op in operations():
        assert op.path in page
    assert "Authorization: Bearer" in page
    assert "<script" not in page.split("</head>")[1]
    assert "https://" not in page.replace(response.wsgi_request.build_absolute_uri("/"), "")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_browsable_api_is_there_for_a_signed_in_browser(investigator, client):
    client.force_login(investigator)
    response = client.get("/api/v1/cases/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    # A program that says nothing of what it accepts gets JSON.
    assert client.get("/api/v1/cases/")["Content-Type"] == "application/json"


def test_a_session_write_needs_the_csrf_token(investigator):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(investigator)
    response = browser.post("/api/v1/cases/1/notes/", {"kind": "general", "text": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
