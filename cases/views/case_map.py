"""The case list's cases on a map: the same filters and the same need-to-know as the list."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape

from accounts.audit import showed_cases

from .. import search
from ..forms import CaseFilterForm
from ..maps.points import case_map, list_items, table_rows
from ..maps.svg import Marker, icon_svg, kind_icons, map_svg


def _tiles() -> dict:
    """The tile layer the browser's map draws, when the deployment has one."""
    if not settings.MAP_TILE_URL:
        return {}
    # Leaflet shows attribution as HTML: escaped here, it shows as the text the operator wrote.
    return {"url": settings.MAP_TILE_URL, "attribution": escape(settings.MAP_TILE_ATTRIBUTION)}


def case_map_page(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET)
    form.is_valid()  # invalid filters are shown beside their field and left out, as on the list
    query = form.to_query()
    found = case_map(search.find_cases(request.user, query))
    showed_cases(request, found.case_ids)
    params = query.params()
    query_string = params.urlencode()
    suffix = f"?{query_string}" if query_string else ""
    markers = [
        Marker(point.lat, point.lon, point.kind, f"{point.report_number} · {point.kind_label} · {point.occurred}")
        for point in found.placed
    ]
    unplaced = found.unplaced_total
    note = (
        f"{unplaced} more without coordinates {'is' if unplaced == 1 else 'are'} listed below the map."
        if unplaced
        else ""
    )
    return render(
        request,
        "cases/case_map.html",
        {
            "nav": "cases",
            "form": form,
            "query": query,
            "found": found,
            "filtered": any(name != "sort" for name in params),
            "map_svg": map_svg(markers, title="Shootings matching the filters", note=note),
            # An attribute the template escapes rather than a JSON <script>: the pages hold no
            # inline script of any type.
            "map_json": json.dumps(
                {"points": [point.as_json() for point in found.placed], "tiles": _tiles(), "icons": kind_icons()},
                separators=(",", ":"),
            ),
            "table_rows": table_rows(found.placed),
            "unplaced_items": list_items(found.unplaced),
            "list_url": reverse("cases:list") + suffix,
            "legend": [(kind, label, count, icon_svg(kind)) for kind, label, count in found.counts_by_kind()],
        },
    )
