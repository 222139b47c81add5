"""In a real browser: a search narrowed with htmx is saved from the case list with the filters it
shows at that moment, and opens again from the saved searches; the same without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import SavedSearch
from tests.chromium import sign_in
from tests.factories import make_shooting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False])
def test_a_search_is_saved_from_the_case_list_and_run_again(page_with, investigator, javascript):
    wanted = make_shooting(address="4100 Prospect Ave", division="East")
    make_shooting(address="4200 Prospect Ave", division="Central")
    page = sign_in(page_with(javascript=javascript), investigator)
    rows = page.locator("#case-results tbody tr")

    page.get_by_role("searchbox", name="Search").fill("prospect")
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(2)
    page.get_by_label("Division").select_option("East")
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)

    page.locator("summary", has_text="Save this search").click()  # opens the disclosure
    page.get_by_label("Name of the search").fill("Prospect, East")
    page.get_by_label("Daily digest").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("Search saved as “Prospect, East”")).to_be_visible()
    saved = SavedSearch.objects.get(owner=investigator)
    assert saved.params == {"q": ["prospect"], "division": ["East"]}
    assert saved.alert == SavedSearch.Alert.DAILY

    page.get_by_role("link", name="Saved searches").click()
    expect(page.get_by_role("row", name=re.compile("Prospect, East"))).to_contain_text("Daily digest")
    page.get_by_role("link", name="Prospect, East", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/\?q=prospect&division=East$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted.report_number)
