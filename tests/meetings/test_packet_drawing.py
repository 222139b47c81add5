"""A packet is laid out once from its parts' drawings and each copy is that packet with its own
copy line stamped on: fast prints of a frozen agenda, never a stale one. A build and a freeze have
a real worker draw the packets before anyone asks for them."""

from __future__ import annotations  # noqa: I001

import time
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings.agenda import services as agenda_services
from meetings.models import DrawnPacket, DrawnPart, Meeting
from meetings.printing import documents, packets
from meetings.access import printable_audiences

from .test_pdf import download, pdf_pages, pdf_text, without_copy_lines

pytestmark = pytest.mark.django_db

COPY_LINE = "Copy {n} · For {audience} · Printed by Renee Talmadge (RBPD)"


def frozen(meeting: Meeting, coordinator) -> Meeting:
    return agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)


def test_copies_of_a_frozen_agenda_are_stamped_on_one_drawing_per_audience(client_for, coordinator, agenda_meeting):
    meeting = frozen(agenda_meeting, coordinator)
    client = client_for(coordinator)

    first = download(client, meeting, "law_enforcement").content
    second = download(client, meeting, "law_enforcement").content
    community = download(client, meeting, "community").content

    assert DrawnPacket.objects.filter(meeting=meeting).count() == 2
    for content, n, audience in [(first, 1, "law enforcement"), (second, 2, "law enforcement")]:
        pages = pdf_pages(content)
        assert len(pages) >= 2
        for page in pages:
            assert COPY_LINE.format(n=n, audience=audience) in page
        assert page.count("Copy ") == 1  # the stamp of the first page is not repeated on the others
    assert COPY_LINE.format(n=3, audience="advocates and community partners") in pdf_text(community)
    assert without_copy_lines(pdf_text(first)) == without_copy_lines(pdf_text(second))
    properties = PdfReader(BytesIO(second)).metadata
    assert properties.title == f"Agenda of the {meeting} · copy 2"
    assert properties.author == "Renee Talmadge (RBPD)"


def test_a_kept_drawing_is_never_handed_out_once_what_the_packet_shows_has_changed(
    client_for,
    coordinator,
    agenda_meeting,
):
    meeting = frozen(agenda_meeting, coordinator)
    client = client_for(coordinator)
    before = pdf_text(download(client, meeting, "law_enforcement").content)
    item = meeting.items.filter(removed_at__isnull=True).first()
    agenda_services.record_item(
        meeting,
        coordinator,
        item.pk,
        discussed=True,
        outcome="follow_up",
        outcome_text="Canvass the bus depot again",
        review_again=False,
    )

    after = pdf_text(download(client, meeting, "law_enforcement").content)

    assert "bus depot" not in before
    assert "Canvass the bus depot again" in after
    assert DrawnPacket.objects.filter(meeting=meeting).count() == 2


def test_an_agenda_not_yet_frozen_is_laid_out_for_each_print_and_not_kept_whole(
    client_for, coordinator, agenda_meeting
):
    download(client_for(coordinator), agenda_meeting, "law_enforcement")
    assert not DrawnPacket.objects.exists()
    assert DrawnPart.objects.exists()  # its parts are kept: most will not change before the next print


def coordinator_acting(client_for, coordinator, meeting: Meeting, action: str, settings):
    """The coordinator's client, once it has posted `action` (build or freeze) on the agenda with
    the drawing ahead of the first print switched on."""
    settings.PREPARE_PACKETS = True
    client = client_for(coordinator)
    response = client.post(reverse(f"meetings:{action}", args=[meeting.pk]), {"version": meeting.agenda_version})
    assert response.status_code in (200, 302)
    return client


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_freezing_has_a_worker_draw_the_packets_before_the_first_print(
    celery_worker,
    client_for,
    coordinator,
    agenda_meeting,
    settings,
):
    client = coordinator_acting(client_for, coordinator, agenda_meeting, "agenda_freeze", settings)
    expected = len(printable_audiences(coordinator))
    deadline = time.monotonic() + 120
    while DrawnPacket.objects.count() < expected and time.monotonic() < deadline:
        time.sleep(0.3)
    assert DrawnPacket.objects.filter(meeting=agenda_meeting).count() == expected == 3

    for audience in ["law_enforcement", "prosecutors", "community"]:
        assert download(client, agenda_meeting, audience).status_code == 200
    assert DrawnPacket.objects.count() == expected  # every print was stamped on the worker's drawing


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_building_an_agenda_has_a_worker_draw_every_part_so_the_first_print_draws_nothing(
    celery_worker,
    client_for,
    coordinator,
    agenda_meeting,
    settings,
):
    client = coordinator_acting(client_for, coordinator, agenda_meeting, "agenda_build", settings)
    agenda_meeting.refresh_from_db()
    wanted = set()
    for audience in printable_audiences(coordinator):
        html = documents.agenda_html(agenda_meeting, coordinator, audience)
        wanted |= {packets.digest(part) for part in [*html.parts, html.header]}
    # Every part there, then the page numbers (drawn last): wait until nothing more comes.
    deadline, drawn = time.monotonic() + 120, -1
    while time.monotonic() < deadline:
        time.sleep(1)
        done = DrawnPart.objects.filter(digest__in=wanted).count() == len(wanted)
        if done and DrawnPart.objects.count() == drawn:
            break
        drawn = DrawnPart.objects.count()
    assert drawn > len(wanted)  # the parts of every audience's packet and their page numbers

    for audience in ["law_enforcement", "prosecutors", "community"]:
        assert download(client, agenda_meeting, audience).status_code == 200
    assert DrawnPart.objects.count() == drawn  # nothing left to draw at the print
    assert not DrawnPacket.objects.exists()  # a live agenda's packet is not kept whole
