"""People across shootings, from the case to the meeting, in a real browser: an investigator enters
a suspect on this week's shooting, confirms beside the form that he is last month's victim, the
coordinator builds the next agenda and its item says the suspect was shot before, with links to
the other case and to the person; an advocate's view of the same agenda says nothing of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import PersonRole
from tests.chromium import sign_in
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import case_at, meeting_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EARLIER = "RB26710001"
NEW = "RB26710002"


def test_a_suspect_confirmed_as_last_months_victim_shows_on_the_next_agenda_but_not_to_advocates(
    login_page, investigator, coordinator, advocate
):
    now = timezone.now()
    meeting = meeting_at(now + timedelta(days=2))
    # Last month's shooting, entered that night.
    earlier = case_at(
        investigator,
        now - timedelta(days=30),
        report_number=EARLIER,
        victims=[{"name": "Lorcan Featherstone", "age": 22, "sex": "M"}],
    )
    person = earlier.victims.get().person_role.person
    shooting = make_shooting(investigator, report_number=NEW, occurred_from=now - timedelta(days=1))
    shot_on = timezone.localtime(earlier.occurred_from)

    # The investigator names the suspect and confirms the suggested match beside the form.
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    page.get_by_role("link", name="Add suspect note").click()
    form = page.locator("#note-form-slot form")
    form.get_by_label("Name", exact=True).fill("Lorcan Featherston")
    form.get_by_label("Approximate age").fill("22")
    form.get_by_label("Status").select_option("suspect")
    form.get_by_role("radio", name="Lorcan Featherstone").check()
    expect(form.get_by_role("radio", name="Lorcan Featherstone")).to_be_checked()
    form.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline-list > li.note").first).to_contain_text("Lorcan Featherston")
    assert PersonRole.objects.get(shooting=shooting, kind="suspect").person == person

    # The coordinator builds the next agenda: the new case's item says who the suspect is.
    page.context.clear_cookies()
    sign_in(page, coordinator)
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="Build the agenda").click()
    page.wait_for_selector("#agenda-items")
    item = page.locator("#agenda-items > li").filter(has=page.locator(".item-title", has_text=NEW))
    overlap = f"Suspect Lorcan Featherston was shot in {EARLIER} ({shot_on.day} {shot_on:%b %Y})"
    expect(item.locator(".overlaps")).to_have_text(overlap)
    expect(item.locator(".item-reasons")).to_contain_text("Victim or suspect appears in another shooting")
    # Last month's case, still open, comes back for it, saying the victim is a suspect now.
    other = page.locator("#agenda-items > li").filter(has=page.locator(".item-title", has_text=EARLIER))
    expect(other.locator(".overlaps")).to_contain_text(f"Victim Lorcan Featherstone was a suspect in {NEW}")
    expect(other.locator(".item-reasons")).to_have_text(
        "On the agenda: Victim or suspect appears in another shooting of the last 12 months"
    )
    # The names lead to the person, the report numbers to the other case.
    item.locator(".overlaps").get_by_role("link", name=EARLIER).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(EARLIER)
    page.go_back()
    item.locator(".overlaps").get_by_role("link", name="Lorcan Featherston").click()
    expect(page.locator("#roles")).to_contain_text(f"Suspect in {NEW}")

    # An advocate reads the same agenda: both cases, nothing of the suspect.
    page.context.clear_cookies()
    sign_in(page, advocate)
    page.goto(meeting.get_absolute_url())
    items = page.locator("#agenda-items")
    expect(items).to_contain_text(NEW)
    expect(items).to_contain_text(EARLIER)
    expect(items.locator(".overlaps")).to_have_count(0)
    for hidden in ["was shot in", "was a suspect", "Featherston was", "Victim or suspect appears"]:
        expect(items).not_to_contain_text(hidden)
    other = page.locator("#agenda-items > li").filter(has=page.locator(".item-title", has_text=EARLIER))
    # Last month's case is there only for its victim's new role: to her, an open case.
    expect(other.locator(".item-reasons")).to_have_text("On the agenda: Open case follow-up")
