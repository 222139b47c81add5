"""NIBIN leads: the list with turnaround against the CGIC goal, and one lead with its cases, where
those who manage leads record the examiner's answer (hit or excluded) and the times.

A lead is shown to whoever may see a firearm-trace note citing it, with only the cases whose
notes they may see. Advocates see lead numbers and report numbers only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.audit import annotate
from cases import access, detail, lead_work, services
from cases.focus import focus_first_error, status_region
from cases.lead_forms import lead_form, triage_form
from cases.lead_queue import FILTERS, lead_queue
from cases.models import NibinLead
from cases.views.nibin_work import conflicted, lead_page

PAGE_SIZE = 50


@require_safe
def nibin_list(request: HttpRequest) -> HttpResponse:
    """Queries: the page's count and rows, the report numbers of their cases, and (for everyone
    but advocates) the turnaround summary over every lead in the list and the queue of work
    (cases.lead_queue.lead_queue)."""
    user = request.user
    leads = access.access_lead_list(user, request)
    status = request.GET.get("status", "")
    if status in NibinLead.Status.values:
        leads = leads.filter(status=status)
    else:
        status = ""
    page = Paginator(leads.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    cases = access.lead_case_numbers([lead.number for lead in page], user)
    now = timezone.now()
    limited = access.is_advocate(user)
    context = {
        "nav": "cases",
        "page": page,
        "rows": [(lead, detail.lead_timing(lead, now), cases[lead.number]) for lead in page],
        "summary": None if limited else detail.nibin_summary(leads),
        "limited": limited,
        "status": status,
        "statuses": NibinLead.Status.choices,
        "goal_hours": detail.NIBIN_GOAL_HOURS,
        # The queue of work heads the unfiltered list only: the filters and pages are about leads.
        "queue": None if limited or status or page.number > 1 else lead_queue(user, now, request.GET.get("work", "")),
        "queue_filters": FILTERS,
        "can_import_feeds": access.can_import_feeds(user),
    }
    return render(request, "cases/nibin_list.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def nibin_lead(request: HttpRequest, lead_pk: int) -> HttpResponse:
    user = request.user
    lead = access.access_lead(user, lead_pk, request)
    can_manage = access.can_manage_nibin(user)
    form = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only investigators, agents, coordinators and supervisors manage NIBIN leads.")
        form = lead_form(lead, request.POST)
        if form.is_valid():
            try:
                lead = services.change_lead_by_hand(lead, user, form.cleaned_data, version=form.cleaned_data["version"])
            except lead_work.LeadConflict as conflict:
                lead = conflict.current
                conflicted(form, lead.version)
                annotate(request, detail={"edit_conflict": True})
            else:
                messages.success(request, f"Lead {lead.number} saved.")
                if not request.htmx:
                    return redirect("cases:nibin_lead", lead_pk=lead.pk)
                form = None
        if form is not None:
            focus_first_error(form)
    if can_manage and form is None:
        form = lead_form(lead)
    saved = request.method == "POST" and form is not None and not form.is_bound
    if request.htmx:
        response = lead_page(request, lead, form=form, saved=saved, partial="#lead_panel")
        if saved:
            # A saved status or time is a new version of the lead: the priority form takes it,
            # or saving the priority next would be refused as someone else's change.
            triage = {"lead": lead, "triage": triage_form(lead), "oob": True}
            response.content += render_to_string("cases/nibin_lead.html#triage_panel", triage, request).encode()
        # The message goes to the page's status region, which announces it.
        response.content += status_region(request).encode()
        return response
    return lead_page(request, lead, form=form, saved=saved)
