"""People: the person search, a person's page, the suggestions offered beside the victim and
note forms, the decisions about who is who (undo a link, reject a match, merge and undo), and
recording an associate of a case."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.audit import annotate, showed_cases

from ..people import access, services
from ..people.forms import AssociateForm, MatchQueryForm, OtherPersonForm, PersonSearchForm, ReasonForm
from ..people.matching import likely_matches, search_people
from ..people.pages import person_page, possible_matches
from ..people.risk import sees_follow_up
from ..people.risk_pages import risk_section

PAGE = "cases/person.html"
ASSOCIATE_PAGE = "cases/associate_form.html"


@require_safe
@vary_on_headers("HX-Request")
def person_search(request: HttpRequest) -> HttpResponse:
    access.access_people_search(request.user, request)
    form = PersonSearchForm(request.GET)
    text = form.text()
    results = search_people(request.user, text) if text else []
    showed_cases(request, {role.shooting_id for result in results for role in result.roles})
    context = {"nav": "people", "form": form, "results": results, "searched": bool(text)}
    context["sees_risk"] = sees_follow_up(request.user)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "cases/person_search.html#results", context)
    return render(request, "cases/person_search.html", context)


def _page(request: HttpRequest, person, **extra) -> HttpResponse:
    page = person_page(person, request.user)
    showed_cases(request, page.shown_case_ids)
    # The "Risk follow-up" section (cases/people/risk.py), unless the view brings it with a form.
    extra.setdefault("risk", risk_section(person, request.user))
    return render(request, PAGE, {"nav": "people", "page": page, **extra})


# The person page with a form of another view (the risk follow-up's) in error.
person_page_response = _page


@require_safe
def person_detail(request: HttpRequest, person_pk: int) -> HttpResponse:
    return _page(request, access.access_person(request.user, person_pk, request))


@require_safe
@vary_on_headers("HX-Request")
def person_possible_matches(request: HttpRequest, person_pk: int) -> HttpResponse:
    """The records that may be the same person as this one: a section the person page loads
    into itself, or a page of its own without JavaScript."""
    person = access.access_person_to_link(request.user, person_pk, request)
    matches = possible_matches(person, request.user)
    showed_cases(request, {role.shooting_id for match in matches for role in match.roles})
    context = {
        "nav": "people",
        "person": person,
        "matches": matches,
        "can_merge": access.can_merge_people(request.user),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "cases/people/_possible_matches.html", context)
    return render(request, "cases/person_possible_matches.html", context)


@require_safe
@vary_on_headers("HX-Request")
def person_matches(request: HttpRequest) -> HttpResponse:
    """The people a name being entered may be: a fragment beside the victim and note forms."""
    access.access_match_suggestions(request.user, request)
    query = MatchQueryForm(request.GET).query()
    matches = likely_matches(request.user, query["name"], born=query["born"], age=query["age"]) if query["name"] else []
    showed_cases(request, {role.shooting_id for match in matches for role in match.roles})
    context = {"matches": matches, "looked": bool(query["name"]), "chosen": query["chosen"], "nav": "people"}
    # Asked for as a page (a new tab, no htmx): the same matches as a page of their own.
    template = "cases/people/_matches.html" if request.htmx else "cases/person_matches.html"
    return render(request, template, context)


@require_POST
def unlink_role(request: HttpRequest, role_pk: int) -> HttpResponse:
    role = access.access_role_to_unlink(request.user, role_pk, request)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _page(request, role.person, unlink_form=form, unlink_role=role.pk)
    new = services.unlink_role(role, request.user, form.cleaned_data["reason"])
    annotate(request, event="person.unlink", object_type="person_role", object_id=role.pk, case_id=role.shooting_id)
    messages.success(
        request,
        f"The {role.get_kind_display().lower()} record in {role.shooting.report_number} is now a person of its own.",
    )
    return redirect(reverse("cases:person", args=[new.pk]))


@require_POST
def reject_match(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = access.access_person_to_link(request.user, person_pk, request)
    form = OtherPersonForm(request.POST)
    other_pk = form.cleaned_data["other"] if form.is_valid() else None
    other = access.access_person_to_link(request.user, other_pk, request)
    services.reject_match(person, other, request.user)
    annotate(
        request, event="person.reject_match", object_type="person", object_id=person.pk, detail={"other": other.pk}
    )
    messages.success(request, "Recorded as not the same person; the suggestion will not come back.")
    return redirect(reverse("cases:person", args=[person.pk]))


@require_POST
def merge_people(request: HttpRequest, person_pk: int) -> HttpResponse:
    """The other record is merged into this one (the one whose page this is)."""
    keep = access.access_person_to_merge(request.user, person_pk, request)
    form = OtherPersonForm(request.POST)
    other_pk = form.cleaned_data["other"] if form.is_valid() else None
    gone = access.access_person_to_merge(request.user, other_pk, request)
    if gone.pk == keep.pk:
        messages.error(request, "A record cannot be merged with itself.")
        return redirect(reverse("cases:person", args=[keep.pk]))
    services.merge_people(keep, gone, request.user, form.cleaned_data.get("reason", ""))
    annotate(request, event="person.merge", object_type="person", object_id=keep.pk, detail={"merged": gone.pk})
    messages.success(request, f"Record {gone.pk} is merged into this one; the merge can be undone below.")
    return redirect(reverse("cases:person", args=[keep.pk]))


@require_POST
def undo_merge(request: HttpRequest, person_pk: int) -> HttpResponse:
    gone = access.access_merge_to_undo(request.user, person_pk, request)
    keep_pk = gone.merged_into_id
    services.undo_merge(gone, request.user)
    annotate(request, event="person.undo_merge", object_type="person", object_id=gone.pk, detail={"from": keep_pk})
    messages.success(request, f"The merge is undone: record {gone.pk} has its own roles again.")
    return redirect(reverse("cases:person", args=[gone.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
def remove_associate(request: HttpRequest, role_pk: int) -> HttpResponse:
    """An associate recorded in error taken off the case, with the reason kept."""
    role = access.access_associate_to_remove(request.user, role_pk, request)
    form = ReasonForm(request.POST if request.method == "POST" else None, auto_id="remove_%s")
    if form.is_valid():
        services.remove_associate(role, request.user, form.cleaned_data["reason"])
        annotate(
            request,
            event="person.remove_associate",
            object_type="person_role",
            object_id=role_pk,
            case_id=role.shooting_id,
            detail={"person": role.person_id},
        )
        messages.success(
            request, f"{role.name} is no longer recorded as an associate of {role.shooting.report_number}."
        )
        return redirect(reverse("cases:detail", args=[role.shooting_id]) + "#associates")
    showed_cases(request, {role.shooting_id})
    return render(request, "cases/associate_remove.html", {"nav": "cases", "role": role, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def add_associate(request: HttpRequest, pk: int) -> HttpResponse:
    """Record someone as connected to a case: look them up by name (the search reloads the page,
    or with htmx only the list of people found), then choose one of them or a new person and
    say how they are connected. The wrong person chosen is unlinked on their page ("Not this
    person?"), like any other link; one recorded in error is removed (remove_associate)."""
    shooting = access.access_shooting_for_associates(request.user, pk, request)
    posted = request.method == "POST"
    search = PersonSearchForm(request.POST if posted else request.GET)
    text = search.text()
    candidates = search_people(request.user, text) if text else []
    form = AssociateForm(
        request.POST if posted else None,
        candidates=candidates,
        initial={"q": search.cleaned_data.get("q", "") if search.is_valid() else ""},
        auto_id="associate_%s",
    )
    if posted and form.is_valid():
        chosen = form.chosen()
        person = access.access_person_to_link(request.user, chosen.person_id, request) if chosen else None
        try:
            role = services.record_associate(
                shooting, request.user, form.cleaned_data["description"], person=person, name=form.name()
            )
        except services.AlreadyAssociate as error:
            form.add_error("person", str(error))
        else:
            annotate(
                request,
                event="person.associate",
                object_type="person_role",
                object_id=role.pk,
                case_id=shooting.pk,
                detail={"person": role.person_id, "new": person is None},
            )
            messages.success(request, f"{role.name} is recorded as an associate of {shooting.report_number}.")
            return redirect(reverse("cases:detail", args=[shooting.pk]) + "#associates")
    showed_cases(request, {shooting.pk} | {role.shooting_id for found in candidates for role in found.roles})
    context = {"nav": "cases", "shooting": shooting, "search": search, "form": form, "searched": bool(text)}
    if request.htmx and not posted and not request.htmx.history_restore_request:
        return render(request, f"{ASSOCIATE_PAGE}#who", context)
    return render(request, ASSOCIATE_PAGE, context)
