"""NIBIN lead work by mail: when a lead joins a case, its assigned investigator and the case's lead
investigator are told at once, exactly once, and reminded when the work stalls past the CGIC
goals. Planned in-process; delivered through a real worker to the loopback SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import lead_work
from cases import services as case_services
from cases.models import LeadAssignment, NibinLead, Note
from meetings.models import Reminder
from meetings.reminders import delivery, messages, planning
from meetings.tasks import sweep_reminders
from tests.factories import make_shooting
from tests.processes import wait_until

VICTIM = "Ottoline Ravensworth"
SUSPECT = "Barnaby Quickfallow"


def rows(kind):
    return Reminder.objects.filter(kind=kind)


def recipients(kind, occurrence=None) -> list[int]:
    found = rows(kind) if occurrence is None else rows(kind).filter(occurrence=occurrence)
    return sorted(found.values_list("recipient_id", flat=True))


def hit_on_two_cases(atf_agent, investigator, supervisor):
    a = make_shooting(investigator, lead_investigator=investigator, victims=[{"name": VICTIM, "age": 31, "sex": "F"}])
    b = make_shooting(investigator, lead_investigator=supervisor)
    case_services.add_note(a, investigator, Note.Kind.SUSPECT, {"name": SUSPECT})
    for shooting in (a, b):
        case_services.add_note(shooting, atf_agent, Note.Kind.FIREARM, {"nibin_leads": ["RB-2026-0555"]})
    lead = NibinLead.objects.get(number="RB-2026-0555")
    case_services.update_nibin_lead(lead, atf_agent, {"status": NibinLead.Status.HIT})
    return lead, a, b


@pytest.mark.django_db
def test_both_investigators_are_told_at_once_and_only_once(atf_agent, investigator, supervisor):
    hit_on_two_cases(atf_agent, investigator, supervisor)
    assert planning.plan_due() == 2
    assert planning.plan_due() == 0
    assert recipients(Reminder.Kind.NIBIN_JOINED) == sorted([investigator.pk, supervisor.pk])


@pytest.mark.django_db
def test_work_reassigned_tells_the_new_investigator(atf_agent, investigator, supervisor, coordinator):
    lead, a, _ = hit_on_two_cases(atf_agent, investigator, supervisor)
    planning.plan_due()
    work = LeadAssignment.objects.get(shooting=a)
    lead_work.change_work(work, supervisor, investigator=coordinator, state="assigned", version=1)
    planning.plan_due()
    assert recipients(Reminder.Kind.NIBIN_JOINED) == sorted([investigator.pk, supervisor.pk, coordinator.pk])


@pytest.mark.django_db
def test_unassigned_work_is_reminded_after_a_day_and_unworked_after_two(atf_agent, investigator, supervisor):
    lead, a, b = hit_on_two_cases(atf_agent, investigator, supervisor)
    joined = LeadAssignment.objects.get(shooting=a).joined_at
    with time_machine.travel(joined + timedelta(hours=23), tick=False):
        planning.plan_due()
        assert not rows(Reminder.Kind.NIBIN_STALLED).exists()
        # The work on case b is assigned in time; case a stays unassigned.
        work_b = LeadAssignment.objects.get(shooting=b)
        lead_work.change_work(work_b, supervisor, investigator=supervisor, state="assigned", version=1)
    with time_machine.travel(joined + timedelta(hours=25), tick=False):
        planning.plan_due()
        assert recipients(Reminder.Kind.NIBIN_STALLED, "24h") == [investigator.pk]
    with time_machine.travel(joined + timedelta(hours=49), tick=False):
        planning.plan_due()
        # Both are now past the 48-hour goal: a still unassigned, b assigned but not worked.
        assert recipients(Reminder.Kind.NIBIN_STALLED, "48h") == sorted([investigator.pk, supervisor.pk])
        stale_b = rows(Reminder.Kind.NIBIN_STALLED).get(recipient=supervisor)
        message = messages.compose(stale_b)
        assert message is not None and "assigned but not yet worked" in message.subject
        # Once someone works it, the reminder no longer applies when it is sent.
        work_b.refresh_from_db()
        lead_work.change_work(work_b, supervisor, investigator=supervisor, state="investigating", version=2)
        assert messages.compose(stale_b) is None


@pytest.mark.django_db
def test_an_excluded_lead_tells_and_reminds_nobody(atf_agent, investigator, supervisor):
    lead, _, _ = hit_on_two_cases(atf_agent, investigator, supervisor)
    case_services.update_nibin_lead(lead, atf_agent, {"status": NibinLead.Status.EXCLUDED})
    with time_machine.travel(timezone.now() + timedelta(hours=50), tick=False):
        assert planning.plan_due() == 0


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_mail_goes_out_once_through_the_worker_with_only_numbers_and_a_link(
    workers, smtp, atf_agent, investigator, supervisor, coordinator
):
    workers.start()
    lead, a, b = hit_on_two_cases(atf_agent, investigator, supervisor)
    sweep_reminders.delay()
    sent = lambda: rows(Reminder.Kind.NIBIN_JOINED).filter(state=Reminder.State.SENT).count() == 2  # noqa: E731
    assert wait_until(sent, timeout=60, on_tick=sweep_reminders.delay), workers.log()[-3000:]
    sweep_reminders.delay()
    assert wait_until(lambda: not Reminder.objects.filter(state__in=["pending", "claimed"]).exists(), timeout=30)
    messages = smtp.messages()
    assert sorted(m["To"] for m in messages) == sorted([investigator.email, supervisor.email])
    assert {m["Message-ID"] for m in messages} == {delivery.message_id(r) for r in rows(Reminder.Kind.NIBIN_JOINED)}
    for message in messages:
        raw = message.as_string()
        assert "RB-2026-0555" in message["Subject"]
        assert f"/cases/nibin/{lead.pk}/" in raw
        assert VICTIM not in raw and SUSPECT not in raw and a.address not in raw and b.address not in raw
    to_report = {m["To"]: m["Subject"] for m in messages}
    assert a.report_number in to_report[investigator.email] and b.report_number in to_report[supervisor.email]
    # The first mail is the investigators' notification: the CGIC turnaround stops there, and the
    # coordinators' "not yet notified" reminder no longer applies.
    lead.refresh_from_db()
    assert lead.notified_at is not None
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        planning.plan_due()
    turnaround = rows(Reminder.Kind.NIBIN_TURNAROUND)
    assert all(messages.compose(r) is None for r in turnaround)
