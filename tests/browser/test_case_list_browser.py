"""In a real browser: the case list narrows as an investigator types, without reloading the page,
and a new case is created through the form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import Shooting
from tests.factories import make_shooting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_narrows_the_list_as_you_type_without_reloading_the_page(login_page, investigator):
    wanted = make_shooting(address="4100 Prospect Ave")
    make_shooting(address="12 Linwood Blvd")
    make_shooting(address="300 Paseo Blvd")
    page = login_page(investigator)
    rows = page.locator("#case-results tbody tr")
    expect(rows).to_have_count(3)
    # A full page load would wipe this; an htmx swap leaves it.
    page.evaluate("window.shootReviewMarker = 'same page'")

    page.get_by_role("searchbox", name="Search").press_sequentially("prosp", delay=40)

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted.report_number)
    assert page.evaluate("window.shootReviewMarker") == "same page"
    # The address bar follows, so the filtered list can be bookmarked or shared.
    expect(page).to_have_url(re.compile(r"/cases/\?.*q=prosp"))


def test_a_filter_change_updates_the_results_and_keeps_the_typed_search(login_page, investigator):
    make_shooting(address="4100 Prospect Ave", division="East")
    make_shooting(address="4200 Prospect Ave", division="Central")
    make_shooting(address="12 Linwood Blvd", division="East")
    page = login_page(investigator)
    page.evaluate("window.shootReviewMarker = 'same page'")
    rows = page.locator("#case-results tbody tr")

    page.get_by_role("searchbox", name="Search").fill("prospect")
    expect(rows).to_have_count(2)
    page.get_by_label("Division").select_option("East")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("4100 Prospect Ave")
    assert page.evaluate("window.shootReviewMarker") == "same page"


def test_investigator_creates_a_new_case_through_the_form(login_page, investigator):
    page = login_page(investigator)

    page.get_by_role("link", name="New case").click()
    page.get_by_label("Report number").fill("rb25-009901")
    page.get_by_label("Kind").select_option("nonfatal")
    page.get_by_label("Occurred (from)").fill("2025-01-15T22:30")
    page.get_by_label("Address").fill("4100 Prospect Ave")
    page.get_by_label("Division").select_option("East")
    page.get_by_label("Name").fill("Rosalind Featherstone")
    page.get_by_label("Age", exact=True).fill("31")
    page.get_by_role("button", name="Create case").click()

    expect(page.get_by_text("Case RB25-009901 was created.")).to_be_visible()
    shooting = Shooting.objects.get(report_number="RB25-009901")
    assert page.url.endswith(f"/cases/{shooting.pk}/")
    assert [v.name for v in shooting.victims.all()] == ["Rosalind Featherstone"]
    assert shooting.created_by == investigator
