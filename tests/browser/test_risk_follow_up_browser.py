"""The risk follow-up in a real browser: an investigator records a custom notification on a
victim's page and the section updates in place, the agenda loads its "People at risk with no
contact yet" into its slot, and the pages have no accessibility violation; without JavaScript
the same form posts and the page comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import RiskContact
from tests.chromium import sign_in
from tests.reminders.scenario import meeting
from tests.risk_helpers import ASSOCIATE, VICTIM, flagged_case

from .axe import assert_no_violations, axe_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shot(investigator):
    return flagged_case(investigator, report_number="RB26700001")


@pytest.fixture
def axe_page(browser, live_server):
    """A page on which axe may run: the pages' Content Security Policy allows only our scripts."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_investigator_records_a_custom_notification_in_place(axe_page, investigator, coordinator, shot):
    axe_path()
    person = shot.victims.get().person_role.person
    week = meeting(coordinator, [investigator], starts_in=timedelta(days=2))
    page = sign_in(axe_page, investigator)

    page.goto(week.get_absolute_url())
    section = page.locator("#people-at-risk")
    expect(section).to_contain_text(VICTIM)
    expect(section).to_contain_text(ASSOCIATE)
    assert_no_violations(page, "the meeting page with its people at risk")

    page.goto("/cases/people/at-risk/")
    assert_no_violations(page, "the people at risk")
    page.get_by_role("link", name=VICTIM).click()
    page.evaluate("window.__marker = 1")
    form = page.locator("#risk-follow-up form")
    form.get_by_label("Kind").select_option("notification")
    form.get_by_label("With whom").fill("his grandmother")
    form.get_by_label("Outcome").select_option("reached_notified")
    form.get_by_role("button", name="Record the contact").click()
    expect(page.locator("#risk-follow-up")).to_contain_text("Custom notification, reached and notified")
    expect(page.locator("#messages")).to_contain_text("Custom notification of")
    assert page.evaluate("window.__marker") == 1  # no page load
    assert RiskContact.objects.get().role.person == person
    assert_no_violations(page, "the person page after recording")

    page.goto(week.get_absolute_url())
    expect(page.locator("#people-at-risk")).to_contain_text(ASSOCIATE)
    expect(page.locator("#people-at-risk")).not_to_contain_text(VICTIM)


def test_without_javascript_the_form_posts_and_an_error_stays_beside_its_field(page_with, advocate, shot):
    person = shot.victims.get().person_role.person
    page = page_with(javascript=False)
    sign_in(page, advocate)
    page.goto(f"/cases/people/{person.pk}/")
    form = page.locator("#risk-follow-up form")
    # (A date in the future the browser itself refuses: the field's max is today.)
    form.get_by_label("Date").fill((timezone.localdate() - timedelta(days=5)).isoformat())
    form.get_by_label("With whom").fill("the person")
    form.get_by_role("button", name="Record the contact").click()
    expect(page.locator("#risk-contacted_on_error")).to_contain_text("cannot be before the shooting")
    expect(page.locator("#risk-follow-up form").get_by_label("With whom")).to_have_value("the person")
    assert not RiskContact.objects.exists()

    form = page.locator("#risk-follow-up form")
    form.get_by_label("Date").fill(timezone.localdate().isoformat())
    form.get_by_label("Outcome").select_option("not_reached")
    form.get_by_role("button", name="Record the contact").click()
    expect(page.locator("#risk-follow-up")).to_contain_text("Advocate outreach, not reached")
    assert RiskContact.objects.get().kind == RiskContact.Kind.OUTREACH
