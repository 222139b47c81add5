"""A real browser for the tests: Debian's Chromium driven by Playwright, a page on the live
server, and signing a persona in through the login form. Loaded by tests/conftest.py as a plugin."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

from accounts.models import User

from .factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Skipped loudly where there is none, unless
    REQUIRE_BROWSER=1 makes that a failure."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"BROWSER TESTS NOT RUN: no Chromium at {CHROMIUM} (Debian package 'chromium')."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " REQUIRE_BROWSER=1 makes this a failure.")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def page_with(browser, live_server):
    """Opens pages in browser contexts of their own, with or without JavaScript, on the live
    server; every context is closed when the test ends, passed or not."""
    contexts = []

    def open_page(*, javascript: bool = True):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, user: User, password: str = PASSWORD):
    """Sign `user` in on `page` through the real login form (with or without JavaScript)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("I understand this is a restricted system").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


@pytest.fixture
def login_page(page):
    """Sign a persona in through the real login form."""

    def login(user: User, password: str = PASSWORD):
        return sign_in(page, user, password)

    return login
