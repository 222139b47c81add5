"""The work on the demo's NIBIN leads, so that a new user finds a queue: a confirmed hit triaged
high and worked to outcomes, a late lead part assigned and part left alone, and a chained lead
nobody has picked up. Written through cases.lead_work, then dated back like the notes.

Idempotent: skipped once any demo lead has a recorded change.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import lead_work
from cases.models import LeadAssignment, LeadChange, NibinLead

from .shootings import CHAINED_LEAD, HIT_LEAD, LATE_LEAD

# For each lead, the work on its cases in the order they joined: (state, outcome, note, hours
# after joining that it was assigned, and that the outcome was recorded).
PLAN = {
    HIT_LEAD: [
        ("done", "arrest", "Arrested on the warrant the hit supported; interview on file.", 5, 9 * 24),
        ("investigating", "", "", 20, None),
        ("assigned", "", "", 30, None),
    ],
    LATE_LEAD: [
        ("done", "no_further_action", "Casings matched a gun already in evidence from a 2024 case.", 26, 15 * 24),
        ("assigned", "", "", 60, None),
        ("new", "", "", None, None),
    ],
    CHAINED_LEAD: [("new", "", "", None, None), ("new", "", "", None, None)],
}


def seed_demo_lead_work(users: dict[str, User]) -> int:
    """Record the demo leads' work; returns how many cases' work was changed."""
    leads = {lead.number: lead for lead in NibinLead.objects.filter(number__in=PLAN)}
    if not leads or LeadChange.objects.filter(lead__in=leads.values()).exists():
        return 0
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        hit = leads.get(HIT_LEAD)
        if hit is not None:
            lead_work.triage(
                hit, users["atf"], priority="high", reason="Confirmed hit joining three shootings", version=hit.version
            )
            LeadChange.objects.filter(lead=hit).update(changed_at=hit.created_at + timedelta(hours=2))
        for number, steps in PLAN.items():
            lead = leads.get(number)
            if lead is None:
                continue
            work = LeadAssignment.objects.filter(lead=lead).select_related("shooting").order_by("joined_at", "pk")
            for row, (state, outcome, note, assigned_after, concluded_after) in zip(work, steps, strict=False):
                if state == "new":
                    continue
                owner = row.shooting.lead_investigator or users["investigator"]
                row = lead_work.change_work(
                    row,
                    users["coordinator"],
                    investigator=owner,
                    state=state,
                    outcome=outcome,
                    outcome_note=note,
                    version=row.version,
                )
                assigned = min(row.joined_at + timedelta(hours=assigned_after), now)
                concluded = min(row.joined_at + timedelta(hours=concluded_after), now) if concluded_after else None
                LeadAssignment.objects.filter(pk=row.pk).update(
                    assigned_at=assigned,
                    started_at=assigned + timedelta(hours=4) if state in {"investigating", "done"} else None,
                    outcome_at=concluded,
                )
                LeadChange.objects.filter(assignment=row).update(changed_at=concluded or assigned)
                changed += 1
    return changed
