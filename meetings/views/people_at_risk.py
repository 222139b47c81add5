"""The agenda's "People at risk with no contact yet": the people at risk of retaliation whom
nobody has reached, as the viewer may see them (cases/people/risk.py), loaded into its slot on
the meeting page by htmx, or opened as a page of its own without JavaScript.

Live, also on a frozen or held agenda: it is a list to act on, and a frozen copy would name as
"not yet contacted" people reached since. Not in the printed packets, which are frozen drawings.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.audit import showed_cases
from cases.access import sees_investigative_detail
from cases.people import risk

from ..access import access_meeting


@require_safe
@vary_on_headers("HX-Request")
def people_at_risk(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request)
    risk.access_people_at_risk(request.user, request)
    entries = risk.people_at_risk(request.user, awaiting_only=True)
    showed_cases(request, {e.shooting_id for e in entries})
    context = {
        "meeting": meeting,
        "nav": "meetings",
        "entries": entries,
        "user_sees_associates": sees_investigative_detail(request.user),
    }
    if request.htmx:
        return render(request, "meetings/_people_at_risk.html", context)
    return render(request, "meetings/people_at_risk.html", context)
