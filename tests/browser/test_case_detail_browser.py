"""The case page in a real browser: notes added inline without a page load, and what an advocate sees."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Note
from tests.factories import make_shooting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUSPECT = "Tobin Quarrier"
WITNESS = "Wren Ashdown"


def still_the_same_page(page) -> None:
    # A full page load would have dropped the marker set on window.
    assert page.evaluate("window.__marker") == 1


def open_form(page, button: str):
    page.get_by_role("link", name=button).click()
    form = page.locator("#note-form-slot form")
    expect(form).to_be_visible()
    return form


def submit(page, form, expected_text: str) -> None:
    form.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline-list > li.note").first).to_contain_text(expected_text)
    expect(page.locator("#note-form-slot form")).to_have_count(0)
    still_the_same_page(page)


def test_investigator_adds_a_note_of_each_kind_without_reloading_the_page(login_page, investigator):
    shooting = make_shooting(investigator)
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    expect(page.locator(".timeline-empty")).to_be_visible()
    page.evaluate("window.__marker = 1")

    form = open_form(page, "Add suspect note")
    form.get_by_label("Name", exact=True).fill(SUSPECT)
    form.get_by_label("Status").select_option("suspect")
    submit(page, form, SUSPECT)
    expect(page.locator(".timeline-empty")).to_be_hidden()

    form = open_form(page, "Add firearm trace note")
    form.get_by_label("Make").fill("Hi-Point")
    form.get_by_label("NIBIN lead numbers").fill("RB-2026-0101")
    form.get_by_label("Time-to-crime (days)").fill("120")
    submit(page, form, "Hi-Point")
    expect(page.locator("#leads")).to_contain_text("RB-2026-0101")
    expect(page.locator("#indicators")).to_contain_text("Possible trafficking")

    form = open_form(page, "Add witness note")
    form.get_by_label("Name", exact=True).fill(WITNESS)
    form.get_by_label("Cooperation").select_option("reluctant")
    form.get_by_label("Intimidation or safety concern").check()
    submit(page, form, WITNESS)
    expect(page.locator("#indicators")).to_contain_text("Intimidated witness")

    form = open_form(page, "Add general note")
    form.get_by_label("Note", exact=True).fill("Canvass of the 1800 block found two cameras")
    submit(page, form, "found two cameras")

    expect(page.locator("#timeline-list > li.note")).to_have_count(4)
    assert Note.objects.filter(shooting=shooting).count() == 4


def test_a_form_with_errors_stays_open_with_what_was_typed(login_page, investigator):
    shooting = make_shooting(investigator)
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    page.evaluate("window.__marker = 1")
    form = open_form(page, "Add suspect note")
    form.get_by_label("Name", exact=True).fill(SUSPECT)
    form.get_by_label("Aliases").fill("T-Bone")
    form.get_by_label("Date of birth").fill(f"{timezone.localdate().year + 1}-01-01")
    form.get_by_role("button", name="Add note").click()
    expect(page.locator("#note-form-slot")).to_contain_text("The date of birth cannot be in the future.")
    expect(page.locator("#note-form-slot").get_by_label("Aliases")).to_have_value("T-Bone")
    still_the_same_page(page)
    assert not Note.objects.exists()


def test_investigator_edits_and_retracts_a_note_in_place(login_page, investigator):
    shooting = make_shooting(investigator)
    services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": SUSPECT, "status": "suspect"})
    page = login_page(investigator)
    page.goto(f"/cases/{shooting.pk}/")
    page.evaluate("window.__marker = 1")
    note = page.locator("#timeline-list > li.note").first
    note.get_by_role("link", name="Edit").click()
    page.locator("#timeline-list form").get_by_label("Status").select_option("charged")
    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator("#timeline-list > li.note").first).to_contain_text("Charged")
    expect(page.locator("#timeline-list > li.note").first).to_contain_text("Revisions (2)")
    page.locator("#timeline-list > li.note").first.get_by_role("link", name="Retract").click()
    page.get_by_label("Reason for retraction").fill("Alibi confirmed")
    page.get_by_role("button", name="Retract note").click()
    expect(page.locator("#timeline-list > li.note.is-retracted")).to_contain_text("Alibi confirmed")
    still_the_same_page(page)


def test_advocate_sees_no_witness_name_or_suspect_and_adds_a_victim_services_note(login_page, investigator, advocate):
    shooting = make_shooting(investigator)
    victim = shooting.victims.get()
    services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": SUSPECT, "status": "suspect"})
    services.add_note(
        shooting,
        investigator,
        Note.Kind.WITNESS,
        {"name": WITNESS, "cooperation": "reluctant", "intimidation_concern": True},
    )
    page = login_page(advocate)
    page.goto(f"/cases/{shooting.pk}/")
    content = page.content()
    assert SUSPECT not in content
    assert WITNESS not in content
    assert "Intimidated witness" in content
    page.evaluate("window.__marker = 1")

    form = open_form(page, "Add victim services note")
    form.get_by_label("Victim").select_option(str(victim.pk))
    form.get_by_label("Referred to (service agency)").fill("Northgate Family Services")
    form.get_by_label("Referral status").select_option("contacted")
    form.get_by_label("Notes").fill("Safety plan made with the family")
    submit(page, form, "Northgate Family Services")
    expect(page.locator("#victims")).to_contain_text("Contacted")
    assert SUSPECT not in page.content()
