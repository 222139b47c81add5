"""Correcting the minutes after the meeting: coordinators may still change what was recorded on
each item of a held meeting; every correction that changes something is on record and in the
minutes. Nobody else may, and nothing is recorded on a cancelled meeting."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from meetings import services as meeting_services
from meetings.agenda import services
from meetings.models import AgendaEvent, AgendaItem, Meeting
from tests.factories import UserFactory

from .agenda_helpers import NF, H, frozen_meeting, local, url
from .agenda_helpers import post_record as record

pytestmark = pytest.mark.django_db


def _frozen(coordinator, investigator, police) -> Meeting:
    cases = [
        (investigator, local(2026, 2, 5, 23, 0), {"kind": H, "report_number": "RB26000101"}),
        (investigator, local(2026, 2, 7, 23, 0), {"kind": NF, "report_number": "RB26000102"}),
    ]
    return frozen_meeting(coordinator, [police], cases)


@pytest.fixture
def held(coordinator, investigator, police) -> Meeting:
    meeting = _frozen(coordinator, investigator, police)
    first = meeting.items.get(shooting__report_number="RB26000101")
    services.record_item(
        meeting,
        coordinator,
        first.pk,
        discussed=True,
        outcome=AgendaItem.Outcome.INFORMATION,
        outcome_text="Canvass finished, nothing new",
        review_again=False,
    )
    services.mark_held(meeting, coordinator)
    meeting.refresh_from_db()
    return meeting


def case_item(meeting: Meeting, report_number: str = "RB26000101") -> AgendaItem:
    return meeting.items.get(shooting__report_number=report_number)


def corrections(meeting: Meeting) -> list[AgendaEvent]:
    return list(AgendaEvent.objects.filter(meeting=meeting, kind=services.CORRECTED).order_by("id"))


def test_a_coordinator_corrects_an_outcome_after_the_meeting_and_the_minutes_record_it(client_for, coordinator, held):
    item = case_item(held)
    client = client_for(coordinator)

    response = record(
        client,
        held,
        item,
        discussed="on",
        outcome="decision",
        outcome_text="Refer to the federal task force",
        review_again="on",
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.outcome_text, item.review_again) == ("decision", "Refer to the federal task force", True)
    held.refresh_from_db()
    assert held.status == Meeting.Status.HELD
    [event] = corrections(held)
    assert (event.actor, event.actor_name) == (coordinator, "Renee Talmadge")
    assert event.detail == (
        "item 1 (RB26000101): outcome Information → Decision; "
        "outcome notes changed (were “Canvass finished, nothing new”); review again no → yes"
    )
    minutes = client.get(url("minutes", held)).content.decode()
    items = minutes[minutes.index('id="minutes-items"') : minutes.index('id="minutes-actions"')]
    assert "Refer to the federal task force" in items and "Decision" in items
    record_section = minutes[minutes.index('id="minutes-record"') :]
    assert record_section.index("Marked held") < record_section.index("Corrected after the meeting by Renee Talmadge")
    assert "outcome Information → Decision" in record_section


def test_each_correction_is_recorded_one_by_one(client_for, coordinator, held):
    client = client_for(coordinator)
    other = case_item(held, "RB26000102")

    record(client, held, other, discussed="on")
    record(client, held, other, discussed="on", outcome="follow_up", outcome_text="Ask ATF for the trace")
    record(client, held, other, discussed="on", outcome="follow_up")

    assert [e.detail for e in corrections(held)] == [
        "item 2 (RB26000102): discussed no → yes",
        "item 2 (RB26000102): outcome none → Follow-up; outcome notes added",
        "item 2 (RB26000102): outcome notes removed (were “Ask ATF for the trace”)",
    ]


def test_a_correction_that_changes_nothing_leaves_no_record(client_for, coordinator, held):
    item = case_item(held)

    response = record(
        client_for(coordinator),
        held,
        item,
        discussed="on",
        outcome="information",
        outcome_text="Canvass finished, nothing new",
    )

    assert response.status_code == 302
    assert corrections(held) == []


def test_outcomes_recorded_before_the_meeting_was_held_are_not_corrections(
    client_for, coordinator, investigator, police
):
    meeting = _frozen(coordinator, investigator, police)

    record(client_for(coordinator), meeting, case_item(meeting), discussed="on", outcome="decision")

    assert case_item(meeting).outcome == "decision"
    assert corrections(meeting) == []


def test_a_correction_outside_the_list_is_refused_next_to_the_field_keeping_what_was_typed(
    client_for, coordinator, held
):
    item = case_item(held)

    response = record(client_for(coordinator), held, item, outcome="shrug", outcome_text="Typed after the meeting")

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'id="record-{item.pk}-outcome_error".*?Select a valid choice', html, re.S)
    assert "Typed after the meeting" in html
    item.refresh_from_db()
    assert item.outcome == "information" and corrections(held) == []


@pytest.mark.parametrize("persona", ["investigator", "prosecutor", "advocate", "supervisor"])
def test_only_coordinators_correct_the_minutes(request, client_for, held, persona):
    client = client_for(request.getfixturevalue(persona))
    item = case_item(held)

    response = record(client, held, item, discussed="on", outcome="decision", outcome_text="Not theirs to change")

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.outcome == "information" and corrections(held) == []
    assert "Correct the outcome" not in client.get(url("detail", held)).content.decode()
    assert "Correct the outcomes" not in client.get(url("minutes", held)).content.decode()


def test_someone_without_case_access_learns_nothing_of_the_meeting(client_for, held):
    nobody = UserFactory(username="no_role_corrections", role="", agency=None)

    assert record(client_for(nobody), held, case_item(held), outcome="decision").status_code == 404


def test_nothing_is_recorded_on_a_cancelled_meeting(client_for, coordinator, investigator, police):
    meeting = _frozen(coordinator, investigator, police)
    meeting_services.cancel_meeting(meeting, coordinator, "The chair is ill")
    item = case_item(meeting)

    response = record(client_for(coordinator), meeting, item, discussed="on", outcome="decision")

    assert response.status_code == 409
    assert "This meeting was cancelled; nothing is recorded on it." in response.content.decode()
    item.refresh_from_db()
    assert (item.discussed, item.outcome) == (False, "")
    assert corrections(meeting) == []


def test_the_held_meeting_offers_coordinators_corrections_and_nothing_else_of_the_meeting(
    client_for, coordinator, held
):
    client = client_for(coordinator)

    page = client.get(url("detail", held)).content.decode()
    minutes = client.get(url("minutes", held)).content.decode()

    assert page.count("Correct the outcome of item") == 2
    assert 'id="record-' in page and "Save outcome" not in page
    for gone in ["Mark the meeting held", 'id="attendance"', "New action item", "Unfreeze"]:
        assert gone not in page
    assert f'href="/meetings/{held.pk}/#corrections"' in minutes and "Correct the outcomes" in minutes


def test_a_correction_over_htmx_answers_with_the_agenda_fragment(client_for, coordinator, held):
    item = case_item(held, "RB26000102")

    response = client_for(coordinator).post(
        url("agenda_record", held, item.pk),
        {
            f"record-{item.pk}-discussed": "on",
            f"record-{item.pk}-outcome": "information",
            "version": held.agenda_version,
        },
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda"') and "<html" not in html
    assert "Correction saved; the minutes list it." in html
    assert len(corrections(held)) == 1


def test_the_held_meetings_page_stays_within_its_query_budget(
    client_for, coordinator, investigator, held, django_assert_max_num_queries
):
    for n in range(8):
        UserFactory(username=f"det_held{n}", agency=investigator.agency, role=User.Role.INVESTIGATOR)
    client = client_for(coordinator)

    # session, user, user's agency, meeting, items, previous held meeting, action items of the
    # meeting, who froze it, recent events, the audit row (insert; on SQLite the last hash first); no attendance or
    # people: a held meeting takes no more of either
    with django_assert_max_num_queries(12):
        response = client.get(url("detail", held))

    assert response.content.decode().count("Correct the outcome of item") == 2
