"""Meetings and their agendas as the caller may see them (meetings.access; each item redacted for
the caller by meetings.agenda.presentation, the same view the agenda page draws), and action
items: the caller's own, or everyone's for coordinators."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.audit import showed_cases
from meetings.access import access_everyones_action_items, access_meeting, access_meetings
from meetings.agenda.presentation import ItemView, agenda_view
from meetings.models import ActionItem, Meeting

from .. import serializers as s
from ..errors import InvalidInput
from .base import READ_ERRORS, ApiView, django_request, paginate

PAST_PER_PAGE = 20
UPCOMING_SHOWN = 60
ITEMS_PER_PAGE = 100


def meeting_json(meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "status": meeting.status,
        "chair": (meeting.chair.get_full_name() or meeting.chair.username) if meeting.chair_id else None,
        "url": reverse("api:meeting_detail", args=[meeting.pk]),
    }


def _item_json(item: ItemView) -> dict:
    case = item.case
    data = {
        "id": item.pk,
        "number": item.number,
        "title": item.title,
        "text": item.text,
        "reasons": list(item.reasons),
        "discussed": item.discussed,
        "outcome": item.outcome,
        "outcome_text": item.outcome_text,
        "case": None,
    }
    if case is not None:
        data["case"] = {
            "id": case.id,
            "report_number": case.report_number,
            "kind": case.kind,
            "when": case.when_text,
            "place": case.place_text,
            "status": case.status_label,
            "lead_investigator": case.lead_investigator,
            "victims": case.victims_text,
            "flags": list(case.flags),
            "indicators": [indicator.label for indicator in case.indicators],
            "leads": [dict(lead) for lead in case.leads],
            "linked": [linked.text for linked in case.linked],
            "new_since": case.since_text,
            "new_notes": [
                {
                    "kind": group.kind,
                    "when": line.when_text,
                    "agency": line.agency,
                    "restricted": line.restricted,
                    "redacted": line.redacted,
                    "values": [list(pair) for pair in line.values],
                    "paragraphs": [list(pair) for pair in line.paragraphs],
                }
                for group in case.new_notes
                for line in group.notes
            ],
            "new_notes_hidden": case.new_notes_hidden,
            "prosecution": [{"day": change.day_text, "changes": change.rows} for change in case.prosecution],
            "action_items": [
                {"description": a.description, "assignee": a.assignee, "agency": a.agency, "due_on": a.due_on}
                for a in case.action_items
            ],
        }
    return data


class MeetingList(ApiView):
    @extend_schema(
        operation_id="meetings_list",
        summary="Coming meetings (next first) and past ones (a page at a time)",
        parameters=[OpenApiParameter("page", int, description="The page of past meetings.")],
        responses={200: s.MeetingListSerializer, **READ_ERRORS},
    )
    def get(self, request):
        """Queries: the coming meetings, the count and page of past ones (each with its chair)."""
        access_meetings(request.user, django_request(request), page="meeting list")
        now = timezone.now()
        meetings = Meeting.objects.select_related("chair")
        upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at")[:UPCOMING_SHOWN])
        page, numbers = paginate(meetings.filter(ends_at__lt=now).order_by("-starts_at"), request, PAST_PER_PAGE)
        return Response(
            {
                "upcoming": [meeting_json(m) for m in upcoming],
                "past": [meeting_json(m) for m in page],
                "page": numbers["page"],
                "pages": numbers["pages"],
            }
        )


class MeetingDetail(ApiView):
    @extend_schema(
        summary="One meeting with its agenda, each item as you may see it",
        responses={200: s.MeetingDetailSerializer, **READ_ERRORS},
    )
    def get(self, request, meeting_pk: int):
        meeting = access_meeting(request.user, meeting_pk, django_request(request))
        view = agenda_view(meeting, request.user)
        showed_cases(django_request(request), [item.case.id for item in view.items if item.is_case])
        return Response({**meeting_json(meeting), "frozen": view.frozen, "agenda": [_item_json(i) for i in view.items]})


def action_json(item: ActionItem) -> dict:
    return {
        "id": item.pk,
        "description": item.description,
        "assignee": item.assignee.get_full_name() or item.assignee.username,
        "assignee_id": item.assignee_id,
        "agency": item.agency.code,
        "due_on": item.due_on,
        "status": item.status,
        "done_at": item.done_at,
        "done_note": item.done_note,
        "meeting": item.meeting_id,
        "case": item.shooting_id,
        "report_number": item.shooting.report_number if item.shooting_id else None,
    }


class ActionItemList(ApiView):
    @extend_schema(
        operation_id="action_items_list",
        summary="Action items: yours, or (coordinators, `scope=all`) everyone's",
        parameters=[
            OpenApiParameter("scope", str, enum=["mine", "all"], description="`all` is for coordinators."),
            OpenApiParameter("status", str, enum=ActionItem.Status.values),
            OpenApiParameter("page", int),
        ],
        responses={200: s.ActionItemListSerializer, 400: s.InputErrorSerializer, **READ_ERRORS},
    )
    def get(self, request):
        """Queries: the count and the page of items, each with its assignee, agency and case."""
        user = request.user
        http = django_request(request)
        access_meetings(user, http, page="action items")
        unknown = set(request.query_params) - {"scope", "status", "page", "format"}
        errors = {name[:100]: ["Unknown parameter."] for name in unknown}
        scope = request.query_params.get("scope", "mine")
        wanted = request.query_params.get("status", "")
        if scope not in ("mine", "all"):
            errors["scope"] = ["Choose mine or all."]
        if wanted and wanted not in ActionItem.Status.values:
            errors["status"] = [f"Choose one of: {', '.join(ActionItem.Status.values)}."]
        if errors:
            raise InvalidInput(errors)
        items = ActionItem.objects.select_related("assignee", "agency", "shooting")
        if scope == "all":
            access_everyones_action_items(user, http)
        else:
            items = items.filter(assignee=user)
        if wanted:
            items = items.filter(status=wanted)
        page, numbers = paginate(items.order_by("status", "due_on", "id"), request, ITEMS_PER_PAGE)
        rows = list(page)
        showed_cases(http, [item.shooting_id for item in rows if item.shooting_id])
        return Response({**numbers, "results": [action_json(item) for item in rows]})
