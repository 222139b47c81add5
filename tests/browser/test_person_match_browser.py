"""Suggested matches in a real browser: an investigator types a suspect's name, the people it may
be appear beside the form without a page load, one is confirmed, and the person page shows both
roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import PersonRole
from tests.factories import make_shooting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_investigator_confirms_that_a_suspect_is_last_months_victim(login_page, investigator):
    earlier = make_shooting(
        investigator,
        report_number="RB26700001",
        occurred_from=timezone.now() - timedelta(days=30),
        victims=[{"name": "Lorcan Featherstone", "age": 22, "sex": "M"}],
    )
    person = earlier.victims.get().person_role.person
    shooting = make_shooting(investigator, report_number="RB26700002")
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    page.evaluate("window.__marker = 1")
    page.get_by_role("link", name="Add suspect note").click()
    form = page.locator("#note-form-slot form")
    form.get_by_label("Name", exact=True).fill("Lorcan Featherston")
    form.get_by_label("Approximate age").fill("22")
    form.get_by_label("Status").select_option("suspect")
    choice = form.get_by_role("radio", name="Lorcan Featherstone")
    expect(choice).to_be_visible()
    expect(form.locator(".person-matches")).to_contain_text("victim in RB26700001")
    choice.check()
    # Choosing is a change too: the suggestions come back with the choice kept.
    expect(form.get_by_role("radio", name="Lorcan Featherstone")).to_be_checked()
    form.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline-list > li.note").first).to_contain_text("Lorcan Featherston")
    assert page.evaluate("window.__marker") == 1
    assert PersonRole.objects.get(shooting=shooting, kind="suspect").person == person

    page.goto(f"/cases/people/{person.pk}/")
    expect(page.locator("#roles")).to_contain_text("Victim in RB26700001")
    expect(page.locator("#roles")).to_contain_text("Suspect in RB26700002")
