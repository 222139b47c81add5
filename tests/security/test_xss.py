"""Cross-site scripting: classic payloads and generated text, typed through the real forms into
every free-text field (a case's address, summary and charges, a victim's name, the text fields of
every kind of note, a link's reason, a meeting's place, agenda free text, a removal reason, an
outcome, an action item, attendance, a done note), come back as text on every page that shows
them: escaped in pages, htmx fragments and form fields, literal in CSV and calendar files, literal
and inert in the printed PDFs, escaped in the HTML part of the reminder mail."""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import icalendar
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from accounts.models import Agency
from cases.models import Note, Shooting
from meetings.models import ActionItem, Meeting, Reminder
from meetings.reminders.delivery import build_email
from tests.security import sweep_data
from tests.security.sweep_data import ADVOCATE, COORDINATOR, HTMX, INVESTIGATOR

pytestmark = pytest.mark.django_db

CLASSIC = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "</textarea><svg onload=alert(1)>",
    "{{ 7*7 }}",
    "{% debug %}",
    "'-alert(1)-'",
    '<a href="javascript:alert(1)">x</a>',
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "hx-get", "hx-post", "data"}
_report_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


@pytest.fixture
def clients(world, db) -> dict[str, Client]:
    signed_in = {}
    for persona in (INVESTIGATOR, ADVOCATE, COORDINATOR):
        signed_in[persona] = Client()
        signed_in[persona].force_login(world.users[persona])
    return signed_in


# --- Typing ----------------------------------------------------------------------------------


@dataclass
class Typed:
    text: str
    shooting: Shooting
    notes: list[Note]
    live: Meeting
    held: Meeting
    linked_to: int


def _post(client: Client, url: str, data: dict) -> None:
    response = client.post(url, data)
    # Saved: the text was accepted, so the pages below really show it.
    assert response.status_code == 302, (url, response.status_code, response.content.decode()[:1500])


