"""A NIBIN lead report imported from a file tells the investigators of the cases it joins exactly
as a lead cited by hand does: one mail each through a real worker to the loopback SMTP server,
and none again when the same file is imported a second time."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.feeds.nibin import import_nibin_leads
from cases.models import NibinLead
from meetings.models import Reminder
from meetings.reminders import delivery
from meetings.tasks import sweep_reminders
from tests.factories import make_shooting
from tests.processes import wait_until

VICTIM = "Ottoline Ravensworth"
LEAD_REPORT = (
    "lead_number,lead_date,case_numbers,result,examiner\n"
    "RB-2026-0880,{date},RB26009301;RB26009302,hit,Firearms Examiner Dahl\n"
)


def joined() -> Reminder:
    return Reminder.objects.filter(kind=Reminder.Kind.NIBIN_JOINED)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_investigators_are_mailed_once_and_a_re_import_mails_nobody(
    workers, smtp, atf_agent, investigator, supervisor
):
    workers.start()
    a = make_shooting(
        investigator, report_number="RB26009301", lead_investigator=investigator, victims=[{"name": VICTIM}]
    )
    b = make_shooting(investigator, report_number="RB26009302", lead_investigator=supervisor)
    text = LEAD_REPORT.format(date=timezone.localdate().isoformat())
    assert import_nibin_leads(text, user=atf_agent).applied

    sweep_reminders.delay()
    sent = lambda: joined().filter(state=Reminder.State.SENT).count() == 2  # noqa: E731
    assert wait_until(sent, timeout=60, on_tick=sweep_reminders.delay), workers.log()[-3000:]

    again = import_nibin_leads(text, user=atf_agent)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1}
    sweep_reminders.delay()
    assert wait_until(lambda: not Reminder.objects.filter(state__in=["pending", "claimed"]).exists(), timeout=30)

    messages = smtp.messages()
    assert sorted(m["To"] for m in messages) == sorted([investigator.email, supervisor.email])
    assert {m["Message-ID"] for m in messages} == {delivery.message_id(r) for r in joined()}
    lead = NibinLead.objects.get(number="RB-2026-0880")
    for message in messages:
        raw = message.as_string()
        assert "RB-2026-0880" in message["Subject"] and f"/cases/nibin/{lead.pk}/" in raw
        assert VICTIM not in raw and a.address not in raw and b.address not in raw
    # The first mail is the notification the CGIC turnaround counts to.
    lead.refresh_from_db()
    assert lead.notified_at is not None
