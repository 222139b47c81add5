"""State changes only by POST, and only with a CSRF token: every URL pattern (read from the URL
resolver, filled with the seeded objects) is asked with GET and with a token-less POST, and the
database is compared before and after each."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from tests.security import sweep_data
from tests.security.sweep_data import COORDINATOR, SUPERVISOR

pytestmark = pytest.mark.django_db

ROUTES = sweep_data.all_routes()
# Not compared: the audit trail (every request adds its row, by design, with the cases it
# showed), sessions (a visitor's own state; the session middleware refreshes it on its own
# schedule) and sign-in bookkeeping.
IGNORED_MODELS = {
    "accounts.auditevent",
    "accounts.auditeventcase",
    "sessions.session",
    "accounts.usersession",
    "accounts.loginfailure",
}
# GETs that write by design, and what they may write:
# - the first visit to the reminder choices stores a row of defaults (the same as no row);
# - the authenticator set-up page keeps the secret its QR code shows, as an unconfirmed device
#   that is no second factor until a POST confirms it with a code.
KNOWN_GET_WRITES = {
    "meetings:reminder_settings": {"meetings.reminderpreference"},
    "mfa_setup": {"otp_totp.totpdevice"},
}
# Each PDF download is a numbered copy on record (tests/meetings/test_pdf.py); drawing the packets
# again here would only make the sweep slow. Their token-less POSTs are still refused below.
GET_SKIPPED = sweep_data.PDF_ROUTES


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table of ours (many-to-many tables included)."""
    digests = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in IGNORED_MODELS or model._meta.app_label not in {"accounts", "cases", "meetings", "otp_totp"}:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digests[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def changed(before: dict[str, str], after: dict[str, str], allowed: set[str] = frozenset()) -> list[str]:
    return sorted(label for label in before if before[label] != after[label] and label not in allowed)


def actor_for(route: sweep_data.Route) -> str:
    # Coordinators may do the most on cases and meetings; the account pages are the supervisors'.
    return COORDINATOR if route.namespace in {"cases", "meetings"} else SUPERVISOR


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


def routes_and_urls(world) -> list[tuple[sweep_data.Route, str, list[str]]]:
    # Query strings only change what a page shows, not what the URL does: left out here.
    return [
        (route, actor_for(route), sweep_data.urls_for(route, world, actor_for(route), queries=False))
        for route in ROUTES
    ]


def test_no_get_changes_anything_and_no_post_without_a_csrf_token_is_accepted(world, db):
    clients = {persona: Client() for persona in (COORDINATOR, SUPERVISOR)}
    guarded = {persona: Client(enforce_csrf_checks=True) for persona in clients}
    for persona in clients:
        clients[persona].force_login(world.users[persona])
        guarded[persona].force_login(world.users[persona])
    get_changes, unguarded_posts, post_changes = [], [], []
    post_only = set()
    # The database is compared once per pattern (after all its URLs): a change names the pattern.
    before = fingerprint()
    for route, persona, route_urls in routes_and_urls(world):
        if route.name in GET_SKIPPED:
            continue
        for url in route_urls:
            response = clients[persona].get(url)
            assert response.status_code < 500, (url, response.status_code)
            if response.status_code == 405:
                post_only.add(route.name)
        after = fingerprint()
        found = changed(before, after, KNOWN_GET_WRITES.get(route.name, set()))
        if found:
            get_changes.append((route.name, found))
        before = after
    for route, persona, route_urls in routes_and_urls(world):
        for url in route_urls:
            response = guarded[persona].post(url, {"reason": "csrf probe", "version": "1"})
            if response.status_code != 403:
                unguarded_posts.append((url, response.status_code))
        after = fingerprint()
        found = changed(before, after)
        if found:
            post_changes.append((route.name, found))
        before = after
    assert not get_changes, f"GET changed the database: {get_changes}"
    assert not unguarded_posts, f"POST without a CSRF token was not refused: {unguarded_posts}"
    assert not post_changes, f"POST without a CSRF token changed the database: {post_changes}"
    # The POST-only actions were among them (a sweep that reached no view would pass on nothing).
    assert {"meetings:agenda_held", "cases:add_victim", "unlock_account", "logout"} <= post_only


class PostForms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.actions: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.actions.append(values.get("action") or "")


def posts_to_itself(html: str, url: str) -> bool:
    parser = PostForms()
    parser.feed(html)
    return any(action in ("", url, url.split("?")[0]) for action in parser.actions)


def test_every_url_that_changes_state_on_post_is_post_only_or_a_form_page(world, db):
    """Find the state-changing URLs by trying: a POST with a valid token and no fields (a
    button's POST) that changes the database is an action. An action answers GET with 405 (or a
    redirect or a refusal), or its GET is the form page that posts to it."""
    client = Client()
    actions = []
    wrong = []
    signed_in = None
    for route, persona, url in [(r, p, u) for r, p, us in routes_and_urls(world) for u in us]:
        # Signing in stamps the user's last login: compare from after it. A POST may have been
        # the sign-out (undone in the database, not in the client's cookies).
        if signed_in != persona or "_auth_user_id" not in client.session:
            client.force_login(world.users[persona])
            signed_in = persona
            before = fingerprint()
        with transaction.atomic():
            response = client.post(url, {})
            # A refusal or an invalid form changed nothing (the first test checks the refusals).
            found = response.status_code in (200, 302) and changed(before, fingerprint())
            # Every POST is undone, so that each starts from the same database.
            transaction.set_rollback(True)
        if not found:
            continue
        actions.append(url)
        if route.name in GET_SKIPPED:
            continue
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)  # some GETs keep a row of defaults (see KNOWN_GET_WRITES)
        refused = response.status_code in (302, 403, 404, 405)
        form_page = response.status_code == 200 and posts_to_itself(sweep_data.body_of(response).decode(), url)
        if not (refused or form_page):
            wrong.append((url, response.status_code))
    assert not wrong, f"actions whose GET is neither refused nor their form: {wrong}"
    # Buttons without fields that change state: the sweep found them.
    assert any("/agenda/held/" in url for url in actions)
    assert any(url.endswith("/calendar/new-link/") for url in actions)
