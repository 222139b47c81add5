"""A NIBIN hit followed through in a real browser: it joins two cases, both investigators get
mail through the real worker, one opens the link, assigns the lead and records the outcome on the
page (htmx), the next agenda shows it, the meeting records its decision, and the case page's
Reviews section shows that decision."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from cases.models import LeadAssignment, NibinLead, Note
from meetings.tasks import sweep_reminders
from tests.chromium import sign_in
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import meeting_at
from tests.processes import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]

LEAD = "RB-2026-0777"


def test_a_hit_is_mailed_assigned_concluded_shown_on_the_next_agenda_and_its_decision_on_the_case(
    login_page, workers, smtp, investigator, supervisor, atf_agent, coordinator
):
    workers.start()
    now = timezone.now()
    meeting = meeting_at(now + timedelta(days=2))
    first = make_shooting(investigator, lead_investigator=investigator, occurred_from=now - timedelta(days=2))
    second = make_shooting(investigator, lead_investigator=supervisor, occurred_from=now - timedelta(days=3))
    for shooting in (first, second):
        case_services.add_note(shooting, atf_agent, Note.Kind.FIREARM, {"nibin_leads": [LEAD]})
    lead = NibinLead.objects.get(number=LEAD)
    case_services.update_nibin_lead(lead, atf_agent, {"status": NibinLead.Status.HIT})

    # Both investigators are told, once each, through the worker and the mail server.
    sweep_reminders.delay()
    assert wait_until(lambda: len(smtp.messages()) >= 2, timeout=60, on_tick=sweep_reminders.delay), workers.log()
    mails = {m["To"]: m for m in smtp.messages()}
    assert set(mails) == {investigator.email, supervisor.email}
    body = mails[investigator.email].get_payload()[0].get_payload(decode=True).decode()
    link = re.search(r"/cases/nibin/\d+/", body).group(0)

    # The investigator follows the link, assigns the lead to themselves, then records the outcome.
    page = login_page(investigator)
    page.goto(link)
    work = LeadAssignment.objects.get(lead=lead, shooting=first)
    row = page.locator(f"#work-{work.pk}")
    row.get_by_label("Assigned investigator").select_option(str(investigator.pk))
    row.get_by_label("State").select_option(LeadAssignment.State.ASSIGNED)
    row.get_by_role("button", name=f"Save work on {first.report_number}").click()
    expect(row.locator(".badge").first).to_have_text("Assigned")
    # The swapped row takes the focus its replaced button had, so the keyboard user stays there.
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'work-{work.pk}'")
    row.get_by_label("Outcome", exact=True).select_option(LeadAssignment.Outcome.ARREST)
    row.get_by_label("Outcome note").fill("Arrested at his mother's address")
    row.get_by_role("button", name=f"Save work on {first.report_number}").click()
    expect(row).to_contain_text("Arrest: Arrested at his mother's address")
    expect(page.locator(f"#work-{LeadAssignment.objects.get(lead=lead, shooting=second).pk}")).to_contain_text(
        "New (not yet assigned)"
    )
    assert page.url.endswith(link)  # the page was never left: htmx swapped the row
    work.refresh_from_db()
    assert (work.state, work.outcome) == (LeadAssignment.State.DONE, LeadAssignment.Outcome.ARREST)

    # The coordinator builds the next agenda: the case's item shows the lead's state and owner.
    page.context.clear_cookies()
    sign_in(page, coordinator)
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="Build the agenda").click()
    page.wait_for_selector("#agenda-items")
    owner = investigator.get_full_name() or investigator.username
    item = page.locator("#agenda-items > li").filter(has=page.locator(".item-title", has_text=first.report_number))
    expect(item.locator(".item-leads")).to_contain_text(f"{LEAD} (Hit): Outcome recorded: Arrest · {owner} ·")
    other = page.locator("#agenda-items > li").filter(has=page.locator(".item-title", has_text=second.report_number))
    expect(other.locator(".item-leads")).to_contain_text("New (not yet assigned)")

    # At the meeting the coordinator freezes the agenda, records the decision on the first case
    # and marks the meeting held.
    page.get_by_role("button", name="Freeze the agenda").click()
    page.wait_for_selector(".frozen-notice")
    item = page.locator("#agenda-items > li").filter(has=page.locator(".item-title", has_text=first.report_number))
    item.get_by_label("Outcome", exact=True).select_option("decision")
    item.get_by_label("Outcome notes").fill("Present the arrest to the county prosecutor")
    item.get_by_role("button", name=re.compile("^Save outcome of item")).click()
    expect(item).to_have_class(re.compile("is-discussed"))
    page.locator("#mark-held").click()
    page.wait_for_load_state()

    # The investigator's case page lists the meeting under Reviews with its decision.
    page.context.clear_cookies()
    sign_in(page, investigator)
    page.goto(f"/cases/{first.pk}/")
    review = page.locator("#reviews li.review").first
    expect(review).to_contain_text("Decision: Present the arrest to the county prosecutor")
    expect(review.get_by_role("link", name=re.compile("^Minutes"))).to_be_visible()
