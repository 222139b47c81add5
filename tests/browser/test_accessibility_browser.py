"""Every page, as every role, in a real browser: axe-core finds no violation of any impact, and
every element that htmx swaps into names a target that exists on the page it is on (a form opened
as a page of its own must not aim at a slot that only another page has), and does without
JavaScript what it does with htmx (a form has an action, a link an href); and at 400 % zoom (320
CSS pixels wide) no page is wider than the screen.

The pages are those of the security sweep (tests/security/sweep_data.py): every URL pattern of the
project, filled with the sweep's objects, so a page added later is checked without being listed.
One URL per pattern is enough (the same template with another case), except where the page
changes with what its parameters name: a meeting in each state, a note form of each kind."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.chromium import sign_in
from tests.security import sweep_data

from .axe import axe_path, describe, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    sweep_data.INVESTIGATOR,
    sweep_data.ATF_AGENT,
    sweep_data.PROSECUTOR,
    sweep_data.ADVOCATE,
    sweep_data.COORDINATOR,
    sweep_data.SUPERVISOR,
]

WIDE = {"width": 1280, "height": 720}
NARROW = {"width": 320, "height": 720}

# htmx targets that name an element of the page (rather than one relative to the element).
_BROKEN_TARGETS = """() => {
  const broken = [];
  for (const el of document.querySelectorAll("[hx-target]")) {
    const target = el.getAttribute("hx-target");
    if (/^(this|closest |find |next|previous)/.test(target)) continue;
    let found = null;
    try { found = document.querySelector(target); } catch (e) {}
    if (!found) broken.push(el.outerHTML.slice(0, 160));
  }
  return broken;
}"""


# What htmx sends must also be sent without JavaScript: a form with its own action, a link with
# its own href, a button inside a form.
_WITHOUT_JAVASCRIPT = """() => {
  const broken = [];
  const sending = "form[hx-post], form[hx-get], a[hx-get], button[hx-post], button[hx-get]";
  for (const el of document.querySelectorAll(sending)) {
    const missing = el.tagName === "FORM" ? !el.getAttribute("action")
      : el.tagName === "A" ? !el.getAttribute("href") : !el.form;
    if (missing) broken.push(el.outerHTML.slice(0, 160));
  }
  return broken;
}"""


def _variant(route: sweep_data.Route, kwargs: dict, world: sweep_data.World) -> tuple:
    """What makes two URLs of one pattern different pages worth checking apart."""
    key: tuple = (route.name, kwargs.get("kind"))
    if route.namespace == "meetings" and "pk" in kwargs:
        key += (next(state for state, m in world.meetings.items() if m.pk == kwargs["pk"]),)
    return key


def pages_for(client, world: sweep_data.World, persona: str) -> list[str]:
    """The HTML pages `persona` is shown (200), one per pattern and variant, and one refusal."""
    urls: list[str] = []
    seen: set[tuple] = set()
    for route in sweep_data.all_routes():
        for kwargs in sweep_data.fill(route, world, persona):
            key = _variant(route, kwargs, world)
            if key in seen:
                continue
            url = reverse(route.name, kwargs=kwargs)
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                seen.add(key)
                urls.append(url)
    # The page that says "not found" (what someone asking for another agency's case is shown).
    urls.append(reverse("cases:detail", args=[2**31 - 1]))
    return urls


def test_every_page_as_every_role_has_no_accessibility_violation(browser, live_server, client):
    axe_path()
    world = sweep_data.build_world()
    problems: list[str] = []
    checked = 0
    for persona in [None, *ROLES]:
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=WIDE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if persona is None:
            urls = [reverse("login")]
        else:
            user = world.users[persona]
            client.force_login(user)
            urls = pages_for(client, world, persona)
            sign_in(page, user)
        for url in urls:
            page.goto(url)
            # Fragments that load themselves (the agenda's cover) are part of the page.
            page.wait_for_load_state("networkidle")
            checked += 1
            found = violations(page)
            if found:
                problems.append(f"{persona or 'signed out'} {url}:\n{describe(found)}")
            broken = page.evaluate(_BROKEN_TARGETS)
            if broken:
                problems.append(f"{persona or 'signed out'} {url}: htmx targets missing from the page: {broken}")
            broken = page.evaluate(_WITHOUT_JAVASCRIPT)
            if broken:
                problems.append(f"{persona or 'signed out'} {url}: nothing to do without JavaScript: {broken}")
            # 1280 CSS pixels at 400 % zoom: what is wider scrolls in its own box, not the page.
            page.set_viewport_size(NARROW)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > NARROW["width"]:
                problems.append(f"{persona or 'signed out'} {url}: {width} pixels wide at 400 % zoom")
            page.set_viewport_size(WIDE)
        context.close()
    assert not problems, f"{len(problems)} of {checked} pages:\n" + "\n".join(problems)
    # The walk found the pages: every role sees cases, meetings and their forms.
    assert checked > 20 * len(ROLES)
