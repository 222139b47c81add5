"""Laying out a packet's pages from parts drawn one at a time.

WeasyPrint's work grows with every page of an agenda, so a long packet drawn as one document kept
people waiting, and any change to any case on a live agenda meant drawing all of it again. A
packet is cut into parts instead (its lead, then each agenda item), each drawn alone by WeasyPrint
on the packet's own page size and margins and kept (meetings.printing.packets), and the pages are
laid out from those drawings the way the stylesheet lays out the whole:

- a part that fits below what is already on the page goes there; one that does not starts the
  next page (so an item never splits unless it is longer than a page);
- a part longer than a page starts a page of its own and runs over the pages WeasyPrint broke it
  into; what follows may go on below it on its last page;
- the running header (the same on every page) and the page numbers ("Page 3 of 41" needs the
  count: all of them are drawn together, a little page each) are laid over every page.

Placing is qpdf's work (pikepdf): each drawing becomes a form XObject placed with a translation,
so the text stays text and no page is laid out by WeasyPrint a second time.

Where a part begins and ends is read from two empty marker elements around it (`marked`), whose
positions WeasyPrint reports as anchors.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pikepdf import Name, Page, Pdf, Rectangle

MM = 72 / 25.4  # points
PX = 0.75  # points per CSS pixel, the unit of WeasyPrint's anchors
START, END = "part-start", "part-end"


@dataclass(frozen=True)
class PageGeometry:
    """US letter with the packet's margins, in points. `css()` gives WeasyPrint the same page."""

    width: float = 612.0
    height: float = 792.0
    top: float = 24 * MM
    side: float = 14 * MM
    bottom: float = 22 * MM
    # The page number sits at the right of the bottom margin, 3 mm below the text.
    number_width: float = 60 * MM
    number_height: float = 12.0
    number_gap: float = 3 * MM

    @property
    def text_bottom(self) -> float:
        """From the top of the page to the bottom of the text area."""
        return self.height - self.bottom

    def css(self) -> str:
        return f"@page {{ size: {self.width}pt {self.height}pt; margin: {self.top}pt {self.side}pt {self.bottom}pt; }}"

    def number_sheet_css(self) -> str:
        """The pages of the number sheet: one page per number, nothing around it."""
        return f"@page {{ size: {self.number_width}pt {self.number_height}pt; margin: 0; }}"


PAGE = PageGeometry()


@dataclass(frozen=True)
class Part:
    """A part as WeasyPrint drew it: `pdf` holds its `pages` (from the first page), it begins
    `top` points below the top of its first page and what follows it may begin `end` points below
    the top of its last."""

    pdf: bytes
    pages: int
    top: float
    end: float

    @property
    def height(self) -> float:
        return self.end - self.top


def marked(html: str) -> str:
    """`html` between the markers `measure` reads (both empty and block-level: they take no space)."""
    return f'<div id="{START}"></div>{html}<div id="{END}"></div>'


def measure(document) -> tuple[int, float, float]:
    """(pages, top, end) of a WeasyPrint document drawn from `marked` HTML."""
    pages = document.pages
    top = pages[0].anchors[START][1] * PX
    last = max(n for n, page in enumerate(pages) if END in page.anchors)
    end = pages[last].anchors[END][1] * PX
    if last and end <= top + 0.5:
        # Only the end marker went over (a forced page break, or a last margin that did not fit):
        # the part fills its previous page, and what follows starts a new one.
        return last, top, PAGE.text_bottom
    return last + 1, top, end


def number_sheet(count: int) -> tuple[str, str]:
    """(HTML, CSS) of the page numbers of a packet of `count` pages, each on a little page of its
    own (cut out of one sheet, the others would still be there to search and copy)."""
    lines = "".join(f"<p>Page {number} of {count}</p>" for number in range(1, count + 1))
    return f'<div class="page-numbers">{lines}</div>', PAGE.number_sheet_css()


def lay_out(parts: Sequence[Part], frame: Callable[[int], tuple[bytes, bytes]]) -> bytes:
    """The packet's PDF: `parts` in order, then over every page the running header and at its
    foot its line of the page numbers. `frame(page_count)` gives those two drawings: the header's
    one page and the drawn `number_sheet`."""
    out = Pdf.new()
    room = None  # where the next part may begin on the last page; None: start a new page
    for part in parts:
        source = Pdf.open(io.BytesIO(part.pdf))
        if part.pages == 1 and room is not None and room + part.height <= PAGE.text_bottom:
            _place(out.pages[-1], out.copy_foreign(source.pages[0].as_form_xobject()), room - part.top)
            room += part.height
            continue
        for page in source.pages[: part.pages]:
            out.add_blank_page(page_size=(PAGE.width, PAGE.height))
            _place(out.pages[-1], out.copy_foreign(page.as_form_xobject()), 0)
        room = part.end
    _lay_over(out, *frame(len(out.pages)))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _place(page, formx, down: float) -> None:
    """Draw `formx` (a whole page) on `page`, moved `down` points."""
    Page(page).add_overlay(formx, Rectangle(0, -down, PAGE.width, PAGE.height - down))


def _lay_over(out: Pdf, header: bytes, numbers: bytes) -> None:
    # Each source is held open while its pages are copied: a page outlives its closed PDF as a
    # bare object qpdf cannot turn into a form.
    header_pdf, numbers_pdf = Pdf.open(io.BytesIO(header)), Pdf.open(io.BytesIO(numbers))
    header_x = out.copy_foreign(header_pdf.pages[0].as_form_xobject())
    left = PAGE.width - PAGE.side - PAGE.number_width
    below = PAGE.bottom - PAGE.number_gap - PAGE.number_height
    number_place = Rectangle(left, below, left + PAGE.number_width, below + PAGE.number_height)
    for page, number in zip(out.pages, numbers_pdf.pages, strict=True):
        Page(page).add_overlay(header_x, Rectangle(0, 0, PAGE.width, PAGE.height))
        Page(page).add_overlay(out.copy_foreign(number.as_form_xobject()), number_place)


def stamp(pdf: bytes, overlay: bytes, *, metadata: dict[str, str]) -> bytes:
    """`pdf` with the first page of `overlay` laid over its first page and the second over every
    other page, and `metadata` (such as /Title) in its document information."""
    packet = Pdf.open(io.BytesIO(pdf))
    overlay_pdf = Pdf.open(io.BytesIO(overlay))
    first_x = packet.copy_foreign(overlay_pdf.pages[0].as_form_xobject())
    others_x = packet.copy_foreign(overlay_pdf.pages[1].as_form_xobject())
    for n, page in enumerate(packet.pages):
        Page(page).add_overlay(first_x if n == 0 else others_x, Rectangle(0, 0, PAGE.width, PAGE.height))
    for key, value in metadata.items():
        packet.docinfo[Name(key)] = value
    buffer = io.BytesIO()
    packet.save(buffer)
    return buffer.getvalue()
