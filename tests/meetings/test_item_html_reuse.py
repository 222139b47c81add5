"""The agenda page keeps each item's drawn HTML and draws it again only when what it shows has
changed: never handed to a viewer who may see less, never stale after a note or an outcome, and
never with another request's CSRF token or an old agenda version in its forms."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.test import Client

from cases import services as case_services
from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.agenda.item_html import CACHE, CSRF_MARK, VERSION_MARK

from .agenda_helpers import post_record, suspect, url
from .test_pdf import DEALER, PURCHASER, SUSPECT, WITNESS, WITNESS_CONTACT

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    caches[CACHE].clear()


def page(client, meeting) -> str:
    response = client.get(url("detail", meeting))
    assert response.status_code == 200
    return response.content.decode()


def items_part(html: str) -> str:
    return html[html.index('<ol class="agenda-items"') :]


def test_an_advocate_is_never_handed_an_item_drawn_for_an_investigator(
    client_for, investigator, advocate, agenda_meeting
):
    investigators_page = page(client_for(investigator), agenda_meeting)
    for secret in [WITNESS, SUSPECT]:
        assert secret in investigators_page, secret

    advocates_page = page(client_for(advocate), agenda_meeting)

    for secret in [WITNESS, WITNESS_CONTACT, SUSPECT, PURCHASER, DEALER]:
        assert secret not in advocates_page, secret
    assert "Intimidated witness" in advocates_page
    # And the other way round: the investigator's next view is not the advocate's drawing.
    assert SUSPECT in page(client_for(investigator), agenda_meeting)


def test_a_note_added_after_the_page_was_seen_shows_on_the_next_view(client_for, investigator, agenda_meeting):
    client = client_for(investigator)
    homicide = agenda_meeting.items.order_by("position").first().shooting
    assert "Perpetua Windlass" not in page(client, agenda_meeting)

    case_services.add_note(homicide, investigator, Note.Kind.SUSPECT, suspect("Perpetua Windlass"))

    assert "Perpetua Windlass" in page(client, agenda_meeting)


def test_a_recorded_outcome_shows_on_the_next_view_of_the_frozen_agenda(client_for, coordinator, agenda_meeting):
    agenda_services.freeze(agenda_meeting, coordinator, expected_version=agenda_meeting.agenda_version)
    client = client_for(coordinator)
    item = agenda_meeting.items.order_by("position").first()
    assert "Canvass the block again on Friday" not in page(client, agenda_meeting)

    post_record(
        client,
        agenda_meeting,
        item,
        discussed="on",
        outcome="follow_up",
        outcome_text="Canvass the block again on Friday",
    )

    again = page(client, agenda_meeting)
    assert "Canvass the block again on Friday" in again
    assert f'id="record-{item.pk}-discussed" checked' in again


def test_the_kept_drawing_is_the_drawing_made_afresh(client_for, coordinator, agenda_meeting):
    client = client_for(coordinator)
    fresh = items_part(page(client, agenda_meeting))
    kept = items_part(page(client, agenda_meeting))

    # Only the CSRF token differs: it is masked anew on every request.
    assert TOKEN.sub("", kept) == TOKEN.sub("", fresh)
    assert CSRF_MARK not in kept
    assert VERSION_MARK not in kept


def test_forms_from_a_kept_drawing_carry_this_requests_token_and_the_current_version(coordinator, agenda_meeting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    page(client, agenda_meeting)
    items = list(agenda_meeting.items.order_by("position"))

    for round_ in range(2):
        html = page(client, agenda_meeting)
        move_form = re.search(
            rf'<form method="post" action="{re.escape(url("agenda_move", agenda_meeting, items[1].pk))}".*?</form>',
            html,
            re.S,
        ).group(0)
        agenda_meeting.refresh_from_db()
        assert f'name="version" value="{agenda_meeting.agenda_version}"' in move_form, round_
        token = TOKEN.search(move_form).group(1)

        moved = client.post(
            url("agenda_move", agenda_meeting, items[1].pk),
            {"csrfmiddlewaretoken": token, "version": agenda_meeting.agenda_version, "direction": "up"},
        )

        assert moved.status_code == 302, round_
