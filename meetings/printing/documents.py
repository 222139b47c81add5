"""PDFs of the agenda packets and the minutes, drawn on the server with WeasyPrint.

One source: a packet is the agenda page's own presentation (meetings.agenda.presentation) drawn with
the page's own item partial, and the minutes are the minutes page's partial; what each holds is
decided in one place. Each is cut into parts drawn one at a time and laid out on the pages
(meetings.printing.packets); the copy line of each copy is stamped on afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ..agenda.item_html import item_htmls
from ..agenda.presentation import agenda_view
from ..cover.chart import cover_context
from ..minutes import minutes_context
from ..models import Meeting, PrintedCopy
from . import packets
from .audiences import SENSITIVITY, Audience, marking_for
from .layout import marked
from .packets import PacketHtml


def _page_context(meeting: Meeting, audience: str, document_name: str) -> dict:
    return {
        "meeting": meeting,
        "audience": audience,
        "audience_label": Audience(audience).label,
        "sensitivity": SENSITIVITY[audience],
        "document_name": document_name,
    }


def _part(template: str, context: dict, audience: str) -> str:
    return packets.document(marked(render_to_string(template, context)), audience)


def _header(context: dict, audience: str) -> str:
    return packets.document(render_to_string("meetings/print/header.html", context), audience)


def agenda_html(meeting: Meeting, printer, audience: str) -> PacketHtml:
    """The agenda packet for `audience`: the cover, then every item as the audience's reader may
    see it, cut further to what `printer` may see. A frozen agenda draws from its snapshots (and
    its kept cover), so printing it again gives the same document."""
    context = _page_context(meeting, audience, "Agenda")
    context.update(cover_context(meeting, printer))
    view = agenda_view(meeting, printer, audience)
    context["agenda"] = view
    items = [
        _part("meetings/print/agenda_item.html", {"first": n == 0, "item_html": mark_safe(html)}, audience)  # noqa: S308
        for n, html in enumerate(item_htmls(view.items))
    ]
    return PacketHtml(
        [_part("meetings/print/agenda.html", context, audience), *items],
        _header(context, audience),
        frozenset(item.case.id for item in view.items if item.is_case),
    )


def minutes_html(meeting: Meeting, printer, audience: str) -> PacketHtml:
    """The minutes page's own content (attendance, every item's outcome, the action items and the
    record of the agenda), on numbered pages."""
    context = minutes_context(meeting, printer)
    context.update(_page_context(meeting, audience, "Minutes"))
    return PacketHtml(
        [_part("meetings/print/minutes.html", context, audience)],
        _header(context, audience),
        frozenset(context["visible_case_ids"]),
    )


@dataclass(frozen=True)
class Printed:
    """A printed copy and the cases it shows (which the print's audit row records)."""

    content: bytes
    case_ids: frozenset[int]


def agenda_pdf(meeting: Meeting, printer, copy: PrintedCopy) -> Printed:
    html = agenda_html(meeting, printer, copy.audience)
    drawn = packets.packet(meeting, PrintedCopy.Document.AGENDA, html, keep=meeting.is_frozen)
    return Printed(packets.stamp(drawn, marking_for(copy), title=f"Agenda of the {meeting}"), html.case_ids)


def minutes_pdf(meeting: Meeting, printer, copy: PrintedCopy) -> Printed:
    html = minutes_html(meeting, printer, copy.audience)
    drawn = packets.packet(meeting, PrintedCopy.Document.MINUTES, html, keep=True)
    return Printed(packets.stamp(drawn, marking_for(copy), title=f"Minutes of the {meeting}"), html.case_ids)


def prepare_agenda_packet(meeting: Meeting, printer, audience: str) -> None:
    """Draw, ahead of the first print, the parts of the agenda packet for `audience` (and keep the
    laid-out packet of a frozen agenda). `printer` must be allowed to print it."""
    html = agenda_html(meeting, printer, audience)
    packets.packet(meeting, PrintedCopy.Document.AGENDA, html, keep=meeting.is_frozen)
