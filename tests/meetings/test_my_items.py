"""My items: each person's open action items (overdue marked), done with a required note;
coordinators also see everyone's open items by agency or assignee."""

from __future__ import annotations

from datetime import date

import pytest

from meetings import services
from meetings.models import ActionItem, Meeting
from tests.factories import make_shooting

from .action_item_helpers import MONDAY_AFTER, action, review_of_14_october

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 19)


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(MONDAY_AFTER, tick=False)


@pytest.fixture
def meeting(coordinator) -> Meeting:
    return review_of_14_october(coordinator)


def test_my_open_items_come_first_by_due_date_with_overdue_marked(client_for, investigator, coordinator, meeting):
    shooting = make_shooting(investigator, report_number="RB26004101")
    action(investigator, coordinator, meeting, "Re-interview the neighbour", date(2026, 10, 23))
    action(investigator, coordinator, meeting, "Send the eTrace request", date(2026, 10, 16), shooting=shooting)

    html = client_for(investigator).get("/meetings/my-items/").content.decode()

    assert html.index("Send the eTrace request") < html.index("Re-interview the neighbour")
    overdue = html[html.index("Send the eTrace request") : html.index("Re-interview the neighbour")]
    assert "Overdue" in overdue
    assert f'<a href="/cases/{shooting.pk}/">RB26004101</a>' in overdue
    assert f'href="/meetings/{meeting.pk}/"' in overdue
    assert "Overdue" not in html[html.index("Re-interview the neighbour") :]


def test_nobody_sees_anyone_elses_items_on_their_page(client_for, investigator, advocate, coordinator, meeting):
    action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))
    action(advocate, coordinator, meeting, "Call the family about relocation", date(2026, 10, 23))

    mine = client_for(advocate).get("/meetings/my-items/").content.decode()

    assert "Call the family about relocation" in mine
    assert "Pull the camera footage" not in mine
    assert "Everyone's open items" not in mine


def test_coordinators_see_everyones_open_items_filtered_by_agency(
    client_for, investigator, advocate, coordinator, advocacy_center, meeting
):
    action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))
    action(advocate, coordinator, meeting, "Call the family about relocation", date(2026, 10, 23))
    action(advocate, coordinator, meeting, "Already handled", date(2026, 10, 23), status=ActionItem.Status.DONE)
    client = client_for(coordinator)

    everyone = client.get("/meetings/my-items/").content.decode()
    filtered = client.get(f"/meetings/my-items/?agency={advocacy_center.pk}").content.decode()

    assert "Pull the camera footage" in everyone and "Call the family about relocation" in everyone
    assert "Already handled" not in everyone
    assert "Call the family about relocation" in filtered and "Pull the camera footage" not in filtered


def test_coordinators_filter_everyones_items_by_assignee(client_for, investigator, advocate, coordinator, meeting):
    action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))
    action(advocate, coordinator, meeting, "Call the family about relocation", date(2026, 10, 23))

    html = client_for(coordinator).get(f"/meetings/my-items/?assignee={investigator.pk}").content.decode()

    assert "Pull the camera footage" in html and "Call the family about relocation" not in html


def test_done_needs_a_note_shown_next_to_the_field(client_for, investigator, coordinator, meeting):
    item = action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))

    response = client_for(investigator).post(f"/meetings/action-items/{item.pk}/done/", {"note": "   "})

    html = response.content.decode()
    assert response.status_code == 200
    errors = html[html.index(f'id="id_done_{item.pk}_note_error"') :]
    assert "a note is required" in errors[: errors.index("</div>")]
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_done_with_a_note_closes_the_item_and_moves_it_below(client_for, investigator, coordinator, meeting):
    item = action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))
    client = client_for(investigator)

    response = client.post(f"/meetings/action-items/{item.pk}/done/", {"note": "Footage collected from two stores"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.done_by, item.done_note) == ("done", investigator, "Footage collected from two stores")
    html = client.get("/meetings/my-items/").content.decode()
    done = html[html.index('id="done-heading"') :]
    assert "Pull the camera footage" in done and "Footage collected from two stores" in done
    assert "You have no open action items." in html


def test_done_over_htmx_swaps_in_the_done_item(client_for, investigator, coordinator, meeting):
    item = action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))

    response = client_for(investigator).post(
        f"/meetings/action-items/{item.pk}/done/", {"note": "Collected"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="action-item-{item.pk}" class="action-item card is-done"')
    assert "<html" not in html


def test_done_over_htmx_without_a_note_swaps_in_the_form_with_its_error(client_for, investigator, coordinator, meeting):
    item = action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))

    response = client_for(investigator).post(
        f"/meetings/action-items/{item.pk}/done/", {"note": ""}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "a note is required" in html and " open>" in html and "<html" not in html


def test_nobody_closes_someone_elses_item(client_for, investigator, advocate, coordinator, meeting):
    item = action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))

    response = client_for(advocate).post(f"/meetings/action-items/{item.pk}/done/", {"note": "Not mine"})

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_a_coordinator_may_close_an_item_reported_done_at_the_meeting(client_for, investigator, coordinator, meeting):
    item = action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))

    client_for(coordinator).post(f"/meetings/action-items/{item.pk}/done/", {"note": "Reported done at the meeting"})

    item.refresh_from_db()
    assert (item.status, item.done_by) == ("done", coordinator)


def test_an_item_already_done_stays_as_it_was_done(client_for, investigator, coordinator, meeting):
    item = action(investigator, coordinator, meeting, "Pull the camera footage", date(2026, 10, 23))
    services.complete_action_item(item, investigator, "First note")

    client_for(coordinator).post(f"/meetings/action-items/{item.pk}/done/", {"note": "Second note"})

    item.refresh_from_db()
    assert (item.done_by, item.done_note) == (investigator, "First note")


def test_open_items_due_by_a_date_are_the_ones_that_come_back_on_that_agenda(investigator, coordinator, meeting):
    due = action(investigator, coordinator, meeting, "Due before", date(2026, 10, 21))
    on_the_day = action(investigator, coordinator, meeting, "Due on the day", date(2026, 10, 21))
    action(investigator, coordinator, meeting, "Due later", date(2026, 10, 22))
    action(investigator, coordinator, meeting, "Done", date(2026, 10, 1), status=ActionItem.Status.DONE)

    assert set(ActionItem.objects.open_items_due_by(date(2026, 10, 21))) == {due, on_the_day}


def test_my_items_cost_the_same_number_of_queries_with_many_items(
    client_for, investigator, coordinator, meeting, django_assert_max_num_queries
):
    for n in range(10):
        shooting = make_shooting(investigator)
        action(investigator, coordinator, meeting, f"Task {n}", date(2026, 10, 10 + n), shooting=shooting)
        action(coordinator, coordinator, meeting, f"Coordinator task {n}", date(2026, 10, 10 + n), shooting=shooting)
    client = client_for(coordinator)
    # session, user, my open items, my done items, everyone's open count and page, visible cases,
    # header agency, the filter's agencies and people, audit (previous hash, insert, lock on PostgreSQL)
    with django_assert_max_num_queries(13):
        response = client.get("/meetings/my-items/")
    assert response.content.decode().count("Coordinator task ") == 20  # mine, and again in everyone's
