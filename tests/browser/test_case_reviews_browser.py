"""The case page's Reviews section in a real browser, with JavaScript and without: the meeting's
decision is on the page, "Show all" brings the older reviews (in place with htmx, with the page
without), and the review leads to the meeting's minutes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.agenda import services as agenda_services
from meetings.case_history import REVIEWS_SHOWN
from meetings.models import AgendaItem, Meeting
from tests.chromium import sign_in
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import meeting_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ten_in_the_morning(days: int):
    return timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=days)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_reviews_section_shows_the_meetings_decision(page_with, coordinator, investigator, javascript):
    case = make_shooting(investigator)
    held = meeting_at(ten_in_the_morning(-7))
    agenda_services.add_case(held, coordinator, case.report_number, expected_version=held.agenda_version)
    held.refresh_from_db()
    agenda_services.freeze(held, coordinator, expected_version=held.agenda_version)
    item = held.items.get(shooting=case)
    agenda_services.record_item(
        held,
        coordinator,
        item.pk,
        discussed=True,
        outcome=AgendaItem.Outcome.DECISION,
        outcome_text="Refer to the federal task force",
        review_again=False,
    )
    agenda_services.mark_held(held, coordinator)
    for weeks in range(2, 2 + REVIEWS_SHOWN):
        older = meeting_at(ten_in_the_morning(-7 * weeks), status=Meeting.Status.HELD)
        AgendaItem.objects.create(meeting=older, shooting=case, discussed=True, outcome=AgendaItem.Outcome.INFORMATION)
    page = page_with(javascript=javascript)
    sign_in(page, investigator)
    page.goto(f"/cases/{case.pk}/")

    reviews = page.locator("#reviews")
    expect(reviews.get_by_role("heading", name="Reviews")).to_be_visible()
    newest = reviews.locator("li.review").first
    expect(newest).to_contain_text("Decision: Refer to the federal task force")
    expect(reviews.locator("li.review")).to_have_count(REVIEWS_SHOWN)

    if javascript:
        page.evaluate("window.__marker = 1")
    reviews.get_by_role("link", name=re.compile(r"Show all \d+ reviews")).click()
    expect(page.locator("#reviews li.review")).to_have_count(REVIEWS_SHOWN + 1)
    if javascript:
        # Swapped in place: the page was not loaded again.
        assert page.evaluate("window.__marker") == 1
    else:
        assert "reviews=all" in page.url

    page.locator("#reviews li.review").first.get_by_role("link", name=re.compile("^Minutes")).click()
    expect(page.locator("h1")).to_contain_text("Minutes")
    expect(page.locator(f"#minutes-item-{item.pk}")).to_contain_text("Refer to the federal task force")
