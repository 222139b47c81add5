"""Who has seen a case (for supervisors): every person the audit trail shows it was shown to, where,
and whether what they saw could hold a witness's identity. Its address stays among the audit
pages (/accounts/audit/cases/<pk>/, in shootreview.urls), beside the audit log that links to it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import audit
from accounts.models import AuditEvent, AuditEventCase, User

from .. import access
from ..models import Note

# Where a person saw a case, by the view their request was served by, and whether what it
# showed could hold a witness's identity (the list, its export and the minutes hold no notes).
SEEN_ON = {
    "cases:list": ("case list", False),
    "cases:export": ("case list export", False),
    "meetings:detail": ("agenda", True),
    "meetings:minutes": ("minutes", False),
    "meetings:my_items": ("action items", False),
}


def _seen_on(event: AuditEvent) -> tuple[str, bool]:
    """Where `event` showed the case, and whether that could hold a witness's identity: the case
    page and its notes, the agenda and its packets but the one for advocates and community
    partners."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    view = str(detail.get("view", ""))
    if event.event == "meetings.print":
        audience = str(detail.get("audience", ""))
        agenda = detail.get("document") == "agenda"
        label = "agenda packet" if agenda else "printed minutes"
        return f"{label} ({audience.replace('_', ' ')})", agenda and audience != "community"
    if view in SEEN_ON:
        return SEEN_ON[view]
    if view.startswith("cases:"):
        return "case page", True
    if view.startswith("meetings:agenda"):
        return "agenda", True
    return view or event.event, False


def case_viewers(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has seen this case, where, and who of them could see its witnesses' identities: every
    view of the case or one of its notes, and every agenda page, packet and minutes that showed it."""
    shooting = access.access_audited_shooting(request, pk)
    seen = AuditEvent.objects.filter(case_id=pk, outcome=AuditEvent.Outcome.SUCCESS, detail__method="GET")
    shown = AuditEventCase.objects.filter(case_id=pk).order_by().values("event_id")
    views = AuditEvent.objects.filter(pk__in=seen.order_by().values("pk").union(shown)).order_by("-id")
    witness_note_ids = {
        str(i) for i in Note.objects.filter(shooting_id=pk, kind=Note.Kind.WITNESS).values_list("pk", flat=True)
    }
    people: dict[int | None, dict] = {}
    actor_ids = set()
    for event in views[:5000]:
        entry = people.setdefault(
            event.actor_id,
            {
                "username": event.actor_username,
                "name": event.actor_name,
                "views": 0,
                "first": event.at,
                "last": event.at,
                "witness_views": 0,
                "seen_on": set(),
                "could_show_witnesses": False,
            },
        )
        entry["views"] += 1
        entry["first"] = min(entry["first"], event.at)
        entry["last"] = max(entry["last"], event.at)
        where, with_notes = _seen_on(event)
        entry["seen_on"].add(where)
        entry["could_show_witnesses"] |= with_notes
        if event.object_type == "note" and event.object_id in witness_note_ids:
            entry["witness_views"] += 1
        actor_ids.add(event.actor_id)
    # Whether the viewer could see witness identities is decided by their role then; their role
    # now is the best record the app holds besides the event itself.
    users = {u.pk: u for u in User.objects.filter(pk__in=actor_ids).select_related("agency")}
    for actor_id, entry in people.items():
        user = users.get(actor_id)
        entry["agency"] = user.agency.name if user and user.agency else ""
        entry["role"] = user.get_role_display() if user else ""
        entry["seen_on"] = sorted(entry["seen_on"])
        entry["sees_witnesses"] = (
            bool(user and access.sees_investigative_detail(user))
            and bool(witness_note_ids)
            and entry["could_show_witnesses"]
        )
    audit.annotate(request, event="audit.case_viewers", object_type="shooting", object_id=pk, case_id=pk)
    return render(
        request,
        "cases/case_viewers.html",
        {
            "shooting": shooting,
            "people": sorted(people.values(), key=lambda e: e["last"], reverse=True),
            "nav": "audit",
        },
    )
