"""Every page but the login page requires a signed-in user."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Public by design: the login page itself and Django admin's own login handling.
# The private calendar feed is fetched by calendar programs without a session: its unguessable
# token is the credential (tests/meetings/test_ics.py checks that a wrong token gets nothing).
PUBLIC = {"/accounts/login/", "/meetings/calendar/x.ics"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str) -> str:
    """Fill route converters with plausible values so the URL resolves."""
    route = re.sub(r"<(?:int:)?\w*pk>|<int:\w+>", "1", route)
    route = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<(?:str:|slug:)?\w+>", "x", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + route


# The REST API answers a caller without a token (or session) 401 in JSON, not a sign-in form;
# its documentation is a page like the others.
API = "/api/v1/"
API_DOCS = "/api/v1/docs/"


def app_urls() -> list[str]:
    urls = sorted({_concrete(r) for r in _walk(get_resolver().url_patterns)})
    return [u for u in urls if not u.startswith("/admin/") and "(?P" not in u and u not in PUBLIC]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in app_urls() if not u.startswith(API) or u == API_DOCS])
def test_anonymous_request_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in app_urls() if u.startswith(API) and u != API_DOCS])
def test_an_anonymous_api_call_answers_401_in_json(client, url):
    for response in (client.get(url), client.post(url, {}, content_type="application/json")):
        assert response.status_code == 401, url
        assert response["Content-Type"] == "application/json"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_sweep_covers_the_main_pages():
    urls = app_urls()
    for expected in ["/", "/cases/", "/meetings/", "/meetings/my-items/"]:
        assert expected in urls


@pytest.mark.django_db
def test_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
