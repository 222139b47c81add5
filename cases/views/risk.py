"""The risk follow-up: the list of people at risk of retaliation, the contacts recorded on a
person's page (the "Risk follow-up" section and its form) and the correction of a contact.

Without JavaScript the form posts and the page comes back (redirect, or the page with the
form's errors); with htmx only the section is swapped and the status region says what was done.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.audit import annotate, showed_cases

from ..access import sees_investigative_detail
from ..focus import announce, focus_first_error
from ..people import access, risk, risk_services
from ..people.risk_pages import correction_form, risk_section
from .people import person_page_response

SECTION = "cases/people/_risk_follow_up.html"


@require_safe
def people_at_risk(request: HttpRequest) -> HttpResponse:
    risk.access_people_at_risk(request.user, request)
    entries = risk.people_at_risk(request.user)
    showed_cases(request, {e.shooting_id for e in entries})
    context = {"nav": "people", "entries": entries, "user_sees_associates": sees_investigative_detail(request.user)}
    return render(request, "cases/people_at_risk.html", context)


def _section_html(request: HttpRequest, section) -> str:
    return render_to_string(SECTION, {"risk": section}, request)


@require_POST
def record_contact(request: HttpRequest, person_pk: int) -> HttpResponse:
    user = request.user
    person = access.access_person(user, person_pk, request)
    section = risk_section(person, user, request.POST)
    form = section.form if section else None
    if form is None:
        # Not at risk as far as this user may know, or not theirs to record: the lookup refuses.
        risk.access_role_to_follow_up(user, person, request.POST.get("shooting"), request)
    # The form offers only the shootings and kinds this user may record.
    if not form.is_valid():
        focus_first_error(form)
        if request.htmx:
            return HttpResponse(_section_html(request, section))
        return person_page_response(request, person, risk=section)
    role = risk.access_role_to_follow_up(user, person, form.cleaned_data["shooting"], request)
    contact = risk_services.record_contact(role, user, form.cleaned_data)
    annotate(request, event="risk.contact", object_type="risk_contact", object_id=contact.pk, case_id=role.shooting_id)
    message = f"{contact.get_kind_display()} of {contact.contacted_on:%d %b %Y} recorded."
    if request.htmx:
        return HttpResponse(_section_html(request, risk_section(person, user)) + announce(request, message))
    messages.success(request, message)
    return redirect(f"{person.get_absolute_url()}#risk-follow-up")


@require_http_methods(["GET", "HEAD", "POST"])
def correct_contact(request: HttpRequest, contact_pk: int) -> HttpResponse:
    user = request.user
    contact = risk.access_contact_to_correct(user, contact_pk, request)
    form = correction_form(contact, user, request.POST if request.method == "POST" else None)
    showed_cases(request, {contact.shooting_id})
    if request.method == "POST" and form.is_valid():
        try:
            withdraw = form.cleaned_data["withdraw"]
            new = risk_services.correct_contact(contact, user, form.cleaned_data, withdraw=withdraw)
        except risk_services.AlreadyCorrected:
            form.add_error(None, "Someone corrected this record first: look at it again on the person's page.")
        else:
            annotate(
                request, event="risk.correct", object_type="risk_contact", object_id=new.pk, case_id=new.shooting_id
            )
            messages.success(request, "Withdrawn." if new.withdrawn else "Correction recorded.")
            return redirect(f"{contact.role.person.get_absolute_url()}#risk-follow-up")
    focus_first_error(form)
    context = {"nav": "people", "contact": contact, "form": form, "person_pk": contact.role.person_id}
    return render(request, "cases/risk_contact_correct.html", context)
