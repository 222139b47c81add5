"""The meetings list: the coming meetings (next first) and the past ones, with the weekly
series for coordinators."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ..access import access_meetings, can_run_meetings
from ..models import ActionItem, AgendaItem, Meeting, MeetingSeries

PAST_PER_PAGE = 20
UPCOMING_SHOWN = 60


def _count(model, **filters) -> Coalesce:
    rows = model.objects.filter(meeting=OuterRef("pk"), **filters).order_by().values("meeting")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def meetings_with_counts() -> QuerySet[Meeting]:
    # Counted in subqueries: joining both items and action items would multiply the rows.
    return Meeting.objects.select_related("series", "chair").annotate(
        item_count=_count(AgendaItem, removed_at__isnull=True),
        action_count=_count(ActionItem),
        open_action_count=_count(ActionItem, status=ActionItem.Status.OPEN),
    )


def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    access_meetings(user, request, page="meeting list")
    now = timezone.now()
    # A meeting under way is still "coming" until it ends.
    upcoming = list(meetings_with_counts().filter(ends_at__gte=now).order_by("starts_at")[:UPCOMING_SHOWN])
    past = Paginator(meetings_with_counts().filter(ends_at__lt=now).order_by("-starts_at"), PAST_PER_PAGE)
    page = past.get_page(request.GET.get("page"))
    coordinator = can_run_meetings(user)
    context = {
        "nav": "meetings",
        "upcoming": upcoming,
        "past_page": page,
        "can_run": coordinator,
        "series_list": list(MeetingSeries.objects.select_related("chair").order_by("-is_active", "name"))
        if coordinator
        else [],
        "now": now,
    }
    return render(request, "meetings/meeting_list.html", context)
