"""Drawing packets from kept parts and stamping each copy.

WeasyPrint's work grows with every page it lays out, and people wait at the table while a packet
prints. So a
packet is drawn in parts (meetings.printing.layout): its lead, each agenda item, the running header
and the page numbers are each drawn once and kept under the digest of their HTML (together with
the stylesheet and the WeasyPrint version that drew them), and the pages are laid out from those
drawings. A change to one case on a live agenda draws that one item again; content that changed
gives another digest, so a kept drawing never shows something stale.

The laid-out packet is kept too, under the digests of all its parts, and each copy is that
packet with the copy line stamped on every page. A worker draws an agenda's parts right after it
is built and again after the freeze, so the coordinator's first print is fast as well.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..models import DrawnPacket, DrawnPart, Meeting
from . import layout
from .audiences import CopyMarking
from .layout import Part

logger = logging.getLogger("shootreview.printing")

STYLESHEET = "css/agenda_pdf.css"
DOCUMENT = "meetings/print/document.html"

# Laid-out packets kept per meeting and document: enough for every audience and a few corrections.
KEEP_PER_DOCUMENT = 12
# Parts no print has used for this long are dropped (whenever new ones are drawn).
KEEP_PARTS_UNUSED = timedelta(days=14)
# A part's last use is written at most this often, not on every print.
TOUCH_EVERY = timedelta(days=1)


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
    # The page size and margins come from the layout, which places the drawings on those pages.
    css = layout.PAGE.css() + "\n" + Path(path).read_text(encoding="utf-8")
    stylesheet = weasyprint.CSS(string=css, url_fetcher=NothingFromOutside())
    # What else decides what is drawn and how it is laid out: a new stylesheet, WeasyPrint or
    # layout draws everything anew.
    layout_source = Path(layout.__file__).read_text(encoding="utf-8")
    fingerprint = hashlib.sha256(f"{weasyprint.__version__}\n{css}\n{layout_source}".encode()).hexdigest()
    return weasyprint, NothingFromOutside, stylesheet, fingerprint


_fonts = threading.local()


def _font_config():
    """The font configuration, made once per thread: making one loads the machine's fonts, which
    took a third of the time of drawing an agenda item. One per thread, as Pango's font maps are
    not to be shared between threads."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def _render(html: str, extra_css: str = ""):
    weasyprint, fetcher, stylesheet, _ = _weasyprint()
    stylesheets = [stylesheet] + ([weasyprint.CSS(string=extra_css, url_fetcher=fetcher())] if extra_css else [])
    document = weasyprint.HTML(string=html, url_fetcher=fetcher(), base_url=None)
    return document.render(stylesheets=stylesheets, font_config=_font_config())


def digest(html: str, extra_css: str = "") -> str:
    fingerprint = _weasyprint()[3]
    return hashlib.sha256(f"{fingerprint}\n{extra_css}\n{html}".encode()).hexdigest()


def document(body: str, audience: str = "") -> str:
    """A part's own HTML document: `body` (HTML) on the packet's pages, in the audience's style."""
    return render_to_string(DOCUMENT, {"body": mark_safe(body), "audience": audience})  # noqa: S308 - our HTML


def drawn_parts(htmls: Sequence[tuple[str, str]]) -> list[Part]:
    """The drawing of each (HTML, extra CSS): kept ones where there are, the others drawn now
    and kept. Marked HTML (layout.marked) is measured; the rest (the header and the page
    numbers) is placed whole."""
    keys = [digest(html, css) for html, css in htmls]
    rows = DrawnPart.objects.filter(digest__in=set(keys)).values_list("digest", "pdf", "pages", "top", "end", "used_at")
    now = timezone.now()
    parts, stale = {}, []
    for key, pdf, pages, top, end, used_at in rows:
        parts[key] = Part(bytes(pdf), pages, top, end)
        if used_at < now - TOUCH_EVERY:
            stale.append(key)
    fresh = []
    for key, (html, css) in zip(keys, htmls, strict=True):
        if key not in parts:
            parts[key] = _draw_part(html, css)
            fresh.append(DrawnPart(digest=key, used_at=now, **asdict(parts[key])))
    if fresh:
        # Drawn at the same moment by another print or a worker: the same drawing, kept once.
        DrawnPart.objects.bulk_create(fresh, ignore_conflicts=True)
        DrawnPart.objects.filter(used_at__lt=now - KEEP_PARTS_UNUSED).delete()
    if stale:
        DrawnPart.objects.filter(digest__in=stale).update(used_at=now)
    return [parts[key] for key in keys]


def _draw_part(html: str, css: str) -> Part:
    rendered = _render(html, css)
    pdf = rendered.write_pdf()
    if layout.START in rendered.pages[0].anchors:
        return Part(pdf, *layout.measure(rendered))
    return Part(pdf, len(rendered.pages), 0.0, 0.0)


def frame(header_html: str, count: int) -> tuple[bytes, bytes]:
    """The running header's drawing and the page numbers' of a packet of `count` pages."""
    numbers_html, numbers_css = layout.number_sheet(count)
    header, numbers = drawn_parts([(header_html, ""), (document(numbers_html), numbers_css)])
    return header.pdf, numbers.pdf


@dataclass(frozen=True)
class PacketHtml:
    """A packet's HTML: each part's own document (`marked`), in order, and the running header's,
    with the cases it shows (for the audit trail; not part of its key, which its HTML decides)."""

    parts: Sequence[str]
    header: str
    case_ids: frozenset[int] = frozenset()

    def key(self) -> str:
        digests = [*(digest(part) for part in self.parts), digest(self.header)]
        return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def packet(meeting: Meeting, kind: str, html: PacketHtml, *, keep: bool) -> bytes:
    """The packet laid out from `html`: the kept one if there is one, else laid out now from the
    parts' drawings (and kept if `keep`: content that can still change at any moment is not worth
    keeping whole)."""
    key = html.key()
    found = DrawnPacket.objects.filter(digest=key).values_list("pdf", flat=True).first()
    if found is not None:
        return bytes(found)
    parts = drawn_parts([(part, "") for part in html.parts])
    pdf = layout.lay_out(parts, lambda count: frame(html.header, count))
    if keep:
        _keep(meeting, kind, key, pdf)
    return pdf


def _keep(meeting: Meeting, kind: str, key: str, pdf: bytes) -> None:
    try:
        with transaction.atomic():
            DrawnPacket.objects.create(meeting=meeting, document=kind, digest=key, pdf=pdf)
    except IntegrityError:
        return  # laid out at the same moment by another print or the background task
    kept = DrawnPacket.objects.filter(meeting=meeting, document=kind).order_by("-created_at", "-pk")
    stale = list(kept.values_list("pk", flat=True)[KEEP_PER_DOCUMENT:])
    if stale:
        DrawnPacket.objects.filter(pk__in=stale).delete()


def stamp(pdf: bytes, marking: CopyMarking, *, title: str) -> bytes:
    """The copy: every page of `pdf` with the copy line in its footer, the first page with it in
    the copy statement too, and the title and author in the document's properties."""
    stamp_html = render_to_string("meetings/print/stamp.html", {"marking": marking})
    overlay = _render(stamp_html).write_pdf()
    metadata = {"/Title": f"{title} · copy {marking.copy_number}", "/Author": marking.printed_by}
    return layout.stamp(pdf, overlay, metadata=metadata)
