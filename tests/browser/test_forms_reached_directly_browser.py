"""Every kind of form that also opens inside another page works when reached as a page of its own
(a bookmark, a new tab, a link followed without htmx), with JavaScript on and off: it saves, and
the page it leads to says so.

Inside its page such a form aims htmx at a part of that page; reached directly, that part is not
there, and a form still aiming at it would send nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import NibinLead, Note, Shooting
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem
from tests.factories import PASSWORD, make_shooting
from tests.meetings.agenda_helpers import H, case_at, local, meeting_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def signed_in(request, browser, live_server):
    """Sign a person in, in a browser with JavaScript on or off; the page is theirs."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=request.param)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    def login(user):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("I understand this is a restricted system").check()
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

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


def test_an_action_item_form_opened_as_its_own_page_adds_the_item(signed_in, coordinator, investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 2, 5, 23, 0), kind=H)
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    item = meeting.items.get()
    page = signed_in(coordinator)
    page.goto(f"/meetings/{meeting.pk}/agenda/items/{item.pk}/action-items/")
    page.get_by_label("What").fill("Canvass the 3100 block of Prospect")
    page.get_by_label("Assignee").select_option(label=f"Dana Whitfield ({investigator.agency.code})")
    page.get_by_label("Due").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Add action item to item 1").click()

    expect(page.locator(f"#item-{item.pk}")).to_contain_text("Canvass the 3100 block of Prospect")
    action = ActionItem.objects.get()
    assert (action.shooting, action.assignee) == (Shooting.objects.get(pk=case.pk), investigator)
