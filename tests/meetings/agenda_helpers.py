"""Shared building blocks of the agenda tests: meetings at fixed local times, cases and notes
created at a chosen moment (time_machine), and the agenda page's URLs. Every name is fictional."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from cases import services as case_services
from cases.models import Note, Shooting
from meetings.agenda import services as agenda_services
from meetings.models import AgendaItem, Meeting
from meetings.printing.documents import agenda_html
from tests.factories import make_shooting

CHICAGO = ZoneInfo("America/Chicago")
H = Shooting.Kind.HOMICIDE
NF = Shooting.Kind.NONFATAL
SF = Shooting.Kind.SHOTS_FIRED

WITNESS_NAME = "Tobias Quenneville"
SUSPECT_NAME = "Lucan Dravitz"
PURCHASER_NAME = "Orsolya Brandvik"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def at(moment: datetime):
    """Everything created inside happens at `moment` (created_at, status_changed_at…)."""
    return time_machine.travel(moment, tick=False)


def meeting_at(start: datetime, *, status: str = Meeting.Status.SCHEDULED, cutoff_hours: int = 24, **fields) -> Meeting:
    return Meeting.objects.create(
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        local_date=start.astimezone(CHICAGO).date(),
        cutoff_at=start - timedelta(hours=cutoff_hours),
        place="Headquarters, room 4B",
        status=status,
        **fields,
    )


def meeting_soon() -> Meeting:
    """A meeting two days from now, whatever the date: for tests that need no fixed week."""
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    return meeting_at(start)


def case_at(user, occurred: datetime, *, entered: datetime | None = None, kind: str = NF, **fields) -> Shooting:
    with at(entered or occurred + timedelta(hours=2)):
        return make_shooting(user, kind=kind, occurred_from=occurred, **fields)


def note_at(moment: datetime, shooting: Shooting, user, kind: str, fields: dict, *, restricted: bool = False) -> Note:
    with at(moment):
        return case_services.add_note(shooting, user, kind, fields, restricted=restricted)


def firearm(leads: list[str] | None = None, **fields) -> dict:
    return {
        "recovered": False,
        "make": "",
        "model": "",
        "caliber": "9mm",
        "serial_number": "",
        "nibin_leads": leads or [],
        "etrace_status": "not_submitted",
        "purchaser": "",
        "dealer": "",
        "text": "",
        **fields,
    }


def witness(name: str = WITNESS_NAME, **fields) -> dict:
    return {
        "name": name,
        "contact": "816-555-0142",
        "relation": "neighbour",
        "account": f"{name} saw a grey sedan leave northbound.",
        "cooperation": "reluctant",
        "intimidation_concern": True,
        "relocation_requested": False,
        "referred_to_advocate": True,
        **fields,
    }


def suspect(name: str = SUSPECT_NAME, **fields) -> dict:
    return {
        "name": name,
        "aliases": "Lu",
        "status": "suspect",
        "basis": "Seen on a doorbell camera",
        "text": f"{name} was at the scene.",
        **fields,
    }


def url(name: str, meeting: Meeting, *args) -> str:
    return reverse(f"meetings:{name}", args=[meeting.pk, *args])


def frozen_meeting(coordinator, agencies, cases: list[tuple]) -> Meeting:
    """The meeting of Wed 11 Feb 2026 09:00, `agencies` invited, its agenda built from `cases`
    (each: user, occurred, fields for case_at) and frozen."""

    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    meeting.invited_agencies.set(agencies)
    for user, occurred, fields in cases:
        case_at(user, occurred, **fields)
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    return meeting


def built_with_two_cases(coordinator, investigator) -> tuple[Meeting, AgendaItem, AgendaItem]:
    """The meeting of Wed 11 Feb 2026 09:00, its agenda built (not frozen) from a homicide and a
    non-fatal shooting of the week before: the meeting and its two items in agenda order."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case_at(investigator, local(2026, 2, 5, 23, 0), kind=H)
    case_at(investigator, local(2026, 2, 6, 23, 0), kind=NF)
    agenda_services.build_agenda(meeting, coordinator)
    first, second = meeting.items.order_by("position")
    return meeting, first, second


def frozen_with_one_homicide(coordinator, investigator) -> Meeting:
    """The meeting of Wed 11 Feb 2026 09:00, its agenda frozen with one homicide of the week
    before, entered by `investigator`: the in-meeting forms' starting point."""
    return frozen_meeting(coordinator, [], [(investigator, local(2026, 2, 5, 23, 0), {"kind": H})])


def post_record(client, meeting: Meeting, item, **fields):
    """The in-meeting form of one item: discussed, outcome, notes, review again."""
    data = {f"record-{item.pk}-{name}": value for name, value in fields.items()}
    # The agenda version the page's one form carries, as the agenda is now.
    data["version"] = Meeting.objects.values_list("agenda_version", flat=True).get(pk=meeting.pk)
    return client.post(url("agenda_record", meeting, item.pk), data)


def packet_html_text(meeting: Meeting, printer, audience: str) -> str:
    """The words of the agenda packet for `audience` as handed to the PDF layout, whitespace made
    single spaces: what a packet holds, without the seconds WeasyPrint takes to lay it out (the
    PDF tests check that the layout prints what it is handed)."""
    packet = agenda_html(meeting, printer, audience)
    return " ".join(html.unescape(strip_tags(" ".join([*packet.parts, packet.header]))).split())
