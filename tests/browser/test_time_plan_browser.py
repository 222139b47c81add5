"""A coordinator in a real browser gives agenda items a presenter and a time box, with and
without JavaScript, and the agenda shows when each item starts; the owner of an action item,
following the link of its mail, signs in and marks it done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ActionItem
from tests.factories import PASSWORD
from tests.meetings.agenda_helpers import built_with_two_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_coordinator_plans_presenters_and_time_boxes_and_sees_each_items_start(
    page_with, coordinator, investigator, javascript
):
    meeting, first, second = built_with_two_cases(coordinator, investigator)
    page = page_with(javascript=javascript)
    page.goto(meeting.get_absolute_url())
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Sign in").click()

    item = page.locator(f"#item-{first.pk}")
    item.get_by_text("Presenter and time box…").click()
    item.get_by_label("Presenter").fill("Dana Whitfield (RBPD)")
    item.get_by_label("Time box (minutes)").fill("25")
    if javascript:
        # Enter in the field presses its own item's button.
        item.get_by_label("Time box (minutes)").press("Enter")
    else:
        item.get_by_role("button", name="Save presenter and time box of item 1").click()

    expect(page.locator(f"#item-{first.pk} .item-plan")).to_have_text(
        "Planned start 09:00 · 25 min · Presenter: Dana Whitfield (RBPD)"
    )
    expect(page.locator(f"#item-{second.pk} .item-plan")).to_have_text("Planned start 09:25")
    expect(page.locator("#time-plan")).to_contain_text("expected end 09:25")
    first.refresh_from_db()
    assert (first.presenter, first.time_box) == (investigator, 25)


def test_the_owner_follows_the_mail_link_signs_in_and_marks_the_item_done(page, live_server, coordinator, investigator):
    action = ActionItem.objects.create(
        description="Canvass the 4100 block for doorbell cameras",
        assignee=investigator,
        agency=investigator.agency,
        due_on=timezone.localdate() + timedelta(days=3),
        created_by=coordinator,
    )

    page.goto(live_server.url + reverse("meetings:action_item", args=[action.pk]))
    page.get_by_label("Username").fill(investigator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name=f"Action item #{action.pk}")).to_be_visible()
    page.get_by_label("How it was done").fill("Two cameras found; footage requested")
    page.get_by_role("button", name="Mark done").click()

    expect(page.get_by_text("Marked done")).to_be_visible()
    action.refresh_from_db()
    assert (action.status, action.done_by) == (ActionItem.Status.DONE, investigator)
