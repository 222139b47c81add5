"""A coordinator in a real browser builds the agenda, reorders it with the keyboard-usable
buttons and by drag and drop, freezes it and downloads the PDF; then, in the meeting, records an
outcome and an action item."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ActionItem, Meeting, PrintedCopy
from tests.chromium import sign_in
from tests.meetings.agenda_helpers import (
    NF,
    SF,
    H,
    built_with_two_cases,
    case_at,
    frozen_with_one_homicide,
    local,
    meeting_at,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def titles(page) -> list[str]:
    return [t.strip() for t in page.locator("#agenda-items > li .item-title").all_inner_texts()]


def test_a_coordinator_builds_reorders_freezes_and_downloads_the_agenda(login_page, coordinator, investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    homicide = case_at(investigator, local(2026, 2, 5, 23, 0), kind=H).report_number
    nonfatal = case_at(investigator, local(2026, 2, 7, 23, 0), kind=NF).report_number
    shots = case_at(investigator, local(2026, 2, 8, 23, 0), kind=SF).report_number
    page = login_page(coordinator)
    page.goto(meeting.get_absolute_url())

    page.get_by_role("button", name="Build the agenda").click()
    page.wait_for_selector("#agenda-items")
    assert titles(page) == [homicide, nonfatal, shots]
    assert "Agenda built: 3 items" in page.locator(".agenda-status").inner_text()

    # Keyboard: focus the "up" button of the last item and press Enter; focus stays on it.
    page.get_by_role("button", name=f"Move item 3 ({shots}) up").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "expected => [...document.querySelectorAll('#agenda-items > li .item-title')]"
        ".map(e => e.textContent.trim()).join() === expected",
        arg=",".join([homicide, shots, nonfatal]),
    )
    assert page.evaluate("document.activeElement.id").startswith("up-")

    # Drag and drop: the homicide goes to the bottom (a window tall enough to show the whole
    # agenda, so that the drag does not scroll under the pointer).
    page.set_viewport_size({"width": 1280, "height": 2400})
    first = page.locator("#agenda-items > li").nth(0)
    last = page.locator("#agenda-items > li").nth(2)
    with page.expect_response(lambda r: "/agenda/reorder/" in r.url) as reordered:
        first.drag_to(last, target_position={"x": 20, "y": int(last.bounding_box()["height"]) - 5})
    assert reordered.value.status == 200
    page.wait_for_function(
        "expected => [...document.querySelectorAll('#agenda-items > li .item-title')]"
        ".map(e => e.textContent.trim()).join() === expected",
        arg=",".join([shots, nonfatal, homicide]),
    )
    meeting.refresh_from_db()
    stored = [str(i) for i in meeting.items.select_related("shooting").order_by("position")]
    assert stored == [shots, nonfatal, homicide]

    page.get_by_role("button", name="Freeze the agenda").click()
    page.wait_for_selector(".frozen-notice")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FROZEN
    assert titles(page) == [shots, nonfatal, homicide]
    assert page.get_by_role("button", name="Move item 1", exact=False).count() == 0

    pdf_url = reverse("meetings:agenda_pdf", args=[meeting.pk])
    page.goto(meeting.get_absolute_url())
    page.locator(".print-menu summary").click()
    link = page.locator(f"a[href^='{pdf_url}']").first
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.search(r"\.pdf$", download.suggested_filename)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    copy = PrintedCopy.objects.get(meeting=meeting)
    assert (copy.printed_by, copy.document) == (coordinator, PrintedCopy.Document.AGENDA)


def test_in_the_meeting_the_coordinator_records_an_outcome_and_an_action_item(login_page, coordinator, investigator):
    meeting = frozen_with_one_homicide(coordinator, investigator)
    item = meeting.items.get()
    case = item.shooting
    page = login_page(coordinator)
    page.goto(meeting.get_absolute_url())

    page.get_by_label("Outcome", exact=True).select_option("decision")
    page.get_by_label("Outcome notes").fill("Ask the county for a warrant")
    page.get_by_role("button", name="Save outcome of item 1").click()
    page.wait_for_selector(f"#item-{item.pk}.is-discussed")

    # The action-item form loads when its section is opened.
    page.get_by_text("New action item…").click()
    page.get_by_label("What").fill("Canvass the 3100 block of Prospect")
    page.get_by_label("Assignee").select_option(label=f"Dana Whitfield ({investigator.agency.code})")
    page.get_by_label("Due").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Add action item to item 1").click()
    page.wait_for_selector("text=New action item: Canvass the 3100 block of Prospect")

    item.refresh_from_db()
    assert (item.discussed, item.outcome, item.outcome_text) == (True, "decision", "Ask the county for a warrant")
    action = ActionItem.objects.get()
    assert (action.shooting, action.assignee, action.agency) == (case, investigator, investigator.agency)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_removing_without_a_reason_is_answered_beside_that_items_field(
    page_with, coordinator, investigator, javascript
):
    meeting, first, second = built_with_two_cases(coordinator, investigator)
    page = page_with(javascript=javascript)
    sign_in(page, coordinator)
    page.goto(meeting.get_absolute_url())

    # A reason typed on the first item does not stand for the second, and no item's empty field
    # stops another item's button (every item's fields belong to the page's one form).
    item = page.locator(f"#item-{first.pk}")
    item.get_by_text("Remove from the agenda…").click()
    item.get_by_label("Reason for removing").fill("Typed on the first item")
    item = page.locator(f"#item-{second.pk}")
    item.get_by_text("Remove from the agenda…").click()
    item.get_by_role("button", name="Remove item 2").click()

    item = page.locator(f"#item-{second.pk}")
    expect(item.locator(".field-errors")).to_contain_text("Say why the item comes off the agenda.")
    expect(item.get_by_label("Reason for removing")).to_be_visible()
    assert not meeting.items.filter(removed_at__isnull=False).exists()

    item.get_by_label("Reason for removing").fill("Unfounded after review")
    if javascript:
        # Enter in the field presses its own item's button, not the page form's first one.
        item.get_by_label("Reason for removing").press("Enter")
    else:
        item.get_by_role("button", name="Remove item 2").click()
    expect(page.locator("#removed")).to_contain_text("Unfounded after review")
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.removal_reason, first.removed_at) == ("Unfounded after review", None)
