"""PDFs of the agenda packets and the minutes, drawn on the server with WeasyPrint.

One source: a packet is the agenda page's own presentation (meetings.presentation) drawn with
the page's own item partial, and the minutes are the minutes page's partial; what each holds is
decided in one place. Nothing is fetched while drawing: the stylesheet is read from our static
files, the chart is inline SVG, fonts are the machine's own (DejaVu).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .chart import cover_context
from .models import Meeting, PrintedCopy
from .presentation import agenda_view
from .printing import SENSITIVITY, marking_for
from .views.minutes import minutes_context

STYLESHEET = "css/agenda_pdf.css"


@cache
def _weasyprint():
    """WeasyPrint, loaded on the first print rather than with the URLs: it brings Pango and
    parses its own stylesheets, and reports every step of every document at INFO (noise in the
    server log, so quietened first)."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    import weasyprint
    from weasyprint.urls import URLFetcher

    class NothingFromOutside(URLFetcher):
        """Refuses every URL: a packet never depends on (or leaks a request to) another server."""

        def fetch(self, url, headers=None):
            raise ValueError(f"PDFs load nothing from outside; refused {url[:80]!r}")

    path = finders.find(STYLESHEET) or Path(settings.BASE_DIR) / "static" / STYLESHEET
    stylesheet = weasyprint.CSS(string=Path(path).read_text(encoding="utf-8"), url_fetcher=NothingFromOutside())
    return weasyprint, NothingFromOutside, stylesheet


def render_pdf(template_name: str, context: dict) -> bytes:
    weasyprint, fetcher, stylesheet = _weasyprint()
    html = render_to_string(template_name, context)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher(), base_url=None)
    return document.write_pdf(stylesheets=[stylesheet])


def _page_context(meeting: Meeting, copy: PrintedCopy) -> dict:
    return {
        "meeting": meeting,
        "marking": marking_for(copy),
        "sensitivity": SENSITIVITY[copy.audience],
    }


def agenda_pdf(meeting: Meeting, printer, copy: PrintedCopy) -> bytes:
    """The agenda packet for `copy.audience`: the cover, then every item as the audience's reader
    may see it, cut further to what `printer` may see. A frozen agenda draws from its snapshots
    (and its kept cover), so printing it again gives the same document."""
    context = _page_context(meeting, copy)
    context.update(cover_context(meeting, printer))
    context["agenda"] = agenda_view(meeting, printer, copy.audience)
    return render_pdf("meetings/print/agenda.html", context)


def minutes_pdf(meeting: Meeting, printer, copy: PrintedCopy) -> bytes:
    """The minutes page's own content (attendance, every item's outcome, the action items and the
    record of the agenda), on numbered pages."""
    context = minutes_context(meeting, printer)
    context.update(_page_context(meeting, copy))
    return render_pdf("meetings/print/minutes.html", context)
