"""Response headers on every page and file of the sweep: the Content-Security-Policy, no
sniffing, no framing, no referrer leaving the site, nothing kept in any cache; the session
cookie out of reach of scripts and of cross-site requests; and no inline script or style in any
page, which the policy would block."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from shootreview import settings as production
from tests.factories import PASSWORD, UserFactory
from tests.security import sweep_data
from tests.security.sweep_data import COORDINATOR, SUPERVISOR

pytestmark = pytest.mark.django_db

CASE_DATA_TYPES = ("text/html", "text/csv", "application/pdf", "text/calendar")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    problems = []
    kind = response.get("Content-Type", "")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append("Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options")
    if kind.startswith(CASE_DATA_TYPES) and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control for {kind}")
    if kind.startswith("text/html"):
        if "Content-Security-Policy" not in response:
            return [*problems, "Content-Security-Policy missing"]
        csp = policy(response)
        expected = {
            "default-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'none'"],
            "frame-ancestors": ["'none'"],
        }
        for directive, sources in expected.items():
            if csp.get(directive) != sources:
                problems.append(f"CSP {directive} is {csp.get(directive)}")
        scripts = csp.get("script-src", csp.get("default-src", []))
        if not scripts or {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(scripts):
            problems.append(f"CSP script-src is {scripts}")
    return problems


class InlineCode(HTMLParser):
    """Finds what a policy without 'unsafe-inline' blocks: <script> without src, style="…",
    <style>, and on…= event handler attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        if "style" in names:
            self.found.append(f'style="…" on <{tag}> at line {self.getpos()[0]}')
        handlers = sorted(name for name in names if name.startswith("on"))
        if handlers:
            self.found.append(f"{', '.join(handlers)} on <{tag}> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def _sweep(client, world, persona: str, *, skip_routes=frozenset()):
    client.force_login(world.users[persona])
    return list(sweep_data.fetch_everything(client, world, persona, skip_routes=skip_routes))


@pytest.fixture(scope="module")
def responses(world, django_db_blocker):
    """Every response of a coordinator's sweep (meetings and their forms, packets, calendars) and
    of a supervisor's (the audit pages), collected once for the tests below. The supervisor's
    packets are the same views as the coordinator's; they are left out to save drawing them."""

    with django_db_blocker.unblock():
        fetched = _sweep(Client(), world, COORDINATOR)
        fetched += _sweep(Client(), world, SUPERVISOR, skip_routes=sweep_data.PDF_ROUTES)
    return fetched


def test_every_response_of_the_sweep_carries_the_security_headers(responses, db):
    problems = {
        f"{fetch.how} {fetch.url} ({fetch.response.status_code})": header_problems(fetch.response)
        for fetch in responses
    }
    problems = {where: found for where, found in problems.items() if found}
    assert not problems, problems
    kinds = {fetch.response.get("Content-Type", "").split(";")[0] for fetch in responses}
    # The files that carry case data were among them.
    assert {"text/html", "text/csv", "application/pdf", "text/calendar"} <= kinds


def test_the_sign_in_page_and_error_pages_carry_the_headers_too(client, db):
    for url in ["/accounts/login/", "/cases/", "/no-such-page/"]:
        response = client.get(url)
        assert not header_problems(response), (url, header_problems(response))


def test_no_page_has_inline_script_or_style(responses, db):
    found = {}
    for fetch in responses:
        response = fetch.response
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            problems = inline_code(response.content.decode())
            if problems:
                found[f"{fetch.how} {fetch.url}"] = problems
    assert not found, found


def test_the_inline_code_check_finds_what_the_policy_would_block():
    page = '<p style="color:red">x</p><script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)>'
    assert len(inline_code(page)) == 4
    assert inline_code('<script src="/static/js/agenda.js" defer></script><p class="note">x</p>') == []


def test_the_session_cookie_is_http_only_and_same_site_lax(client, db):
    person = UserFactory(username="sw_cookie_person", role="investigator")
    response = client.post("/accounts/login/", {"username": person.username, "password": PASSWORD, "acknowledge": "on"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # The test server speaks plain HTTP; everywhere else (debug off) the cookie is HTTPS-only.

    assert production.DEBUG or production.SESSION_COOKIE_SECURE
