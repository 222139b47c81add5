"""Every kind of form that also opens inside another page works when reached as a page of its own
(a bookmark, a new tab, a link followed without htmx), with JavaScript on and off: it saves, and
the page it leads to says so.

Inside its page such a form aims htmx at a part of that page; reached directly, that part is not
there, and a form still aiming at it would send nothing. The forms that only post (the agenda's,
the case page's, My items', the calendar's, the import) are reached on their page, and are checked
there the same way: without JavaScript each posts the whole page and the answer is a whole page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import ManualLink, NibinLead, Note, Shooting
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, CalendarFeed, Meeting
from tests.chromium import sign_in
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import H, case_at, frozen_with_one_homicide, local, meeting_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def signed_in(request, browser, live_server):
    """Sign a person in, in a browser with JavaScript on or off; the page is theirs."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=request.param)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    def login(user):
        return sign_in(page, user)

    yield login
    context.close()
    # htmx logs a missing target (htmx:targetError) as an error in the console.
    assert not errors, errors


def test_a_note_form_opened_as_its_own_page_adds_the_note(signed_in, investigator):
    shooting = make_shooting(investigator)
    page = signed_in(investigator)
    page.goto(f"/cases/{shooting.pk}/notes/add/general/")
    page.get_by_label("Note", exact=True).fill("Canvass of the 1800 block found two cameras")
    page.get_by_role("button", name="Add note").click()

    note = Note.objects.get(shooting=shooting)
    assert page.url.endswith(f"/cases/{shooting.pk}/#note-{note.pk}")
    expect(page.locator("#messages")).to_contain_text("General note added.")
    expect(page.locator(f"#note-{note.pk}")).to_contain_text("found two cameras")


def test_a_note_edit_form_opened_as_its_own_page_saves_a_revision(signed_in, investigator):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Two cameras"})
    page = signed_in(investigator)
    page.goto(f"/cases/notes/{note.pk}/edit/")
    page.get_by_label("Note", exact=True).fill("Three cameras")
    page.get_by_role("button", name="Save as a new revision").click()

    expect(page.locator("#messages")).to_contain_text("Note saved as revision 2.")
    expect(page.locator("#timeline-list")).to_contain_text("Three cameras")
    assert page.url.endswith(f"/cases/{shooting.pk}/#note-{note.pk}")


def test_a_retraction_form_opened_as_its_own_page_retracts(signed_in, investigator):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Two cameras"})
    page = signed_in(investigator)
    page.goto(f"/cases/notes/{note.pk}/retract/")
    page.get_by_label("Reason for retraction").fill("Wrong case")
    page.get_by_role("button", name="Retract note").click()

    expect(page.locator("#messages")).to_contain_text("Note retracted.")
    expect(page.locator(f"#note-{note.pk}.is-retracted")).to_contain_text("Wrong case")


def test_the_status_form_opened_as_its_own_page_saves(signed_in, investigator):
    shooting = make_shooting(investigator)
    page = signed_in(investigator)
    page.goto(f"/cases/{shooting.pk}/quick-edit/")
    page.get_by_label("Retaliation risk").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator("#messages")).to_contain_text("Status and flags saved.")
    expect(page.locator("#facts")).to_contain_text("Retaliation risk")
    shooting.refresh_from_db()
    assert shooting.is_retaliation_risk


def test_a_nibin_lead_page_saves_the_lead(signed_in, investigator, atf_agent):
    shooting = make_shooting(investigator)
    services.add_note(
        shooting, atf_agent, Note.Kind.FIREARM, {"nibin_leads": ["RB-2026-0101"], "etrace_status": "pending"}
    )
    lead = NibinLead.objects.get(number="RB-2026-0101")
    page = signed_in(investigator)
    page.goto(f"/cases/nibin/{lead.pk}/")
    page.get_by_label("Status", exact=True).select_option("hit")
    page.get_by_role("button", name="Save lead").click()

    expect(page.locator("#messages")).to_contain_text("Lead RB-2026-0101 saved.")
    lead.refresh_from_db()
    assert lead.status == "hit"


