"""A packet is laid out from parts drawn one at a time, as the stylesheet lays out the whole: parts
share a page while they fit, one that does not fit starts the next page, one longer than a page
runs over its own pages, and every page carries the running header and its own page number. A
change to one case on a live agenda draws that one item again. Real WeasyPrint, real qpdf; the
text is read back out of the PDF with pypdf."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from cases import services as case_services
from cases.models import Note
from meetings.models import DrawnPart, Meeting
from meetings.printing import documents, layout, packets

from .test_pdf import download, pdf_pages

pytestmark = pytest.mark.django_db

HEADER = (
    '<div class="running-header"><span class="rh-title">Test packet</span><span class="rh-marking">Marking</span></div>'
)


def part(name: str, height_mm: int = 0, lines: int = 0) -> str:
    """A part holding `name`, then a block `height_mm` tall or `lines` paragraphs."""
    body = f"<p>{name}</p>"
    if height_mm:
        body += f'<div style="height: {height_mm}mm"></div>'
    body += "".join(f"<p>{name} line {n}</p>" for n in range(1, lines + 1))
    return packets.document(layout.marked(body))


def laid_out(*part_htmls: str) -> list[str]:
    html = packets.PacketHtml(part_htmls, packets.document(HEADER))
    pdf = packets.packet(Meeting(), "agenda", html, keep=False)
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(pdf)).pages]


def test_parts_share_a_page_while_they_fit_and_one_that_does_not_starts_the_next():
    # The text area of a letter page is 233 mm tall.
    pages = laid_out(part("Alpha", 90), part("Bravo", 90), part("Charlie", 90), part("Delta", 20))

    assert len(pages) == 2
    assert "Alpha" in pages[0] and "Bravo" in pages[0] and "Charlie" not in pages[0]
    assert "Charlie" in pages[1] and "Delta" in pages[1]


def test_a_part_longer_than_a_page_starts_a_page_and_what_follows_goes_on_below_it():
    pages = laid_out(part("Alpha", 150), part("Long", lines=80), part("After"))

    assert "Alpha" in pages[0] and "Long" not in pages[0]  # it did not start below Alpha
    long_pages = [n for n, text in enumerate(pages) if "Long line" in text]
    assert long_pages[0] == 1 and len(long_pages) >= 2
    assert "Long line 1 " in pages[1] and "Long line 80" in pages[long_pages[-1]]
    assert "After" in pages[long_pages[-1]]  # room was left on the long part's last page
    assert len(pages) == long_pages[-1] + 1


def test_a_forced_page_break_at_the_end_of_a_part_starts_a_new_page_and_leaves_no_blank_one():
    lead = packets.document(layout.marked('<p>Cover</p><div style="break-after: page"></div>'))

    pages = laid_out(lead, part("First item"))
    assert len(pages) == 2
    assert "Cover" in pages[0] and "First item" not in pages[0]
    assert "First item" in pages[1]

    pages = laid_out(lead, part("Long", lines=80), lead)
    assert "Cover" in pages[0] and "Long line 1 " in pages[1]
    assert all("Cover" in text or "Long line" in text for text in pages)  # not one page left blank


def test_every_page_has_the_running_header_and_its_own_page_number_once():
    pages = laid_out(*(part(f"Item {n}", 150) for n in range(1, 6)))

    assert len(pages) == 5
    for number, text in enumerate(pages, start=1):
        assert text.count("Test packet") == 1 and "MARKING" in text  # the stylesheet capitalises it
        assert f"Item {number}" in text
        assert f"Page {number} of 5" in text
        assert text.count("Page ") == 1  # no other page's number shows through


def test_a_long_packet_numbers_every_page():
    pages = laid_out(*[part("Item", 150)] * 120)  # one drawing, placed 120 times

    assert len(pages) == 120
    assert [text.split("Page ")[1] for text in pages] == [f"{n} of 120" for n in range(1, 121)]


def kept_drawings_replaced(part_htmls, text: str) -> None:
    """Put a drawing of `text` in place of the kept drawing of each of `part_htmls` (their measures
    unchanged): a packet that shows `text` was laid out from the kept drawings."""
    stand_in = packets.drawn_parts([(part(text), "")])[0].pdf
    DrawnPart.objects.filter(digest__in=[packets.digest(html) for html in part_htmls]).update(pdf=stand_in)


def test_a_part_is_drawn_once_and_laid_out_again_from_its_kept_drawing():
    laid_out(part("Alpha", 90), part("Bravo", 90))
    kept_drawings_replaced([part("Alpha", 90), part("Bravo", 90)], "Kept drawing")

    pages = laid_out(part("Alpha", 90), part("Bravo", 90), part("Charlie", 10))

    assert "Alpha" not in pages[0] and "Bravo" not in pages[0]
    assert pages[0].count("Kept drawing") == 2
    assert "Charlie" in pages[0]  # new: drawn now


def test_a_change_to_one_case_on_a_live_agenda_draws_only_that_item_again(
    client_for, coordinator, investigator, agenda_meeting
):
    client = client_for(coordinator)
    download(client, agenda_meeting, "law_enforcement")
    items = documents.agenda_html(agenda_meeting, coordinator, "law_enforcement").parts[1:]
    kept_drawings_replaced(items, "Kept drawing")
    shooting = agenda_meeting.items.filter(shooting__isnull=False).order_by("position").last().shooting

    case_services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Bus depot canvass done."})
    after = " ".join(pdf_pages(download(client, agenda_meeting, "law_enforcement").content))

    assert "Bus depot canvass done." in after  # the changed item, drawn again
    assert after.count("Kept drawing") == len(items) - 1  # every other item from its kept drawing
