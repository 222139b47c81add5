"""The person page's link chart and the associate form in a real browser: an investigator looks a
person up with htmx (no page load) and records them as an associate; without JavaScript the same
form works by reloading the page; the person page with its chart has no accessibility violation,
fits a 320-pixel screen, and prints the chart on one page within the paper's width."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import PersonRole
from tests.browser.axe import assert_no_violations, axe_path
from tests.cases.test_person_page_chart import witness
from tests.chromium import sign_in
from tests.factories import make_shooting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(user, number, days_ago, name):
    return make_shooting(
        user,
        report_number=number,
        occurred_from=timezone.now() - timedelta(days=days_ago),
        victims=[{"name": name, "age": 25, "sex": "M"}],
    )


def record_associate(page, case, *, htmx: bool):
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Record an associate").click()
    if htmx:
        page.evaluate("window.__marker = 1")
    page.get_by_label("Name or alias").fill("Lorcan Featherstone")
    page.get_by_role("button", name="Look for this person").click()
    choice = page.get_by_role("radio", name="Lorcan Featherstone (victim in RB26800001)")
    expect(choice).to_be_visible()
    if htmx:
        assert page.evaluate("window.__marker") == 1
    choice.check()
    page.get_by_role("textbox", name="How connected").fill("Lent the car")
    page.get_by_role("button", name="Record associate").click()
    expect(page.locator("#associates")).to_contain_text("Lorcan Featherstone: Lent the car")


@pytest.mark.parametrize("javascript", [True, False])
def test_an_investigator_records_an_associate_found_by_name(page_with, investigator, javascript):
    earlier = shot(investigator, "RB26800001", 30, "Lorcan Featherstone")
    person = earlier.victims.get().person_role.person
    case = shot(investigator, "RB26800002", 2, "Maren Oakley")
    page = page_with(javascript=javascript)
    sign_in(page, investigator)
    record_associate(page, case, htmx=javascript)
    assert PersonRole.objects.get(shooting=case, kind="associate").person == person


def test_the_person_page_its_chart_and_the_associate_form_are_accessible_and_print_on_one_page(
    browser, live_server, investigator, advocate
):
    axe_path()
    first = shot(investigator, "RB26800011", 30, "Lorcan Featherstone")
    person = first.victims.get().person_role.person
    for n in range(12):
        other = shot(investigator, f"RB268001{n:02d}", 20 - n, f"Bystander {n}")
        witness(other, investigator, "Lorcan Featherstone", person=person)
    # axe-core is injected as a script: the test's browser lets it past the page's CSP.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    for user in (investigator, advocate):
        context.clear_cookies()
        sign_in(page, user)
        page.goto(f"/cases/people/{person.pk}/")
        expect(page.locator("#link-chart svg[role=img]")).to_be_visible()
        assert_no_violations(page, f"person page as {user.role}")
        page.set_viewport_size({"width": 320, "height": 720})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.set_viewport_size({"width": 1280, "height": 720})
    # The associate form with people found, as the investigator.
    context.clear_cookies()
    sign_in(page, investigator)
    page.goto(f"/cases/{first.pk}/associates/add/?q=Bystander")
    expect(page.get_by_role("radio", name="Bystander 3 (victim in RB26800103)")).to_be_visible()
    assert_no_violations(page, "associate form")
    page.goto(f"/cases/people/{person.pk}/")
    page.emulate_media(media="print")
    box = page.locator("#link-chart svg[role=img]").bounding_box()
    # A letter page is 8.5 × 11 in (816 × 1056 CSS pixels) less its margins: the chart fits.
    context.close()
    assert box["width"] <= 816 - 2 * 53 and box["height"] <= 1056 - 2 * 72
