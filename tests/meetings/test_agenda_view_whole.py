"""What the agenda's view gives beside each item's own content, read straight from it (what the
page, its fragments, the packets and the API draw): the items numbered in order with the last
marked and each case linked to its page, the items taken off the agenda named by report number or
title, who presents each item and when it starts, the packet's audience, and a frozen agenda
whose item lost its kept snapshot still drawing it. Every name is fictional."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view
from meetings.models import Meeting, PrintedCopy
from meetings.printing.audiences import Audience

from .agenda_helpers import case_at, local, meeting_at

pytestmark = pytest.mark.django_db

WATCH_LIST = "Retaliation watch list"


@pytest.fixture
def agenda(investigator, coordinator):
    """The meeting of Wed 11 Feb 2026 09:00 with two cases of that week (the newer first, as
    the agenda is built) and a free-text item after them."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    first = case_at(investigator, local(2026, 2, 6, 22, 0))
    second = case_at(investigator, local(2026, 2, 7, 22, 0))
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    agenda_services.add_text_item(
        meeting, coordinator, WATCH_LIST, "This week and next", expected_version=meeting.agenda_version
    )
    meeting.refresh_from_db()
    return meeting, first, second


def item_of(meeting: Meeting, title: str):
    return next(
        item
        for item in meeting.items.filter(removed_at__isnull=True)
        if title in (item.title, item.shooting and item.shooting.report_number)
    )


def plan(meeting: Meeting, coordinator, case, presenter, minutes: int) -> None:
    """The case's item presented by `presenter` in `minutes`."""
    agenda_services.plan_item(
        meeting,
        coordinator,
        item_of(meeting, case.report_number).pk,
        presenter=presenter,
        time_box=minutes,
        expected_version=meeting.agenda_version,
    )
    meeting.refresh_from_db()


def test_the_items_are_numbered_in_order_the_last_marked_and_each_case_linked_to_its_page(coordinator, agenda):
    meeting, first, second = agenda

    view = agenda_view(meeting, coordinator)

    assert view.meeting == meeting
    assert [(item.number, item.title, item.last) for item in view.items] == [
        (1, second.report_number, False),
        (2, first.report_number, False),
        (3, WATCH_LIST, True),
    ]
    assert [item.case.url for item in view.items if item.is_case] == [
        reverse("cases:detail", args=[second.pk]),
        reverse("cases:detail", args=[first.pk]),
    ]
    assert view.removed == []
    # No item has a time box yet: no start time is worked out for any.
    assert [item.planned_start for item in view.items] == ["", "", ""]


def test_items_taken_off_the_agenda_are_listed_apart_by_report_number_or_title(coordinator, agenda):
    meeting, first, second = agenda
    for title in (first.report_number, WATCH_LIST):
        agenda_services.remove_item(
            meeting,
            coordinator,
            item_of(meeting, title).pk,
            "Discussed last week",
            expected_version=meeting.agenda_version,
        )
        meeting.refresh_from_db()

    view = agenda_view(meeting, coordinator)

    assert [(item.number, item.title, item.last) for item in view.items] == [(1, second.report_number, True)]
    assert [item.label for item in view.removed] == [first.report_number, WATCH_LIST]


def test_each_item_says_who_presents_it_and_when_it_starts_by_the_time_plan(coordinator, investigator, agenda):
    meeting, first, _ = agenda
    plan(meeting, coordinator, first, investigator, 10)

    view = agenda_view(meeting, coordinator)

    name = investigator.get_full_name() or investigator.username
    assert [(item.presenter, item.time_box, item.planned_start) for item in view.items] == [
        ("", None, "09:00"),
        (f"{name} ({investigator.agency.code})", 10, "09:00"),
        ("", None, "09:10"),
    ]
    assert view.time_plan.timed == 1 and view.time_plan.untimed == 2


def test_an_item_moved_up_is_drawn_and_numbered_in_its_new_place(coordinator, agenda):
    meeting, first, second = agenda
    agenda_services.move_item(
        meeting, coordinator, item_of(meeting, WATCH_LIST).pk, "up", expected_version=meeting.agenda_version
    )
    meeting.refresh_from_db()

    view = agenda_view(meeting, coordinator)

    assert [(item.number, item.title) for item in view.items] == [
        (1, second.report_number),
        (2, WATCH_LIST),
        (3, first.report_number),
    ]


def test_the_view_costs_the_same_however_many_items_have_a_presenter(
    coordinator, investigator, atf_agent, agenda, django_assert_num_queries
):
    """The presenters and their agencies come with the items, not a query for each."""
    meeting, first, second = agenda

    plan(meeting, coordinator, first, investigator, 5)
    with CaptureQueriesContext(connection) as one_presenter:
        agenda_view(meeting, coordinator)
    plan(meeting, coordinator, second, atf_agent, 5)
    with django_assert_num_queries(len(one_presenter)):
        view = agenda_view(meeting, coordinator)
    assert [item.presenter.rsplit(" ", 1)[-1] for item in view.items[:2]] == [
        f"({atf_agent.agency.code})",
        f"({investigator.agency.code})",
    ]


def test_a_packet_names_its_audience_and_the_page_none(coordinator, agenda):
    meeting, _, _ = agenda

    page = agenda_view(meeting, coordinator)
    assert (page.audience, page.audience_label) == (None, "")
    community = agenda_view(meeting, coordinator, PrintedCopy.Audience.COMMUNITY)
    assert community.audience == PrintedCopy.Audience.COMMUNITY
    assert community.audience_label == Audience(PrintedCopy.Audience.COMMUNITY).label != ""


def test_the_agenda_covers_the_week_before_its_cutoff_when_no_meeting_was_held_before(coordinator, agenda):
    meeting, _, _ = agenda

    window = agenda_view(meeting, coordinator).window

    assert window.end == meeting.cutoff_at
    assert timezone.localtime(window.start) == timezone.localtime(meeting.cutoff_at) - timedelta(days=7)
    assert window.previous_meeting_id is None


def test_a_frozen_agenda_whose_item_lost_its_kept_snapshot_still_draws_it(coordinator, agenda):
    meeting, first, second = agenda
    agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    meeting.items.filter(shooting=first).update(snapshot=None)

    view = agenda_view(meeting, coordinator)

    assert view.frozen
    assert [(item.title, item.case.id) for item in view.items if item.is_case] == [
        (second.report_number, second.pk),
        (first.report_number, first.pk),
    ]
