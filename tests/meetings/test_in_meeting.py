"""In the meeting, on the frozen agenda: discussed, outcomes, action items, "review again",
attendance by agency, and marking the meeting held — and what of it comes back next week."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from meetings.agenda import services
from meetings.agenda.rules import plan_agenda
from meetings.models import ActionItem, AgendaEvent, AgendaItem, Attendance, Meeting
from tests.factories import UserFactory

from .agenda_helpers import NF, H, case_at, frozen_meeting, local, meeting_at, url
from .agenda_helpers import post_record as record

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(coordinator, investigator, police, atf_office, advocacy_center) -> Meeting:
    cases = [
        (investigator, local(2026, 2, 5, 23, 0), {"kind": H}),
        (investigator, local(2026, 2, 7, 23, 0), {"kind": NF}),
    ]
    return frozen_meeting(coordinator, [police, atf_office, advocacy_center], cases)


def first_item(meeting: Meeting) -> AgendaItem:
    return meeting.items.order_by("position").first()


def action(client, meeting: Meeting, item: AgendaItem, **fields):
    data = {f"action-{item.pk}-{name}": value for name, value in fields.items()}
    return client.post(url("agenda_action", meeting, item.pk), data)


def test_the_coordinator_records_discussed_an_outcome_and_review_again(client_for, coordinator, frozen):
    item = first_item(frozen)
    client = client_for(coordinator)

    response = record(
        client,
        frozen,
        item,
        discussed="on",
        outcome="decision",
        outcome_text="Refer to the federal task force",
        review_again="on",
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.discussed, item.outcome, item.outcome_text, item.review_again) == (
        True,
        "decision",
        "Refer to the federal task force",
        True,
    )
    html = client.get(url("detail", frozen)).content.decode()
    assert "Refer to the federal task force" in html and "Review again next week" in html


def test_saving_one_outcome_on_a_long_agenda_accepts_every_items_fields_and_records_only_its_own(
    client_for, coordinator, frozen
):
    # Every item's fields belong to the page's one form, so a press sends them all: a held week's
    # agenda of 300 items sends well over Django's default limit of 1000 fields.
    item, other = frozen.items.order_by("position")
    others = {}
    for n in range(1, 301):
        pk = other.pk if n == 1 else 100_000 + n
        others.update(
            {
                f"record-{pk}-discussed": "on",
                f"record-{pk}-outcome": "information",
                f"record-{pk}-outcome_text": f"Typed on item {n}",
                f"record-{pk}-review_again": "on",
            }
        )

    response = client_for(coordinator).post(
        url("agenda_record", frozen, item.pk),
        {"version": frozen.agenda_version, **others, f"record-{item.pk}-outcome": "decision"},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    other.refresh_from_db()
    assert (item.outcome, item.discussed) == ("decision", True)
    assert (other.outcome, other.outcome_text, other.discussed) == ("", "", False)


def test_an_outcome_saved_from_a_page_loaded_before_another_save_is_refused_keeping_the_newer_one(
    client_for, coordinator, frozen
):
    item = first_item(frozen)
    client = client_for(coordinator)
    seen = frozen.agenda_version
    prefix = f"record-{item.pk}-"
    newer = {f"{prefix}discussed": "on", f"{prefix}outcome": "decision", f"{prefix}outcome_text": "Refer to ATF"}
    older = {f"{prefix}outcome": "information", f"{prefix}outcome_text": "Typed on the older page"}
    assert client.post(url("agenda_record", frozen, item.pk), {**newer, "version": seen}).status_code == 302

    response = client.post(url("agenda_record", frozen, item.pk), {**older, "version": seen})

    assert response.status_code == 409
    item.refresh_from_db()
    assert (item.outcome, item.outcome_text) == ("decision", "Refer to ATF")
    html = response.content.decode()
    assert "Someone else changed this agenda" in html
    # What was typed on the older page comes back, ready to send again on the fresh agenda.
    assert "Typed on the older page" in html


def test_an_outcome_outside_the_list_is_refused_next_to_the_field(client_for, coordinator, frozen):
    item = first_item(frozen)

    response = record(client_for(coordinator), frozen, item, outcome="shrug", outcome_text="Typed notes")

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'id="record-{item.pk}-outcome_error".*?Select a valid choice', html, re.S)
    assert "Typed notes" in html
    item.refresh_from_db()
    assert item.outcome == "" and item.outcome_text == ""


def test_a_case_marked_review_again_comes_back_on_the_next_agenda(client_for, coordinator, frozen):
    item = first_item(frozen)
    client = client_for(coordinator)
    record(client, frozen, item, discussed="on", outcome="follow_up", review_again="on")
    client.post(url("agenda_held", frozen))
    following = meeting_at(local(2026, 2, 18, 9, 0))

    reasons = {p.shooting_id: [r["code"] for r in p.reasons] for p in plan_agenda(following).items}

    assert reasons == {item.shooting_id: ["review_again"]}


def test_an_action_item_takes_the_assignees_agency_unless_another_is_chosen(
    client_for, coordinator, investigator, atf_agent, prosecutor_office, frozen
):
    item = first_item(frozen)
    client = client_for(coordinator)
    due = timezone.localdate() + timedelta(days=7)

    action(client, frozen, item, description="Request the eTrace", assignee=atf_agent.pk, due_on=due.isoformat())
    action(
        client,
        frozen,
        item,
        description="Draft the charging memo",
        assignee=investigator.pk,
        agency=prosecutor_office.pk,
        due_on=due.isoformat(),
    )

    etrace, memo = ActionItem.objects.order_by("id")
    assert (etrace.assignee, etrace.agency, etrace.shooting_id, etrace.agenda_item, etrace.meeting) == (
        atf_agent,
        atf_agent.agency,
        item.shooting_id,
        item,
        frozen,
    )
    assert memo.agency == prosecutor_office
    html = client.get(url("detail", frozen)).content.decode()
    assert "New action item: Request the eTrace — Marcus Ortelli (ATF-RB)" in html


def test_an_action_item_due_in_the_past_is_refused_keeping_what_was_typed(client_for, coordinator, atf_agent, frozen):
    item = first_item(frozen)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = action(
        client_for(coordinator),
        frozen,
        item,
        description="Canvass Prospect Ave",
        assignee=atf_agent.pk,
        due_on=yesterday.isoformat(),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The due date cannot be in the past." in html
    assert 'value="Canvass Prospect Ave"' in html
    assert '<details class="action-form" open>' in html
    assert not ActionItem.objects.exists()


def test_an_open_action_item_brings_its_case_back_each_week_until_done(client_for, coordinator, atf_agent, frozen):
    item = first_item(frozen)
    client = client_for(coordinator)
    action(client, frozen, item, description="Request the eTrace", assignee=atf_agent.pk, due_on="2099-01-01")
    ActionItem.objects.update(due_on=date(2026, 2, 18))
    client.post(url("agenda_held", frozen))
    following = meeting_at(local(2026, 2, 18, 9, 0))

    assert [p.shooting_id for p in plan_agenda(following).items] == [item.shooting_id]
    ActionItem.objects.update(status=ActionItem.Status.DONE)
    assert plan_agenda(following).items == []


def test_attendance_is_taken_by_invited_agency_with_people_and_others(
    client_for, coordinator, investigator, atf_agent, advocate, police, atf_office, advocacy_center, frozen
):
    client = client_for(coordinator)
    page = client.get(url("detail", frozen)).content.decode()
    attendance = page.split('id="attendance"')[1]
    for agency in [police, atf_office, advocacy_center]:
        assert f"<legend>{agency.name}</legend>" in attendance
    assert "Dana Whitfield" in attendance

    client.post(
        url("agenda_attendance", frozen),
        {
            f"present_{police.pk}": "on",
            f"people_{police.pk}": [investigator.pk, coordinator.pk],
            f"others_{police.pk}": "Two patrol sergeants",
            f"others_{atf_office.pk}": "",
            f"present_{advocacy_center.pk}": "on",
            f"people_{advocacy_center.pk}": [advocate.pk],
            f"others_{advocacy_center.pk}": "",
        },
    )

    rows = {a.agency: a for a in Attendance.objects.filter(meeting=frozen)}
    assert rows[police].present and set(rows[police].people.all()) == {investigator, coordinator}
    assert rows[police].others == "Two patrol sergeants"
    assert not rows[atf_office].present
    assert list(rows[advocacy_center].people.all()) == [advocate]


def test_a_person_cannot_be_recorded_present_for_an_agency_they_do_not_work_for(
    client_for, coordinator, atf_agent, police, frozen
):
    response = client_for(coordinator).post(
        url("agenda_attendance", frozen),
        {f"present_{police.pk}": "on", f"people_{police.pk}": [atf_agent.pk], f"others_{police.pk}": ""},
    )

    assert response.status_code == 400
    assert "Marcus Ortelli does not work for Riverbend Metropolitan Police Department." in response.content.decode()
    assert not Attendance.objects.exists()


def test_marking_the_meeting_held_closes_it_and_is_recorded(client_for, coordinator, frozen):
    client = client_for(coordinator)

    client.post(url("agenda_held", frozen))

    frozen.refresh_from_db()
    assert frozen.status == Meeting.Status.HELD and frozen.held_at is not None
    assert AgendaEvent.objects.get(meeting=frozen, kind=AgendaEvent.Kind.HELD).actor == coordinator
    item = first_item(frozen)
    # Outcomes may still be corrected (tests/meetings/test_outcome_corrections.py); nothing else.
    late = action(client, frozen, item, description="Too late", assignee=coordinator.pk, due_on="2099-01-01")
    assert late.status_code == 409
    assert client.post(url("agenda_held", frozen)).status_code == 409
    assert client.post(url("agenda_unfreeze", frozen), {"reason": "Oops"}).status_code == 409
    html = client.get(url("detail", frozen)).content.decode()
    assert "Mark the meeting held" not in html and "Save outcome" not in html and "New action item" not in html


def test_outcomes_are_recorded_on_a_frozen_agenda_only(client_for, coordinator, investigator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case_at(investigator, local(2026, 2, 5, 23, 0))
    services.build_agenda(meeting, coordinator)
    item = first_item(meeting)
    client = client_for(coordinator)

    answers = [record(client, meeting, item, outcome="decision"), client.post(url("agenda_held", meeting))]

    assert [a.status_code for a in answers] == [409, 409]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


@pytest.mark.parametrize("persona", ["investigator", "prosecutor", "advocate", "supervisor"])
def test_only_coordinators_record_the_meeting(request, client_for, frozen, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    item = first_item(frozen)

    answers = [
        record(client, frozen, item, outcome="decision"),
        action(client, frozen, item, description="x", assignee=user.pk, due_on="2099-01-01"),
        client.post(url("agenda_attendance", frozen), {}),
        client.post(url("agenda_held", frozen)),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    assert "Save outcome" not in client.get(url("detail", frozen)).content.decode()
    frozen.refresh_from_db()
    assert frozen.status == Meeting.Status.FROZEN and not ActionItem.objects.exists()


def test_in_meeting_forms_answer_htmx_with_the_agenda_fragment(client_for, coordinator, frozen):
    item = first_item(frozen)

    response = client_for(coordinator).post(
        url("agenda_record", frozen, item.pk),
        {
            f"record-{item.pk}-discussed": "on",
            f"record-{item.pk}-outcome": "information",
            "version": frozen.agenda_version,
        },
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda"') and "<html" not in html
    assert "Recorded." in html and "is-discussed" in html


def test_the_in_meeting_page_stays_within_its_query_budget(
    client_for, coordinator, investigator, frozen, django_assert_max_num_queries
):
    for n in range(8):
        UserFactory(username=f"det_extra{n}", agency=investigator.agency, role=User.Role.INVESTIGATOR)
    client = client_for(coordinator)

    # session, user, user's agency, meeting, items, previous held meeting, action items of the
    # meeting, who froze it, recent events, invited agencies, attendance and its people, the
    # agencies' members, the audit row (insert; on SQLite the last hash first); the
    # action-item form with everyone in it is loaded only when opened
    with django_assert_max_num_queries(16):
        response = client.get(url("detail", frozen))

    assert response.content.decode().count("Save outcome of item") == 2


def test_the_action_item_form_loads_when_opened_and_is_a_page_of_its_own_without_javascript(
    client_for, coordinator, atf_agent, frozen
):
    item = first_item(frozen)
    client = client_for(coordinator)
    agenda = client.get(url("detail", frozen)).content.decode()
    form_url = url("agenda_action", frozen, item.pk)

    fragment = client.get(form_url, headers={"HX-Request": "true"}).content.decode()
    page = client.get(form_url).content.decode()

    # The agenda carries a link (and the htmx hook), not hundreds of forms with every person.
    assert f'hx-get="{form_url}" hx-trigger="toggle once"' in agenda and f'<a href="{form_url}">' in agenda
    assert "Marcus Ortelli (ATF-RB)" not in agenda
    assert fragment.lstrip().startswith("<form") and 'hx-post="' in fragment and "Marcus Ortelli (ATF-RB)" in fragment
    assert "<html" in page and "Marcus Ortelli (ATF-RB)" in page and "hx-post" not in page.split("<main")[1]


def test_the_action_item_form_is_for_coordinators_on_a_frozen_agenda(client_for, coordinator, investigator, frozen):
    item = first_item(frozen)

    assert client_for(investigator).get(url("agenda_action", frozen, item.pk)).status_code == 403
    assert client_for(coordinator).get(url("agenda_action", frozen, item.pk + 999)).status_code == 404
