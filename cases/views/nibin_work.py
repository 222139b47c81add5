"""NIBIN leads as work: set a lead's priority, and assign, move on and conclude its work on each
case it joins. Forms post to these views; without JavaScript they redirect back to the lead's
page, with htmx they answer the part of the page they changed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.audit import annotate, showed_cases
from cases import access, detail, lead_work
from cases.focus import focus_first_error, status_region
from cases.lead_forms import TriageForm, WorkForm, triage_form, work_form
from cases.lead_queue import lead_history, lead_work_rows, work_row
from cases.models import NibinLead

CONFLICT = "Someone else changed this after you opened the page. It now shows their change; check it and save again."


def conflicted(form: forms.Form, version: int) -> None:
    """Keep what was typed, carry the current version so that saving again goes through."""
    form.data = form.data.copy()
    form.data["version"] = str(version)
    form.add_error(None, CONFLICT)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def nibin_triage(request: HttpRequest, lead_pk: int) -> HttpResponse:
    user = request.user
    lead = access.access_lead_to_triage(user, lead_pk, request)
    form = triage_form(lead)
    if request.method == "POST":
        form = triage_form(lead, request.POST)
        if form.is_valid():
            try:
                lead = lead_work.triage(
                    lead,
                    user,
                    priority=form.cleaned_data["priority"],
                    reason=form.cleaned_data["priority_reason"],
                    version=form.cleaned_data["version"],
                )
            except lead_work.LeadConflict:
                lead.refresh_from_db()
                conflicted(form, lead.version)
                annotate(request, detail={"edit_conflict": True})
            else:
                annotate(request, event="nibin.triage", object_type="nibin_lead", object_id=lead.pk)
                messages.success(request, f"Priority of lead {lead.number} saved.")
                if not request.htmx:
                    return redirect("cases:nibin_lead", lead_pk=lead.pk)
                form = triage_form(lead)
        else:
            focus_first_error(form)
    if not request.htmx:
        if request.method == "POST":
            return lead_page(request, lead, triage=form)
        return redirect("cases:nibin_lead", lead_pk=lead.pk)
    # After a save, the panel takes the focus that its replaced button had.
    saved = request.method == "POST" and not form.is_bound
    response = render(request, "cases/nibin_lead.html#triage_panel", {"lead": lead, "triage": form, "row_saved": saved})
    response.content += status_region(request).encode()
    return response


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def nibin_work(request: HttpRequest, lead_pk: int, work_pk: int) -> HttpResponse:
    user = request.user
    work = access.access_lead_work(user, lead_pk, work_pk, request)
    people = detail.assignable_people([work.investigator_id])
    form = work_form(work, people)
    if request.method == "POST":
        form = work_form(work, people, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                work = lead_work.change_work(
                    work,
                    user,
                    investigator=form.people.get(data["investigator"]),
                    state=data["state"],
                    outcome=data["outcome"],
                    outcome_note=data["outcome_note"],
                    version=data["version"],
                )
            except lead_work.LeadConflict:
                work.refresh_from_db()
                conflicted(form, work.version)
                annotate(request, detail={"edit_conflict": True})
            else:
                annotate(
                    request,
                    event="nibin.work",
                    object_type="lead_assignment",
                    object_id=work.pk,
                    case_id=work.shooting_id,
                    detail={"state": work.state, "outcome": work.outcome},
                )
                messages.success(request, f"Lead {work.lead.number} on case {work.shooting.report_number} saved.")
                if not request.htmx:
                    return redirect("cases:nibin_lead", lead_pk=work.lead_id)
                form = work_form(work, people)
        else:
            focus_first_error(form)
    if not request.htmx:
        if request.method == "POST":
            # Without JavaScript, the form with its errors, on the lead's page.
            return lead_page(request, work.lead, work_forms={work.pk: form})
        return redirect("cases:nibin_lead", lead_pk=work.lead_id)
    # After a save, the row takes the focus that its replaced button had.
    saved = request.method == "POST" and not form.is_bound
    context = {"row": work_row(work, timezone.now()), "lead": work.lead, "form": form, "row_saved": saved}
    response = render(request, "cases/nibin_lead.html#work_row", context)
    response.content += status_region(request).encode()
    return response


def lead_page(
    request: HttpRequest,
    lead: NibinLead,
    *,
    form: forms.Form | None = None,
    saved: bool = False,
    triage: TriageForm | None = None,
    work_forms: dict[int, WorkForm] | None = None,
    partial: str = "",
) -> HttpResponse:
    """The lead's page (or one of its partials): its cases, and for those who may see it the work
    on each case, with the forms of those who manage leads.

    Queries: the cases; the work on them; the history; and with forms the people to assign."""
    user = request.user
    now = timezone.now()
    shootings = access.lead_shootings(lead, user)
    # The lead's cases, with their kind, date and address: each goes on the request's audit row.
    showed_cases(request, [shooting.pk for shooting in shootings])
    rows = lead_work_rows(lead, user, now)
    can_manage = access.can_manage_nibin(user)
    forms_by_work = dict(work_forms or {})
    if can_manage and rows:
        people = detail.assignable_people([row.work.investigator_id for row in rows])
        for row in rows:
            forms_by_work.setdefault(row.work.pk, work_form(row.work, people))
    limited = access.is_advocate(user)
    context = {
        "nav": "cases",
        "lead": lead,
        "timing": detail.lead_timing(lead, now),
        "shootings": shootings,
        "form": form,
        "limited": limited,
        "saved": saved,
        "goal_hours": detail.NIBIN_GOAL_HOURS,
        "work_rows": [(row, forms_by_work.get(row.work.pk)) for row in rows],
        "triage": (triage or triage_form(lead)) if can_manage else None,
        "history": [] if limited else list(lead_history(lead, [row.work.pk for row in rows])[:50]),
    }
    return render(request, f"cases/nibin_lead.html{partial}", context)
