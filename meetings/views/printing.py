"""Printed packets: the agenda for one audience, and the minutes, as PDF downloads. Each
download is a numbered copy on record."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts import audit

from ..access import access_meeting, access_minutes, access_print_audience
from ..models import Meeting, PrintedCopy
from ..printing import documents
from ..printing.audiences import Document, record_print


def _audience(request: HttpRequest, meeting: Meeting, document: str) -> str:
    """The audience asked for, or the widest the person may print; asking for a packet one may
    not print answers as if it did not exist."""
    return access_print_audience(request.user, meeting, document, request.GET.get("audience", ""), request)


def _pdf_response(
    request: HttpRequest, printed: documents.Printed, meeting: Meeting, copy: PrintedCopy
) -> HttpResponse:
    # The print's audit row lists every case on it, for "who has seen this case".
    audit.showed_cases(request, printed.case_ids)
    filename = f"{copy.document}-{meeting.local_date:%Y-%m-%d}-{copy.audience}-copy-{copy.copy_number}.pdf"
    response = HttpResponse(printed.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A numbered, named copy: no cache anywhere may keep or hand it out again.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request)
    audience = _audience(request, meeting, Document.AGENDA)
    copy = record_print(meeting, request.user, document=Document.AGENDA, audience=audience, request=request)
    return _pdf_response(request, documents.agenda_pdf(meeting, request.user, copy), meeting, copy)


@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_minutes(request.user, pk, request)
    audience = _audience(request, meeting, Document.MINUTES)
    copy = record_print(meeting, request.user, document=Document.MINUTES, audience=audience, request=request)
    return _pdf_response(request, documents.minutes_pdf(meeting, request.user, copy), meeting, copy)
