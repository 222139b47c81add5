"""The cover page: the numbers a shoot review opens with, also shown at the top of the agenda."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import access_meeting
from ..cover.chart import cover_context


def cover(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request)
    context = {"meeting": meeting, "nav": "meetings", **cover_context(meeting, request.user)}
    if request.htmx:
        # The agenda page loads the cover into its own slot.
        return render(request, "meetings/_cover.html", context)
    return render(request, "meetings/cover.html", context)
