"""Calendar files: one meeting's .ics, each person's private feed URL, and the page where they
find it and revoke it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts import audit
from accounts.models import AuditEvent
from accounts.security import is_locked
from cases.focus import announce

from .. import ics, services
from ..access import access_meeting, access_meetings, can_view_meetings
from ..models import CalendarFeed

CALENDAR = "text/calendar; charset=utf-8"


def _calendar_response(body: bytes, filename: str, disposition: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CALENDAR)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Shared caches must not keep a person's schedule.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request)
    return _calendar_response(ics.meeting_ics(meeting), f"shoot-review-{meeting.local_date:%Y-%m-%d}.ics", "attachment")


# Calendar programs fetch the feed without a session: the unguessable token is the credential.
@login_not_required
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    row = CalendarFeed.objects.select_related("user", "user__agency").filter(token=token).first()
    # A revoked token, or a person who may no longer see meetings (left, disabled) or whose
    # account is locked (the token is as much a credential as the password): nothing.
    if row is None:
        raise Http404("No calendar here.")
    if not can_view_meetings(row.user) or is_locked(row.user):
        # No session here either: the refusal is recorded in the account's name.
        audit.record(
            "meetings:feed.view",
            request=request,
            actor=row.user,
            object_type="calendar_feed",
            object_id=row.pk,
            outcome=AuditEvent.Outcome.REFUSED,
        )
        raise Http404("No calendar here.")
    if request.user.is_authenticated:
        # Opened in a signed-in browser: the audit middleware writes this request's one row.
        audit.annotate(request, object_type="calendar_feed", object_id=row.pk, detail={"feed_of": row.user_id})
    else:
        # A calendar program has no session, so the middleware does not see who this is.
        audit.record(
            "meetings:feed.view", request=request, actor=row.user, object_type="calendar_feed", object_id=row.pk
        )
    return _calendar_response(ics.feed_ics(row.user), "shoot-review.ics", "inline")


def _feed_url(feed: CalendarFeed | None) -> str:
    return settings.SITE_URL + reverse("meetings:feed", args=[feed.token]) if feed else ""


def calendar_page(request: HttpRequest) -> HttpResponse:
    access_meetings(request.user, request, page="calendar")
    feed_row = CalendarFeed.objects.filter(user=request.user).first()
    context = {"nav": "meetings", "feed": feed_row, "feed_url": _feed_url(feed_row)}
    return render(request, "meetings/calendar.html", context)


@require_POST
def calendar_new_link(request: HttpRequest) -> HttpResponse:
    """Create the private link, or replace it: the old URL stops working at once."""
    access_meetings(request.user, request, page="calendar")
    had_one = CalendarFeed.objects.filter(user=request.user).exists()
    feed_row = services.revoke_calendar_feed(request.user)
    if had_one:
        notice = "Your old calendar link no longer works. Subscribe to the new one below."
    else:
        notice = "Your private calendar link is ready."
    if request.htmx:
        context = {"feed": feed_row, "feed_url": _feed_url(feed_row), "focus": True}
        html = render_to_string("meetings/calendar.html#feed_box", context, request)
        return HttpResponse(html + announce(request, notice))
    messages.success(request, notice)
    return redirect("meetings:calendar")
