"""NIBIN leads as work: a lead that joins a case opens its work there, someone assigns it, moves it
on and records the outcome; the NIBIN page shows the queue and how fast leads are worked. Never
shown to advocates."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEvent
from cases import lead_work, services
from cases.models import LeadAssignment, LeadChange, NibinLead, Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NOTE_WORD = "Windlestrom"  # an outcome note: law enforcement only


def cite(shooting, user, *numbers, restricted=False):
    return services.add_note(shooting, user, Note.Kind.FIREARM, {"nibin_leads": list(numbers)}, restricted=restricted)


def work_url(work: LeadAssignment) -> str:
    return f"/cases/nibin/{work.lead_id}/work/{work.pk}/"


def post_work(client, work: LeadAssignment, headers=None, **fields):
    data = {"investigator": "", "state": work.state, "outcome": "", "outcome_note": "", "version": work.version}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(work_url(work), data, headers=headers or {})


@pytest.fixture
def hit(investigator, atf_agent, supervisor):
    """A hit that joins two cases led by two people."""
    a = make_shooting(investigator, lead_investigator=investigator)
    b = make_shooting(investigator, lead_investigator=supervisor)
    cite(a, atf_agent, "RB-2026-0701")
    cite(b, atf_agent, "RB-2026-0701")
    lead = NibinLead.objects.get(number="RB-2026-0701")
    lead = services.update_nibin_lead(lead, atf_agent, {"status": NibinLead.Status.HIT})
    return lead, a, b


def test_a_lead_joining_a_case_opens_its_work_once_with_the_lead_investigator_proposed(hit, investigator, supervisor):
    lead, a, b = hit
    cite(a, investigator, "RB-2026-0701")  # cited again on the same case
    work = {w.shooting_id: w for w in LeadAssignment.objects.filter(lead=lead)}
    assert set(work) == {a.pk, b.pk}
    assert work[a.pk].investigator == investigator and work[b.pk].investigator == supervisor
    assert {w.state for w in work.values()} == {LeadAssignment.State.NEW}


def test_assigning_working_and_recording_the_outcome_without_javascript(client_for, hit, atf_agent, investigator):
    lead, a, _ = hit
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    client = client_for(atf_agent)
    response = post_work(client, work, investigator=investigator.pk, state="assigned")
    assert response.status_code == 302 and response["Location"] == f"/cases/nibin/{lead.pk}/"
    work.refresh_from_db()
    assert work.state == "assigned" and work.assigned_at is not None
    post_work(client, work, investigator=investigator.pk, state="investigating")
    work.refresh_from_db()
    response = post_work(
        client, work, investigator=investigator.pk, state="investigating", outcome="arrest", outcome_note=NOTE_WORD
    )
    work.refresh_from_db()
    assert (work.state, work.outcome, work.outcome_note) == ("done", "arrest", NOTE_WORD)
    assert work.started_at and work.outcome_at
    history = list(LeadChange.objects.filter(assignment=work).order_by("pk").values_list("changes", flat=True))
    assert [sorted(h) for h in history] == [["state"], ["state"], ["outcome", "outcome_note", "state"]]
    assert LeadChange.objects.filter(assignment=work).first().changed_by == atf_agent
    audit = AuditEvent.objects.filter(event="nibin.work", object_id=str(work.pk))
    assert audit.count() == 3 and {row.case_id for row in audit} == {a.pk}
    html = client.get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert "Outcome recorded" in html and f"Arrest: {NOTE_WORD}" in html
    assert "State New (not yet assigned) → Assigned" in html


def test_the_work_form_over_htmx_answers_its_row(client_for, hit, atf_agent, investigator):
    lead, a, _ = hit
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    response = post_work(client_for(atf_agent), work, headers=HTMX, investigator=investigator.pk, state="assigned")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="work-{work.pk}"')
    assert "Assigned" in html and "saved" in html
    assert 'class="card lead-work-row" tabindex="-1" autofocus' in html  # focus stays on the row
    assert "<html" not in html


def test_an_outcome_is_needed_and_what_was_typed_is_kept(client_for, hit, atf_agent, investigator):
    lead, a, _ = hit
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    response = post_work(client_for(atf_agent), work, investigator=investigator.pk, state="done", outcome_note="typed")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose what came of the lead." in html
    assert "typed</textarea>" in html
    work.refresh_from_db()
    assert work.state == "new"


def test_moving_unassigned_work_on_is_refused_beside_the_field(client_for, hit, atf_agent):
    lead, a, _ = hit
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    html = post_work(client_for(atf_agent), work, state="investigating").content.decode()
    assert f'id="work{work.pk}_investigator_error"' in html
    assert "Choose who investigates this lead" in html


def test_a_change_made_meanwhile_is_not_overwritten(client_for, hit, atf_agent, investigator, supervisor):
    lead, a, _ = hit
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    stale = work.version
    lead_work.change_work(work, supervisor, investigator=supervisor, state="assigned", version=stale)
    html = post_work(
        client_for(atf_agent), work, investigator=investigator.pk, state="investigating", version=stale
    ).content.decode()
    assert "Someone else changed this" in html
    work.refresh_from_db()
    assert (work.investigator, work.state) == (supervisor, "assigned")
    assert f'name="version" value="{work.version}"' in html


def test_triage_sets_the_priority_with_its_reason_and_keeps_history(client_for, hit, atf_agent):
    lead, _, _ = hit
    client = client_for(atf_agent)
    response = client.post(
        f"/cases/nibin/{lead.pk}/triage/",
        {"priority": "high", "priority_reason": "Same gun in two homicides", "version": lead.version},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    # Version 2 was the examiner's hit (a status change is a new version of the lead too).
    assert (lead.priority, lead.priority_reason, lead.version) == ("high", "Same gun in two homicides", 3)
    assert LeadChange.objects.get(lead=lead, assignment=None).changes["priority"] == ["Routine", "High"]
    stale = client.post(f"/cases/nibin/{lead.pk}/triage/", {"priority": "routine", "version": 2})
    assert "Someone else changed this" in stale.content.decode()
    lead.refresh_from_db()
    assert lead.priority == "high"


def test_advocates_never_see_the_work_nor_reach_its_forms(client_for, advocate, hit, atf_agent, investigator):
    lead, a, _ = hit
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    lead_work.change_work(
        work, atf_agent, investigator=investigator, state="done", outcome="arrest", outcome_note=NOTE_WORD, version=1
    )
    client = client_for(advocate)
    for url in ["/cases/nibin/", f"/cases/nibin/{lead.pk}/"]:
        html = client.get(url).content.decode()
        assert "RB-2026-0701" in html
        for word in [NOTE_WORD, "Arrest", "Outcome recorded", "Queue", "Work on each case", "Priority"]:
            assert word not in html, (url, word)
    for url in [work_url(work), f"/cases/nibin/{lead.pk}/triage/"]:
        assert client.post(url, {"state": "new", "version": 9}).status_code == 404
    assert AuditEvent.objects.filter(actor_id=advocate.pk, outcome="refused").count() == 2
    work.refresh_from_db()
    assert work.outcome_note == NOTE_WORD


def test_prosecutors_see_the_work_but_do_not_change_it(client_for, prosecutor, hit, atf_agent, investigator):
    lead, a, _ = hit
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    lead_work.change_work(work, atf_agent, investigator=investigator, state="assigned", version=1)
    client = client_for(prosecutor)
    html = client.get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert "Work on each case" in html and "Assigned" in html
    assert f'action="{work_url(work)}"' not in html
    assert post_work(client, work, state="new").status_code == 404


def test_work_on_a_case_whose_note_another_agency_restricted_is_not_shown(client_for, outsider, investigator):
    shooting = make_shooting(investigator, lead_investigator=investigator)
    cite(shooting, investigator, "RB-2026-0801", restricted=True)
    cite(make_shooting(investigator), investigator, "RB-2026-0801")
    # A restricted trace links nothing, so it opens no work either.
    assert not LeadAssignment.objects.filter(shooting=shooting).exists()
    html = client_for(outsider).get("/cases/nibin/").content.decode()
    assert shooting.report_number not in html


def test_work_whose_only_citation_on_its_case_was_restricted_since_is_not_shown(client_for, investigator, atf_agent):
    # Work is opened by a citation everyone may see and stays when that note is later restricted
    # to its agency: the work must then go out of sight on that case, like the citation, while
    # the lead's work on another case, and another lead's work on the same case, stay in sight.
    first, second = make_shooting(investigator), make_shooting(investigator)
    note = cite(first, investigator, "RB-2026-0811")
    cite(first, investigator, "RB-2026-0812")
    cite(second, investigator, "RB-2026-0811")
    lead = NibinLead.objects.get(number="RB-2026-0811")
    work = LeadAssignment.objects.get(lead=lead, shooting=first)
    client = client_for(atf_agent)
    assert work_url(work) in client.get(f"/cases/nibin/{lead.pk}/").content.decode()

    services.revise_note(note, investigator, note.fields, restricted=True)

    html = client.get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert work_url(work) not in html and first.report_number not in html
    assert work_url(LeadAssignment.objects.get(lead=lead, shooting=second)) in html
    other = LeadAssignment.objects.get(lead__number="RB-2026-0812", shooting=first)
    assert work_url(other) in client.get(f"/cases/nibin/{other.lead_id}/").content.decode()
    assert post_work(client, work, state="assigned").status_code == 404


def test_the_queue_shows_unassigned_late_and_who_holds_what(client_for, coordinator, investigator, supervisor):
    with time_machine.travel(timezone.now() - timedelta(hours=30), tick=False):
        old = make_shooting(investigator, lead_investigator=investigator)
        cite(old, investigator, "RB-2026-0901")
    with time_machine.travel(timezone.now() - timedelta(hours=60), tick=False):
        older = make_shooting(investigator, lead_investigator=supervisor)
        cite(older, investigator, "RB-2026-0902")
    fresh = make_shooting(investigator, lead_investigator=supervisor)
    cite(fresh, investigator, "RB-2026-0903")
    late_assigned = LeadAssignment.objects.get(shooting=older)
    lead_work.change_work(late_assigned, coordinator, investigator=supervisor, state="assigned", version=1)
    client = client_for(coordinator)
    html = client.get("/cases/nibin/").content.decode()
    assert "<strong>3</strong> open, <strong>2</strong> unassigned, <strong>2</strong> past the goal" in html
    queue = html[html.index('id="lead-queue"') : html.index("By investigator")]
    # Past the goal first (unassigned after a day, not worked after two), the fresh one last.
    assert queue.index(older.report_number) < queue.index(fresh.report_number)
    assert queue.index(old.report_number) < queue.index(fresh.report_number)
    by_person = html[html.index("By investigator") : html.index("How fast")]
    assert by_person.count("<tr>") == 3  # header and two people
    unassigned = client.get("/cases/nibin/?work=unassigned").content.decode()
    unassigned_queue = unassigned[unassigned.index('id="lead-queue"') : unassigned.index("By investigator")]
    assert old.report_number in unassigned_queue and older.report_number not in unassigned_queue
    late = client.get("/cases/nibin/?work=late").content.decode()
    late_queue = late[late.index('id="lead-queue"') : late.index("By investigator")]
    assert fresh.report_number not in late_queue and older.report_number in late_queue


def test_median_times_to_assignment_and_outcome_this_year_and_last(client_for, coordinator, investigator):
    tz = timezone.get_current_timezone()
    for year, hours in [(2025, [10, 30]), (2026, [4, 6, 20])]:
        for n, h in enumerate(hours):
            joined = datetime(year, 3, 1, 9, tzinfo=tz)
            with time_machine.travel(joined, tick=False):
                shooting = make_shooting(investigator, lead_investigator=investigator)
                cite(shooting, investigator, f"RB-{year}-{n:04d}")
            work = LeadAssignment.objects.get(shooting=shooting)
            with time_machine.travel(joined + timedelta(hours=h), tick=False):
                work = lead_work.change_work(work, coordinator, investigator=investigator, state="assigned", version=1)
            with time_machine.travel(joined + timedelta(hours=2 * h), tick=False):
                lead_work.change_work(
                    work, coordinator, investigator=investigator, state="done", outcome="gun_recovered", version=2
                )
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=tz), tick=False):
        html = client_for(coordinator).get("/cases/nibin/").content.decode()
    table = html[html.index("How fast") :]
    assert '<th scope="row">2026</th>' in table and '<th scope="row">2025</th>' in table
    this_year = table[table.index("2026</th>") : table.index("2025</th>")]
    last_year = table[table.index("2025</th>") :]
    assert "6.0 hours" in this_year and "12.0 hours" in this_year  # medians of 4, 6, 20 and of twice those
    assert "20.0 hours" in last_year and "40.0 hours" in last_year


def test_the_list_queries_do_not_grow_with_work(client_for, atf_agent, investigator, django_assert_max_num_queries):
    for i in range(25):
        cite(make_shooting(investigator, lead_investigator=investigator), atf_agent, f"RB-2026-3{i % 6:03d}")
    client = client_for(atf_agent)
    # session, user, the viewer's agency; the page's count and rows; their cases' report numbers;
    # the turnaround summary; the queue's counts, rows, people and medians; the audit row
    # (insert; on SQLite the last hash first)
    with django_assert_max_num_queries(14):
        html = client.get("/cases/nibin/").content.decode()
    assert "<strong>25</strong> open" in html


def test_the_lead_page_queries_do_not_grow_with_work(
    client_for, atf_agent, investigator, supervisor, django_assert_max_num_queries
):
    for i in range(10):
        lead = investigator if i % 2 else supervisor
        cite(make_shooting(investigator, lead_investigator=lead), atf_agent, "RB-2026-4000")
    lead = NibinLead.objects.get(number="RB-2026-4000")
    client = client_for(atf_agent)
    # session, user, the viewer's agency; the lead; its cases; the work on them; the people to
    # assign (eligible, and current holders who no longer are); the history; the audit row
    # (insert; on SQLite the last hash first, the cases it shows)
    with django_assert_max_num_queries(13):
        html = client.get(f"/cases/nibin/{lead.pk}/").content.decode()
    assert html.count('class="card lead-work-row"') == 10


def test_a_status_saved_with_htmx_hands_the_priority_form_the_leads_new_version(client_for, hit, atf_agent):
    lead, _, _ = hit
    client = client_for(atf_agent)
    sent = {"status": NibinLead.Status.EXCLUDED, "version": lead.version}
    response = client.post(f"/cases/nibin/{lead.pk}/", sent, headers=HTMX)
    lead.refresh_from_db()
    html = response.content.decode()
    assert 'id="triage-panel"' in html and 'hx-swap-oob="true"' in html
    assert f'name="version" value="{lead.version}"' in html
    saved = client.post(f"/cases/nibin/{lead.pk}/triage/", {"priority": "high", "version": lead.version}, headers=HTMX)
    assert "Someone else changed this" not in saved.content.decode()
    lead.refresh_from_db()
    assert lead.priority == "high"


def test_the_work_of_one_lead_is_not_reached_under_another_leads_address(client_for, hit, atf_agent):
    # /cases/nibin/<lead>/work/<work>/: both numbers must name the same work, or a form posted
    # under one lead could move the work of another.
    lead, a, _b = hit
    cite(a, atf_agent, "RB-2026-0702")
    other = NibinLead.objects.get(number="RB-2026-0702")
    work = LeadAssignment.objects.get(lead=lead, shooting=a)
    client = client_for(atf_agent)

    assert client.get(work_url(work)).status_code == 302  # its own address: on to the lead page
    for url in [f"/cases/nibin/{other.pk}/work/{work.pk}/", f"/cases/nibin/{lead.pk}/work/999999/"]:
        response = client.post(url, {"state": "assigned", "version": work.version})
        assert response.status_code == 404, url
    work.refresh_from_db()
    assert work.state == LeadAssignment.State.NEW
