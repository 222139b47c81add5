"""The printed packets and minutes: what each audience's PDF holds (the text in the file, not
just what shows), the copy line on every page, copy numbers, and a frozen agenda printing the
same document twice. Text is taken out of the PDFs with pypdf."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services as case_services
from cases.models import Note, Shooting
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, AgendaEvent, Attendance, Meeting, PrintedCopy
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import meeting_soon

pytestmark = pytest.mark.django_db

WITNESS = "Mireille Otterbach"
WITNESS_CONTACT = "816-555-0199"
SUSPECT = "Corwin Ashdale"
SUSPECT_ALIAS = "Wick"
PURCHASER = "Gideon Farrowby"
DEALER = "Bramblegate Arms"
VICTIM = "Tamsin Okonkwo-Reyes"
SERVICES_DETAIL = "Relocated to a sister's flat on the north side"


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces (a name may wrap)."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))


def add_sensitive_notes(shooting: Shooting, investigator, atf_agent, advocate) -> None:
    case_services.add_note(
        shooting,
        investigator,
        Note.Kind.SUSPECT,
        {
            "name": SUSPECT,
            "aliases": SUSPECT_ALIAS,
            "date_of_birth": None,
            "approximate_age": 24,
            "status": "suspect",
            "basis": "Seen on a doorbell camera two doors down",
            "text": "",
        },
    )
    case_services.add_note(
        shooting,
        investigator,
        Note.Kind.WITNESS,
        {
            "name": WITNESS,
            "contact": WITNESS_CONTACT,
            "relation": "neighbour",
            "account": "Heard four shots and saw a grey sedan leave northbound.",
            "cooperation": "reluctant",
            "intimidation_concern": True,
            "relocation_requested": True,
            "referred_to_advocate": True,
        },
    )
    case_services.add_note(
        shooting,
        atf_agent,
        Note.Kind.FIREARM,
        {
            "recovered": True,
            "recovered_where": "storm drain behind the building",
            "recovered_on": None,
            "make": "Hi-Point",
            "model": "C9",
            "caliber": "9mm",
            "serial_number": "P1234567",
            "casings_recovered": 4,
            "projectiles_recovered": 1,
            "nibin_leads": [],
            "etrace_number": "T2026-0042",
            "etrace_status": "completed",
            "purchaser": PURCHASER,
            "dealer": DEALER,
            "time_to_crime_days": 210,
            "text": "",
        },
    )
    case_services.add_note(
        shooting,
        advocate,
        Note.Kind.VICTIM_SERVICES,
        {
            "victim": None,
            "service_agency": "Harbor Light",
            "referral_status": "engaged",
            "services_offered": "safety planning",
            "services_accepted": "safety planning",
            "safety_planning": True,
            "text": SERVICES_DETAIL,
        },
    )


@pytest.fixture
def agenda_meeting(coordinator, investigator, atf_agent, advocate) -> Meeting:
    """A meeting whose agenda holds one homicide with a suspect, a witness, a traced gun and a
    victim-services note, and a few other new shootings."""
    meeting = meeting_soon()
    homicide = make_shooting(
        investigator,
        kind=Shooting.Kind.HOMICIDE,
        lead_investigator=investigator,
        victims=[{"name": VICTIM, "age": 31, "sex": "F", "injury": "fatal"}],
    )
    add_sensitive_notes(homicide, investigator, atf_agent, advocate)
    for _ in range(3):
        make_shooting(investigator)
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    return meeting


def download(client, meeting: Meeting, audience: str | None = None):
    url = reverse("meetings:agenda_pdf", args=[meeting.pk])
    return client.get(url, {"audience": audience} if audience else {})


def test_the_community_packet_holds_no_witness_suspect_purchaser_or_dealer_that_the_full_one_holds(
    client_for, coordinator, agenda_meeting
):
    client = client_for(coordinator)

    full = pdf_text(download(client, agenda_meeting, "law_enforcement").content)
    community = pdf_text(download(client, agenda_meeting, "community").content)

    for secret in [WITNESS, WITNESS_CONTACT, SUSPECT, PURCHASER, DEALER]:
        assert secret in full, secret
        assert secret not in community, secret
    for surname in ["Otterbach", "Ashdale", "Farrowby", "Bramblegate"]:
        assert surname not in community
    # What advocates need is still there: the case, the victim, the safety concern, the gun.
    for shared in [agenda_meeting.items.first().shooting.report_number, VICTIM, "Hi-Point", "Intimidated witness"]:
        assert shared in community, shared
    # Victim-services detail stays with the advocates' own agency: in neither packet.
    assert SERVICES_DETAIL not in full
    assert SERVICES_DETAIL not in community


def test_the_prosecutors_packet_holds_the_investigative_detail(client_for, prosecutor, agenda_meeting):
    text = pdf_text(download(client_for(prosecutor), agenda_meeting, "prosecutors").content)

    assert SUSPECT in text
    assert WITNESS in text
    assert "For prosecutors" in text


def test_an_advocate_printing_gets_only_what_advocates_see(client_for, advocate, agenda_meeting):
    response = download(client_for(advocate), agenda_meeting)

    text = pdf_text(response.content)
    assert response.status_code == 200
    assert "For advocates and community partners" in text
    assert WITNESS not in text
    assert SUSPECT not in text


def test_every_page_carries_the_audience_the_printer_and_the_copy_number(
    client_for, coordinator, investigator, agenda_meeting
):
    # Enough cases for several pages.
    for _ in range(12):
        shooting = make_shooting(investigator)
        case_services.add_note(
            shooting, investigator, Note.Kind.GENERAL, {"text": "Canvass of the block done; no camera footage. " * 8}
        )
    agenda_services.build_agenda(agenda_meeting, coordinator)

    pages = pdf_pages(download(client_for(coordinator), agenda_meeting, "law_enforcement").content)

    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Copy 1 · For law enforcement · Printed by Renee Talmadge (RBPD)" in page, number
        assert "Law-enforcement sensitive".upper() in page.upper(), number
        assert f"Page {number} of {len(pages)}" in page, number


def test_copy_numbers_increase_with_each_print_of_a_document(client_for, coordinator, agenda_meeting):
    client = client_for(coordinator)

    first = pdf_text(download(client, agenda_meeting, "law_enforcement").content)
    second = pdf_text(download(client, agenda_meeting, "community").content)
    third = download(client, agenda_meeting, "law_enforcement")

    assert "Copy 1 ·" in first
    assert "Copy 2 ·" in second
    assert "copy-3.pdf" in third["Content-Disposition"]
    copies = PrintedCopy.objects.filter(meeting=agenda_meeting).order_by("copy_number")
    assert [(c.copy_number, c.audience, c.printed_by_id) for c in copies] == [
        (1, "law_enforcement", coordinator.pk),
        (2, "community", coordinator.pk),
        (3, "law_enforcement", coordinator.pk),
    ]
    printed = AgendaEvent.objects.filter(meeting=agenda_meeting, kind=AgendaEvent.Kind.PRINTED)
    assert printed.count() == 3
    assert {e.actor_name for e in printed} == {"Renee Talmadge (RBPD)"}


def without_copy_lines(text: str) -> str:
    return re.sub(r"Copy \d+ · For [^·]+ · Printed by .+? on \d{4}-\d\d-\d\d \d\d:\d\d \w+", "COPY-LINE", text)


def test_a_frozen_agenda_prints_the_same_text_twice_whatever_happens_to_its_cases(
    client_for, coordinator, investigator, agenda_meeting
):
    meeting = agenda_services.freeze(agenda_meeting, coordinator, expected_version=agenda_meeting.agenda_version)
    client = client_for(coordinator)
    first = pdf_text(download(client, meeting, "law_enforcement").content)

    homicide = Shooting.objects.get(kind=Shooting.Kind.HOMICIDE)
    case_services.update_shooting(
        homicide, investigator, {"status": Shooting.Status.CLEARED_ARREST}, expected_version=homicide.version
    )
    case_services.add_note(homicide, investigator, Note.Kind.GENERAL, {"text": "Arrest made at the bus depot."})
    make_shooting(investigator, kind=Shooting.Kind.HOMICIDE)
    second = pdf_text(download(client, meeting, "law_enforcement").content)

    assert "bus depot" not in second
    assert "Copy 1 ·" in first and "Copy 2 ·" in second
    assert without_copy_lines(first) == without_copy_lines(second)


def test_an_agenda_not_yet_frozen_prints_the_cases_as_they_are_now(
    client_for, coordinator, investigator, agenda_meeting
):
    homicide = Shooting.objects.get(kind=Shooting.Kind.HOMICIDE)
    case_services.add_note(homicide, investigator, Note.Kind.GENERAL, {"text": "Arrest made at the bus depot."})

    text = pdf_text(download(client_for(coordinator), agenda_meeting, "law_enforcement").content)

    assert "bus depot" in text
    assert "Agenda not frozen" in text


def test_the_packet_opens_with_the_cover_numbers_and_chart(client_for, coordinator, agenda_meeting):
    pages = pdf_pages(download(client_for(coordinator), agenda_meeting, "law_enforcement").content)

    assert "The numbers" in pages[0]
    assert "Year to date" in pages[0]
    # The people counts take the cover onto a second page; the chart is whole on one of the two.
    assert "Shootings per week" in " ".join(pages[:2])


def test_the_pdf_is_an_attachment_that_no_cache_keeps(client_for, coordinator, agenda_meeting):
    response = download(client_for(coordinator), agenda_meeting, "law_enforcement")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="agenda-')
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_pdf_queries_do_not_grow_with_the_agenda(
    client_for, coordinator, investigator, agenda_meeting, django_assert_max_num_queries
):
    client = client_for(coordinator)
    download(client, agenda_meeting, "law_enforcement")
    for _ in range(10):
        shooting = make_shooting(investigator)
        case_services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Canvass done."})
    agenda_services.build_agenda(agenda_meeting, coordinator)

    # Session and user (2), meeting (1), the print on record: lock the meeting, last copy number,
    # copy, event (4, with the transaction's own statements on PostgreSQL), cover: previous held
    # meeting, one aggregate, open clusters, the stamp and, after a change, people's two (6),
    # the agenda: items, previous held meeting and the snapshot queries (about 12), the drawings:
    # the kept packet, the kept parts, the new ones and the old ones dropped, the same for the
    # header and page numbers (7), the audit row (3).
    with django_assert_max_num_queries(41):
        response = download(client, agenda_meeting, "law_enforcement")
    assert response.status_code == 200


def held_meeting_with_minutes(coordinator, investigator, police, advocacy_center) -> Meeting:
    meeting = meeting_soon()
    shooting = make_shooting(investigator)
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    meeting = agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    item = meeting.items.get(shooting=shooting)
    item.discussed = True
    item.outcome = "follow_up"
    item.outcome_text = "Re-canvass the block for doorbell cameras."
    item.save()

    ActionItem.objects.create(
        meeting=meeting,
        agenda_item=item,
        shooting=shooting,
        description="Pull doorbell footage from the 2400 block",
        assignee=investigator,
        agency=police,
        due_on=meeting.local_date + timedelta(days=7),
        created_by=coordinator,
    )
    Attendance.objects.create(meeting=meeting, agency=police, present=True).people.add(investigator)
    Attendance.objects.create(meeting=meeting, agency=advocacy_center, present=False)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, held_at=timezone.now())
    meeting.refresh_from_db()
    return meeting


def test_the_minutes_pdf_has_attendance_outcomes_and_action_items_on_numbered_pages(
    client_for, coordinator, investigator, police, advocacy_center
):
    meeting = held_meeting_with_minutes(coordinator, investigator, police, advocacy_center)

    response = client_for(coordinator).get(reverse("meetings:minutes_pdf", args=[meeting.pk]))

    pages = pdf_pages(response.content)
    text = " ".join(pages)
    assert response.status_code == 200
    assert "Riverbend Metropolitan Police Department" in text
    assert "Dana Whitfield" in text
    assert "Harbor Light Advocacy Center Absent" in text
    assert "Follow-up" in text and "Re-canvass the block" in text
    assert "Pull doorbell footage from the 2400 block" in text
    for page in pages:
        assert "Copy 1 · For law enforcement · Printed by Renee Talmadge (RBPD)" in page
    copy = PrintedCopy.objects.get(meeting=meeting)
    assert (copy.document, copy.copy_number) == ("minutes", 1)


def test_minutes_and_agenda_copies_are_numbered_separately(
    client_for, coordinator, investigator, police, advocacy_center
):
    meeting = held_meeting_with_minutes(coordinator, investigator, police, advocacy_center)
    client = client_for(coordinator)

    download(client, meeting, "law_enforcement")
    download(client, meeting, "law_enforcement")
    client.get(reverse("meetings:minutes_pdf", args=[meeting.pk]))

    numbers = list(PrintedCopy.objects.filter(meeting=meeting).values_list("document", "copy_number"))
    assert sorted(numbers) == [("agenda", 1), ("agenda", 2), ("minutes", 1)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_agenda_page_prints_from_the_browser_with_the_meeting_marking_and_page_numbers_on_every_page(
    login_page, coordinator, investigator
):
    meeting = meeting_soon()
    for _ in range(6):
        shooting = make_shooting(investigator)
        case_services.add_note(
            shooting, investigator, Note.Kind.GENERAL, {"text": "Canvass of the block done; no camera footage. " * 12}
        )
    agenda_services.build_agenda(meeting, coordinator)
    page = login_page(coordinator)
    page.goto(meeting.get_absolute_url())
    page.wait_for_selector(".cover .weekly-chart")

    pages = pdf_pages(page.pdf(format="Letter", prefer_css_page_size=True))

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"{meeting} · Agenda" in text, number
        assert "LAW-ENFORCEMENT SENSITIVE" in text, number
        assert f"Page {number} of {len(pages)}" in text, number
    everything = " ".join(pages)
    # The cover is on paper; the navigation and the coordinator's tools are not.
    assert "The numbers" in everything
    assert "Build the agenda" not in everything and "Rebuild from the rules" not in everything
    assert "Print / PDF" not in everything
    assert "Sign out" not in everything
