"""The coordinators' Reminders page (sent, failed, coming; resend) and each person's choice of
which reminders they receive."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit

from ..access import access_reminder, access_reminder_list
from ..forms import PreferenceForm
from ..models import Meeting, Reminder, ReminderPreference
from ..reminders.delivery import resend

STATE_FILTERS = {
    "failed": [Reminder.State.FAILED],
    "coming": [Reminder.State.PENDING, Reminder.State.CLAIMED],
    "sent": [Reminder.State.SENT],
    "skipped": [Reminder.State.SKIPPED],
}


def _upcoming_meeting_reminders(now):
    """Meeting reminders not yet due (their rows are created when they come due)."""
    rows = []
    meetings = Meeting.objects.filter(
        status__in=[Meeting.Status.SCHEDULED, Meeting.Status.FROZEN],
        starts_at__gt=now,
        starts_at__lte=now + timedelta(days=7, hours=max(settings.REMINDER_MEETING_LEAD_HOURS)),
    ).prefetch_related("attendees")
    for meeting in meetings:
        people = len({u.pk for u in meeting.attendees.all()} | ({meeting.chair_id} if meeting.chair_id else set()))
        for hours in settings.REMINDER_MEETING_LEAD_HOURS:
            due = meeting.starts_at - timedelta(hours=hours)
            if now < due <= now + timedelta(days=7):
                rows.append({"due_at": due, "meeting": meeting, "hours": hours, "people": people})
    return sorted(rows, key=lambda r: r["due_at"])


def reminder_list(request: HttpRequest) -> HttpResponse:
    access_reminder_list(request.user, request)
    state = request.GET.get("state", "failed" if Reminder.objects.filter(state="failed").exists() else "coming")
    if state not in STATE_FILTERS:
        state = "coming"
    rows = Reminder.objects.filter(state__in=STATE_FILTERS[state]).select_related("recipient").order_by("-due_at")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = {key: Reminder.objects.filter(state__in=states).count() for key, states in STATE_FILTERS.items()}
    return render(
        request,
        "meetings/reminders.html",
        {
            "nav": "meetings",
            "page": page,
            "state": state,
            "counts": counts,
            "upcoming": _upcoming_meeting_reminders(timezone.now()) if state == "coming" else [],
        },
    )


@require_POST
def reminder_resend(request: HttpRequest, reminder_pk: int) -> HttpResponse:
    reminder = access_reminder(request.user, reminder_pk, request)
    resend(reminder)
    audit.annotate(request, event="reminder.resend", object_type="reminder", object_id=reminder_pk)
    messages.success(request, "The reminder will go out again within a minute.")
    return redirect("meetings:reminders")


def reminder_settings(request: HttpRequest) -> HttpResponse:
    preference, _ = ReminderPreference.objects.get_or_create(user=request.user)
    initial = {kind: kind not in preference.disabled_kinds for kind in Reminder.Kind.values}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        preference.disabled_kinds = sorted(k for k, on in form.cleaned_data.items() if not on)
        preference.save(update_fields=["disabled_kinds"])
        messages.success(request, "Your reminder choices are saved.")
        return redirect("meetings:reminder_settings")
    return render(request, "meetings/reminder_settings.html", {"form": form, "nav": "my_items"})
