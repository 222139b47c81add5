"""The case list: search, filters, sort and pages, its htmx fragment, and the same list as CSV."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

from accounts.audit import annotate, showed_cases

from .. import access, export, search
from ..forms import CaseFilterForm
from ..kept_pages import kept_page
from ..list_row_html import rows_html
from ..list_rows import case_rows, list_values
from ..models import SavedSearch
from ..saved_searches.queries import filters_in

PER_PAGE = 50


def _query(request: HttpRequest) -> tuple[CaseFilterForm, search.CaseQuery]:
    form = CaseFilterForm(request.GET)
    form.is_valid()  # invalid filters are shown beside their field and left out of the query
    return form, form.to_query()


def _context(request: HttpRequest, form: CaseFilterForm, query: search.CaseQuery) -> tuple[dict, str]:
    """The list's context, and its query string (the tidy form of the query, no empty filters)."""
    shootings = list_values(search.find_cases(request.user, query))
    page = search.page_of(shootings, request.GET.get("page"), PER_PAGE, with_total=search.counts_with_its_page(query))
    params = query.params()
    query_string = params.urlencode()
    # The page shows these cases' facts and victims: each goes on the request's audit row.
    showed_cases(request, [row["id"] for row in page.object_list])
    context = {
        "nav": "cases",
        "form": form,
        "page": page,
        "rows_html": rows_html(case_rows(page.object_list)),
        "query": query,
        "filtered": any(name != "sort" for name in params),
        "page_url": f"{reverse('cases:list')}?{query_string}{'&' if query_string else ''}page=",
        "export_url": reverse("cases:export") + (f"?{query_string}" if query_string else ""),
        "map_url": reverse("cases:map") + (f"?{query_string}" if query_string else ""),
        "sort_links": search.sort_links(query),
        "updated": query.updated_cutoff(),
        "can_create": access.can_create_shooting(request.user),
        "can_import": access.can_import(request.user),
        "can_search_suspects": access.can_search_suspects(request.user),
        # "Save this search" carries the filters as sent: the save refuses what does not validate
        # rather than keep a search wider than the one typed.
        "alert_choices": SavedSearch.Alert.choices,
        "save_fields": [(name, value) for name, values in filters_in(request.GET).lists() for value in values],
    }
    return context, query_string


def case_list(request: HttpRequest) -> HttpResponse:
    form, query = _query(request)
    # A history restore (back button with an empty htmx cache) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        context, query_string = _context(request, form, query)
        response = render(request, "cases/case_list.html#results", {**context, "oob": True})
        # The address bar gets the tidy form of the query (no empty filters), as links build it.
        number = context["page"].number
        page_param = f"{'&' if query_string else '?'}page={number}" if number > 1 else ""
        push_url(response, reverse("cases:list") + (f"?{query_string}" if query_string else "") + page_param)
    else:

        def draw(**extra) -> HttpResponse:
            return render(request, "cases/case_list.html", {**_context(request, form, query)[0], **extra})

        response = kept_page(request, draw)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def case_export(request: HttpRequest) -> StreamingHttpResponse:
    _form, query = _query(request)
    shootings = search.find_cases(request.user, query)
    # Which filters shaped the file, not their values: a search can hold a person's name.
    annotate(request, detail={"export": "csv", "filters": sorted(set(query.params()))})
    # The audit row is written before the file streams: it lists the cases first, and the file
    # holds exactly those.
    ids = list(shootings.values_list("pk", flat=True))
    showed_cases(request, ids)
    response = StreamingHttpResponse(
        export.stream(request.user, shootings, ids), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename()}"'
    return response
