"""Drawing a packet once and stamping each copy.

WeasyPrint takes many seconds to lay out a hundred-item agenda, while printing must take seconds.
What a copy holds is decided by its HTML (meetings.pdf); only the copy line differs from copy to
copy. So a packet is drawn without it, kept under the digest of its HTML (together with the
stylesheet and the WeasyPrint version that drew it), and each copy is that drawing with the copy
line stamped on every page. Content that changed gives another digest, hence a new drawing: a
kept drawing can never show something stale. A frozen agenda is drawn in the background right
after the freeze, so that the coordinator's first print is fast too.
"""

from __future__ import annotations

import hashlib
import io
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from .models import DrawnPacket, Meeting
from .printing import CopyMarking

logger = logging.getLogger("shootreview.printing")

STYLESHEET = "css/agenda_pdf.css"

# Drawings kept per meeting and document: enough for every audience and a few corrections.
KEEP_PER_DOCUMENT = 12

# The stamp draws only the copy line: no header, no page numbers (the packet has them).
STAMP_CSS = "@page { @top-center { content: none; } @bottom-right { content: none; } }"


@cache
def _weasyprint():
    """WeasyPrint, loaded on the first print rather than with the URLs: it brings Pango and
    parses its own stylesheets, and reports every step of every document at INFO (noise in the
    server log, so quietened first). Nothing is fetched while drawing: the stylesheet is read from
    our static files, the chart is inline SVG, fonts are the machine's own (DejaVu)."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    import weasyprint
    from weasyprint.urls import URLFetcher

    class NothingFromOutside(URLFetcher):
        """Refuses every URL: a packet never depends on (or leaks a request to) another server."""

        def fetch(self, url, headers=None):
            raise ValueError(f"PDFs load nothing from outside; refused {url[:80]!r}")

    path = finders.find(STYLESHEET) or Path(settings.BASE_DIR) / "static" / STYLESHEET
    css = Path(path).read_text(encoding="utf-8")
    stylesheet = weasyprint.CSS(string=css, url_fetcher=NothingFromOutside())
    # What else decides how HTML is drawn: a new stylesheet or WeasyPrint draws everything anew.
    fingerprint = hashlib.sha256(f"{weasyprint.__version__}\n{css}".encode()).hexdigest()
    return weasyprint, NothingFromOutside, stylesheet, fingerprint


def draw(html: str, *, extra_css: str = "") -> bytes:
    weasyprint, fetcher, stylesheet, _ = _weasyprint()
    stylesheets = [stylesheet] + ([weasyprint.CSS(string=extra_css, url_fetcher=fetcher())] if extra_css else [])
    document = weasyprint.HTML(string=html, url_fetcher=fetcher(), base_url=None)
    return document.write_pdf(stylesheets=stylesheets)


def digest(html: str) -> str:
    fingerprint = _weasyprint()[3]
    return hashlib.sha256(f"{fingerprint}\n{html}".encode()).hexdigest()


def prepare_after_freeze(meeting: Meeting, user) -> None:
    """Queue the drawing of the packets `user` may print, once the freeze has committed. A broker
    that does not answer costs nothing but speed: the first print then draws them itself."""
    if not settings.PREPARE_PACKETS:
        return

    def enqueue():
        from .tasks import prepare_packets

        try:
            prepare_packets.delay(meeting.pk, user.pk)
        except Exception:  # noqa: BLE001 - any broker failure; the print draws it instead
            logger.warning("could not queue the drawing of packets for meeting %s", meeting.pk, exc_info=True)

    transaction.on_commit(enqueue)


def keep_drawn(meeting: Meeting, document: str, html: str) -> bool:
    """Draw and keep the packet of `html` unless it is kept already; whether it was drawn."""
    key = digest(html)
    if DrawnPacket.objects.filter(digest=key).exists():
        return False
    _keep(meeting, document, key, draw(html))
    return True


def drawn(meeting: Meeting, document: str, html: str, *, keep: bool) -> bytes:
    """The packet drawn from `html`: the kept drawing if there is one, else drawn now (and kept if
    `keep`: content that can still change at any moment is not worth keeping)."""
    key = digest(html)
    found = DrawnPacket.objects.filter(digest=key).values_list("pdf", flat=True).first()
    if found is not None:
        return bytes(found)
    pdf = draw(html)
    if keep:
        _keep(meeting, document, key, pdf)
    return pdf


def _keep(meeting: Meeting, document: str, key: str, pdf: bytes) -> None:
    try:
        with transaction.atomic():
            DrawnPacket.objects.create(meeting=meeting, document=document, digest=key, pdf=pdf)
    except IntegrityError:
        return  # drawn at the same moment by another print or the background task
    kept = DrawnPacket.objects.filter(meeting=meeting, document=document).order_by("-created_at", "-pk")
    stale = list(kept.values_list("pk", flat=True)[KEEP_PER_DOCUMENT:])
    if stale:
        DrawnPacket.objects.filter(pk__in=stale).delete()


def stamp(pdf: bytes, marking: CopyMarking, *, title: str) -> bytes:
    """The copy: every page of `pdf` with the copy line in its footer, the first page with it in
    the copy statement too, and the title and author in the document's properties."""
    from pypdf import PdfReader, PdfWriter

    stamp_html = render_to_string("meetings/print/stamp.html", {"marking": marking})
    stamp_pages = PdfReader(io.BytesIO(draw(stamp_html, extra_css=STAMP_CSS))).pages
    first, others = stamp_pages[0], stamp_pages[1]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for number, page in enumerate(writer.pages):
        page.merge_page(first if number == 0 else others)
        page.compress_content_streams()
    writer.add_metadata({"/Title": f"{title} · copy {marking.copy_number}", "/Author": marking.printed_by})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
