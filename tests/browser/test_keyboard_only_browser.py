"""Everything by keyboard alone: a coordinator signs in, searches the case list, opens a case, adds
a note and records the outcome of the case's agenda item at the meeting, with Tab, Shift+Tab,
Enter, Space and typing only: no click, no fill and no focusing by selector. Each step reaches
its control the way a keyboard user does, by moving the focus through the page, and checks
what was saved."""

from __future__ import annotations

import pytest

from cases.models import Note
from tests.factories import PASSWORD, make_shooting
from tests.meetings.agenda_helpers import frozen_with_one_homicide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE_TEXT = "Canvass of the 3100 block done; two cameras found"
OUTCOME_TEXT = "Ask the county for a warrant"
# How far the focus may travel looking for one control before the page counts as not reachable.
MOST_TABS = 250

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: "body", name: "", label: "", text: "", href: ""};
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  return {
    tag: e.tagName.toLowerCase(),
    name: e.getAttribute("name") || "",
    label: label.trim(),
    text: (e.getAttribute("aria-label") || e.innerText || "").trim(),
    value: e.value || "",
    href: e.getAttribute("href") || "",
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, what: str, *, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is the one `wanted` accepts."""
    trail = []
    for _ in range(MOST_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if wanted(now):
            return now
        trail.append(now.get("text") or now.get("label") or now.get("name"))
    raise AssertionError(f"{what} cannot be reached with the keyboard; the focus went through {trail[-40:]}")


def labelled(text: str, *, exact: bool = False):
    return lambda element: element["label"] == text if exact else element["label"].startswith(text)


def named(text: str):
    return lambda element: element["text"] == text


def wait_for_focus_on(page, js_condition: str) -> None:
    page.wait_for_function(f"() => {{ const e = document.activeElement; return !!e && ({js_condition}); }}")


def test_a_coordinator_does_the_weeks_work_without_a_mouse(page, coordinator, investigator):
    meeting = frozen_with_one_homicide(coordinator, investigator)
    item = meeting.items.get()
    case = item.shooting
    other = make_shooting(investigator)

    # Sign in through the login form.
    page.goto("/accounts/login/")
    tab_to(page, labelled("Username"), "the username field")
    page.keyboard.type(coordinator.username)
    tab_to(page, labelled("Password"), "the password field")
    page.keyboard.type(PASSWORD)
    tab_to(page, labelled("I understand"), "the acknowledgement")
    page.keyboard.press("Space")
    tab_to(page, named("Sign in"), "the sign-in button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/cases/"), page.url

    # Search the case list: the results follow the typing; the result is a link to the case.
    tab_to(page, lambda e: e["name"] == "q", "the case search")
    page.keyboard.type(case.report_number)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([shown, hidden]) => { const t = document.querySelector('#case-results').innerText;"
        " return t.includes(shown) && !t.includes(hidden); }",
        arg=[case.report_number, other.report_number],
    )
    tab_to(page, named(case.report_number), "the case in the results")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/cases/{case.pk}/"), page.url

    # Add a general note: the form opens in the page with the focus in its first field.
    tab_to(page, named("Add general note"), "the button adding a general note")
    page.keyboard.press("Enter")
    wait_for_focus_on(page, "e.name === 'text'")
    page.keyboard.type(NOTE_TEXT)
    tab_to(page, named("Add note"), "the note form's button")
    page.keyboard.press("Enter")
    page.wait_for_function("text => document.querySelector('main').innerText.includes(text)", arg=NOTE_TEXT)
    note = Note.objects.get(shooting=case, kind=Note.Kind.GENERAL)
    assert (note.author, note.fields["text"]) == (coordinator, NOTE_TEXT)
    page.reload()
    assert NOTE_TEXT in page.locator("main").inner_text()

    # To the meeting through the main navigation, and record the outcome of the case's item.
    tab_to(page, named("Meetings"), "the Meetings link of the main navigation")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, lambda e: e["href"] == meeting.get_absolute_url(), "the meeting in the list")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, labelled("Discussed"), "the item's “Discussed” box")
    page.keyboard.press("Space")
    tab_to(page, labelled("Outcome", exact=True), "the item's outcome")
    # A closed list box takes the first letters of its choice.
    page.keyboard.type("Dec")
    tab_to(page, labelled("Outcome notes"), "the item's outcome notes")
    page.keyboard.type(OUTCOME_TEXT)
    # Back one step to check the choice took, then on to the button.
    tab_to(page, labelled("Outcome", exact=True), "the item's outcome, going back", backwards=True)
    assert page.evaluate("document.activeElement.value") == "decision"
    tab_to(page, named("Save outcome of item 1"), "the button saving the outcome")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#item-{item.pk}.is-discussed")

    item.refresh_from_db()
    assert (item.discussed, item.outcome, item.outcome_text) == (True, "decision", OUTCOME_TEXT)
    # The saved item keeps the keyboard where the work was, not back at the top of the page.
    assert focused(page)["tag"] != "body"
