"""NIBIN leads: the list with turnaround against the CGIC goal, and one lead's page where a hit is
recorded and then shows on every case it joins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.models import NibinLead, Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def cite(shooting, user, *numbers, restricted=False, **fields):
    return services.add_note(
        shooting, user, Note.Kind.FIREARM, {"nibin_leads": list(numbers), **fields}, restricted=restricted
    )


def timed(number, atf_agent, hours: float | None, recovered_hours_ago: float = 200):
    lead = NibinLead.objects.get(number=number)
    recovered = timezone.now() - timedelta(hours=recovered_hours_ago)
    notified = recovered + timedelta(hours=hours) if hours is not None else None
    return services.update_nibin_lead(lead, atf_agent, {"evidence_recovered_at": recovered, "notified_at": notified})


@pytest.fixture
def two_cases(investigator, atf_agent):
    a, b = make_shooting(investigator), make_shooting(investigator)
    cite(a, atf_agent, "RB-2026-0101", purchaser="Ezra Pellham")
    cite(b, investigator, "RB-2026-0101")
    return a, b


def test_list_shows_cases_joined_times_and_turnaround_against_the_goal(client_for, coordinator, atf_agent, two_cases):
    a, b = two_cases
    c = make_shooting(atf_agent)
    cite(c, atf_agent, "RB-2026-0102")
    cite(c, atf_agent, "RB-2026-0103")
    timed("RB-2026-0101", atf_agent, 20)
    timed("RB-2026-0102", atf_agent, 72)
    timed("RB-2026-0103", atf_agent, None, recovered_hours_ago=10)
    html = client_for(coordinator).get("/cases/nibin/").content.decode()
    assert "RB-2026-0101" in html
    assert f">{a.report_number}</a>" in html and f">{b.report_number}</a>" in html
    assert "<td>2:" in html
    assert "20 h, on time" in html
    assert "72 h, late" in html
    assert "pending" in html
    assert "<strong>46.0 hours</strong>" in html  # median of 20 and 72
    assert "<strong>50%</strong> of 2 leads notified within 48 hours" in html


def test_a_lead_not_notified_two_days_after_recovery_is_already_late(client_for, atf_agent, investigator):
    cite(make_shooting(investigator), atf_agent, "RB-2026-0201")
    timed("RB-2026-0201", atf_agent, None, recovered_hours_ago=60)
    html = client_for(atf_agent).get("/cases/nibin/").content.decode()
    assert "late (not yet notified)" in html


def test_list_filters_by_status(client_for, atf_agent, two_cases):
    cite(make_shooting(atf_agent), atf_agent, "RB-2026-0300")
    services.update_nibin_lead(NibinLead.objects.get(number="RB-2026-0300"), atf_agent, {"status": "hit"})
    html = client_for(atf_agent).get("/cases/nibin/?status=hit").content.decode()
    assert "RB-2026-0300" in html
    assert "RB-2026-0101" not in html


def test_advocate_sees_only_lead_numbers_and_report_numbers(client_for, advocate, atf_agent, two_cases):
    a, _ = two_cases
    timed("RB-2026-0101", atf_agent, 20)
    html = client_for(advocate).get("/cases/nibin/").content.decode()
    assert "RB-2026-0101" in html
    assert a.report_number in html
    for hidden in ["Turnaround", "Median turnaround", "Evidence recovered", "on time", "Lead (computer", "Pellham"]:
        assert hidden not in html, hidden
    lead_page = client_for(advocate).get(f"/cases/nibin/{NibinLead.objects.get().pk}/").content.decode()
    assert a.report_number in lead_page
    assert "Status and timing" not in lead_page
    assert "Record the examiner" not in lead_page


def test_a_lead_cited_only_in_a_note_restricted_to_another_agency_is_not_shown(
    client_for, investigator, atf_agent, outsider
):
    # A restricted trace stays inside its agency: it does not enter the shared lead register.
    hidden_case = make_shooting(investigator)
    cite(hidden_case, investigator, "RB-2026-0999", restricted=True)
    assert not NibinLead.objects.filter(number="RB-2026-0999").exists()
    assert "RB-2026-0999" not in client_for(outsider).get("/cases/nibin/").content.decode()
    # cited openly on another case: the lead shows, but not the case whose note is restricted
    open_case = make_shooting(atf_agent)
    cite(open_case, atf_agent, "RB-2026-0999")
    lead = NibinLead.objects.get(number="RB-2026-0999")
    html = client_for(outsider).get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert open_case.report_number in html
    assert hidden_case.report_number not in html


def test_a_firearm_serial_written_like_a_lead_number_does_not_join_that_lead(client_for, atf_agent, investigator):
    # Serials are free text: one may read exactly like a lead number. Only cited leads join cases.
    citing, other = make_shooting(investigator), make_shooting(investigator)
    cite(citing, atf_agent, "RB-2026-0777")
    services.add_note(other, investigator, Note.Kind.FIREARM, {"serial_number": "RB-2026-0777"})
    lead = NibinLead.objects.get(number="RB-2026-0777")
    html = client_for(atf_agent).get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert citing.report_number in html
    assert other.report_number not in html


def test_marking_a_hit_shows_on_both_cases(client_for, atf_agent, investigator, two_cases):
    a, b = two_cases
    lead = NibinLead.objects.get(number="RB-2026-0101")
    data = {"status": "hit", "examiner": "Examiner Dahl", "evidence_recovered_at": "", "entered_at": ""}
    data |= {"lead_received_at": "", "notified_at": "", "version": lead.version}
    response = client_for(atf_agent).post(f"/cases/nibin/{lead.pk}/", data, follow=True)
    assert "Lead RB-2026-0101 saved." in response.content.decode()
    lead.refresh_from_db()
    assert (lead.status, lead.examiner) == ("hit", "Examiner Dahl")
    assert "<dt>Examiner</dt><dd>Examiner Dahl</dd>" in response.content.decode()
    assert lead.status_changed_by == atf_agent
    for case, other in ((a, b), (b, a)):
        html = client_for(investigator).get(f"/cases/{case.pk}/").content.decode()
        assert 'data-indicator="nibin_hit"' in html
        assert "Hit (confirmed by examiner)" in html
        assert "NIBIN hit RB-2026-0101" in html
        assert other.report_number in html


def test_lead_form_over_htmx_returns_the_panel(client_for, atf_agent, two_cases):
    lead = NibinLead.objects.get(number="RB-2026-0101")
    recovered = timezone.localtime() - timedelta(hours=30)
    notified = recovered + timedelta(hours=26)
    data = {
        "status": "excluded",
        "evidence_recovered_at": recovered.strftime("%Y-%m-%dT%H:%M"),
        "notified_at": notified.strftime("%Y-%m-%dT%H:%M"),
        "version": lead.version,
    }
    response = client_for(atf_agent).post(f"/cases/nibin/{lead.pk}/", data, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="lead-panel"')
    assert "Lead RB-2026-0101 saved." in html
    assert "26.0 hours, on time" in html
    lead.refresh_from_db()
    assert lead.status == "excluded"
    assert round(lead.turnaround_hours) == 26


def test_times_out_of_order_or_in_the_future_are_refused_and_kept(client_for, atf_agent, two_cases):
    lead = NibinLead.objects.get(number="RB-2026-0101")
    now = timezone.localtime()
    recovered = (now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    notified = (now - timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M")
    future = (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"status": "hit", "evidence_recovered_at": recovered, "notified_at": notified, "entered_at": future}
    data["version"] = lead.version
    html = client_for(atf_agent).post(f"/cases/nibin/{lead.pk}/", data).content.decode()
    assert "This cannot be before “evidence recovered”." in html
    assert "This time cannot be in the future." in html
    assert f'value="{notified}"' in html
    assert f'value="{future}"' in html
    lead.refresh_from_db()
    assert lead.status == "lead"
    assert lead.notified_at is None


def test_those_who_do_not_manage_leads_get_no_form_and_403(client_for, prosecutor, advocate, two_cases):
    lead = NibinLead.objects.get(number="RB-2026-0101")
    for user in (prosecutor, advocate):
        client = client_for(user)
        assert "Record the examiner" not in client.get(f"/cases/nibin/{lead.pk}/").content.decode()
        assert client.post(f"/cases/nibin/{lead.pk}/", {"status": "hit"}).status_code == 403
    lead.refresh_from_db()
    assert lead.status == "lead"


def test_the_lead_page_records_the_cases_it_shows(client_for, advocate, atf_agent, two_cases):
    lead = NibinLead.objects.get(number="RB-2026-0101")
    assert client_for(advocate).get(f"/cases/nibin/{lead.pk}/").status_code == 200

    row = AuditEvent.objects.filter(actor_id=advocate.pk, event="cases:nibin_lead.view").get()
    assert set(row.shown_cases.values_list("case_id", flat=True)) == {case.pk for case in two_cases}


def test_unknown_lead_is_404(client_for, atf_agent):
    assert client_for(atf_agent).get("/cases/nibin/424242/").status_code == 404


def test_list_queries_do_not_grow_with_leads(client_for, atf_agent, investigator, django_assert_max_num_queries):
    for i in range(30):
        shooting = make_shooting(investigator)
        cite(shooting, atf_agent, f"RB-2026-1{i:03d}", f"RB-2026-2{i % 5:03d}")
        timed(f"RB-2026-1{i:03d}", atf_agent, 10 + i * 3)
    client = client_for(atf_agent)
    # session, user, the viewer's agency; the page's count and rows; their cases' report numbers;
    # the turnaround summary; the queue of work (counts, rows, people, medians); the audit row
    # (insert; on SQLite the last hash first)
    with django_assert_max_num_queries(14):
        response = client.get("/cases/nibin/")
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row"><a href="/cases/nibin/') == 35


def test_lead_page_queries_do_not_grow_with_cases(client_for, atf_agent, investigator, django_assert_max_num_queries):
    for _ in range(12):
        cite(make_shooting(investigator), atf_agent, "RB-2026-0500")
    lead = NibinLead.objects.get(number="RB-2026-0500")
    client = client_for(atf_agent)
    # session, user, the viewer's agency; the lead; its cases; the work on them, the people to
    # assign it to (two) and its history; the audit row (insert; on SQLite the last hash first, the cases it shows)
    with django_assert_max_num_queries(13):
        html = client.get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert "Cases joined (12)" in html


def lead_form_data(lead, **changes) -> dict:
    """The lead's form as its page fills it in, with `changes` typed over it."""
    times = {
        name: timezone.localtime(getattr(lead, name)).strftime("%Y-%m-%dT%H:%M") if getattr(lead, name) else ""
        for name in ("evidence_recovered_at", "entered_at", "lead_received_at", "notified_at")
    }
    return {"status": lead.status, "examiner": lead.examiner, **times, "version": lead.version, **changes}


