"""What htmx changes in place is announced and keeps the keyboard focus somewhere sensible, the
keyboard reaches the search results quickly, pages fit a 320-pixel-wide screen (400 % zoom), and
the focus ring can be seen. In a real browser.

A screen reader announces a change of text inside a live region that was already on the page; a
live region swapped in with its text already in it is not announced. So the tests hold on to the
live region found before a swap and read it after."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import Note
from meetings.models import Meeting
from tests.chromium import sign_in
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import NF, H, case_at, local, meeting_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hold_live_region(page, selector: str) -> None:
    """Keep a reference to the live region on the page now, to read after a swap."""
    assert page.evaluate(
        "selector => { const el = document.querySelector(selector); window.__live = el;"
        " return !!el && (el.getAttribute('role') === 'status' || !!el.getAttribute('aria-live')); }",
        selector,
    ), f"no live region {selector}"


def held_live_region_text(page) -> str:
    """The text of the live region held before the swap, which must still be on the page."""
    assert page.evaluate("window.__live.isConnected"), "the live region was replaced: nothing is announced"
    return page.evaluate("window.__live.textContent.replace(/\\s+/g, ' ').trim()")


def test_the_result_count_on_the_page_before_a_search_announces_the_new_count(login_page, investigator):
    make_shooting(address="4100 Prospect Ave")
    make_shooting(address="12 Linwood Blvd")
    page = login_page(investigator)
    expect(page.locator("#case-results tbody tr")).to_have_count(2)
    hold_live_region(page, ".result-count")

    page.get_by_role("searchbox", name="Search").press_sequentially("prosp", delay=40)

    expect(page.locator("#case-results tbody tr")).to_have_count(1)
    assert held_live_region_text(page) == "1–1 of 1 case"


def test_a_sort_link_keeps_the_focus_after_the_results_are_swapped(login_page, investigator):
    make_shooting(address="4100 Prospect Ave")
    make_shooting(address="12 Linwood Blvd")
    page = login_page(investigator)
    page.evaluate("window.__marker = 1")
    page.get_by_role("link", name="Report number").focus()
    page.keyboard.press("Enter")

    expect(page.locator("th[aria-sort]").first).to_contain_text("Report number")
    expect(page.get_by_role("link", name="Report number")).to_be_focused()
    assert page.evaluate("window.__marker") == 1


def test_a_note_added_in_place_is_announced_and_takes_the_focus(login_page, investigator):
    shooting = make_shooting(investigator)
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    hold_live_region(page, "main [role=status]")

    page.get_by_role("link", name="Add general note").click()
    page.locator("#note-form-slot").get_by_label("Note", exact=True).fill("Two cameras on the corner")
    page.get_by_role("button", name="Add note").click()

    expect(page.locator("#timeline-list > li.note")).to_have_count(1)
    note = Note.objects.get(shooting=shooting)
    expect(page.locator(f"#note-{note.pk}")).to_be_focused()
    assert held_live_region_text(page) == "General note added."


def test_a_form_with_errors_in_place_puts_the_focus_on_the_first_field_in_error(login_page, investigator):
    shooting = make_shooting(investigator)
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    page.get_by_role("link", name="Add suspect note").click()
    slot = page.locator("#note-form-slot")
    slot.get_by_label("Name", exact=True).fill("Tobin Quarrier")
    slot.get_by_label("Date of birth").fill("2099-01-01")
    slot.get_by_role("button", name="Add note").click()

    expect(slot).to_contain_text("The date of birth cannot be in the future.")
    expect(slot.get_by_label("Date of birth")).to_be_focused()


def test_a_status_change_in_place_is_announced_and_focuses_its_section(login_page, investigator):
    shooting = make_shooting(investigator)
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    hold_live_region(page, "main [role=status]")
    page.evaluate("window.__marker = 1")

    page.get_by_role("link", name="Edit status, flags and lead").click()
    page.get_by_label("Retaliation risk").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator("#facts")).to_be_focused()
    assert held_live_region_text(page) == "Status and flags saved."
    assert page.evaluate("window.__marker") == 1


def test_the_agenda_status_announces_each_change_and_the_header_follows_a_freeze(login_page, coordinator, investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case_at(investigator, local(2026, 2, 5, 23, 0), kind=H)
    case_at(investigator, local(2026, 2, 7, 23, 0), kind=NF)
    page = login_page(coordinator)
    page.goto(meeting.get_absolute_url())
    expect(page.locator(".meeting-head")).to_contain_text("Scheduled")
    hold_live_region(page, ".agenda-status")

    page.get_by_role("button", name="Build the agenda").click()
    expect(page.locator("#agenda-items > li")).to_have_count(2)
    assert "Agenda built: 2 items" in held_live_region_text(page)

    page.get_by_role("button", name="Freeze the agenda").click()
    expect(page.locator(".frozen-notice")).to_be_visible()
    assert held_live_region_text(page).startswith("Agenda frozen")
    # The header above the agenda says so at once, without a reload.
    expect(page.locator(".meeting-head")).to_contain_text("Agenda frozen")
    expect(page.locator(".meeting-head")).not_to_contain_text("Scheduled")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FROZEN


def test_without_javascript_the_header_shows_the_frozen_agenda_after_the_redirect(
    browser, live_server, coordinator, investigator
):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case_at(investigator, local(2026, 2, 5, 23, 0), kind=H)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, coordinator)
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="Build the agenda").click()
    page.get_by_role("button", name="Freeze the agenda").click()

    expect(page.locator("#messages")).to_contain_text("Agenda frozen")
    expect(page.locator(".meeting-head")).to_contain_text("Agenda frozen")
    context.close()


def test_from_the_search_box_the_first_case_is_two_tab_stops_away(login_page, investigator):
    wanted = make_shooting(address="4100 Prospect Ave")
    other = make_shooting(address="4200 Prospect Ave")
    # A case the search leaves out, so that two rows mean the search's answer has been swapped in
    # (a swap arriving during the key presses below would move the focus).
    make_shooting(address="77 Elm St")
    page = login_page(investigator)
    search = page.get_by_role("searchbox", name="Search")
    search.fill("prospect")
    expect(page.locator("#case-results tbody tr")).to_have_count(2)
    # However long the reader pauses, leaving the search box sends nothing more that could swap
    # the results (and the focus) away under the keys below.
    page.wait_for_load_state("networkidle")

    search.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the results")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = page.locator("#case-results tbody tr").first.get_by_role("link")
    expect(first).to_be_focused()
    assert page.evaluate("document.activeElement.textContent") in {wanted.report_number, other.report_number}


@pytest.mark.parametrize("which", ["case", "cover"])
def test_at_400_percent_zoom_wide_tables_scroll_in_their_own_box(login_page, coordinator, investigator, which):
    shooting = make_shooting(
        investigator,
        victims=[{"name": "Rosalind Featherstone-Abernathy", "age": 31, "sex": "F"}, {"name": "Avery Lindqvist"}],
    )
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    page = login_page(coordinator)
    # 1280 CSS pixels at 400 % zoom.
    page.set_viewport_size({"width": 320, "height": 640})
    if which == "case":
        page.goto(f"/cases/{shooting.pk}/")
        box = page.locator("#victims .table-scroll")
    else:
        page.goto(f"/meetings/{meeting.pk}/cover/")
        box = page.locator(".cover .table-scroll")
    expect(box).to_be_visible()
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 321"
        " && !e.parentElement.closest('.table-scroll'))"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, wide
    # The table is wider than the screen and scrolls inside its box, which the keyboard reaches.
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert box.get_attribute("tabindex") == "0"


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


FOCUSED_RING = """el => {
  let bg = null;
  for (let p = el.parentElement; p && !bg; p = p.parentElement) {
    const c = getComputedStyle(p).backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") bg = c;
  }
  return {ring: getComputedStyle(el).outlineColor, width: getComputedStyle(el).outlineWidth, around: bg};
}"""


def test_the_focus_ring_has_3_to_1_contrast_where_it_is_drawn(login_page, investigator):
    make_shooting(address="4100 Prospect Ave")
    page = login_page(investigator)
    # On the page grey, on a white card, and on the dark header; reached with the keyboard.
    for target in [
        page.get_by_role("link", name="New case"),
        page.get_by_role("searchbox", name="Search"),
        page.get_by_role("link", name="Cases", exact=True),
    ]:
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        found = target.evaluate(FOCUSED_RING)
        assert found["width"] != "0px", found
        ratio = contrast(_rgb(found["ring"]), _rgb(found["around"]))
        assert ratio >= 3, f"{found}: {ratio:.1f}:1"
