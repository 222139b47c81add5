"""The case detail page and the edits made on it: status, counting and flags, victims, manual links.

Each section of the page is a named partial of cases/case_detail.html. An htmx request gets the
section it acted on and, out of band, the sections that may have changed with it (header,
indicators, history…); a plain POST redirects back to the page with a message. Invalid input
re-renders the form with the errors beside the fields and what was typed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.models import User
from cases import access, detail, services
from cases.focus import announce, focus_first_error
from cases.forms import LinkForm, QuickEditForm, UnlinkForm, VictimDeathForm, VictimForm
from cases.kept_pages import kept_page
from cases.meeting_history import reviews_section
from cases.models import Shooting, ShootingChange
from cases.people import access as people_access
from cases.people.pages import case_associates, chosen_person_pk, match_context

TEMPLATE = "cases/case_detail.html"
# The sections a change to the case can alter, refreshed out of band after an htmx edit.
CASE_SECTIONS = ["case_head", "indicators", "facts", "victims", "links", "leads", "history"]


# --- Rendering --------------------------------------------------------------------------------


def _case(user: User, pk: int, request: HttpRequest) -> Shooting:
    return access.access_shooting(user, pk, request, queryset=Shooting.objects.select_related("lead_investigator"))


def _context(case: detail.CaseView, **extra) -> dict:
    context = {"case": case, "nav": "cases"}
    if case.can_edit:
        context["victim_form"] = VictimForm.for_case(shooting=case.shooting)
        context["link_form"] = LinkForm(shooting=case.shooting, user=case.user)
    context.update(extra)
    return context


def render_page(request: HttpRequest, case: detail.CaseView, **extra) -> HttpResponse:
    # The meetings' record of the case, drawn by the meetings app; on the whole page only (no
    # edit here changes it). `?reviews=all` is the "Show all reviews" link without JavaScript.
    reviews = reviews_section(case.shooting, case.user, show_all=request.GET.get("reviews") == "all")
    associates = case_associates(case.shooting, case.user)
    return render(request, TEMPLATE, _context(case, reviews=reviews, associates=associates, **extra))


def render_parts(request: HttpRequest, main: str | None, case: detail.CaseView, oob=(), **extra) -> str:
    """The `main` partial, then each of `oob` marked for an out-of-band swap."""
    context = _context(case, **extra)
    html = [render_to_string(f"{TEMPLATE}#{main}", context, request)] if main else []
    for name in oob:
        if name != main:
            html.append(render_to_string(f"{TEMPLATE}#{name}", {**_context(case), "oob": True}, request))
    return "".join(html)


def _done(request: HttpRequest, pk: int, main: str, message: str) -> HttpResponse:
    """After a successful edit: the refreshed sections for htmx, otherwise back to the page."""
    if request.htmx:
        case = detail.case_view(_case(request.user, pk, request), request.user)
        # The section takes the focus its form had; the message is announced.
        html = render_parts(request, main, case, oob=CASE_SECTIONS, focus=True)
        return HttpResponse(html + announce(request, message))
    messages.success(request, message)
    return redirect(f"{Shooting(pk=pk).get_absolute_url()}#{main}")


def _show(request: HttpRequest, shooting: Shooting, main: str, **forms_and_flags) -> HttpResponse:
    case = detail.case_view(shooting, request.user)
    for value in forms_and_flags.values():
        if isinstance(value, forms.Form):
            focus_first_error(value)
    if request.htmx:
        return HttpResponse(render_parts(request, main, case, **forms_and_flags))
    return render_page(request, case, **forms_and_flags)


def _require_edit(user: User) -> None:
    if not access.can_edit_shooting(user):
        raise PermissionDenied("You may read this case but not change it.")


# --- Views ------------------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shooting = _case(user, pk, request)

    def case() -> detail.CaseView:
        return detail.case_view(
            shooting, user, kind=request.GET.get("kind", ""), show_all=request.GET.get("all") == "1"
        )

    if request.htmx and not request.htmx.history_restore_request:
        # The timeline's kind filter: only the timeline is swapped.
        return render(request, f"{TEMPLATE}#timeline", _context(case()))
    return kept_page(request, lambda **extra: render_page(request, case(), **extra))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def quick_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shooting = _case(user, pk, request)
    _require_edit(user)
    if request.method == "GET":
        if request.GET.get("cancel") and request.htmx:
            return HttpResponse(render_parts(request, "facts", detail.case_view(shooting, user), focus=True))
        form = QuickEditForm(initial=QuickEditForm.initial_for(shooting), shooting=shooting)
        return _show(request, shooting, "facts", quick_form=form)
    form = QuickEditForm(request.POST, shooting=shooting)
    if not form.is_valid():
        return _show(request, shooting, "facts", quick_form=form)
    try:
        services.update_shooting(shooting, user, form.changes(), expected_version=form.cleaned_data["version"])
    except services.EditConflict as conflict:
        return _conflict(request, shooting, form, conflict.current)
    return _done(request, pk, "facts", "Status and flags saved.")


def _display(shooting: Shooting, name: str) -> str:
    value = getattr(shooting, name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    getter = getattr(shooting, f"get_{name}_display", None)
    if getter is not None:
        return str(getter())
    return "" if value is None else str(value)


def _conflict(request: HttpRequest, shooting: Shooting, form: QuickEditForm, current: Shooting) -> HttpResponse:
    """Someone saved the case since this form was loaded: nothing is saved; the form keeps what
    was typed, shows the newer values, and carries the new version so that saving again is a
    deliberate overwrite."""
    mine = Shooting(**{name: form.cleaned_data[name] for name in QuickEditForm.FIELDS})
    newer = [
        (QuickEditForm.base_fields[name].label, _display(current, name))
        for name in QuickEditForm.FIELDS
        if _display(current, name) != _display(mine, name)
    ]
    last = ShootingChange.objects.filter(shooting=current).order_by("-changed_at", "-id").first()
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = QuickEditForm(data, shooting=current)
    form.is_valid()
    shooting = _case(request.user, shooting.pk, request)
    return _show(request, shooting, "facts", quick_form=form, conflict={"newer": newer, "last": last})


@require_POST
def add_victim(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shooting = _case(user, pk, request)
    _require_edit(user)
    form = VictimForm.for_case(request.POST, shooting=shooting)
    if request.POST.get("find_person") or not form.is_valid():
        matches = match_context(user, request.POST if request.POST.get("find_person") else None)
        return _show(request, shooting, "victims", victim_form=form, victim_form_open=True, **matches)
    chosen = chosen_person_pk(request.POST)
    person = people_access.access_person_to_link(user, chosen, request) if chosen else None
    services.add_victim(shooting, user, form.cleaned_data, person=person)
    return _done(request, pk, "victims", f"Victim {form.cleaned_data['name']} added.")


@require_POST
def victim_died(request: HttpRequest, victim_pk: int) -> HttpResponse:
    user = request.user
    victim = access.access_victim(user, victim_pk, request)
    _require_edit(user)
    form = VictimDeathForm(request.POST, victim=victim)
    if not form.is_valid():
        return _show(request, victim.shooting, "victims", death_form=form)
    services.record_victim_death(victim, user, form.cleaned_data["died_on"])
    return _done(request, victim.shooting_id, "victims", f"The death of {victim.name} is recorded.")


@require_POST
def add_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shooting = _case(user, pk, request)
    _require_edit(user)
    form = LinkForm(request.POST, shooting=shooting, user=user)
    if not form.is_valid():
        return _show(request, shooting, "links", link_form=form, link_form_open=True)
    services.link_manually(shooting, form.target, user, form.cleaned_data["reason"])
    return _done(request, pk, "links", f"Linked to {form.target.report_number}.")


@require_POST
def remove_link(request: HttpRequest, link_pk: int) -> HttpResponse:
    user = request.user
    link = access.access_manual_link(user, link_pk, request)
    _require_edit(user)
    # The page the request came from: the link shows on both cases.
    here = link.to_shooting if str(request.POST.get("from_case")) == str(link.to_shooting_id) else link.from_shooting
    form = UnlinkForm(request.POST, link=link)
    if not form.is_valid():
        return _show(request, _case(user, here.pk, request), "links", unlink_form=form)
    services.remove_manual_link(link, user, form.cleaned_data["reason"])
    other = link.from_shooting if here == link.to_shooting else link.to_shooting
    return _done(request, here.pk, "links", f"The link to {other.report_number} is removed.")
