"""One case's record at the meetings, as an htmx fragment (the case page's Reviews section, with
every review) or, asked for without htmx, as a page of its own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from ..access import access_case_reviews
from ..case_history import reviews_of

TEMPLATE = "meetings/case_reviews.html"


@require_safe
@vary_on_headers("HX-Request")
def case_reviews(request: HttpRequest, shooting_pk: int) -> HttpResponse:
    shooting = access_case_reviews(request.user, shooting_pk, request)
    context = {"reviews": reviews_of(shooting, request.user, show_all=True), "nav": "cases"}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{TEMPLATE}#reviews", context)
    return render(request, TEMPLATE, context)
