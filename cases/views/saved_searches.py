"""A person's saved searches: save the case list's current query under a name, list, rename,
set alerts, delete, and run one (the case list with its filters). Only the owner ever sees one."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.audit import annotate

from .. import access, search
from ..saved_searches import queries, services
from ..saved_searches.forms import SavedSearchForm

# A person keeps at most this many: enough for every watch a desk needs, and a bound on the list
# and on what the alerts evaluate for one person.
MAX_PER_PERSON = 50
TAKEN = "You already have a saved search of that name. Choose another name."


def saved_search_list(request: HttpRequest) -> HttpResponse:
    searches = list(access.access_saved_searches(request.user, request))
    since = search.since_last_meeting()
    rows = []
    for saved in searches:
        checked = queries.check(saved.params, since=since)
        rows.append({"search": saved, "filters": queries.describe(checked), "problems": checked.problems})
    return render(request, "cases/saved_searches.html", {"nav": "cases", "rows": rows, "limit": MAX_PER_PERSON})


def saved_search_save(request: HttpRequest) -> HttpResponse:
    """POST (the case list's own small form): save, or this page again with why not. GET: the
    same page for the filters in the address, as a page of its own."""
    owned = access.access_saved_searches(request.user, request)
    data = request.POST if request.method == "POST" else request.GET
    filters = queries.filters_in(data)
    checked = queries.check(filters)
    form = SavedSearchForm(request.POST if request.method == "POST" else None, owner=request.user)
    full = owned.count() >= MAX_PER_PERSON
    saved = None
    if request.method == "POST" and form.is_valid() and checked.query is not None and not full:
        try:
            saved = services.save_search(
                request.user, form.cleaned_data["name"], form.cleaned_data["alert"], checked.query
            )
        except IntegrityError:  # the same name saved at the same moment, in another tab
            form.add_error("name", TAKEN)
    if saved is not None:
        # Which filters, never their values: a search can hold a person's name.
        annotate(
            request,
            event="saved_search.create",
            object_type="saved_search",
            object_id=saved.pk,
            detail={"filters": sorted(saved.params), "alert": saved.alert},
        )
        messages.success(request, f"Search saved as “{saved.name}”. Your saved searches list it.")
        return redirect(queries.list_url(checked.query))
    context = {
        "nav": "cases",
        "form": form,
        "hidden": [(name, value) for name in filters for value in filters.getlist(name)],
        "filters": queries.describe(checked),
        "problems": checked.problems,
        "full": full,
        "limit": MAX_PER_PERSON,
        "back_url": reverse("cases:list") + (f"?{filters.urlencode()}" if filters else ""),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/saved_search_save.html", context, status=status)


def saved_search_edit(request: HttpRequest, search_pk: int) -> HttpResponse:
    saved = access.access_saved_search(request.user, search_pk, request)
    # The heading names the search as saved: validating copies what was typed onto the instance.
    saved_name = saved.name
    form = SavedSearchForm(request.POST or None, instance=saved, owner=request.user)
    updated = None
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.update_search(saved, form.cleaned_data["name"], form.cleaned_data["alert"])
        except IntegrityError:  # the same name saved at the same moment, in another tab
            form.add_error("name", TAKEN)
    if updated is not None:
        annotate(
            request,
            event="saved_search.update",
            object_type="saved_search",
            object_id=saved.pk,
            detail={"alert": updated.alert},
        )
        messages.success(request, f"Saved search “{updated.name}” updated.")
        return redirect("cases:saved_searches")
    status = 400 if request.method == "POST" else 200
    context = {"nav": "cases", "form": form, "search": saved, "saved_name": saved_name}
    return render(request, "cases/saved_search_edit.html", context, status=status)


def saved_search_delete(request: HttpRequest, search_pk: int) -> HttpResponse:
    saved = access.access_saved_search(request.user, search_pk, request)
    if request.method == "POST":
        name = saved.name
        services.delete_search(saved)
        annotate(request, event="saved_search.delete", object_type="saved_search", object_id=search_pk)
        messages.success(request, f"Saved search “{name}” deleted.")
        return redirect("cases:saved_searches")
    return render(request, "cases/saved_search_delete.html", {"nav": "cases", "search": saved})


def saved_search_run(request: HttpRequest, search_pk: int) -> HttpResponse:
    saved = access.access_saved_search(request.user, search_pk, request)
    checked = queries.check(saved.params)
    if checked.query is None:
        # Never run wider than saved: the list says what no longer holds.
        messages.error(request, f"“{saved.name}” can no longer run as saved: {'; '.join(checked.problems)}")
        return redirect("cases:saved_searches")
    return redirect(queries.list_url(checked.query))
