"""Scheduling pages for coordinators: a new meeting, editing or moving one, cancelling one, and
the weekly series. Plain forms; every error is shown next to its field with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import annotate

from .. import services
from ..access import access_meeting, access_new_meeting, access_series
from ..forms import CancelMeetingForm, MeetingForm, SeriesForm
from ..models import Meeting

SLOT_TAKEN = "The series got a meeting on this day while you were typing. Choose another day."


def _back_to_list(meeting: Meeting) -> str:
    return reverse("meetings:list") + f"#meeting-{meeting.pk}"


def _not_editable(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    messages.error(request, f"{meeting} is {meeting.get_status_display().lower()}: it can no longer be changed.")
    return redirect(_back_to_list(meeting))


def meeting_create(request: HttpRequest) -> HttpResponse:
    access_new_meeting(request.user, request)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.create_meeting(
                    request.user,
                    form.meeting_data(),
                    invited_agencies=form.cleaned_data["invited_agencies"],
                    attendees=form.cleaned_data["attendees"],
                )
            except services.SlotTaken:
                form.add_error("date", SLOT_TAKEN)
            else:
                messages.success(request, f"{meeting} is scheduled.")
                return redirect(_back_to_list(meeting))
    else:
        form = MeetingForm(initial={"series": request.GET.get("series")})
    return render(request, "meetings/meeting_form.html", {"form": form, "nav": "meetings", "meeting": None})


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request, for_editing=True)
    if meeting.status in {Meeting.Status.HELD, Meeting.Status.CANCELLED}:
        return _not_editable(request, meeting)
    if request.method == "POST":
        form = MeetingForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                meeting = services.update_meeting(
                    meeting,
                    request.user,
                    form.meeting_data(),
                    invited_agencies=form.cleaned_data["invited_agencies"],
                    attendees=form.cleaned_data["attendees"],
                )
            except services.SlotTaken:
                form.add_error("date", SLOT_TAKEN)
            except services.NotEditable:
                return _not_editable(request, meeting)
            else:
                messages.success(request, f"{meeting} is saved.")
                return redirect(_back_to_list(meeting))
    else:
        form = MeetingForm(meeting=meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "nav": "meetings", "meeting": meeting})


def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request, for_editing=True)
    if meeting.status in {Meeting.Status.HELD, Meeting.Status.CANCELLED}:
        return _not_editable(request, meeting)
    form = CancelMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.cancel_meeting(meeting, request.user, form.cleaned_data["reason"])
        except services.NotEditable:
            return _not_editable(request, meeting)
        messages.success(request, f"{meeting} is cancelled. Other meetings of the series are unchanged.")
        return redirect(_back_to_list(meeting))
    context = {"form": form, "nav": "meetings", "meeting": meeting, "cancelling": True}
    return render(request, "meetings/meeting_form.html", context)


def series_create(request: HttpRequest) -> HttpResponse:
    access_new_meeting(request.user, request, what="meeting series")
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        series = services.create_series(
            request.user, form.cleaned_data, invited_agencies=form.cleaned_data["invited_agencies"]
        )
        count = series.meetings.filter(starts_at__gte=timezone.now()).count()
        messages.success(request, f"“{series.name}” is set up; its next {count} meetings are scheduled.")
        return redirect("meetings:list")
    return render(request, "meetings/series_form.html", {"form": form, "nav": "meetings", "series": None})


def series_edit(request: HttpRequest, series_pk: int) -> HttpResponse:
    annotate(request, object_type="meeting_series", object_id=series_pk)
    series = access_series(request.user, series_pk, request)
    form = SeriesForm(request.POST or None, instance=series)
    if request.method == "POST" and form.is_valid():
        series = services.update_series(
            series, request.user, form.cleaned_data, invited_agencies=form.cleaned_data["invited_agencies"]
        )
        messages.success(request, f"“{series.name}” is saved; its coming meetings follow the new settings.")
        return redirect("meetings:list")
    return render(request, "meetings/series_form.html", {"form": form, "nav": "meetings", "series": series})