def test_a_change_by_hand_is_kept_in_the_leads_history_with_who_and_what_it_was(
    client_for, atf_agent, coordinator, two_cases
):
    lead = NibinLead.objects.get(number="RB-2026-0101")
    recovered = (timezone.localtime() - timedelta(hours=30)).replace(second=0, microsecond=0)
    client = client_for(atf_agent)
    sent = lead_form_data(lead, status="hit", examiner="Examiner Dahl")
    sent["evidence_recovered_at"] = recovered.strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/cases/nibin/{lead.pk}/", sent).status_code == 302

    change = lead.changes.get()
    assert (change.changed_by, change.assignment) == (atf_agent, None)
    assert change.changes == {
        "status": ["Lead (computer correlation)", "Hit (confirmed by examiner)"],
        "examiner": ["", "Examiner Dahl"],
        "evidence recovered": ["", recovered.strftime("%Y-%m-%d %H:%M")],
    }
    lead.refresh_from_db()
    # Saving the form again as it is changes nothing and adds nothing to the history.
    assert client.post(f"/cases/nibin/{lead.pk}/", lead_form_data(lead)).status_code == 302
    assert lead.changes.count() == 1
    html = client_for(coordinator).get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert "Examiner — → Examiner Dahl" in html


def test_a_form_opened_before_someone_elses_save_does_not_undo_it(client_for, atf_agent, coordinator, two_cases):
    lead = NibinLead.objects.get(number="RB-2026-0101")
    opened = lead_form_data(lead, status="excluded", examiner="Examiner Ruiz")
    # Meanwhile another person records the hit.
    client_for(coordinator).post(f"/cases/nibin/{lead.pk}/", lead_form_data(lead, status="hit", examiner="Dahl"))

    response = client_for(atf_agent).post(f"/cases/nibin/{lead.pk}/", opened)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this after you opened the page." in html
    assert 'value="Examiner Ruiz"' in html  # what was typed is kept
    lead.refresh_from_db()
    assert (lead.status, lead.examiner, lead.changes.count()) == ("hit", "Dahl", 1)
    assert (
        AuditEvent.objects.filter(actor_id=atf_agent.pk, event="cases:nibin_lead.change").get().detail["edit_conflict"]
    )

    # Saved again, on the version the refusal carried, it goes through: a decision, not an accident.
    again = dict(opened, version=lead.version)
    assert client_for(atf_agent).post(f"/cases/nibin/{lead.pk}/", again).status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.examiner) == ("excluded", "Examiner Ruiz")
