"""Coordinators close anyone's action item (reported done at the meeting, say) from the minutes
and from everyone's open items on My items, with the same required note; whoever else may close
an item (its assignee) gets the same form there, and nobody else does."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from meetings.models import ActionItem, AgendaEvent, AgendaItem, Meeting
from meetings.printing import documents
from tests.factories import UserFactory, make_shooting

from .action_item_helpers import MONDAY_AFTER, action, review_of_14_october

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(MONDAY_AFTER, tick=False)


@pytest.fixture
def meeting(coordinator, police) -> Meeting:
    meeting = review_of_14_october(coordinator, minutes=90, invited_agencies=[police])
    AgendaEvent.objects.create(meeting=meeting, kind=AgendaEvent.Kind.HELD, actor=coordinator, actor_name="x")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    return meeting


def minutes_url(meeting: Meeting) -> str:
    return reverse("meetings:minutes", args=[meeting.pk])


def done_url(item: ActionItem) -> str:
    return reverse("meetings:action_item_done", args=[item.pk])


def test_a_coordinator_closes_someone_elses_item_from_the_minutes_with_a_note(
    client_for, coordinator, investigator, meeting
):
    item = action(investigator, coordinator, meeting, "Pull the camera footage")
    client = client_for(coordinator)
    minutes = client.get(minutes_url(meeting)).content.decode()
    row = minutes[minutes.index(f'id="minutes-action-{item.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'action="{done_url(item)}"' in row and 'name="back" value="minutes"' in row and "Mark done" in row

    response = client.post(done_url(item), {"note": "Reported done at the meeting", "back": "minutes"})

    assert response.status_code == 302
    assert response["Location"] == f"{minutes_url(meeting)}#minutes-action-{item.pk}"
    item.refresh_from_db()
    assert (item.status, item.done_by, item.done_note) == ("done", coordinator, "Reported done at the meeting")
    after = client.get(minutes_url(meeting)).content.decode()
    row = after[after.index(f'id="minutes-action-{item.pk}"') :]
    assert "Done" in row[: row.index("</tr>")] and "Mark done" not in row[: row.index("</tr>")]
    assert "Done: Pull the camera footage" in after


def test_closing_from_the_minutes_without_a_note_shows_the_minutes_with_the_error_next_to_the_field(
    client_for, coordinator, investigator, meeting
):
    item = action(investigator, coordinator, meeting, "Pull the camera footage")

    response = client_for(coordinator).post(done_url(item), {"note": "  ", "back": "minutes"})

    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Minutes:" in html
    assert re.search(rf'id="id_done_{item.pk}_note_error".*?a note is required', html, re.S)
    assert '<details class="done-toggle" open>' in html
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_partners_see_the_form_on_their_own_items_in_the_minutes_only(
    client_for, coordinator, investigator, advocate, meeting
):
    theirs = action(investigator, coordinator, meeting, "Pull the camera footage")
    mine = action(advocate, coordinator, meeting, "Call the family about relocation")

    html = client_for(advocate).get(minutes_url(meeting)).content.decode()

    def row(item):
        part = html[html.index(f'id="minutes-action-{item.pk}"') :]
        return part[: part.index("</tr>")]

    assert "Mark done" in row(mine) and "Mark done" not in row(theirs)


def test_nobody_but_the_assignee_and_coordinators_closes_an_item_from_the_minutes(
    client_for, coordinator, investigator, advocate, meeting
):
    item = action(investigator, coordinator, meeting, "Pull the camera footage")

    response = client_for(advocate).post(done_url(item), {"note": "Not mine", "back": "minutes"})

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_the_printed_minutes_carry_no_forms(coordinator, investigator, meeting):
    action(investigator, coordinator, meeting, "Pull the camera footage")

    printed = documents.minutes_html(meeting, coordinator, "law_enforcement").parts[0]

    assert "Pull the camera footage" in printed
    assert "Mark done" not in printed and "<form" not in printed


def test_a_coordinator_closes_an_item_from_everyones_open_items_keeping_the_filter(
    client_for, coordinator, investigator, police, meeting
):
    item = action(investigator, coordinator, meeting, "Pull the camera footage")
    client = client_for(coordinator)
    page = client.get(f"/meetings/my-items/?agency={police.pk}").content.decode()
    row = page[page.index(f'id="all-action-item-{item.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'action="{done_url(item)}?agency={police.pk}"' in row and 'name="back" value="all"' in row

    response = client.post(f"{done_url(item)}?agency={police.pk}", {"note": "Footage is in", "back": "all"})

    assert response.status_code == 302
    assert response["Location"] == f"/meetings/my-items/?agency={police.pk}#all-heading"
    item.refresh_from_db()
    assert (item.status, item.done_by, item.done_note) == ("done", coordinator, "Footage is in")
    after = client.get(response["Location"]).content.decode()
    assert "Done: Pull the camera footage" in after
    assert "Pull the camera footage" not in after[after.index('id="all-heading"') :]


def test_closing_from_everyones_items_without_a_note_keeps_the_filter_and_shows_the_error(
    client_for, coordinator, investigator, advocate, police, meeting
):
    item = action(investigator, coordinator, meeting, "Pull the camera footage")
    action(advocate, coordinator, meeting, "Call the family about relocation")

    response = client_for(coordinator).post(f"{done_url(item)}?agency={police.pk}", {"note": "", "back": "all"})

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'id="id_all_done_{item.pk}_note_error".*?a note is required', html, re.S)
    everyone = html[html.index('id="all-heading"') :]
    assert "Pull the camera footage" in everyone and "Call the family about relocation" not in everyone
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_a_coordinators_own_item_listed_twice_has_forms_with_distinct_ids(client_for, coordinator, meeting):
    item = action(coordinator, coordinator, meeting, "Book the room for next month")

    html = client_for(coordinator).get("/meetings/my-items/").content.decode()

    assert html.count(f'id="id_done_{item.pk}_note"') == 1
    assert html.count(f'id="id_all_done_{item.pk}_note"') == 1


def test_the_minutes_with_close_forms_cost_the_same_number_of_queries_however_many_items(
    client_for, coordinator, investigator, police, meeting, django_assert_max_num_queries
):
    for n in range(8):
        shooting = make_shooting(investigator)
        agenda_item = AgendaItem.objects.create(meeting=meeting, shooting=shooting, position=n + 1, discussed=True)
        action(
            UserFactory(agency=police, role="investigator"),
            coordinator,
            meeting,
            f"Follow up {n}",
            agenda_item=agenda_item,
            shooting=shooting,
        )
    client = client_for(coordinator)

    # session, user, meeting, attendance, invited agencies, items, action items (with assignee,
    # agency, case, item), visible cases, events, header agency, audit (previous hash, insert,
    # lock on PostgreSQL): who may close each item is decided without a query
    with django_assert_max_num_queries(13):
        response = client.get(minutes_url(meeting))

    assert response.content.decode().count(">Mark done</button>") == 8
