"""Printed copies: the copy number and marking every page carries, and the record every print
leaves (which packets a person may print is meetings.access's `printable_audiences`).

A packet is written for an audience (law enforcement, prosecutors, advocates and community
partners); what it holds is what that audience may know, intersected with what the person
printing may see, so nobody prints more than they may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import audit
from accounts.models import User
from cases.access import sees_investigative_detail

from ..access import can_view_meetings
from ..models import AgendaEvent, Meeting, PrintedCopy

# The marking at the top of every page of a packet.
SENSITIVITY = {
    PrintedCopy.Audience.LAW_ENFORCEMENT: "Law-enforcement sensitive · Need-to-know only · Do not copy or forward",
    PrintedCopy.Audience.PROSECUTORS: "Law-enforcement sensitive · Prosecutors' copy · Need-to-know only",
    PrintedCopy.Audience.COMMUNITY: (
        "Redacted for advocates and community partners · No witness identity, no suspect detail · Confidential"
    ),
}

Audience = PrintedCopy.Audience
Document = PrintedCopy.Document

# The banner on every page on screen, by the packet audience the reader belongs to: an advocate
# reads the app as the advocates' packet reads, and is told so rather than "law-enforcement
# sensitive".
SCREEN_SENSITIVITY = {
    Audience.LAW_ENFORCEMENT: "Law-enforcement sensitive — contains criminal-justice information. Need-to-know only.",
    Audience.PROSECUTORS: (
        "Law-enforcement sensitive — prosecutors' access to criminal-justice information. Need-to-know only."
    ),
    Audience.COMMUNITY: (
        "Confidential — victim and case information for advocates and community partners. Need-to-know only."
    ),
}
# Before sign-in, and for accounts that see no case (an administrator of no agency).
GENERAL_SENSITIVITY = "Confidential — criminal-justice information system. Authorized users only."


def audience_of(user) -> str | None:
    """The packet audience whose typical reader `user` reads like (None for someone who sees no
    case notes): the same split as the packets, law enforcement, prosecutors, and advocates and
    community partners."""
    if user is None or not can_view_meetings(user) or not user.agency_id:
        return None
    if sees_investigative_detail(user):
        return Audience.PROSECUTORS if user.role == User.Role.PROSECUTOR else Audience.LAW_ENFORCEMENT
    return Audience.COMMUNITY


def screen_sensitivity(user) -> str:
    audience = audience_of(user)
    return SCREEN_SENSITIVITY[audience] if audience else GENERAL_SENSITIVITY


@dataclass(frozen=True)
class CopyMarking:
    """What every page of a printed copy says about itself."""

    document: str
    audience: str
    copy_number: int
    printed_by: str
    printed_at_local: str

    @property
    def audience_label(self) -> str:
        return Audience(self.audience).label

    @property
    def line(self) -> str:
        return (
            f"Copy {self.copy_number} · For {self.audience_label.lower()} · "
            f"Printed by {self.printed_by} on {self.printed_at_local}"
        )


def printer_name(user) -> str:
    name = user.get_full_name() or user.username
    agency = getattr(user, "agency", None)
    return f"{name} ({agency.code})" if agency else name


def marking_for(copy: PrintedCopy) -> CopyMarking:
    return CopyMarking(
        document=copy.document,
        audience=copy.audience,
        copy_number=copy.copy_number,
        printed_by=copy.printed_by_name,
        printed_at_local=f"{timezone.localtime(copy.printed_at):%Y-%m-%d %H:%M %Z}",
    )


def record_print(meeting: Meeting, user, *, document: str, audience: str, request=None) -> PrintedCopy:
    """Number a new copy and put the print on record: a PrintedCopy, an AgendaEvent and the audit
    trail's "meetings.print" row. Every print of an agenda or minutes passes through here.

    The meeting row is locked while the number is chosen, so two people printing at once get
    different numbers. The number is taken before the PDF is drawn, because every page carries
    it; a copy whose drawing then fails stays on record as attempted."""
    document = Document(document)
    audience = Audience(audience)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk", flat=True).get()
        last = PrintedCopy.objects.filter(meeting=meeting, document=document).aggregate(n=Max("copy_number"))["n"]
        copy = PrintedCopy.objects.create(
            meeting=meeting,
            document=document,
            audience=audience,
            copy_number=(last or 0) + 1,
            printed_by=user,
            printed_by_name=printer_name(user),
        )
        AgendaEvent.objects.create(
            meeting=meeting,
            kind=AgendaEvent.Kind.PRINTED,
            actor=user,
            actor_name=printer_name(user),
            detail=f"{document.label}, copy {copy.copy_number}, for {audience.label.lower()}",
        )
    detail = {"document": str(document), "audience": str(audience), "copy": copy.copy_number}
    if request is not None:
        # The request's own audit row (written by the audit middleware) becomes the print record.
        audit.annotate(request, event="meetings.print", object_type="meeting", object_id=meeting.pk, detail=detail)
    else:
        audit.record("meetings.print", actor=user, object_type="meeting", object_id=meeting.pk, detail=detail)
    return copy
