"""PDFs of the agenda packets and the minutes, drawn on the server with WeasyPrint.

One source: a packet is the agenda page's own presentation (meetings.presentation) drawn with
the page's own item partial, and the minutes are the minutes page's partial; what each holds is
decided in one place. The copy line of each copy is stamped on afterwards (meetings.packets).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from . import packets
from .chart import cover_context
from .item_html import item_pages, render_items
from .models import Meeting, PrintedCopy
from .presentation import agenda_view
from .printing import SENSITIVITY, Audience, marking_for, printable_audiences
from .views.minutes import minutes_context


def _page_context(meeting: Meeting, audience: str) -> dict:
    return {
        "meeting": meeting,
        "audience": audience,
        "audience_label": Audience(audience).label,
        "sensitivity": SENSITIVITY[audience],
    }


def agenda_html(meeting: Meeting, printer, audience: str) -> str:
    """The agenda packet for `audience`: the cover, then every item as the audience's reader may
    see it, cut further to what `printer` may see. A frozen agenda draws from its snapshots (and
    its kept cover), so printing it again gives the same document."""
    context = _page_context(meeting, audience)
    context.update(cover_context(meeting, printer))
    view = agenda_view(meeting, printer, audience)
    context["agenda"] = view
    context["items_html"] = render_items(item_pages(view.items))
    return render_to_string("meetings/print/agenda.html", context)


def minutes_html(meeting: Meeting, printer, audience: str) -> str:
    """The minutes page's own content (attendance, every item's outcome, the action items and the
    record of the agenda), on numbered pages."""
    context = minutes_context(meeting, printer)
    context.update(_page_context(meeting, audience))
    return render_to_string("meetings/print/minutes.html", context)


def agenda_pdf(meeting: Meeting, printer, copy: PrintedCopy) -> bytes:
    html = agenda_html(meeting, printer, copy.audience)
    drawn = packets.drawn(meeting, PrintedCopy.Document.AGENDA, html, keep=meeting.is_frozen)
    return packets.stamp(drawn, marking_for(copy), title=f"Agenda of the {meeting}")


def minutes_pdf(meeting: Meeting, printer, copy: PrintedCopy) -> bytes:
    html = minutes_html(meeting, printer, copy.audience)
    drawn = packets.drawn(meeting, PrintedCopy.Document.MINUTES, html, keep=True)
    return packets.stamp(drawn, marking_for(copy), title=f"Minutes of the {meeting}")


def prepare_agenda_packets(meeting: Meeting, printer) -> int:
    """Draw and keep, ahead of the first print, the packets `printer` may print of a frozen agenda.
    Returns how many were drawn (none when they are kept already)."""
    if not meeting.is_frozen:
        return 0
    return sum(
        packets.keep_drawn(meeting, PrintedCopy.Document.AGENDA, agenda_html(meeting, printer, audience))
        for audience in printable_audiences(printer)
    )
