"""The NIBIN lead report and eTrace results pages in a real browser: an ATF agent previews a lead
report in place, reads the errors of a bad one, confirms the good one and follows the lead; each
state of the page has no accessibility violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import LinkKey, NibinLead, Note
from tests.chromium import sign_in
from tests.factories import make_shooting

from .axe import assert_no_violations, axe_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def axe_page(browser, live_server):
    """A page on which axe may run: the pages' Content Security Policy allows only our scripts."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_agent_previews_and_confirms_a_lead_report_from_the_nibin_list(axe_page, atf_agent, investigator, tmp_path):
    axe_path()
    for n in (101, 102, 103, 104, 105, 107, 108):
        make_shooting(investigator, report_number=f"RB26000{n}")
    bad = tmp_path / "bad.csv"
    bad.write_text("lead_number,lead_date,case_numbers,result,examiner\nRB-9,2026-02-30,RB26000101,hit,Dahl\n")
    page = sign_in(axe_page, atf_agent)

    page.goto("/cases/nibin/")
    page.get_by_role("link", name="Import a NIBIN lead report").click()
    assert_no_violations(page, "the NIBIN lead report page")

    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Preview (dry run)").click()
    expect(page.get_by_role("alert")).to_contain_text("line 2: lead_date: “2026-02-30” is not a date and time")
    assert_no_violations(page, "the page listing a file's errors")

    page.get_by_label("CSV file").set_input_files(DOCS / "nibin-leads-example.csv")
    page.get_by_role("button", name="Preview (dry run)").click()
    expect(page.get_by_text("Preview of nibin-leads-example.csv: nothing has been written yet")).to_be_visible()
    assert not NibinLead.objects.exists()
    assert_no_violations(page, "the preview")

    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("heading", name="Imported nibin-leads-example.csv")).to_be_visible()
    assert_no_violations(page, "the result")
    assert NibinLead.objects.count() == 3
    page.get_by_role("link", name="RB-2026-0412").click()
    expect(page.get_by_role("heading", name="NIBIN lead RB-2026-0412")).to_be_visible()
    expect(page.locator("#lead-panel")).to_contain_text("Firearms Examiner M. Okonkwo")
    assert sorted(LinkKey.objects.filter(value="RB-2026-0412").values_list("shooting__report_number", flat=True)) == [
        "RB26000101",
        "RB26000102",
    ]


def test_an_agent_imports_etrace_results_at_once(axe_page, atf_agent, investigator):
    axe_path()
    note = services.add_note(
        make_shooting(investigator),
        atf_agent,
        Note.Kind.FIREARM,
        {"etrace_number": "T20260004417", "etrace_status": "pending"},
    )
    for number in ("T20260004420", "T20260004431"):
        services.add_note(make_shooting(investigator), atf_agent, Note.Kind.FIREARM, {"etrace_number": number})
    page = sign_in(axe_page, atf_agent)

    page.goto("/cases/nibin/")
    page.get_by_role("link", name="Import eTrace results").click()
    page.get_by_label("CSV file").set_input_files(DOCS / "etrace-results-example.csv")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name="Imported etrace-results-example.csv")).to_be_visible()
    assert_no_violations(page, "the eTrace result")
    note.refresh_from_db()
    assert (note.revision_number, note.fields["purchaser"]) == (2, "Lorcan Fenwick")
