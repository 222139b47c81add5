"""Freezing: a frozen agenda is a snapshot that later changes to cases do not touch, renders the
same every time, takes no edits, and is unfrozen only by an explicit, recorded act."""

from __future__ import annotations

import json
import re

import pytest

from cases import services as case_services
from cases.models import Note
from meetings.agenda import services
from meetings.agenda.presentation import Audience, agenda_view
from meetings.models import AgendaEvent, Meeting

from .agenda_helpers import (
    NF,
    SUSPECT_NAME,
    WITNESS_NAME,
    H,
    case_at,
    firearm,
    local,
    meeting_at,
    note_at,
    suspect,
    url,
    witness,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(db) -> Meeting:
    return meeting_at(local(2026, 2, 11, 9, 0))


@pytest.fixture
def homicide(investigator):
    case = case_at(investigator, local(2026, 2, 5, 23, 0), kind=H)
    note_at(local(2026, 2, 6, 10, 0), case, investigator, Note.Kind.WITNESS, witness())
    note_at(local(2026, 2, 6, 11, 0), case, investigator, Note.Kind.SUSPECT, suspect())
    return case


@pytest.fixture
def built(meeting, coordinator, homicide) -> Meeting:
    services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    return meeting


def items_html(html: str) -> str:
    """The agenda items as rendered, without the forms' per-request CSRF tokens."""
    match = re.search(r'<ol class="agenda-items".*?</ol>', html, re.S)
    assert match, "no agenda items on the page"
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", match.group(0))


def freeze(client, meeting: Meeting, **extra):
    return client.post(url("agenda_freeze", meeting), {"version": meeting.agenda_version, **extra})


def test_freezing_keeps_each_items_content_and_puts_it_on_record(client_for, coordinator, built):
    response = freeze(client_for(coordinator), built)

    assert response.status_code == 302
    built.refresh_from_db()
    assert built.status == Meeting.Status.FROZEN
    assert built.frozen_by == coordinator and built.frozen_at is not None
    item = built.items.get()
    assert item.snapshot["shooting"]["report_number"] == item.shooting.report_number
    # The snapshot is plain JSON and keeps what need-to-know decisions need later.
    notes = json.loads(json.dumps(item.snapshot))["notes"]
    assert {n["kind"] for n in notes} == {"witness", "suspect"}
    assert {"author_agency_id", "author_agency_kind", "restricted", "fields"} <= set(notes[0])
    event = AgendaEvent.objects.get(meeting=built, kind=AgendaEvent.Kind.FROZEN)
    assert event.actor == coordinator and event.detail == "1 items"


def test_later_changes_to_a_case_do_not_change_a_frozen_agenda(client_for, coordinator, investigator, built, homicide):
    client = client_for(coordinator)
    freeze(client, built)
    before = items_html(client.get(url("detail", built)).content.decode())

    current = homicide.__class__.objects.get(pk=homicide.pk)
    case_services.update_shooting(
        current,
        investigator,
        {"address": "4400 Troost Ave", "status": "cleared_arrest"},
        expected_version=current.version,
    )
    case_services.add_victim(current, investigator, {"name": "Pell Ardwright", "age": 31})
    case_services.add_note(current, investigator, Note.Kind.SUSPECT, suspect("Corwin Yatesby"))
    after = items_html(client.get(url("detail", built)).content.decode())

    assert after == before
    for change in ["4400 Troost Ave", "Pell Ardwright", "Corwin Yatesby", "Cleared by arrest"]:
        assert change not in after


def test_rendering_a_frozen_agenda_twice_gives_the_same_html(client_for, coordinator, investigator, built):
    freeze(client_for(coordinator), built)
    client = client_for(investigator)

    first = items_html(client.get(url("detail", built)).content.decode())
    second = items_html(client.get(url("detail", built)).content.decode())

    assert first == second
    assert WITNESS_NAME in first


def test_a_frozen_agenda_renders_from_its_snapshots_only(
    client_for, coordinator, investigator, built, django_assert_max_num_queries
):
    freeze(client_for(coordinator), built)
    client = client_for(investigator)

    # session, user, user's agency, meeting, items, previous held meeting (window), action items
    # of the meeting, who froze it, the audit row (insert; on SQLite the last hash first): no case table is read.
    with django_assert_max_num_queries(11) as captured:
        client.get(url("detail", built))

    assert not [q["sql"] for q in captured.captured_queries if '"cases_' in q["sql"]]


def test_a_frozen_agenda_takes_no_edits(client_for, coordinator, investigator, built, homicide):
    client = client_for(coordinator)
    freeze(client, built)
    built.refresh_from_db()
    item = built.items.get()
    newcomer = case_at(investigator, local(2026, 2, 9, 23, 0), kind=NF)

    answers = [
        client.post(url("agenda_build", built), {"version": built.agenda_version}),
        client.post(url("agenda_move", built, item.pk), {"version": built.agenda_version, "direction": "down"}),
        client.post(
            url("agenda_add_case", built), {"version": built.agenda_version, "report_number": newcomer.report_number}
        ),
        client.post(
            url("agenda_remove", built, item.pk),
            {"version": built.agenda_version, f"remove-{item.pk}-reason": "Late change"},
        ),
    ]

    assert [a.status_code for a in answers] == [409, 409, 409, 409]
    assert "The agenda is frozen" in answers[0].content.decode()
    assert list(built.items.values_list("shooting_id", "removed_at")) == [(homicide.pk, None)]


def test_freezing_an_empty_agenda_asks_for_confirmation_first(client_for, coordinator, meeting):
    client = client_for(coordinator)

    page = client.get(url("detail", meeting)).content.decode()
    refused = freeze(client, meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    confirmed = freeze(client, meeting, confirm_empty="on")

    assert "The agenda is empty." in page and "Yes, freeze an empty agenda" in page
    assert refused.status_code == 400
    assert re.search(
        r'class="field-errors"[^>]*>.*The agenda is empty\. Build it first', refused.content.decode(), re.S
    )
    assert confirmed.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FROZEN


def test_unfreezing_needs_a_reason_and_is_recorded(client_for, coordinator, built):
    client = client_for(coordinator)
    freeze(client, built)

    without = client.post(url("agenda_unfreeze", built), {"reason": ""})
    built.refresh_from_db()
    assert without.status_code == 400 and "Say why the agenda is unfrozen." in without.content.decode()
    assert built.status == Meeting.Status.FROZEN

    client.post(url("agenda_unfreeze", built), {"reason": "A homicide came in after the cutoff"})

    built.refresh_from_db()
    assert built.status == Meeting.Status.SCHEDULED and built.frozen_at is None
    assert not built.items.filter(snapshot__isnull=False).exists()
    event = AgendaEvent.objects.get(meeting=built, kind=AgendaEvent.Kind.UNFROZEN)
    assert (event.actor, event.detail) == (coordinator, "A homicide came in after the cutoff")


def test_an_unfrozen_agenda_shows_the_cases_as_they_are_now(client_for, coordinator, investigator, built, homicide):
    client = client_for(coordinator)
    freeze(client, built)
    case_services.add_note(homicide, investigator, Note.Kind.SUSPECT, suspect("Corwin Yatesby"))
    assert "Corwin Yatesby" not in client.get(url("detail", built)).content.decode()

    client.post(url("agenda_unfreeze", built), {"reason": "New suspect to discuss"})

    assert "Corwin Yatesby" in client.get(url("detail", built)).content.decode()


def test_only_coordinators_freeze_and_unfreeze(client_for, coordinator, investigator, built):
    assert freeze(client_for(investigator), built).status_code == 403
    freeze(client_for(coordinator), built)

    answer = client_for(investigator).post(url("agenda_unfreeze", built), {"reason": "Why not"})

    built.refresh_from_db()
    assert answer.status_code == 403 and built.status == Meeting.Status.FROZEN


# --- What each audience may see of a frozen agenda --------------------------------------------


def test_each_printed_audience_gets_need_to_know_applied_to_the_snapshot(
    coordinator, investigator, atf_agent, advocate, meeting, homicide
):
    note_at(
        local(2026, 2, 6, 12, 0),
        homicide,
        atf_agent,
        Note.Kind.FIREARM,
        firearm(purchaser="Orsolya Brandvik", serial_number="KT4471"),
    )
    services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()

    def shown(viewer, audience=None) -> str:
        view = agenda_view(meeting, viewer, audience)
        return repr([(i.case.new_notes, i.case.indicators) for i in view.items])

    law_enforcement = shown(coordinator, Audience.LAW_ENFORCEMENT)
    community = shown(coordinator, Audience.COMMUNITY)

    for name in [WITNESS_NAME, SUSPECT_NAME, "Orsolya Brandvik", "KT4471"]:
        assert name in law_enforcement
        assert name not in community
    assert "Intimidated witness" in community and "9mm" in community
    # Nobody prints more than they may see: an advocate printing "law enforcement" gets their own view.
    assert WITNESS_NAME not in shown(advocate, Audience.LAW_ENFORCEMENT)
    assert SUSPECT_NAME not in shown(advocate, Audience.PROSECUTORS)


def test_packets_leave_out_notes_restricted_to_one_agency(coordinator, atf_agent, meeting, homicide):
    note_at(
        local(2026, 2, 6, 12, 0),
        homicide,
        atf_agent,
        Note.Kind.GENERAL,
        {"text": "Undercover buy planned at Delmar Pawn"},
        restricted=True,
    )
    services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()

    def shown(viewer, audience=None) -> str:
        return repr([i.case.new_notes for i in agenda_view(meeting, viewer, audience).items])

    assert "Delmar Pawn" in shown(atf_agent)
    for audience in Audience.values:
        assert "Delmar Pawn" not in shown(atf_agent, audience)


def test_freezing_keeps_the_cover_numbers_and_unfreezing_lets_them_go(client_for, coordinator, built):
    client = client_for(coordinator)

    freeze(client, built)
    built.refresh_from_db()
    assert built.cover_snapshot is not None

    client.post(url("agenda_unfreeze", built), {"reason": "Late homicide"})
    built.refresh_from_db()
    assert built.cover_snapshot is None


def test_freezing_with_htmx_updates_the_meeting_header_and_the_status_region_out_of_band(
    client_for, coordinator, built
):
    response = client_for(coordinator).post(
        url("agenda_freeze", built), {"version": built.agenda_version}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda"')
    header = re.search(r'<header class="meeting-head" id="meeting-head" hx-swap-oob="true">.*?</header>', html, re.S)
    assert header and "Agenda frozen" in header.group(0) and "Scheduled" not in header.group(0)
    status = re.search(r'<div id="agenda-status" hx-swap-oob="innerHTML">(.*?)</div>', html, re.S)
    assert status and "Agenda frozen: it will not change" in status.group(1)
