"""The demo shows NIBIN leads as work in every state, so that a new user finds a queue."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from cases.models import LeadAssignment, LeadChange, NibinLead, Note
from demo import shootings as demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_the_demo_leads_are_worked_in_every_state(seeded):
    states = set(LeadAssignment.objects.values_list("state", flat=True))
    assert states == set(LeadAssignment.State.values)
    assert NibinLead.objects.get(number=demo.HIT_LEAD).priority == NibinLead.Priority.HIGH
    done = LeadAssignment.objects.filter(state="done")
    assert all(w.outcome and w.assigned_at and w.joined_at < w.assigned_at < w.outcome_at for w in done)
    # Each lead joined its case when the firearm note citing it was written, weeks ago.
    for work in LeadAssignment.objects.all():
        firearms = Note.objects.filter(shooting=work.shooting, kind="firearm")
        cited = [n for n in firearms if work.lead.number in (n.fields.get("nibin_leads") or [])]
        assert work.joined_at == min(n.created_at for n in cited)


def test_a_new_user_finds_the_queue_on_the_nibin_page(seeded, client):
    client.force_login(User.objects.get(username="coordinator"))
    html = client.get("/cases/nibin/").content.decode()
    assert "past the goal" in html and "(proposed)" in html
    assert "Being investigated" in html and "Assigned" in html
    assert "n/a" in html  # last year, before the demo's ten weeks
    assert html.count(' hours <span class="muted">(') >= 2  # this year's medians


def test_seeding_again_changes_no_work(seeded):
    before = list(LeadAssignment.objects.order_by("pk").values()), list(LeadChange.objects.order_by("pk").values())
    call_command("seed_demo", verbosity=0)
    after = list(LeadAssignment.objects.order_by("pk").values()), list(LeadChange.objects.order_by("pk").values())
    assert after == before