@pytest.mark.parametrize("for_item", [True, False], ids=["agenda-item", "whole-meeting"])
def test_an_action_item_form_opened_as_its_own_page_adds_the_item(signed_in, coordinator, investigator, for_item):
    meeting = frozen_with_one_homicide(coordinator, investigator)
    item = meeting.items.get()
    case = item.shooting
    if for_item:
        url, button, section = f"agenda/items/{item.pk}/action-items/", "Add action item to item 1", f"#item-{item.pk}"
    else:
        url, button, section = "agenda/action-items/", "Add action item for the whole meeting", "#meeting-actions"
    page = signed_in(coordinator)
    page.goto(f"/meetings/{meeting.pk}/{url}")
    page.get_by_label("What").fill("Canvass the 3100 block of Prospect")
    page.get_by_label("Assignee").select_option(label=f"Dana Whitfield ({investigator.agency.code})")
    page.get_by_label("Due").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name=button).click()

    expect(page.locator(section)).to_contain_text("Canvass the 3100 block of Prospect")
    expect(page.get_by_text("Action item for Dana Whitfield")).to_be_visible()
    action = ActionItem.objects.get()
    assert action.assignee == investigator
    assert action.shooting == (Shooting.objects.get(pk=case.pk) if for_item else None)


# Cancelling only happens inside the case page, with JavaScript; without it, "Cancel" is a link.
@pytest.mark.parametrize("signed_in", [True], ids=["javascript"], indirect=True)
def test_cancelling_an_inline_note_form_gives_the_focus_back_to_its_button(signed_in, investigator):
    shooting = make_shooting(investigator)
    page = signed_in(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    page.get_by_role("link", name="Add witness note").click()
    expect(page.locator("#note-form-slot form")).to_be_visible()
    page.locator("#note-form-slot").get_by_role("link", name="Cancel").click()

    expect(page.locator("#note-form-slot form")).to_have_count(0)
    expect(page.get_by_role("link", name="Add witness note")).to_be_focused()
    # Still the page's own buttons: one set, and they still open the form.
    expect(page.locator(".add-note-buttons")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#note-form-slot form")).to_be_visible()
    assert not Note.objects.exists()


# The agenda's own forms post only: the agenda is the page they are reached on, and without
# JavaScript each one posts the whole page and comes back to it.
def test_an_agenda_item_is_removed_and_put_back_from_the_agenda_page(signed_in, coordinator, investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case_at(investigator, local(2026, 2, 5, 23, 0), kind=H)
    agenda_services.build_agenda(meeting, coordinator)
    item = meeting.items.get()
    page = signed_in(coordinator)
    page.goto(meeting.get_absolute_url())
    page.get_by_text("Remove from the agenda…").click()
    page.get_by_label("Reason for removing").fill("Arrest made; no longer open")
    page.get_by_role("button", name="Remove item 1").click()

    expect(page.locator("#removed")).to_contain_text("Arrest made; no longer open")
    expect(page.locator(f"#item-{item.pk}")).to_have_count(0)
    item.refresh_from_db()
    assert item.removed_at is not None

    page.locator("#removed").get_by_role("button", name="Put back").click()
    expect(page.locator(f"#item-{item.pk}")).to_be_visible()
    expect(page.locator("#removed")).to_have_count(0)
    item.refresh_from_db()
    assert item.removed_at is None


def test_an_outcome_and_the_attendance_are_saved_from_the_agenda_page(signed_in, coordinator, investigator):
    meeting = frozen_with_one_homicide(coordinator, investigator)
    item = meeting.items.get()
    page = signed_in(coordinator)
    page.goto(meeting.get_absolute_url())
    page.get_by_label("Outcome", exact=True).select_option("decision")
    page.get_by_label("Outcome notes").fill("Ask the county for a warrant")
    page.get_by_role("button", name="Save outcome of item 1").click()

    expect(page.locator(f"#item-{item.pk}.is-discussed")).to_be_visible()
    item.refresh_from_db()
    assert (item.discussed, item.outcome, item.outcome_text) == (True, "decision", "Ask the county for a warrant")

    agency = investigator.agency
    attendance = page.locator("#attendance")
    attendance.locator("fieldset", has_text=agency.name).get_by_label("Present", exact=True).check()
    attendance.get_by_label("Dana Whitfield").check()
    attendance.get_by_role("button", name="Save attendance").click()

    # The agenda's status line with JavaScript, the page's messages after a redirect without.
    expect(page.get_by_text("Attendance recorded.")).to_be_visible()
    expect(page.locator("#attendance").get_by_label("Dana Whitfield")).to_be_checked()
    assert list(meeting.attendance.filter(present=True).values_list("agency", flat=True)) == [agency.pk]


# The case page's own forms post only, like the agenda's: the case page is where they are reached.
def test_a_victim_is_added_and_their_death_recorded_from_the_case_page(signed_in, investigator):
    shooting = make_shooting(investigator)
    page = signed_in(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    victims = page.locator("#victims")
    victims.get_by_text("Add a victim").click()
    victims.get_by_label("Name").fill("Marcus Ellery")
    victims.get_by_role("button", name="Add victim").click()

    expect(page.locator("#victims tbody")).to_contain_text("Marcus Ellery")
    victim = shooting.victims.get(name="Marcus Ellery")
    row = page.locator(f"#victim-{victim.pk}")
    row.get_by_text("Victim died").click()
    row.get_by_label("Date of death").fill(timezone.localdate().isoformat())
    row.get_by_role("button", name="Record death").click()

    expect(page.locator(f"#victim-{victim.pk}")).to_contain_text(f"(died {timezone.localdate().isoformat()})")
    expect(page.get_by_text("The death of Marcus Ellery is recorded.")).to_be_visible()
    victim.refresh_from_db()
    assert victim.died_on == timezone.localdate()


def test_a_link_is_added_and_removed_from_the_case_page(signed_in, investigator):
    shooting = make_shooting(investigator)
    other = make_shooting(investigator)
    page = signed_in(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    links = page.locator("#links")
    links.get_by_text("Link to another case").click()
    links.get_by_label("Report number of the other case").fill(other.report_number)
    links.get_by_label("Why they are linked").fill("Same shell casings")
    links.get_by_role("button", name="Link", exact=True).click()

    expect(page.locator("#links .manual-links")).to_contain_text("Same shell casings")
    assert ManualLink.objects.filter(removed_at__isnull=True).count() == 1
    page.locator("#links").get_by_text("Remove this link").click()
    page.get_by_label("Why the link is removed").fill("Casings were from another scene")
    page.locator("#links").get_by_role("button", name="Remove link").click()

    expect(page.get_by_text(f"The link to {other.report_number} is removed.")).to_be_visible()
    expect(page.locator("#links .manual-links")).to_have_count(0)
    assert not ManualLink.objects.filter(removed_at__isnull=True).exists()


def test_an_action_item_is_marked_done_from_my_items_after_a_missing_note(signed_in, coordinator, investigator):
    meeting = frozen_with_one_homicide(coordinator, investigator)
    action = agenda_services.create_action_item(
        meeting,
        coordinator,
        item_id=None,
        description="Send the retaliation watch list",
        assignee=investigator,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    page = signed_in(investigator)
    page.goto("/meetings/my-items/")
    mine = page.locator(f"#action-item-{action.pk}")
    mine.get_by_text("Mark done…").click()
    mine.get_by_role("button", name="Mark done").click()
    # Without JavaScript this page is the form's own address: the form is there again, with the message.
    expect(mine).to_contain_text("Say how it was done")
    action.refresh_from_db()
    assert action.status != "done"

    mine.get_by_label("How it was done").fill("Sent to the unit on Friday")
    mine.get_by_role("button", name="Mark done").click()

    expect(page.get_by_text("Done: Send the retaliation watch list")).to_be_visible()
    action.refresh_from_db()
    assert action.status == "done"


def test_a_calendar_link_is_made_from_the_calendar_page(signed_in, investigator):
    page = signed_in(investigator)
    page.goto("/meetings/calendar/")
    page.get_by_role("button", name="Create my calendar link").click()

    expect(page.get_by_text("Your private calendar link is ready.")).to_be_visible()
    feed = CalendarFeed.objects.get(user=investigator)
    expect(page.get_by_label("Your private calendar link")).to_have_value(re.compile(f"{feed.token}.ics$"))


def test_a_case_the_rules_did_not_bring_is_added_from_the_agenda_page(signed_in, coordinator, investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    # Before the review window: the rules leave it out, so only "Add case" can put it on.
    case = case_at(investigator, local(2025, 11, 2, 23, 0), kind=H)
    page = signed_in(coordinator)
    page.goto(meeting.get_absolute_url())
    page.get_by_label("Report number").fill(case.report_number)
    page.get_by_role("button", name="Add case").click()

    expect(page.locator("#agenda-items > li")).to_have_count(1)
    expect(page.locator("#agenda-items")).to_contain_text(case.report_number)
    assert [i.shooting_id for i in meeting.items.all()] == [case.pk]


def test_a_calendar_link_is_revoked_and_made_anew_from_the_calendar_page(signed_in, investigator):
    page = signed_in(investigator)
    page.goto("/meetings/calendar/")
    page.get_by_role("button", name="Create my calendar link").click()
    expect(page.get_by_text("Your private calendar link is ready.")).to_be_visible()
    old = CalendarFeed.objects.get(user=investigator).token

    page.get_by_role("button", name="Revoke this link and make a new one").click()

    expect(page.get_by_label("Your private calendar link")).not_to_have_value(re.compile(f"{old}.ics$"))
    new = CalendarFeed.objects.get(user=investigator).token
    assert new != old
    expect(page.get_by_label("Your private calendar link")).to_have_value(re.compile(f"{new}.ics$"))


def test_the_agenda_is_built_edited_frozen_and_unfrozen_from_its_page(signed_in, coordinator, investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 2, 5, 23, 0), kind=H)
    page = signed_in(coordinator)
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="Build the agenda").click()
    expect(page.locator("#agenda-items > li")).to_have_count(1)

    page.get_by_text("Add a free-text item").click()
    page.get_by_label("Title").fill("Retaliation watch list")
    page.get_by_role("button", name="Add item").click()
    expect(page.locator("#agenda-items > li")).to_have_count(2)
    page.get_by_role("button", name="Move item 2 (Retaliation watch list) up").click()
    expect(page.locator("#agenda-items > li .item-title").first).to_have_text("Retaliation watch list")
    assert [i.shooting_id for i in meeting.items.order_by("position")] == [None, case.pk]

    page.get_by_role("button", name="Freeze the agenda").click()
    expect(page.get_by_text("Unfreeze the agenda…")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FROZEN

    page.get_by_text("Unfreeze the agenda…").click()
    page.get_by_label("Reason for unfreezing").fill("A case from Sunday night belongs on it")
    page.get_by_role("button", name="Unfreeze").click()
    expect(page.get_by_role("button", name="Freeze the agenda")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status != Meeting.Status.FROZEN


def test_an_import_is_previewed_and_confirmed_from_the_import_page(signed_in, coordinator):
    page = signed_in(coordinator)
    page.goto("/cases/import/")
    page.get_by_label("CSV file").set_input_files(FIXTURES / "template_riverbend.csv")
    page.get_by_role("button", name="Preview (dry run)").click()

    expect(page.get_by_text("Preview of template_riverbend.csv: nothing has been written yet")).to_be_visible()
    assert not Shooting.objects.exists()
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_role("heading", name="Imported template_riverbend.csv")).to_be_visible()
    assert Shooting.objects.count() == 3
