"""The agenda page keeps each item's drawn HTML and draws it again only when what it shows has
changed: never handed to a viewer who may see less, never stale after a note or an outcome, and
and never holding anything of the request it was drawn for (a CSRF token, the agenda version):
those travel in the page's one form, which every item's buttons point at."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.test import Client

from cases import services as case_services
from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.agenda.item_html import CACHE

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
    """The agenda's list of items (an item holds no list of its own of that kind)."""
    start = html.index('<ol class="agenda-items"')
    return html[start : html.index("</ol>", start)]


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


def kept_drawings() -> list[str]:
    cache = caches[CACHE]
    # The in-process cache's own store: every item's HTML as kept, whatever its key.
    return [cache.get(key.split(":", 2)[-1]) for key in list(cache._cache) if ":item:" in key]


def test_the_kept_drawing_is_the_drawing_made_afresh(client_for, coordinator, agenda_meeting):
    client = client_for(coordinator)
    fresh = items_part(page(client, agenda_meeting))
    kept = items_part(page(client, agenda_meeting))

    assert kept == fresh


@pytest.mark.parametrize("frozen", [False, True], ids=["editable", "in the meeting"])
def test_kept_item_html_holds_no_csrf_token_and_no_agenda_version(coordinator, agenda_meeting, frozen):
    if frozen:
        agenda_services.freeze(agenda_meeting, coordinator, expected_version=agenda_meeting.agenda_version)
    agenda_meeting.refresh_from_db()
    drawings = {}
    for n in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(coordinator)
        html = page(client, agenda_meeting)
        drawings[n] = items_part(html)
        token = TOKEN.search(html).group(1)
        # The token is on the page, in its one form, and nowhere among the items.
        assert token not in drawings[n]
        assert "csrfmiddlewaretoken" not in drawings[n]

    kept = kept_drawings()
    assert len(kept) == agenda_meeting.items.count()
    for html in kept:
        assert "csrfmiddlewaretoken" not in html
        assert 'name="version"' not in html
        assert "-version" not in html
        assert 'form="agenda-form"' in html
    # Two sessions, two tokens, the very same items.
    assert drawings[0] == drawings[1]


def test_item_buttons_send_this_requests_token_and_the_current_version(coordinator, agenda_meeting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    page(client, agenda_meeting)
    items = list(agenda_meeting.items.order_by("position"))

    for round_ in range(2):
        html = page(client, agenda_meeting)
        page_form = re.search(r'<form [^>]*id="agenda-form".*?</form>', html, re.S).group(0)
        agenda_meeting.refresh_from_db()
        assert f'name="version" value="{agenda_meeting.agenda_version}"' in page_form, round_
        move_url = url("agenda_move", agenda_meeting, items[1].pk)
        assert re.search(rf'form="agenda-form" formaction="{re.escape(move_url)}" name="direction" value="up"', html)
        token = TOKEN.search(page_form).group(1)

        moved = client.post(
            move_url, {"csrfmiddlewaretoken": token, "version": agenda_meeting.agenda_version, "direction": "up"}
        )

        assert moved.status_code == 302, round_