def type_everywhere(clients: dict[str, Client], world, text: str) -> Typed:
    investigator, advocate, coordinator = clients[INVESTIGATOR], clients[ADVOCATE], clients[COORDINATOR]
    n = next(_report_numbers)
    report = f"XS26{n:06d}"
    _post(
        investigator,
        reverse("cases:new"),
        {
            "report_number": report,
            "kind": Shooting.Kind.NONFATAL,
            "occurred_from": timezone.localtime(timezone.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "address": text,
            "division": "Central",
            "status": Shooting.Status.OPEN,
            "counting": Shooting.Counting.COUNTS,
            "summary": text,
            "charges_filed": text,
            "victims-TOTAL_FORMS": "1",
            "victims-INITIAL_FORMS": "0",
            "victims-MIN_NUM_FORMS": "0",
            "victims-MAX_NUM_FORMS": "1000",
            "victims-0-name": text,
            "victims-0-sex": "U",
            "victims-0-injury": "nonfatal",
        },
    )
    shooting = Shooting.objects.get(report_number=report)
    victim = shooting.victims.get()
    note_data = {
        Note.Kind.SUSPECT: {"name": text, "aliases": text, "status": "suspect", "basis": text, "text": text},
        Note.Kind.WITNESS: {
            "name": text,
            "contact": text,
            "relation": text,
            "account": text,
            "cooperation": "reluctant",
        },
        Note.Kind.FIREARM: {
            "recovered_where": text,
            "etrace_status": "pending",
            "purchaser": text,
            "dealer": text,
            "text": text,
        },
        Note.Kind.GENERAL: {"text": text},
    }
    for kind, data in note_data.items():
        _post(investigator, reverse("cases:add_note", args=[shooting.pk, kind]), data)
    services = {
        "victim": victim.pk,
        "service_agency": text,
        "referral_status": "engaged",
        "services_offered": text,
        "services_accepted": text,
        "text": text,
    }
    _post(advocate, reverse("cases:add_note", args=[shooting.pk, Note.Kind.VICTIM_SERVICES]), services)
    _post(
        investigator,
        reverse("cases:add_link", args=[shooting.pk]),
        {"report_number": world.shootings["atf"].report_number, "reason": text},
    )

    live = _meeting(coordinator, text, days=30 + n)
    held = _meeting(coordinator, text, days=31 + n)
    _add_case_and_text(coordinator, held, report, text)
    case_item, text_item = held.items.order_by("position")
    _post(
        coordinator,
        reverse("meetings:agenda_add_text", args=[held.pk]),
        {"title": "Taken off again", "text": "", "version": held.agenda_version},
    )
    held.refresh_from_db()
    extra = held.items.get(title="Taken off again")
    prefix = f"remove-{extra.pk}-"
    _post(
        coordinator,
        reverse("meetings:agenda_remove", args=[held.pk, extra.pk]),
        {f"{prefix}reason": text, "version": held.agenda_version},
    )
    _add_case_and_text(coordinator, live, report, text)
    held.refresh_from_db()
    _post(coordinator, reverse("meetings:agenda_freeze", args=[held.pk]), {"version": held.agenda_version})
    prefix = f"record-{case_item.pk}-"
    _post(
        coordinator,
        reverse("meetings:agenda_record", args=[held.pk, case_item.pk]),
        {
            f"{prefix}discussed": "on",
            f"{prefix}outcome": "follow_up",
            f"{prefix}outcome_text": text,
            "version": Meeting.objects.get(pk=held.pk).agenda_version,
        },
    )
    prefix = f"action-{case_item.pk}-"
    _post(
        coordinator,
        reverse("meetings:agenda_action", args=[held.pk, case_item.pk]),
        {
            f"{prefix}description": text,
            f"{prefix}assignee": world.users[INVESTIGATOR].pk,
            f"{prefix}due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    police = world.agencies["police"].pk
    _post(
        coordinator,
        reverse("meetings:agenda_attendance", args=[held.pk]),
        {f"present_{police}": "on", f"others_{police}": text},
    )
    _post(coordinator, reverse("meetings:agenda_held", args=[held.pk]), {})
    notes = list(Note.objects.filter(shooting=shooting))
    assert len(notes) == 5
    live, held = Meeting.objects.get(pk=live.pk), Meeting.objects.get(pk=held.pk)
    return Typed(text, shooting, notes, live, held, linked_to=world.shootings["atf"].pk)


def _add_case_and_text(coordinator: Client, meeting: Meeting, report: str, text: str) -> None:
    """The typed case and a free-text item carrying the typed text, on the meeting's agenda."""
    _post(coordinator, reverse("meetings:agenda_add_case", args=[meeting.pk]), {"report_number": report, "version": 1})
    meeting.refresh_from_db()
    _post(
        coordinator,
        reverse("meetings:agenda_add_text", args=[meeting.pk]),
        {"title": text, "text": text, "version": meeting.agenda_version},
    )
    meeting.refresh_from_db()


def _meeting(coordinator: Client, place: str, *, days: int) -> Meeting:
    _post(
        coordinator,
        reverse("meetings:create"),
        {
            "date": (timezone.localdate() + timedelta(days=days)).isoformat(),
            "start_time": "10:00",
            "end_time": "11:30",
            "place": place,
        },
    )
    return Meeting.objects.latest("pk")


# --- Reading ---------------------------------------------------------------------------------


class ActiveContent(HTMLParser):
    """What a browser would run: <script> elements without src, on…= handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.found.append(f"{name} on <{tag}>")
            cleaned = re.sub(r"[\s\x00-\x1f]+", "", value or "").lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"{name}={value!r} on <{tag}>")
        if tag == "script" and not any(name.lower() == "src" for name, _value in attrs):
            self.found.append("inline <script>")

    handle_startendtag = handle_starttag


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_shown_as_text(body: str, text: str, where: str) -> None:
    assert not active_content(body), (where, active_content(body))
    assert escape(text) in body, f"{where}: the typed text is not shown escaped"
    # Found as it was typed, a whole tag of a payload would be markup. (Shorter text such as "</p>"
    # is in every page anyway: the check above of what a browser would run covers it.)
    if any(payload in text for payload in CLASSIC if "<" in payload):
        assert text not in body, f"{where}: the typed text is in the page unescaped"


def html_pages(typed: Typed) -> list[tuple[str, str, dict]]:
    """(persona, URL, headers) of every page and fragment that shows what was typed."""
    case = typed.shooting.pk
    pages = [
        (INVESTIGATOR, reverse("cases:list"), {}),
        (INVESTIGATOR, reverse("cases:list"), HTMX),
        # The map: the address in its table or its list of cases without coordinates, and in the
        # data its script reads.
        (INVESTIGATOR, reverse("cases:map"), {}),
        (ADVOCATE, reverse("cases:map"), {}),
        (INVESTIGATOR, reverse("cases:detail", args=[case]), {}),
        (INVESTIGATOR, reverse("cases:detail", args=[case]) + "?kind=suspect", HTMX),
        (ADVOCATE, reverse("cases:detail", args=[case]), {}),
        (INVESTIGATOR, reverse("cases:edit", args=[case]), {}),
        # The other case of the manual link shows its reason.
        (INVESTIGATOR, reverse("cases:detail", args=[typed.linked_to]), {}),
        (COORDINATOR, reverse("meetings:list"), {}),
        (COORDINATOR, reverse("meetings:detail", args=[typed.live.pk]), {}),
        (COORDINATOR, reverse("meetings:detail", args=[typed.live.pk]), HTMX),
        (COORDINATOR, reverse("meetings:edit", args=[typed.live.pk]), {}),
        (COORDINATOR, reverse("meetings:detail", args=[typed.held.pk]), {}),
        (ADVOCATE, reverse("meetings:detail", args=[typed.held.pk]), {}),
        (COORDINATOR, reverse("meetings:minutes", args=[typed.held.pk]), {}),
        (INVESTIGATOR, reverse("meetings:my_items"), {}),
        # The case's reviews: the outcome, the removal reason and the action item, as a page and
        # as the case page's fragment.
        (INVESTIGATOR, reverse("meetings:case_reviews", args=[case]), {}),
        (ADVOCATE, reverse("meetings:case_reviews", args=[case]), HTMX),
    ]
    for note in typed.notes:
        persona = ADVOCATE if note.kind == Note.Kind.VICTIM_SERVICES else INVESTIGATOR
        pages += [
            (persona, reverse("cases:note", args=[note.pk]), HTMX),
            (persona, reverse("cases:edit_note", args=[note.pk]), {}),
            (persona, reverse("cases:edit_note", args=[note.pk]), HTMX),
            (persona, reverse("cases:note_revisions", args=[note.pk]), {}),
        ]
    return pages


def assert_everything_escaped(clients: dict[str, Client], typed: Typed) -> None:
    for persona, url, headers in html_pages(typed):
        response = clients[persona].get(url, headers=headers)
        assert response.status_code == 200, (persona, url, response.status_code)
        assert_shown_as_text(response.content.decode(), typed.text, f"{persona} {url} {headers}")

    export = clients[INVESTIGATOR].get(reverse("cases:export"))
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    # Plain text, not HTML: the address as typed (a leading formula character made harmless).
    assert typed.text in cells or f"'{typed.text}" in cells, "the address is not in the CSV as typed"

    calendar = clients[COORDINATOR].get(reverse("meetings:ics", args=[typed.live.pk]))
    event = next(iter(icalendar.Calendar.from_ical(calendar.content).walk("VEVENT")))
    assert str(event["LOCATION"]) == typed.text

    # My item, done with a note.
    action = ActionItem.objects.filter(meeting=typed.held).latest("pk")
    _post(clients[INVESTIGATOR], reverse("meetings:action_item_done", args=[action.pk]), {"note": typed.text})
    done = clients[INVESTIGATOR].get(reverse("meetings:my_items"))
    assert_shown_as_text(done.content.decode(), typed.text, "my items, done")


@pytest.mark.parametrize("payload", CLASSIC)
def test_classic_payloads_come_back_as_text_on_every_page(payload, world, clients):
    assert_everything_escaped(clients, type_everywhere(clients, world, payload))


def test_the_active_content_check_finds_script_handlers_and_javascript_urls():
    assert active_content('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><input value="&quot;&gt;&lt;img">') == []
    assert len(active_content('<script>x</script><img src=x onerror=alert(1)><a href=" javascript:x">a</a>')) == 3


# Text mixing the classic payloads with any printable character: no control characters (forms
# refuse NUL; line breaks are shown as <br>), no lone surrogates, nothing a form would strip.
ANY_CHARACTER = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
TYPED_TEXT = (
    st.tuples(
        st.text(ANY_CHARACTER, max_size=8),
        st.sampled_from(CLASSIC + ["<b>", "&amp;", "&lt;x", "</p>", "<!--", "]]>", "${7*7}", "<%= 7*7 %>"]),
        st.text(ANY_CHARACTER, max_size=8),
        st.sampled_from(["", "'", '"', "<", ">", "&", "`", "\\"]),
    )
    .map(lambda parts: "".join(parts))
    .filter(lambda text: text == text.strip() and text)
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TYPED_TEXT)
def test_any_typed_text_comes_back_as_text_on_every_page(text, world, clients):
    # Each example starts from the same database, so that one example's text never sits next
    # to another's on a page.
    with transaction.atomic():
        assert_everything_escaped(clients, type_everywhere(clients, world, text))
        transaction.set_rollback(True)


# --- Printed packets and mail ------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages)


def assert_inert_pdf(content: bytes) -> None:
    assert content.startswith(b"%PDF")
    for name in (b"/JavaScript", b"/OpenAction", b"/Launch", b"/AA", b"/EmbeddedFile"):
        assert name not in content, name
    assert not re.search(rb"/JS[\s/<(\[]", content)
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            assert action.get("/S") in (None, "/URI") and not uri.lower().startswith("javascript:"), action


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "</textarea><svg onload=alert(1)>"])
def test_payloads_print_as_literal_text_in_inert_agenda_and_minutes_pdfs(payload, world, clients):
    typed = type_everywhere(clients, world, payload)
    for name in ("meetings:agenda_pdf", "meetings:minutes_pdf"):
        response = clients[COORDINATOR].get(reverse(name, args=[typed.held.pk]))
        assert response.status_code == 200
        assert_inert_pdf(response.content)
        # Whitespace aside (lines wrap), the payload is there as the characters typed.
        assert "".join(payload.split()) in "".join(pdf_text(response.content).split()), name


def test_reminder_mail_shows_the_meeting_place_escaped_in_html_and_as_typed_in_text(world, clients):
    payload = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    meeting = _meeting(clients[COORDINATOR], payload, days=3)
    meeting.attendees.add(world.users[INVESTIGATOR])
    reminder = Reminder.objects.create(
        kind=Reminder.Kind.MEETING,
        recipient=world.users[INVESTIGATOR],
        object_type="meeting",
        object_id=str(meeting.pk),
        occurrence=f"48h@{timezone.localtime(meeting.starts_at):%Y-%m-%dT%H:%M}",
        due_at=timezone.now(),
        next_attempt_at=timezone.now(),
        state=Reminder.State.CLAIMED,
    )

    email = build_email(reminder)

    assert email is not None
    html_part = next(content for content, mimetype in email.alternatives if mimetype == "text/html")
    assert not active_content(html_part)
    assert escape(payload) in html_part and payload not in html_part
    assert payload in email.body  # the plain-text part is text: shown as typed, nothing to run


def test_an_agency_name_or_person_typed_by_an_administrator_is_escaped_too(world, clients):
    # Names come from the admin site, not from our forms, but are shown on the same pages.
    agency = world.agencies["police"]
    Agency.objects.filter(pk=agency.pk).update(name='<script>alert("agency")</script>')
    type(world.users[INVESTIGATOR]).objects.filter(pk=world.users[INVESTIGATOR].pk).update(
        first_name="<img src=x onerror=alert(1)>"
    )
    typed = type_everywhere(clients, world, "Plain words")
    for persona, url, headers in html_pages(typed):
        body = clients[persona].get(url, headers=headers).content.decode()
        assert not active_content(body), (url, active_content(body))
